"""Every config in configs/ parses, names only registered types, passes mmkd's modules, transforms,
datasets, samplers and metrics only arguments they take, and points at teacher configs that exist,
written in one style; the small runnable ones build their model.

A renamed type or argument (``OpenCLIPImageTeacher`` → ``OpenCLIPTeacher``, ``pretrained`` →
``checkpoint``) fails here, naming the config and the key path, instead of at a user's first run.
"""
import glob
import inspect
import os.path as osp
from functools import lru_cache
from typing import Iterator, List, Tuple

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import init_default_scope

import mmdet.registry  # noqa: F401  (the scopes' child registries, looked up below)
import mmpretrain.registry  # noqa: F401
import mmseg.registry  # noqa: F401

import mmkd  # noqa: F401
from mmkd_test_helpers import REPO

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p.split(osp.sep))
ROOTS = ('MODELS', 'TASK_UTILS', 'TRANSFORMS', 'DATASETS', 'DATA_SAMPLERS', 'METRICS',
         'EVALUATOR', 'HOOKS', 'PARAM_SCHEDULERS', 'OPTIM_WRAPPERS', 'OPTIMIZERS',
         'OPTIM_WRAPPER_CONSTRUCTORS', 'WEIGHT_INITIALIZERS', 'VISUALIZERS', 'VISBACKENDS',
         'LOG_PROCESSORS', 'LOOPS', 'FUNCTIONS', 'MODEL_WRAPPERS', 'STRATEGIES')
# registries whose classes take exactly the arguments a config gives (no builder pops extra keys)
CHECKED_ARGUMENTS = ('TRANSFORMS', 'DATASETS', 'DATA_SAMPLERS', 'METRICS')
# keys a builder consumes before it calls the class: KnowledgeDistiller takes `inputs` off every
# distill loss and `source` off every connector; the runner takes `priority` off custom hooks
CONSUMED = {'distill_losses': {'inputs'}, 'connectors': {'source'}, 'custom_hooks': {'priority'}}
RUNTIME_ARGUMENTS = {'DATA_SAMPLERS': {'dataset', 'sampler', 'batch_size'}}
# mmdet looks these up as attributes of mmcv.ops (`nms`, `RoIAlign`), not in a registry
MMCV_OPS_KEYS = ('nms', 'roi_layer')


