"""Weights-only loading of MMEngine checkpoints: what mmkd allows, and what it still refuses."""
import io
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub

import mmkd  # noqa: F401  (allow-lists MMEngine's checkpoint objects)


def roundtrip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_message_hub_state_loads_weights_only():
    hub = MessageHub.get_instance('mmkd-test-hub')
    for value in (1.0, 0.5, np.float64(0.25)):
        hub.update_scalar('train/loss', value)
    hub.update_info('epoch', 3)
    state = roundtrip(dict(message_hub=hub.state_dict(), meta=dict(seed=np.int64(7))))
    buffer = state['message_hub']['log_scalars']['train/loss']
    assert buffer.statistics('mean') == pytest.approx(np.mean([1.0, 0.5, 0.25]))


class ReachesAnAttribute:
    """getattr on an allow-listed class, reaching past it (e.g. towards module globals)."""

    def __reduce__(self):
        return getattr, (np.ndarray, 'tofile')


class RunsShell:
    def __reduce__(self):
        import os
        return os.system, ('true', )


@pytest.mark.parametrize('payload', [ReachesAnAttribute(), RunsShell()])
def test_arbitrary_objects_are_still_refused(payload):
    with pytest.raises(pickle.UnpicklingError):
        roundtrip(dict(x=payload))
