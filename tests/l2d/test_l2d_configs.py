"""The full-scale L2D configs: L2D's schedule and weights, consistent class counts, buildable."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmkd_test_helpers import REPO
from mmpretrain.structures import DataSample

import mmkd  # noqa: F401
from mmkd.registry import MODELS

CONFIG_DIR = osp.join(REPO, 'configs', 'l2d')
FULL_SCALE = sorted(glob.glob(osp.join(CONFIG_DIR, '*224px.py')))
NUM_CLASSES = {'coco14': 80, 'voc07': 20, 'nus-wide': 81}


def test_every_dataset_has_teacher_student_and_l2d_configs():
    names = [osp.basename(path) for path in FULL_SCALE]
    for data in NUM_CLASSES:
        assert f'resnet101_mldecoder_1xb64-30e_{data}-224px.py' in names
        assert f'resnet34_mldecoder_1xb64-80e_{data}-224px.py' in names
        assert f'l2d_resnet101-to-resnet34_1xb64-80e_{data}-224px.py' in names


@pytest.mark.parametrize('path', FULL_SCALE, ids=osp.basename)
def test_schedule_data_and_weights_follow_l2d(path):
    cfg = Config.fromfile(path)
    num_classes = next(n for data, n in NUM_CLASSES.items() if f'_{data}-' in path)
    is_l2d = osp.basename(path).startswith('l2d_')
    model = cfg.model.student if is_l2d else cfg.model
    assert model.head.num_classes == cfg.data_preprocessor.num_classes == num_classes
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.optim_wrapper.optimizer.type == 'Adam'
    assert cfg.optim_wrapper.optimizer.lr == 1e-4
    assert cfg.param_scheduler.type == 'OneCycleLR' and cfg.param_scheduler.total_steps == 80
    assert cfg.train_cfg.max_epochs == (30 if 'resnet101_mldecoder' in path else 80)
    if 'voc07' in path:
        assert cfg.train_dataloader.dataset.difficult_as_positive
    if is_l2d:
        losses = cfg.model.distill_losses
        assert losses.loss_mld.loss_weight == 10.0
        assert (losses.loss_led.lambda_cd, losses.loss_led.lambda_id,
                losses.loss_led.loss_weight) == (100.0, 1000.0, 1.0)
        assert osp.isfile(cfg.model.teachers.teacher.config)


def test_coco_l2d_distiller_builds_and_computes_every_loss():
    cfg = Config.fromfile(osp.join(CONFIG_DIR,
                                   'l2d_resnet101-to-resnet34_1xb64-80e_coco14-224px.py'))
    model_cfg = cfg.model.to_dict()
    model_cfg['teachers']['teacher'].update(checkpoint=None, allow_random_init=True)
    model_cfg['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        distiller = MODELS.build(model_cfg)
    samples = [DataSample().set_gt_label([0, 3, 7, 9]), DataSample().set_gt_label([3, 7, 50])]
    data = distiller.data_preprocessor(
        dict(inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8)] * 2,
             data_samples=samples), training=True)
    losses = distiller(**data, mode='loss')
    assert set(losses) == {'loss_cls', 'loss_mld', 'loss_led'}
    assert losses['loss_led'] > 0  # ID groups of 4 and 3 positives
