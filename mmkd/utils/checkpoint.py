"""Weights-only checkpoint loading that names what is wrong.

torch >= 2.6 loads with ``weights_only=True``. MMEngine 0.10.x stores a few trusted non-tensor objects
in its checkpoints (the message hub's ``HistoryBuffer``, numpy arrays and scalars), so resuming fails
with ``UnpicklingError: Unsupported global`` (open-mmlab/mmengine#1655); the message hub's
statistics methods and OneCycleLR's annealing function are pickled as ``getattr(class, name)``.
:func:`allow_mmengine_globals` allow-lists exactly those classes and methods, once, when mmkd is
imported: resume (and loading a teacher from a training checkpoint) works with mmkd's tools and with
the stock ones plus ``custom_imports=dict(imports=['mmkd'])``, and arbitrary unpickling stays off.
"""
import os.path as osp
import pickle
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
from torch import nn


def _numpy_globals() -> list:
    """numpy objects that appear in MMEngine checkpoints (arrays, dtypes, scalars)."""
    multiarray = getattr(np, '_core', np.core).multiarray
    dtype_classes = [type(np.dtype(t)) for t in (
        'float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'bool')]
    return [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar, *dtype_classes]


def _pickled_methods() -> Dict[type, Tuple[str, ...]]:
    """Methods MMEngine checkpoints reference as ``getattr(class, name)``: the message hub's
    statistics methods and OneCycleLR's annealing function (in its scheduler state)."""
    from mmengine.logging.history_buffer import HistoryBuffer
    from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler
    return {HistoryBuffer: ('current', 'min', 'max', 'mean'),
            OneCycleParamScheduler: ('_annealing_cos', '_annealing_linear')}


def _restricted_getattr(owner: object, name: str) -> object:
    """``getattr`` for weights-only loads, limited to the methods of :func:`_pickled_methods`."""
    if name not in _pickled_methods().get(owner, ()):
        raise pickle.UnpicklingError(f'weights-only load refuses getattr({owner!r}, {name!r})')
    return getattr(owner, name)


def allow_mmengine_globals() -> None:
    """Allow-list the trusted classes MMEngine writes into checkpoints for ``weights_only`` loads.

    ``getattr`` itself is replaced by :func:`_restricted_getattr`, which only returns the few class
    methods MMEngine pickles by reference (a general ``getattr`` would allow arbitrary code).
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:  # torch < 2.4 loads without weights_only by default
        add_safe_globals([HistoryBuffer, *_pickled_methods(), *_numpy_globals(),
                          (_restricted_getattr, 'builtins.getattr')])


def load_state_dict_file(path: str, what: str = 'checkpoint') -> Dict[str, torch.Tensor]:
    """Load the ``state_dict`` of a checkpoint file to CPU, weights-only.

    Args:
        path: a ``.pth`` file: a raw state dict or an OpenMMLab checkpoint with ``state_dict``.
        what: how to name the file in errors (e.g. ``"teacher 'cnn' checkpoint"``).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path!r}. Place the file there or fix the path '
                                'in your config.')
    checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    state_dict = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        raise ValueError(f'{what} {path!r} holds no state dict (got {type(checkpoint).__name__})')
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v) for k, v in state_dict.items())


def _first(keys: List[str], n: int = 8) -> str:
    return ', '.join(keys[:n]) + (f' … (+{len(keys) - n} more)' if len(keys) > n else '')


def load_strictly(model: nn.Module, path: str, what: str = 'checkpoint',
                  prefix: Optional[str] = None) -> str:
    """Load ``path`` into ``model`` with every key and shape matching; return a one-line report.

    Args:
        model: the module to fill.
        path: the checkpoint file.
        what: its name in messages.
        prefix: if given, only keys starting with it are used, with it removed (e.g. ``'student.'``
            to take the student out of a distiller checkpoint).

    Raises:
        FileNotFoundError: the file does not exist.
        KeyError: keys are missing or unexpected; the message lists them.
        ValueError: a tensor has the wrong shape.
    """
    state_dict = load_state_dict_file(path, what)
    if prefix:
        state_dict = OrderedDict((k[len(prefix):], v) for k, v in state_dict.items()
                                 if k.startswith(prefix))
    expected = model.state_dict()
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    if missing or unexpected:
        raise KeyError(f'{what} {path!r} does not match the model: '
                       f'{len(missing)} missing keys [{_first(missing)}], '
                       f'{len(unexpected)} unexpected keys [{_first(unexpected)}]')
    wrong = [f'{k}: file {tuple(v.shape)} vs model {tuple(expected[k].shape)}'
             for k, v in state_dict.items() if v.shape != expected[k].shape]
    if wrong:
        raise ValueError(f'{what} {path!r} has {len(wrong)} tensors of the wrong shape: '
                         f'{_first(wrong, 4)}')
    model.load_state_dict(state_dict, strict=True)
    return f'{what}: {len(expected)}/{len(expected)} keys matched from {path}'
