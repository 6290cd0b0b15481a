"""Fault table, training: the logged ``loss`` of an mmpretrain student's KD run is the optimised
total (the head's own ``loss`` key used to overwrite MMEngine's total in the log)."""
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.runner import Runner
from reliability_helpers import distiller, runner_cfg, save_teacher


@pytest.fixture(scope='module')
def run(tmp_path_factory, fashion_mnist_root):
    tmp = tmp_path_factory.mktemp('logged_loss')
    teacher = save_teacher(str(tmp / 'teacher.pth'))
    # a confident teacher (its classifier scaled up) makes loss_kd of the order of the CE: a
    # total that dropped either term would be off by far more than the rounding of the log
    checkpoint = torch.load(teacher)
    checkpoint['state_dict']['head.fc.weight'] *= 300
    torch.save(checkpoint, teacher)
    cfg = runner_cfg(str(tmp / 'work'), fashion_mnist_root, distiller(teacher, tau=1.0),
                     max_iters=2)
    cfg.default_hooks.checkpoint.interval = 100
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_logged_loss_is_the_sum_of_task_and_distill_losses(run):
    hub = run.message_hub
    total, task, kd = (hub.get_scalar(f'train/{key}').current()
                       for key in ('loss', 'loss_cls', 'loss_kd'))
    assert kd > 0.1 * task  # both terms matter
    assert total == pytest.approx(task + kd, rel=1e-5)


def test_the_log_line_shows_the_total_and_the_task_loss_by_name(run):
    log = open(glob.glob(osp.join(run.log_dir, '*.log'))[0]).read()
    line = re.findall(r'\(train\).*\[2/2\].*', log)[-1]
    values = {k: float(v) for k, v in re.findall(r'(loss\w*): ([\d.]+)', line)}
    assert set(values) == {'loss', 'loss_cls', 'loss_kd'}
    assert values['loss'] == pytest.approx(values['loss_cls'] + values['loss_kd'], abs=2e-4)
