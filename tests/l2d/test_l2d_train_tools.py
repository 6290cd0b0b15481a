"""Teacher then L2D student, each a short run through mmpretrain's own tools/train.py."""
import glob
import json
import os.path as osp

import mmpretrain
import pytest

from conftest import run_tool

PRETRAIN_TRAIN = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools', 'train.py')


def short_run(config, work_dir, data_root, *options):
    data = [f'{loader}.dataset.data_root={data_root}'
            for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    run_tool([PRETRAIN_TRAIN, config, '--work-dir', work_dir, '--cfg-options', *data,
              'train_cfg.max_epochs=1', 'train_cfg.val_interval=1', 'param_scheduler.total_steps=1',
              'train_dataloader.batch_size=32', 'default_hooks.checkpoint.interval=1',
              'default_hooks.logger.interval=1', *options],
             env=dict(OMP_NUM_THREADS='1'))
    [scalars] = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def l2d_run(tmp_path_factory, fashion_tiles_root):
    work = tmp_path_factory.mktemp('l2d_train')
    teacher_logs = short_run('configs/l2d/resnet18-w16_mldecoder_fashion-tiles.py',
                             str(work / 'teacher'), fashion_tiles_root)
    teacher_checkpoint = str(work / 'teacher' / 'epoch_1.pth')
    student_logs = short_run('configs/l2d/l2d_resnet18-w16-to-w8_fashion-tiles-1k.py',
                             str(work / 'student'), fashion_tiles_root,
                             f'model.teachers.teacher.checkpoint={teacher_checkpoint}')
    return teacher_logs, student_logs, work


def test_teacher_trains_and_reports_both_f1s(l2d_run):
    teacher_logs, _, work = l2d_run
    metrics = teacher_logs[-1]
    for key in ('multi-label/mAP', 'multi-label/f1-score', 'multi-label/f1-score_micro',
                'oracle-top-k/CF1', 'oracle-top-k/OF1'):
        assert key in metrics, key
    assert osp.isfile(work / 'teacher' / 'epoch_1.pth')


def test_l2d_student_logs_bce_mld_and_led(l2d_run):
    _, student_logs, work = l2d_run
    train_logs = [log for log in student_logs if 'loss_led' in log]
    assert train_logs, student_logs[:2]
    for key in ('loss', 'loss_mld', 'loss_led'):
        assert train_logs[-1][key] >= 0
    assert train_logs[-1]['loss_led'] > 0  # canvases with 3-4 garments make ID groups
    assert 'oracle-top-k/OF1' in student_logs[-1]
    assert osp.isfile(work / 'student' / 'epoch_1.pth')
