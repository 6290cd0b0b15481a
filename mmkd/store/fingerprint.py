"""What a teacher store's outputs depend on: the teacher (by file content) and the view.

A store's fingerprint is ``dict(teacher=teacher_fingerprint(teacher_cfg), view=VIEW)``:

* ``teacher``: the teacher's config, with every file it names (config, checkpoint, …) replaced by
  its name, size and a content hash (:func:`file_identity`), so moving files keeps the store valid
  and retraining the teacher invalidates it;
* ``view``: the data pipeline the outputs were computed on (:func:`describe_view`), or ``'any'``
  when the outputs describe the sample whatever its view (MLLM answers about an image, text
  embeddings of its caption: declared by whoever writes the store).

Whether a pipeline is random is decided by behaviour (:func:`mmkd.store.replay.probe_pipeline`);
:func:`random_transforms` lists the transforms whose names or ``prob`` say so, for reports.
"""
import hashlib
import os
import os.path as osp
from typing import Any, Dict, List, Sequence, Union

#: Transforms that do not change what the teacher sees (packing, loading stored targets).
VIEW_NEUTRAL = ('PackInputs', 'PackDetInputs', 'PackSegInputs', 'PackTrackInputs',
                'LoadTeacherTargets')
#: Random transforms whose names do not start with ``Random`` / ``Rand``.
RANDOM_TRANSFORMS = ('AutoAugment', 'ColorJitter', 'PhotoMetricDistortion', 'Mosaic', 'MixUp',
                     'CachedMosaic', 'CachedMixUp', 'CopyPaste', 'CutOut', 'Albu', 'Albumentation',
                     'GaussianBlur', 'Lighting', 'YOLOXHSVRandomAug', 'MultiView',
                     'BEiTMaskGenerator', 'SimMIMMaskGenerator', 'Solarize', 'TimmRandAugment')
_HASH_BYTES = 16 << 20


def file_identity(path: str) -> Dict[str, Any]:
    """``{file, size, sha256}`` of a file; the hash covers its first and last 16 MiB and its size.

    A partial hash keeps multi-GB MLLM checkpoints cheap to check at every training start; any
    retrained checkpoint changes its head, tail or size.

    Example:
        >>> file_identity(__file__)['file']
        'fingerprint.py'
    """
    size = os.path.getsize(path)
    digest = hashlib.sha256(str(size).encode())
    with open(path, 'rb') as f:
        digest.update(f.read(_HASH_BYTES))
        if size > 2 * _HASH_BYTES:
            f.seek(size - _HASH_BYTES)
            digest.update(f.read())
        elif size > _HASH_BYTES:
            digest.update(f.read())
    return dict(file=osp.basename(path), size=size, sha256=digest.hexdigest())


def teacher_fingerprint(teacher_cfg: Any) -> Any:
    """The teacher config with each existing file path replaced by :func:`file_identity`.

    Example:
        >>> teacher_fingerprint(dict(type='OpenMMLabTeacher', checkpoint=None, records=('head',)))
        {'type': 'OpenMMLabTeacher', 'checkpoint': None, 'records': ['head']}
    """
    if hasattr(teacher_cfg, 'to_dict'):
        teacher_cfg = teacher_cfg.to_dict()
    if isinstance(teacher_cfg, dict):
        return {key: teacher_fingerprint(value) for key, value in teacher_cfg.items()}
    if isinstance(teacher_cfg, (list, tuple)):
        return [teacher_fingerprint(value) for value in teacher_cfg]
    if isinstance(teacher_cfg, str) and osp.isfile(teacher_cfg):
        return file_identity(teacher_cfg)
    return teacher_cfg


def _type_name(transform: dict) -> str:
    type_ = transform.get('type', '')
    name = type_ if isinstance(type_, str) else getattr(type_, '__name__', str(type_))
    return name.split('.')[-1]


def _as_json_data(value: Any) -> Any:
    """Tuples become lists (as a config dump or ``meta.json`` writes them), recursively."""
    if isinstance(value, dict):
        return {k: _as_json_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_json_data(v) for v in value]
    return value


def describe_view(pipeline: Sequence[dict]) -> List[dict]:
    """The pipeline's transforms that shape the view, with their arguments, as plain JSON data,
    so ``scale=(32, 32)`` and ``scale=[32, 32]`` describe the same view."""
    view = []
    for transform in pipeline:
        transform = transform.to_dict() if hasattr(transform, 'to_dict') else dict(transform)
        if _type_name(transform) not in VIEW_NEUTRAL:
            view.append(_as_json_data(dict(transform, type=_type_name(transform))))
    return view


def random_transforms(pipeline: Sequence[dict]) -> List[str]:
    """Names of the transforms of ``pipeline`` (nested ones included) that draw random numbers.

    A transform counts as random when its type starts with ``Random`` / ``Rand``, is in
    :data:`RANDOM_TRANSFORMS`, or has a ``prob`` strictly between 0 and 1. Names miss many random
    transforms (``Cutout``, ``Rotate``, ``EfficientNetRandomCrop``, users' own): the decision is
    :func:`mmkd.store.replay.probe_pipeline`'s, by behaviour; this list is reported beside it.

    Example:
        >>> random_transforms([dict(type='mmpretrain.RandomFlip', prob=0.5), dict(type='Resize')])
        ['RandomFlip']
    """
    found = []
    for transform in pipeline:
        name = _type_name(transform)
        prob = transform.get('prob')
        if (name.startswith(('Random', 'Rand')) or name in RANDOM_TRANSFORMS
                or isinstance(prob, float) and 0 < prob < 1):
            found.append(name)
        for key in ('transforms', 'policies'):  # RandomApply, RandomChoice, AutoAugment …
            nested = transform.get(key)
            if isinstance(nested, (list, tuple)):
                for item in nested:
                    found += random_transforms(item if isinstance(item, (list, tuple)) else [item])
    return found


def make_fingerprint(teacher_cfg: Any, view: Union[str, Sequence[dict]]) -> dict:
    """``dict(teacher=..., view=...)``; ``view`` is a pipeline or ``'any'`` (view-independent)."""
    if isinstance(view, str):
        if view != 'any':
            raise ValueError(f"view must be a pipeline (list of transforms) or 'any', got {view!r}")
    else:
        view = describe_view(view)
    return dict(teacher=teacher_fingerprint(teacher_cfg), view=view)
