"""Fault table, training: nothing non-finite is ever trained on or saved.

The six runs of issue #15 (a teacher with NaN weights; tau = nan, 1e-45, 1e30; loss_weight = 1e39,
nan) each exited 0 with NaN/inf losses and a NaN student. Each now refuses — at build time where a
loss validates its hyper-parameters, else at the first iteration before any optimiser step — and
writes no checkpoint. The opt-in skip mode leaves weights and optimiser state exactly unchanged on
a bad step; a diverged student is never written by the runner or by StudentCheckpointHook.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from reliability_helpers import distiller, runner_cfg, save_teacher

NAN = float('nan')


@pytest.fixture(scope='module')
def teacher(tmp_path_factory) -> str:
    return save_teacher(str(tmp_path_factory.mktemp('teacher') / 'teacher.pth'))


def checkpoints(work_dir) -> list:
    return sorted(osp.basename(p) for p in glob.glob(osp.join(str(work_dir), '**', '*.pth'),
                                                     recursive=True))


def test_teacher_with_nan_weights_is_refused_when_loaded(tmp_path, fashion_mnist_root):
    bad = save_teacher(str(tmp_path / 'diverged_teacher.pth'), nan_in='head.fc.weight')
    cfg = runner_cfg(str(tmp_path / 'work'), fashion_mnist_root, distiller(bad))
    with pytest.raises(ValueError, match=r"teacher checkpoint '.*diverged_teacher\.pth': 1 tensors "
                                         r"hold NaN or inf: head\.fc\.weight \(640 NaN"):
        Runner.from_cfg(cfg).train()
    assert checkpoints(tmp_path) == ['diverged_teacher.pth']


@pytest.mark.parametrize('option', [dict(tau=NAN), dict(tau=1e-45), dict(tau=1e30),
                                    dict(loss_weight=1e39), dict(loss_weight=NAN)],
                         ids=['tau=nan', 'tau=1e-45', 'tau=1e30', 'loss_weight=1e39',
                              'loss_weight=nan'])
def test_a_hyper_parameter_that_makes_the_loss_non_finite_never_trains(
        option, teacher, tmp_path, fashion_mnist_root):
    """Refused by KDLoss's own validation when it is built (the mmrazor helper's part), or else by
    the distiller at iteration 1, before the optimiser step, naming the loss and its teacher."""
    cfg = runner_cfg(str(tmp_path), fashion_mnist_root, distiller(teacher, **option))
    with pytest.raises((ValueError, FloatingPointError)) as refused:
        Runner.from_cfg(cfg).train()
    message = str(refused.value)
    if isinstance(refused.value, FloatingPointError):
        assert 'non-finite loss at iteration 1' in message
        assert "loss_kd = " in message and "fed by teacher(s) ['cnn']" in message
    else:
        assert 'KDLoss' in message and list(option)[0] in message
    assert checkpoints(tmp_path) == []


class SetTeacherWeights(Hook):
    """Fill the teacher's classifier with NaN during iteration ``bad_iter`` (0-based) only, and
    record the student's weights and momentum around it."""

    def __init__(self, bad_iter: int):
        self.bad_iter = bad_iter
        self.states = {}

    def _state(self, runner):
        optimizer = runner.optim_wrapper.optimizer
        params = dict(runner.model.student.named_parameters())
        return ({k: v.detach().clone() for k, v in params.items()},
                {k: optimizer.state[p]['momentum_buffer'].clone()
                 for k, p in params.items() if p in optimizer.state})

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.states[('before', runner.iter)] = self._state(runner)
        if runner.iter == self.bad_iter:
            weight = runner.model.teachers['cnn'].model.head.fc.weight
            self.saved = weight.detach().clone()
            weight.data.fill_(NAN)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter == self.bad_iter:
            runner.model.teachers['cnn'].model.head.fc.weight.data.copy_(self.saved)
        self.states[('after', runner.iter)] = self._state(runner)


def test_skip_mode_skips_exactly_the_bad_step(teacher, tmp_path, fashion_mnist_root):
    model = dict(distiller(teacher), nonfinite_loss='skip')
    cfg = runner_cfg(str(tmp_path), fashion_mnist_root, model, max_iters=4)
    cfg.default_hooks.checkpoint.interval = 4
    runner = Runner.from_cfg(cfg)
    probe = SetTeacherWeights(bad_iter=2)
    runner.register_hook(probe, priority='HIGHEST')
    runner.train()
    for it in range(4):
        (weights_before, momentum_before) = probe.states[('before', it)]
        (weights_after, momentum_after) = probe.states[('after', it)]
        unchanged = all(torch.equal(weights_before[k], weights_after[k]) for k in weights_before)
        # with momentum 0.9 and weight decay, a zeroed loss would still move every weight
        assert unchanged == (it == 2), f'iteration {it + 1}'
        if it == 2:
            assert all(torch.equal(momentum_before[k], momentum_after[k]) for k in momentum_before)
    log = open(glob.glob(osp.join(str(tmp_path), '*', '*.log'))[0]).read()
    assert 'iteration 3: optimiser step skipped, its gradients are not finite (loss_kd = nan' in log
    assert "fed by teacher(s) ['cnn']" in log and '1 steps skipped so far' in log
    assert runner.message_hub.get_info('mmkd/skipped_steps') == 1
    assert 'iter_4.pth' in checkpoints(tmp_path)  # the run went on to the end


class Diverge(Hook):
    """After iteration ``at`` (1-based), the student's weights turn NaN (e.g. an overflowing step
    with a still finite loss)."""

    def __init__(self, at: int):
        self.at = at

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == self.at:
            runner.model.student.head.fc.weight.data.fill_(NAN)


def test_no_checkpoint_of_a_diverged_student_is_written(teacher, tmp_path, fashion_mnist_root):
    runner = Runner.from_cfg(runner_cfg(str(tmp_path), fashion_mnist_root, distiller(teacher)))
    runner.register_hook(Diverge(at=2), priority='HIGHEST')  # before CheckpointHook saves
    with pytest.raises(FloatingPointError, match=r'refusing to save the distiller \(iteration 2\): '
                                                 r"1 student tensors .*student\.head\.fc\.weight"):
        runner.train()
    assert checkpoints(tmp_path) == ['iter_1.pth', 'student_iter_1.pth']
    student_hook = next(h for h in runner.hooks if type(h).__name__ == 'StudentCheckpointHook')
    with pytest.raises(FloatingPointError, match=r'refusing to write student_iter_2\.pth: 1 '
                                                 r'student tensors .*head\.fc\.weight'):
        student_hook.before_save_checkpoint(runner, dict(meta=dict(iter=2)))
    assert checkpoints(tmp_path) == ['iter_1.pth', 'student_iter_1.pth']
