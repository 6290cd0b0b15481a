"""Every config in configs/ parses; the runnable ones build their model."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope

import mmkd  # noqa: F401
from conftest import REPO

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_parses(path):
    cfg = Config.fromfile(path)
    assert 'model' in cfg, f'{path} defines no model'


@pytest.mark.parametrize('name', [
    'resnet18-w8_fashion-mnist-10k_teacher.py', 'resnet18-w4_fashion-mnist-1k_ce.py'])
def test_hinton_kd_models_build(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'hinton_kd', name))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        assert ROOT_MODELS.build(cfg.model) is not None