def typed_dicts(node, path: str = '') -> Iterator[Tuple[str, dict]]:
    """Every ``dict(type=str, ...)`` in the config, with its dotted key path."""
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield path, node
        for key, value in node.items():
            yield from typed_dicts(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            yield from typed_dicts(value, f'{path}.{index}')


def find_type(name: str, scope: str) -> List[Tuple[str, object]]:
    """``[(root registry name, registered object)]`` for ``name`` looked up in ``scope``, then
    in mmkd's (mmkd builds its teachers, losses, banks and connectors in its own scope)."""
    import mmengine.registry as registries
    for lookup in (scope, 'mmkd'):
        found = []
        for root in ROOTS:
            with getattr(registries, root).switch_scope_and_registry(lookup) as registry:
                obj = registry.get(name)
            if obj is not None:
                found.append((root, obj))
        if found:
            return found
    return []


def accepted(obj) -> Tuple[set, bool]:
    """The keyword arguments ``obj`` takes, and whether it takes ``**kwargs``."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    parameters = inspect.signature(target).parameters.values()
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


@lru_cache(maxsize=None)
def resolved(path: str) -> dict:
    return Config.fromfile(path).to_dict()


def problems_of(path: str) -> List[str]:
    cfg = resolved(path)
    scope = cfg.get('default_scope') or 'mmengine'
    init_default_scope(scope)
    problems = []
    for key_path, node in typed_dicts(cfg):
        if key_path.split('.')[-1] in MMCV_OPS_KEYS:
            import mmcv.ops
            if not hasattr(mmcv.ops, node['type']):
                problems.append(f'{key_path}: mmcv.ops has no {node["type"]!r}')
            continue
        found = find_type(node['type'], node.get('_scope_', scope))
        if not found:
            problems.append(f'{key_path}: type {node["type"]!r} is not registered '
                            f'(scope {scope!r})')
            continue
        root, obj = found[0]
        mmkd_module = getattr(obj, '__module__', '').startswith('mmkd.')
        if not (mmkd_module or root in CHECKED_ARGUMENTS):
            continue
        names, takes_any = accepted(obj)
        if takes_any:
            continue
        parent = key_path.split('.')[-2] if '.' in key_path else ''
        given = set(node) - {'type', '_scope_'} - CONSUMED.get(parent, set()) \
            - RUNTIME_ARGUMENTS.get(root, set())
        unknown = sorted(given - names)
        if unknown:
            problems.append(f'{key_path}: {node["type"]} takes no argument(s) {unknown}; it '
                            f'takes {sorted(names - {"self"})}')
    return problems


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_names_registered_types_with_arguments_they_take(path):
    problems = problems_of(path)
    assert not problems, f'{osp.relpath(path, REPO)}:\n' + '\n'.join(problems)


def teacher_configs(cfg: dict) -> Iterator[Tuple[str, str]]:
    for key_path, node in typed_dicts(cfg):
        if node['type'].split('.')[-1] == 'OpenMMLabTeacher' and isinstance(node.get('config'),
                                                                            str):
            yield key_path, node['config']


@pytest.mark.parametrize('path', [p for p in CONFIGS if 'OpenMMLabTeacher' in open(p).read()],
                         ids=lambda p: osp.relpath(p, REPO))
def test_teacher_configs_exist_and_are_written_in_one_style(path):
    """A teacher config is a package config (``mmdet::...``) or a file next to the config,
    written ``{{fileDirname}}/...`` (resolved to an absolute path): one style, independent of
    the directory the user runs from."""
    cfg = resolved(path)
    found = list(teacher_configs(cfg))
    assert found, f'{path}: mentions OpenMMLabTeacher but has no teacher config'
    for key_path, teacher in found:
        if '::' in teacher:
            Config.fromfile(teacher)  # the package config resolves
            continue
        assert osp.isabs(teacher), (f'{osp.relpath(path, REPO)} {key_path}.config={teacher!r}: '
                                    "write it '{{fileDirname}}/...'")
        assert osp.isfile(teacher), f'{osp.relpath(path, REPO)} {key_path}.config: no {teacher}'


def test_the_checks_catch_a_renamed_type_and_a_wrong_argument(tmp_path):
    """The two checks above, on a config that carries the mistakes they are for."""
    bad = tmp_path / 'bad.py'
    bad.write_text(
        "custom_imports = dict(imports=['mmkd'])\n"
        "default_scope = 'mmpretrain'\n"
        "model = dict(type='mmkd.KnowledgeDistiller', student=dict(type='ImageClassifier'),\n"
        "             teachers=dict(t=dict(type='OpenCLIPImageTeacherOld')),\n"
        "             distill_losses=dict(loss_kd=dict(type='KDLoss', temperature=4.0,\n"
        "                                              inputs=dict())))\n"
        "train_pipeline = [dict(type='Resize', size=32)]\n")
    problems = '\n'.join(problems_of(str(bad)))
    assert "model.teachers.t: type 'OpenCLIPImageTeacherOld' is not registered" in problems
    assert "model.distill_losses.loss_kd: KDLoss takes no argument(s) ['temperature']" in problems
    assert "train_pipeline.0: Resize takes no argument(s) ['size']" in problems
    assert 'inputs' not in problems  # consumed by the distiller, not an argument of the loss


@pytest.mark.parametrize('name', [
    'resnet18-w8_fashion-mnist-10k_teacher.py', 'resnet18-w4_fashion-mnist-1k_ce.py'])
def test_hinton_kd_models_build(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'hinton_kd', name))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = ROOT_MODELS.build(cfg.model)
    assert type(model).__name__ == 'ImageClassifier'
    assert model.head.fc.out_features == 10
