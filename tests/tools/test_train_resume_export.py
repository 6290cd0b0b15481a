"""Hinton KD end to end through real runners: mmkd's tools/train.py, the stock mmpretrain
tools/train.py (resume included) and tools/test.py on the student-only checkpoint."""
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

import mmkd  # noqa: F401  (weights-only loads of full MMEngine checkpoints)
from conftest import REPO, run_tool

MMPRETRAIN_TOOLS = osp.join(osp.dirname(__import__('mmpretrain').__file__), '.mim', 'tools')
STUDENT_CFG = osp.join(REPO, 'configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py')
TEACHER_CFG = osp.join(REPO, 'configs/hinton_kd/resnet18-w8_fashion-mnist-10k_teacher.py')

# A user's wrapper: their student config + custom_imports + the distiller, nothing else.
WRAPPER = """
_base_ = ['{student}']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)
model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{{{_base_.model}}}},
    teachers=dict(cnn=dict(type='OpenMMLabTeacher', config='{teacher}', checkpoint='{ckpt}')),
    student_records=dict(logits='head'),
    distill_losses=dict(loss_kd=dict(
        type='KDLoss', tau=2.0, inputs=dict(preds_S='student.logits', preds_T='cnn.outputs'))))
custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
"""


def small_run_options(data_root, max_epochs=2):
    """Fast and deterministic: 256 images, fixed seed."""
    return [
        '--cfg-options', f'train_dataloader.dataset.data_root={data_root}',
        'train_dataloader.dataset.indices=256', 'train_dataloader.batch_size=64',
        f'val_dataloader.dataset.data_root={data_root}', 'val_dataloader.dataset.indices=256',
        f'test_dataloader.dataset.data_root={data_root}', 'test_dataloader.dataset.indices=256',
        f'train_cfg.max_epochs={max_epochs}', f'train_cfg.val_interval={max_epochs}',
        'default_hooks.checkpoint.interval=1', 'default_hooks.checkpoint.max_keep_ckpts=-1',
        'randomness.seed=0', 'randomness.deterministic=True']


@pytest.fixture(scope='module')
def runs(tmp_path_factory, fashion_mnist_root):
    tmp = tmp_path_factory.mktemp('hinton')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        teacher = ROOT_MODELS.build(Config.fromfile(TEACHER_CFG).model)
    ckpt = str(tmp / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    (tmp / 'kd_wrapper.py').write_text(
        WRAPPER.format(student=STUDENT_CFG, teacher=TEACHER_CFG, ckpt=ckpt))
    # Random flips draw from numpy's global RNG, which no checkpoint restores: drop them so that
    # resume can be compared exactly.
    config = tmp / 'kd_wrapper_no_flip.py'
    config.write_text("_base_ = ['./kd_wrapper.py']\n"
                      "train_dataloader = dict(dataset=dict(pipeline=[dict(type='PackInputs')]))\n")
    full, resumed = str(tmp / 'full'), str(tmp / 'resumed')
    # 1) two epochs with mmkd's own tools/train.py
    run_tool(['tools/train.py', str(config), '--work-dir', full,
              *small_run_options(fashion_mnist_root)])
    # 2) the stock mmpretrain tools/train.py resumes the same run from epoch 1
    resume_log = run_tool([osp.join(MMPRETRAIN_TOOLS, 'train.py'), str(config),
                           '--work-dir', resumed, '--resume', osp.join(full, 'epoch_1.pth'),
                           *small_run_options(fashion_mnist_root)])
    return dict(config=str(config), full=full, resumed=resumed, resume_log=resume_log)


def student_weights(path):
    state = torch.load(path, map_location='cpu', weights_only=True)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('student.')}


def test_resume_reproduces_the_uninterrupted_run(runs):
    assert 'resumed epoch: 1' in (runs['resume_log'].stdout + runs['resume_log'].stderr)
    full = student_weights(osp.join(runs['full'], 'epoch_2.pth'))
    resumed = student_weights(osp.join(runs['resumed'], 'epoch_2.pth'))
    assert full.keys() == resumed.keys() and len(full) > 0
    for key in full:
        torch.testing.assert_close(resumed[key], full[key], rtol=1e-5, atol=1e-6, msg=key)


def test_checkpoints_hold_no_teacher(runs):
    state = torch.load(osp.join(runs['full'], 'epoch_2.pth'), weights_only=True)['state_dict']
    assert not any(k.startswith('teachers.') for k in state)


def test_student_checkpoint_loads_strictly_and_evaluates_with_stock_test(runs, fashion_mnist_root):
    student_ckpt = osp.join(runs['full'], 'student_epoch_2.pth')
    # plain torch, weights-only, no mmkd classes needed
    exported = torch.load(student_ckpt, weights_only=True)
    assert not any(k.startswith(('student.', 'teachers.')) for k in exported['state_dict'])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        student = ROOT_MODELS.build(Config.fromfile(STUDENT_CFG).model)
    load_checkpoint(student, student_ckpt, strict=True)
    for key, value in student_weights(osp.join(runs['full'], 'epoch_2.pth')).items():
        torch.testing.assert_close(student.state_dict()[key[len('student.'):]], value)
    # the stock mmpretrain tools/test.py, on the plain student config
    proc = run_tool([osp.join(MMPRETRAIN_TOOLS, 'test.py'), STUDENT_CFG, student_ckpt,
                     '--work-dir', osp.join(runs['full'], 'test'), '--cfg-options',
                     f'test_dataloader.dataset.data_root={fashion_mnist_root}',
                     'test_dataloader.dataset.indices=256',
                     'test_dataloader.persistent_workers=False'])
    accuracy = re.search(r'accuracy/top1: ([\d.]+)', proc.stdout + proc.stderr)
    assert accuracy is not None and 0.0 <= float(accuracy.group(1)) <= 100.0


def test_teacher_report_in_the_log(runs):
    log = open(glob.glob(osp.join(runs['full'], '*', '*.log'))[0]).read()
    assert 'mmkd teacher report' in log
    assert re.search(r'\[cnn\] teacher checkpoint: (\d+)/\1 keys matched', log)
    assert re.search(r'\[cnn\] top-1 accuracy on this batch: [\d.]+%', log)
