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
import re
import zipfile
from collections import OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Tuple

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


def load_weights_only(path: str, what: str) -> Any:
    """``torch.load(path)`` to CPU, weights-only; every failure names ``what`` and the file.

    An empty, garbage or truncated file and a file holding pickled objects that weights-only loading
    refuses (they could run code when unpickled) each get a message that says what is wrong and
    what to do, instead of torch's ``EOFError`` / ``failed finding central directory`` / "set
    weights_only=False".

    Args:
        path: the file.
        what: its role in messages (``'teacher checkpoint'``, ``'resume checkpoint'``,
            ``'two-tower projection'``, ``'text bank'`` ...).

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'empty.pth')
        >>> open(path, 'wb').close()
        >>> load_weights_only(path, 'teacher checkpoint')
        Traceback (most recent call last):
        ...
        ValueError: teacher checkpoint ... is empty (0 bytes): it was not written completely. Copy or save it again.
    """  # noqa: E501
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path!r}. Place the file there or fix the path '
                                'in your config.')
    size = osp.getsize(path)
    if size == 0:
        raise ValueError(f'{what} {path!r} is empty (0 bytes): it was not written completely. '
                         'Copy or save it again.')
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as error:
        with open(path, 'rb') as f:
            head = f.read(2)
        if 'Weights only load failed' not in str(error) or head[:1] not in (b'P', b'\x80'):
            raise _corrupt(path, what, error) from None
        refused = re.search(r'GLOBAL ([\w.]+)', str(error))
        name = refused.group(1) if refused else 'object'
        raise pickle.UnpicklingError(
            f'{what} {path!r} holds a pickled {name}, which mmkd does not unpickle: unpickling '
            'runs code chosen by whoever wrote the file, so only tensors, plain containers and '
            'the few classes MMEngine writes are loaded. If you trust the file, convert it once '
            'to a plain state dict and point your config at the new file:\n'
            f'  python -c "import torch; c = torch.load({path!r}, map_location=\'cpu\', '
            'weights_only=False); torch.save(dict(state_dict=c.get(\'state_dict\', c)), '
            '\'converted.pth\')"') from None
    except (EOFError, KeyError, RuntimeError, ValueError) as error:
        raise _corrupt(path, what, error) from None


def _corrupt(path: str, what: str, error: Exception) -> ValueError:
    """The error for a file torch cannot parse, by what its first bytes say it is."""
    with open(path, 'rb') as f:
        head = f.read(4)
    if head.startswith(b'PK'):
        problem = 'is truncated or corrupt (its zip archive cannot be read)'
    elif head.startswith(b'\x80'):
        problem = 'is truncated or corrupt (its pickle stream cannot be read)'
    else:
        problem = f'is not a PyTorch checkpoint (it starts with {head!r})'
    detail = str(error).split('. ')[0].splitlines()[0] if str(error) else 'no detail'
    return ValueError(f'{what} {path!r} ({osp.getsize(path)} bytes) {problem}: '
                      f'{type(error).__name__}: {detail}. Copy or save it again.')


def find_nonfinite(tensors: Mapping[str, Any]) -> List[str]:
    """Names of the floating-point tensors holding NaN or inf, with their counts.

    Example:
        >>> find_nonfinite({'a': torch.tensor([1., float('nan')]), 'b': torch.ones(2)})
        ['a (1 NaN, 0 inf of 2 values)']
    """
    found = []
    for name, value in tensors.items():
        if isinstance(value, torch.Tensor) and value.is_floating_point() and \
                not bool(torch.isfinite(value).all()):
            nan = int(torch.isnan(value).sum())
            inf = int(torch.isinf(value).sum())
            found.append(f'{name} ({nan} NaN, {inf} inf of {value.numel()} values)')
    return found


def load_state_dict_file(path: str, what: str = 'checkpoint') -> Dict[str, torch.Tensor]:
    """Load the ``state_dict`` of a checkpoint file to CPU, weights-only, every tensor finite.

    Args:
        path: a ``.pth`` file: a raw state dict or an OpenMMLab checkpoint with ``state_dict``.
        what: how to name the file in errors (e.g. ``"teacher 'cnn' checkpoint"``).

    Raises:
        FileNotFoundError, ValueError, pickle.UnpicklingError: see :func:`load_weights_only`;
            ``ValueError`` also when a tensor holds NaN or inf (they are named).
    """
    checkpoint = load_weights_only(path, what)
    state_dict = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        raise ValueError(f'{what} {path!r} holds no state dict (got {type(checkpoint).__name__})')
    nonfinite = find_nonfinite(state_dict)
    if nonfinite:
        raise ValueError(f'{what} {path!r}: {len(nonfinite)} tensors hold NaN or inf: '
                         f'{_first(nonfinite, 4)}. The model was saved after its training '
                         'diverged; use an earlier checkpoint or retrain it.')
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v) for k, v in state_dict.items())


def check_checkpoint_file(path: str, what: str) -> None:
    """Fail early, naming ``what``, when a checkpoint a run will load cannot be loaded.

    The tensors are memory-mapped, not read (zip checkpoints), so checking a large file is cheap;
    MMEngine then loads it as usual (resume, ``load_from``).
    """
    if osp.isfile(path) and zipfile.is_zipfile(path):
        try:
            torch.load(path, map_location='cpu', weights_only=True, mmap=True)
            return
        except pickle.UnpicklingError:
            pass  # load_weights_only below explains the refusal
    load_weights_only(path, what)


def check_hf_folder(folder: str, what: str) -> str:
    """``folder`` if it is a local Hugging Face model folder (it has a ``config.json``).

    Every ``from_pretrained`` in mmkd passes ``local_files_only=True``: nothing is downloaded at
    run time, and a hub name or a missing folder is an error that says which files to put where.

    Example:
        >>> check_hf_folder('org/some-model', 'the caption model')
        Traceback (most recent call last):
        ...
        FileNotFoundError: the caption model: no Hugging Face model folder at 'org/some-model' (mmkd never downloads). ...
    """  # noqa: E501
    if not osp.isfile(osp.join(str(folder), 'config.json')):
        raise FileNotFoundError(
            f'{what}: no Hugging Face model folder at {folder!r} (mmkd never downloads). Put the '
            'model files there: config.json, the weights (model.safetensors or pytorch_model.bin) '
            'and the tokenizer / processor files (tokenizer.json or vocab.txt, '
            'tokenizer_config.json, special_tokens_map.json; preprocessor_config.json for image '
            'models) — e.g. `huggingface-cli download <repo> --local-dir '
            f'{folder}` on a machine with internet, then copy the folder here.')
    return str(folder)


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
