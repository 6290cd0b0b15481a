"""Where MMRazor's package configs and checkpoints are on today's stack (never downloading)."""
import difflib
import importlib
import importlib.util
import os
import os.path as osp
from typing import Optional, Tuple

#: MMRazor's scopes -> the installed package that holds the same configs (mmcls 1.x became mmpretrain).
PACKAGES = {'mmcls': 'mmpretrain', 'mmpretrain': 'mmpretrain', 'mmdet': 'mmdet', 'mmseg': 'mmseg'}
#: Registered names that mmcls 1.0.0rc had and mmpretrain 1.2 renamed.
RENAMED_TYPES = {'PackClsInputs': 'PackInputs', 'ClsDataSample': 'DataSample'}
#: Where converted configs expect checkpoints that MMRazor would have downloaded.
CHECKPOINT_DIR = 'checkpoints'


class MMRazorConversionError(ValueError):
    """A config (or a part of it) that mmkd cannot run as MMRazor did; the message says why."""


def _config_root(package: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise MMRazorConversionError(f'package {package!r} is not installed')
    return osp.join(osp.dirname(spec.origin), '.mim', 'configs')


def resolve_package_config(reference: str) -> str:
    """``'mmcls::resnet/resnet18_8xb32_in1k.py'`` -> ``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``.

    The target file must exist in the installed package's ``.mim/configs``. mmdet 3 renamed
    ``faster_rcnn_r50...`` to ``faster-rcnn_r50...``: a file whose name differs only in ``_`` / ``-``
    in the same folder is taken. Anything else is an error naming the reference and the closest
    files.

    Example:
        >>> resolve_package_config('mmcls::resnet/resnet18_8xb32_in1k.py')
        'mmpretrain::resnet/resnet18_8xb32_in1k.py'
        >>> resolve_package_config('mmdet::faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py')
        'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'
    """
    scope, _, path = reference.partition('::')
    if scope not in PACKAGES:
        why = (' (mmdet3d is not part of the stack mmkd supports: mmpretrain, mmdet, mmseg)'
               if scope == 'mmdet3d' else '')
        raise MMRazorConversionError(f'{reference!r}: no package for scope {scope!r}{why}')
    package = PACKAGES[scope]
    root = _config_root(package)
    if osp.isfile(osp.join(root, path)):
        return f'{package}::{path}'
    folder, name = osp.split(path)
    candidates = sorted(f for f in _listdir(osp.join(root, folder)) if f.endswith('.py'))
    same = [f for f in candidates if f.replace('-', '_') == name.replace('-', '_')]
    if len(same) == 1:
        return f'{package}::{osp.join(folder, same[0])}'
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    raise MMRazorConversionError(
        f'{reference!r}: {package} {_version(package)} has no config {path!r}'
        + (f'; closest in {folder}/: {close}' if close else ''))


def _listdir(folder: str):
    return os.listdir(folder) if osp.isdir(folder) else []


def _version(package: str) -> str:
    return importlib.import_module(package).__version__


def model_zoo_weights(reference: str) -> Optional[str]:
    """The ``Weights`` URL the package's metafile gives for a resolved config (``pretrained=True``
    in MMRazor), or ``None``. Reads the metafile; downloads nothing."""
    from mmengine.hub.hub import _get_cfg_metainfo
    package, _, path = reference.partition('::')
    try:
        meta = _get_cfg_metainfo(osp.dirname(osp.dirname(_config_root(package))), path)
    except ValueError:
        return None
    return meta.get('Weights')


def _zoo(scheme: str) -> dict:
    from mmengine.runner import checkpoint
    if scheme == 'torchvision':
        return checkpoint.get_torchvision_models()
    return checkpoint.get_external_models()


def local_checkpoint(reference: str, directory: str = CHECKPOINT_DIR) -> Tuple[str, Optional[str]]:
    """``(local path, origin)`` for a checkpoint reference; ``origin`` is the URL it came from, or
    ``None`` for a path that is already local.

    URLs and MMEngine's model-zoo schemes (``torchvision://``, ``open-mmlab://``) become
    ``<directory>/<file name>``: nothing downloads at run time; put the file there.

    Example:
        >>> local_checkpoint('https://download.openmmlab.com/a/resnet34_8xb32_in1k_20210831.pth')
        ('checkpoints/resnet34_8xb32_in1k_20210831.pth', 'https://download.openmmlab.com/a/resnet34_8xb32_in1k_20210831.pth')
        >>> local_checkpoint('work_dirs/teacher/epoch_10.pth')
        ('work_dirs/teacher/epoch_10.pth', None)
    """
    url = reference
    for scheme in ('torchvision', 'open-mmlab', 'openmmlab'):
        if reference.startswith(f'{scheme}://'):
            name = reference[len(scheme) + 3:]
            zoo = _zoo(scheme)
            if name not in zoo:
                raise MMRazorConversionError(f'checkpoint {reference!r}: MMEngine knows no '
                                             f'{scheme} model {name!r}')
            url = zoo[name]
    if not url.startswith(('http://', 'https://')):
        return reference, None
    return osp.join(directory, url.rstrip('/').split('/')[-1].split('?')[0]), reference


def is_checkpoint_reference(value: str) -> bool:
    """A URL or zoo scheme that MMEngine would download at run time."""
    return value.startswith(('http://', 'https://', 'torchvision://', 'open-mmlab://',
                             'openmmlab://'))


