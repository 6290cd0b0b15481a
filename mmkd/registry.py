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
import difflib
import inspect
from typing import Any, Optional

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
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
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, scope='mmkd',
                          locations=['mmkd.engine'])
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, scope='mmkd', locations=['mmkd.engine'])


def check_arguments(cfg: dict, registry: Registry, what: Optional[str] = None) -> None:
    """Raise a ``TypeError`` that names the valid arguments if ``cfg`` has one its type lacks.

    Types that take ``**kwargs`` and types the registry cannot find are left to the build (which
    reports an unknown type itself).

    Example:
        >>> check_arguments(dict(type='KDLoss', temperature=4.0, _scope_='mmkd'), MODELS)
        Traceback (most recent call last):
        ...
        TypeError: KDLoss got unknown argument(s) ['temperature']; KDLoss takes ['tau', 'loss_weight', 'reduction']
    """  # noqa: E501
    args = dict(cfg)
    scope = args.pop('_scope_', None)
    obj_type = args.pop('type', None)
    if isinstance(obj_type, str):
        with registry.switch_scope_and_registry(scope) as scoped:
            obj_type = scoped.get(obj_type)
    if not callable(obj_type):
        return
    try:
        params = inspect.signature(obj_type).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    valid = [name for name, p in params.items() if p.kind != p.VAR_POSITIONAL]
    unknown = [name for name in args if name not in valid]
    if unknown:
        hints = {name: difflib.get_close_matches(name, valid, n=1) for name in unknown}
        hint = ''.join(f' ({name!r}: did you mean {close[0]!r}?)'
                       for name, close in hints.items() if close)
        name = getattr(obj_type, '__name__', str(obj_type))
        raise TypeError(f'{what or name} got unknown argument(s) {unknown}{hint}; {name} takes '
                        f'{valid}')


def build_mmkd_module(cfg: dict, registry: Registry = MODELS, **default_args: Any):
    """Build ``cfg`` looking its type up in mmkd's scope first, whatever the runner's scope is.

    A type with an explicit scope (``'mmpretrain.CrossEntropyLoss'``) is taken from that scope. An
    argument the type does not take is an error naming the valid ones (:func:`check_arguments`).

    Example:
        >>> from mmkd.registry import build_mmkd_module
        >>> loss = build_mmkd_module(dict(type='KDLoss', tau=2.0))
    """
    cfg = dict(cfg)
    cfg.setdefault('_scope_', 'mmkd')
    check_arguments(dict(cfg, **default_args), registry)
    return registry.build(cfg, default_args=default_args or None)
