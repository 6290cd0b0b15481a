"""No mmkd config needs ``find_unused_parameters=True``.

No distiller config under configs/ asks for it; and in every detection and segmentation distiller
config with live OpenMMLab teachers, one training step on real tiles gives every trainable parameter
(student and connectors) a gradient. (Classification configs and configs that read their teacher
from a store get the same check from their own method's tests.)
"""
import copy
import glob
import os.path as osp

import pytest
from conftest import REPO
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, DefaultScope

TILE_DATA = {'mmdet': 'configs/_base_/datasets/fashion_tiles_detection.py',
             'mmseg': 'configs/_base_/datasets/fashion_tiles_segmentation.py'}


def distiller_configs() -> dict:
    """``path -> config`` of every distiller config under configs/."""
    paths = sorted(p for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py')) if '_base_' not in p)
    configs = {path: Config.fromfile(path) for path in paths}
    return {path: cfg for path, cfg in configs.items()
            if 'KnowledgeDistiller' in cfg.get('model', {}).get('type', '')}


def dense_configs(configs: dict) -> list:
    """The detection / segmentation ones with live OpenMMLab teachers, one per distinct model (a
    FlexibleRunner variant of a recipe trains the recipe's model)."""
    by_model = {}
    for path, cfg in sorted(configs.items(), key=lambda item: 'runner_type' in item[1]):
        live = all(t.type.endswith('OpenMMLabTeacher') for t in cfg.model.teachers.values())
        if cfg.default_scope in TILE_DATA and live:
            by_model.setdefault(str(cfg.model), path)
    return sorted(by_model.values())


DISTILLER_CONFIGS = distiller_configs()


def tile_batch(scope: str, data_root: str) -> dict:
    """Two real tile samples through the train pipeline of the task's tile dataset config."""
    dataset_cfg = Config.fromfile(osp.join(REPO, TILE_DATA[scope])).train_dataloader.dataset
    dataset_cfg.data_root = data_root
    if scope == 'mmdet':
        dataset_cfg.ann_file = osp.join(data_root, dataset_cfg.ann_file)
    dataset = DATASETS.build(dataset_cfg)
    return pseudo_collate([dataset[0], dataset[1]])


def test_no_distiller_config_asks_for_find_unused_parameters():
    assert len(DISTILLER_CONFIGS) >= 5
    for path, cfg in DISTILLER_CONFIGS.items():
        wrapper = cfg.get('model_wrapper_cfg') or cfg.get('strategy', {}).get('model_wrapper') or {}
        assert not cfg.get('find_unused_parameters'), path
        assert not wrapper.get('find_unused_parameters'), path


@pytest.mark.parametrize('config', dense_configs(DISTILLER_CONFIGS),
                         ids=lambda p: osp.basename(p)[:-3])
def test_one_step_gives_every_trainable_parameter_a_gradient(config, tiles_workdir):
    cfg = DISTILLER_CONFIGS[config]
    scope = cfg.default_scope
    model_cfg = copy.deepcopy(cfg.model)
    for teacher in model_cfg.teachers.values():  # plumbing: the checkpoints are not here
        teacher.update(checkpoint=None, allow_random_init=True)
    if scope == 'mmseg':  # pad the 64-px tiles to 64 px, not to Cityscapes' 512x1024 crops
        model_cfg.student.data_preprocessor.size = (64, 64)
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(model_cfg)
        data = model.data_preprocessor(
            tile_batch(scope, osp.join(tiles_workdir, 'data', 'fashion_tiles')), True)
    model.train()
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    loss.backward()
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and not [n for n in trainable if n.startswith('teachers.')]
    no_grad = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert not no_grad, f'{osp.basename(config)}: no gradient for {no_grad[:10]}'
