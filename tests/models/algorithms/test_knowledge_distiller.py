"""The distiller builds from config, checks its wiring at build time and keeps its teacher frozen."""
import copy

import pytest
import torch
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from mmkd.registry import build_mmkd_module

STUDENT = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor', mean=[72.9], std=[90.0]),
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, in_channels=1, stem_channels=4,
                  base_channels=4),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=32,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
TEACHER_MODEL = dict(
    type='ImageClassifier',
    data_preprocessor=dict(type='ClsDataPreprocessor', mean=[127.5], std=[127.5]),
    backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=1, stem_channels=8,
                  base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64,
              loss=dict(type='CrossEntropyLoss')))


def teacher_model():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return ROOT_MODELS.build(copy.deepcopy(TEACHER_MODEL))


@pytest.fixture(scope='module')
def teacher_checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp('teacher') / 'teacher.pth'
    torch.save(dict(state_dict=teacher_model().state_dict()), path)
    return str(path)


def distiller_cfg(checkpoint, **overrides):
    cfg = dict(
        type='KnowledgeDistiller',
        student=copy.deepcopy(STUDENT),
        teachers=dict(cnn=dict(
            type='OpenMMLabTeacher', checkpoint=checkpoint,
            config=dict(model=copy.deepcopy(TEACHER_MODEL), default_scope='mmpretrain'),
            records=dict(feat='neck'))),
        student_records=dict(logits='head'),
        distill_losses=dict(loss_kd=dict(type='KDLoss', tau=2.0, inputs=dict(
            preds_S='student.logits', preds_T='cnn.outputs'))))
    cfg.update(overrides)
    return cfg


def batch(n=8, labeled=True):
    samples = [DataSample().set_gt_label(i % 10) for i in range(n)]
    if not labeled:
        for sample in samples[n // 2:]:
            sample.gt_label = torch.empty(0, dtype=torch.long)
            sample.set_metainfo(dict(is_labeled=False))
    return torch.randn(n, 1, 28, 28), samples


def test_builds_and_trains_a_step(teacher_checkpoint):
    distiller = build_mmkd_module(distiller_cfg(teacher_checkpoint))
    inputs, samples = batch()
    losses = distiller.loss(inputs, samples)
    assert set(losses) == {'loss_cls', 'loss_kd'}
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in distiller.student.parameters())
    assert all(p.grad is None and not p.requires_grad for p in distiller.teachers.parameters())
    # predict is the student's own
    predictions = distiller(inputs, samples, mode='predict')
    assert predictions[0].pred_score.shape == (10, )


def test_teacher_frozen_in_eval_and_left_out_of_checkpoints(teacher_checkpoint):
    distiller = build_mmkd_module(distiller_cfg(teacher_checkpoint))
    distiller.train()
    assert distiller.student.training and not distiller.teachers['cnn'].training
    assert not any(m.training for m in distiller.teachers['cnn'].modules())
    keys = distiller.state_dict().keys()
    assert keys and not any(k.startswith('teachers.') for k in keys)
    # a distiller checkpoint reloads strictly although it has no teacher weights
    result = distiller.load_state_dict(distiller.state_dict(), strict=True)
    assert not result.missing_keys
    # the teacher's preprocessing is its own: student mean 72.9/std 90 -> teacher 127.5/127.5
    x = torch.randn(2, 1, 28, 28)
    torch.testing.assert_close(distiller.teachers['cnn'].prepare_inputs(x),
                               (x * 90.0 + 72.9 - 127.5) / 127.5)


def test_teacher_outputs_match_the_checkpoint(teacher_checkpoint):
    distiller = build_mmkd_module(distiller_cfg(teacher_checkpoint))
    reference = teacher_model()
    reference.load_state_dict(torch.load(teacher_checkpoint)['state_dict'])
    reference.eval()
    x = torch.randn(3, 1, 28, 28)
    out = distiller.teachers['cnn'](x)
    torch.testing.assert_close(out['outputs'], reference((x * 90.0 + 72.9 - 127.5) / 127.5,
                                                         mode='tensor'))
    assert out['feat'][0].shape == (3, 64)  # GlobalAveragePooling returns a tuple


def test_unlabelled_samples_get_distillation_only(teacher_checkpoint):
    distiller = build_mmkd_module(distiller_cfg(teacher_checkpoint))
    inputs, samples = batch(labeled=False)
    losses = distiller.loss(inputs, samples)
    # the task loss is the student's CE over the labelled half alone
    logits = distiller.student(inputs[:4], mode='tensor')
    expected = torch.nn.functional.cross_entropy(logits, torch.arange(4))
    torch.testing.assert_close(losses['loss_cls'], expected)
    inputs, samples = batch(4)
    for sample in samples:
        sample.gt_label = torch.empty(0, dtype=torch.long)
        sample.set_metainfo(dict(is_labeled=False))
    assert set(distiller.loss(inputs, samples)) == {'loss_kd'}


@pytest.mark.parametrize('change, error, message', [
    (dict(student_records=dict(logits='haed')), KeyError, r"no submodule named 'haed'.*'head'"),
    (dict(distill_losses=dict(loss_kd=dict(type='KDLoss', inputs=dict(
        preds_S='student.logits', preds_T='cnn.logit')))), KeyError, r"'cnn.logit'.*cnn.outputs"),
    (dict(distill_losses=dict(loss_kd=dict(type='KDLoss', inputs=dict(
        preds_S='student.logits', target='cnn.outputs')))), KeyError, 'no argument'),
    (dict(distill_losses=dict(loss_kd=dict(type='KDLoss', inputs=dict(
        preds_S='student.logits')))), KeyError, r"required arguments \['preds_T'\]"),
    (dict(distill_losses=dict(kd=dict(type='KDLoss', inputs=dict(
        preds_S='student.logits', preds_T='cnn.outputs')))), ValueError, 'must start with'),
])
def test_wrong_wiring_fails_at_build(teacher_checkpoint, change, error, message):
    with pytest.raises(error, match=message):
        build_mmkd_module(distiller_cfg(teacher_checkpoint, **change))


def test_bad_teacher_checkpoints_fail_before_training(tmp_path, teacher_checkpoint):
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        build_mmkd_module(distiller_cfg(str(tmp_path / 'nowhere.pth')))
    state = torch.load(teacher_checkpoint)['state_dict']
    state['head.fc.extra'] = state.pop('head.fc.bias')
    bad = tmp_path / 'bad.pth'
    torch.save(dict(state_dict=state), bad)
    with pytest.raises(KeyError, match=r'1 missing keys \[head.fc.bias\].*'
                                       r'1 unexpected keys \[head.fc.extra\]'):
        build_mmkd_module(distiller_cfg(str(bad)))
    with pytest.raises(ValueError, match='checkpoint` is None'):
        build_mmkd_module(distiller_cfg(None))


def test_teacher_from_a_package_config():
    """``pkg::path`` configs resolve from the installed package, offline, with their own scope."""
    from mmkd.models.teachers import OpenMMLabTeacher
    teacher = OpenMMLabTeacher(config='mmpretrain::resnet/resnet18_8xb16_cifar10.py',
                               checkpoint=None, allow_random_init=True)
    assert teacher(torch.randn(2, 3, 32, 32))['outputs'].shape == (2, 10)
    assert 'random init' in teacher.report()[0]
