"""mmdet's and mmseg's own tools/train.py drive an mmkd distiller; their tools/test.py evaluate the
exported student with the plain student config.

One short run per task (teacher: a saved initialised model of the teacher config, loaded strictly;
this is a plumbing test, see ``save_init_checkpoint``), reused by every assertion below.
"""
import glob
import json
import os.path as osp
import re

import mmdet
import mmseg
import pytest
import torch
from mmkd_test_helpers import REPO, run_tool, save_init_checkpoint
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from mmkd.utils import load_strictly

TASKS = {
    'det': dict(
        package=mmdet,
        config='configs/fitnet/fitnet_fpn_retinanet-r18_retinanet-r18-fpn64_fashion-tiles.py',
        student='configs/fashion_tiles/retinanet_r18_fpn64_1500it_fashion-tiles.py',
        teacher='configs/fashion_tiles/retinanet_r18_fpn_1500it_fashion-tiles.py',
        distill_loss='loss_fitnet', metric='coco/bbox_mAP',
        # an untrained RetinaNet scores every box near its 0.01 prior: keep them all so the metric
        # is computed (and compared) instead of skipped on an empty result
        train_options=['model.student.test_cfg.score_thr=0.0'],
        test_options=['model.test_cfg.score_thr=0.0']),
    'seg': dict(
        package=mmseg,
        config='configs/cwd/cwd_logits_pspnet-r18-d8_fcn-r18-d8_fashion-tiles.py',
        student='configs/fashion_tiles/fcn_r18-d8_1500it_fashion-tiles.py',
        teacher='configs/fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py',
        distill_loss='loss_cwd', metric='mIoU', train_options=[], test_options=[]),
}


def stock_tool(package, name: str) -> str:
    return osp.join(osp.dirname(package.__file__), '.mim', 'tools', name)


def metric_in(text: str, metric: str) -> float:
    found = re.findall(rf'{re.escape(metric)}: (-?[\d.]+)', text)
    assert found, f'{metric} not found in the output'
    return float(found[-1])


@pytest.fixture(scope='module', params=sorted(TASKS))
def run(request, tiles_workdir, tmp_path_factory):
    """Train 1 iteration (validate, save) with the stock train.py, then test the student file."""
    task = dict(TASKS[request.param], name=request.param)
    out = tmp_path_factory.mktemp(f'stock_{request.param}')
    teacher_ckpt = save_init_checkpoint(osp.join(REPO, task['teacher']), str(out / 'teacher.pth'))
    work_dir = out / 'train'
    run_tool([stock_tool(task['package'], 'train.py'), osp.join(REPO, task['config']),
              '--work-dir', str(work_dir), '--cfg-options',
              f'model.teachers.teacher.checkpoint={teacher_ckpt}', 'train_cfg.max_iters=1',
              'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1',
              'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2',
              *task['train_options']], cwd=tiles_workdir)
    log = open(glob.glob(str(work_dir / '*' / '*.log'))[0]).read()
    options = ['--cfg-options', *task['test_options']] if task['test_options'] else []
    test = run_tool([stock_tool(task['package'], 'test.py'), osp.join(REPO, task['student']),
                     str(work_dir / 'student_iter_1.pth'), '--work-dir', str(out / 'test'),
                     *options], cwd=tiles_workdir)
    return dict(task, work_dir=work_dir, log=log, test_output=test.stdout + test.stderr,
                teacher_ckpt=teacher_ckpt)


def test_training_logged_task_and_distill_losses(run):
    scalars = [json.loads(line) for line in
               open(glob.glob(str(run['work_dir'] / '*' / 'vis_data' / 'scalars.json'))[0])]
    train_step = next(s for s in scalars if 'loss' in s)
    assert torch.isfinite(torch.tensor(train_step[run['distill_loss']]))
    assert train_step[run['distill_loss']] > 0
    task_losses = [k for k in train_step  # loss_cls (mmdet), decode.loss_ce (mmseg)
                   if 'loss_' in k and k != run['distill_loss']]
    assert task_losses, f'no task loss of the student in {sorted(train_step)}'
    assert 'mmkd teacher report' in run['log']
    keys = len(torch.load(run['teacher_ckpt'], weights_only=True)['state_dict'])
    loaded = f"teacher checkpoint: {keys}/{keys} keys matched from {run['teacher_ckpt']}"
    assert loaded in run['log']


def test_student_file_loads_strictly_into_the_plain_student(run):
    cfg = Config.fromfile(osp.join(REPO, run['student']))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        student = MODELS.build(cfg.model)
    path = str(run['work_dir'] / 'student_iter_1.pth')
    load_strictly(student, path, 'student')
    # the run's full checkpoint loads weights-only too (mmkd allow-lists MMEngine's logger and
    # scheduler state), so the run resumes; its student is exactly the exported one
    full = torch.load(str(run['work_dir'] / 'iter_1.pth'), map_location='cpu', weights_only=True)
    exported = student.state_dict()
    assert all(torch.equal(exported[k], full['state_dict'][f'student.{k}']) for k in exported)
    assert not [k for k in full['state_dict'] if k.startswith('teachers.')]
    if run['name'] == 'det':  # the connector trains with the student and resumes with the run
        assert [k for k in full['state_dict'] if k.startswith('connectors.')]


def test_stock_test_reproduces_the_validation_of_the_run(run):
    """The student-only file, evaluated by the package's own test.py on the plain student config,
    gives exactly the metric the distiller's validation logged at the same iteration."""
    assert metric_in(run['test_output'], run['metric']) == metric_in(run['log'], run['metric'])
