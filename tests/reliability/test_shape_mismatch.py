"""Fault table, wiring: record shapes that a loss cannot compare fail before any training step,
naming the loss, the records, the teacher and both shapes, with advice that fits the mismatch."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmkd_test_helpers import REPO
from mmpretrain.structures import DataSample
from reliability_helpers import distiller, save_teacher

from mmkd.registry import build_mmkd_module

CLASS_ADVICE = "the teacher must be trained on the student's classes"


@pytest.fixture(scope='module')
def teacher_100(tmp_path_factory) -> str:
    return save_teacher(str(tmp_path_factory.mktemp('t100') / 'teacher.pth'), num_classes=100)


def test_100_class_teacher_and_10_class_student_fail_when_built(teacher_100):
    cfg = dict(distiller(teacher_100, teacher_classes=100), input_shape=(1, 28, 28))
    with pytest.raises(ValueError) as refused:
        build_mmkd_module(cfg)
    message = str(refused.value)
    assert message.startswith("distill loss 'loss_kd' (KDLoss): preds_S=student.logits is (10,) "
                              'per sample but preds_T=cnn.outputs is (100,).')
    assert "The student predicts 10 classes and teacher 'cnn' 100" in message
    assert CLASS_ADVICE in message and 'Connector' not in message


def test_without_input_shape_the_first_batch_is_checked_before_any_loss(teacher_100):
    model = build_mmkd_module(distiller(teacher_100, teacher_classes=100))
    called = []
    model.distill_losses['loss_kd'].register_forward_pre_hook(lambda *args: called.append(1))
    samples = [DataSample().set_gt_label(i) for i in range(4)]
    with pytest.raises(ValueError, match=r"'loss_kd' \(KDLoss\).*\(10,\).*\(100,\)"):
        model.loss(torch.randn(4, 1, 28, 28), samples)
    assert not called  # the loss never ran on mismatched tensors


def test_feature_channels_that_differ_get_connector_advice(tmp_path):
    teacher = save_teacher(str(tmp_path / 'teacher.pth'))
    cfg = distiller(teacher)
    cfg['teachers']['cnn']['records'] = dict(feat='neck')
    cfg.update(student_records=dict(feat='neck'), input_shape=(1, 28, 28), distill_losses=dict(
        loss_fitnet=dict(type='FeatureImitationLoss',
                         inputs=dict(preds_S='student.feat', preds_T='cnn.feat'))))
    with pytest.raises(ValueError) as refused:
        build_mmkd_module(cfg)
    message = str(refused.value)
    assert "'loss_fitnet' (FeatureImitationLoss): preds_S=student.feat is ((32,),)" in message
    assert "type='ConvConnector', source='student.feat', in_channels=32, out_channels=64" in message
    assert CLASS_ADVICE not in message


def test_segmentation_student_with_other_classes_than_its_teacher(tmp_path):
    """FCN student on 11 classes, PSPNet teacher on 19: CWD on their logits. The old advice was
    "add a ConvConnector", which cannot fix different label sets."""
    teacher_cfg = tmp_path / 'pspnet_19_classes.py'
    base = osp.join(REPO, 'configs/fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py')
    teacher_cfg.write_text(
        f"_base_ = ['{base}']\n"
        'model = dict(decode_head=dict(num_classes=19), auxiliary_head=dict(num_classes=19))\n')
    cfg = Config.fromfile(osp.join(
        REPO, 'configs/cwd/cwd_logits_pspnet-r18-d8_fcn-r18-d8_fashion-tiles.py'))
    cfg.model.teachers.teacher.update(config=str(teacher_cfg), checkpoint=None,
                                      allow_random_init=True)
    cfg.model.input_shape = (3, 64, 64)
    with DefaultScope.overwrite_default_scope('mmseg'), pytest.raises(ValueError) as refused:
        ROOT_MODELS.build(cfg.model)
    message = str(refused.value)
    assert "'loss_cwd' (ChannelWiseDivergence): preds_S=student.logits is (11, 8, 8)" in message
    assert 'preds_T=teacher.logits is (19, 8, 8)' in message
    assert "The student predicts 11 classes and teacher 'teacher' 19" in message
    assert CLASS_ADVICE in message and 'ConvConnector' not in message
