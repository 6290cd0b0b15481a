"""Weights-only loading of MMEngine checkpoints that reference class methods via getattr."""
import io
import pickle

import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler

import mmkd  # noqa: F401  (allow-lists MMEngine's globals)


class MethodByReference:
    """Pickles as ``getattr(owner, name)``, as MMEngine's bound/static methods do."""

    def __init__(self, owner, name):
        self.owner, self.name = owner, name

    def __reduce__(self):
        return getattr, (self.owner, self.name)


def roundtrip(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer, pickle_protocol=2)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_mmengine_methods_load_weights_only():
    loaded = roundtrip(dict(
        stats=MethodByReference(HistoryBuffer, 'mean'),
        anneal=MethodByReference(OneCycleParamScheduler, '_annealing_cos')))
    assert loaded['stats'] is HistoryBuffer.mean
    assert loaded['anneal'] is OneCycleParamScheduler._annealing_cos


def test_other_getattr_is_refused():
    with pytest.raises(pickle.UnpicklingError, match='refuses getattr'):
        roundtrip(MethodByReference(HistoryBuffer, '__init__'))
