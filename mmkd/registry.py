"""mmkd's registries: children of MMEngine's roots, scope ``'mmkd'``.

OpenMMLab resolves a ``type`` in the runner's default scope (``mmpretrain``, ``mmdet`` or ``mmseg`` in
a user's config) and finds mmkd's modules by their scope prefix, exactly as mmdet finds
``mmpretrain.ConvNeXt``::

    custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
    model = dict(type='mmkd.KnowledgeDistiller', student=..., teachers=..., distill_losses=...)

Everything mmkd builds itself (teachers, connectors and distill losses inside a distiller) is looked
up in mmkd first, so short names work there (``dict(type='KDLoss')``); types of other packages keep
their prefix (``dict(type='mmpretrain.CrossEntropyLoss')``). See :func:`build_mmkd_module`.
"""
from typing import Any

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import Registry

MODELS = Registry('model', parent=MMENGINE_MODELS, scope='mmkd', locations=['mmkd.models'])
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, scope='mmkd', locations=['mmkd.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, scope='mmkd', locations=['mmkd.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, scope='mmkd', locations=['mmkd.datasets.transforms'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, scope='mmkd', locations=['mmkd.engine.hooks'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, scope='mmkd', locations=['mmkd.engine.runner'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, scope='mmkd', locations=['mmkd.evaluation'])
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, scope='mmkd', locations=['mmkd.engine'])


def build_mmkd_module(cfg: dict, registry: Registry = MODELS, **default_args: Any):
    """Build ``cfg`` looking its type up in mmkd's scope first, whatever the runner's scope is.

    A type with an explicit scope (``'mmpretrain.CrossEntropyLoss'``) is taken from that scope.

    Example:
        >>> from mmkd.registry import build_mmkd_module
        >>> loss = build_mmkd_module(dict(type='KDLoss', tau=2.0))
    """
    cfg = dict(cfg)
    cfg.setdefault('_scope_', 'mmkd')
    return registry.build(cfg, default_args=default_args or None)
