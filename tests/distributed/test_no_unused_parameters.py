"""No mmkd config needs ``find_unused_parameters=True``: in every distiller config under configs/,
one training step gives every trainable parameter (student and connectors) a gradient."""
import glob
import os.path as osp

import pytest
import torch
from conftest import REPO
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, MODELS, DefaultScope



def distiller_configs() -> list:
    """Every distiller config under configs/, one per distinct model (a FlexibleRunner variant of
    a recipe trains the same model)."""
    configs = [(path, Config.fromfile(path)) for path in
               sorted(glob.glob(osp.join(REPO, 'configs', '*', '*.py'))) if '_base_' not in path]
    by_model = {}
    for path, cfg in sorted(configs, key=lambda item: 'runner_type' in item[1]):
        if 'KnowledgeDistiller' in cfg.get('model', {}).get('type', ''):
            by_model.setdefault(str(cfg.model), path)
    return sorted(by_model.values())


DISTILLER_CONFIGS = distiller_configs()
TILE_DATA = {'mmdet': 'configs/_base_/datasets/fashion_tiles_detection.py',
             'mmseg': 'configs/_base_/datasets/fashion_tiles_segmentation.py'}


def tile_batch(scope: str, data_root: str) -> dict:
    """Two real tile samples through the train pipeline of the task's tile dataset config."""
    dataset_cfg = Config.fromfile(osp.join(REPO, TILE_DATA[scope])).train_dataloader.dataset
    dataset_cfg.data_root = data_root
    if scope == 'mmdet':
        dataset_cfg.ann_file = osp.join(data_root, dataset_cfg.ann_file)
    dataset = DATASETS.build(dataset_cfg)
    return pseudo_collate([dataset[0], dataset[1]])


@pytest.mark.parametrize('config', DISTILLER_CONFIGS, ids=lambda p: osp.basename(p)[:-3])
def test_one_step_gives_every_trainable_parameter_a_gradient(config, tiles_workdir):
    cfg = Config.fromfile(config)
    wrapper = cfg.get('model_wrapper_cfg') or cfg.get('strategy', {}).get('model_wrapper') or {}
    assert not cfg.get('find_unused_parameters') and not wrapper.get('find_unused_parameters')
    scope = cfg.default_scope
    assert scope in TILE_DATA, f'{config}: add a tile batch for scope {scope!r}'
    model_cfg = cfg.model
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
