"""Fault table, training: ``--amp`` trains a KD run on CPU (bfloat16 autocast) through the real
runner, and every distill loss is computed in float32 while the networks run in bfloat16."""
import os.path as osp

import pytest
import torch
from mmengine.optim import AmpOptimWrapper as MMEngineAmpOptimWrapper
from mmengine.runner import Runner
from reliability_helpers import distiller, runner_cfg, save_teacher, train_tool

from mmkd.engine import AmpOptimWrapper


def test_mmengine_amp_wrapper_needs_an_accelerator():
    """Why mmkd has its own: MMEngine 0.10.7's wrapper refuses CPU-only machines outright."""
    if torch.cuda.is_available():
        pytest.skip('a GPU is present')
    net = torch.nn.Linear(2, 2)
    with pytest.raises(AssertionError, match='only available training on gpu'):
        MMEngineAmpOptimWrapper(optimizer=torch.optim.SGD(net.parameters(), lr=0.1))
    with pytest.raises(ValueError, match='bfloat16 only.*float16 needs a GPU'):
        AmpOptimWrapper(optimizer=torch.optim.SGD(net.parameters(), lr=0.1), dtype='float16')


def test_amp_kd_run_on_cpu_with_fp32_losses(tmp_path, fashion_mnist_root):
    teacher = save_teacher(str(tmp_path / 'teacher.pth'))
    cfg = runner_cfg(str(tmp_path / 'work'), fashion_mnist_root, distiller(teacher), max_iters=3)
    cfg.default_hooks.checkpoint.interval = 3
    cfg = train_tool().apply_args(cfg, _Args(amp=True))  # `tools/train.py ... --amp`
    assert cfg.optim_wrapper.type == 'mmkd.AmpOptimWrapper'
    runner = Runner.from_cfg(cfg)
    seen = {}

    def note(key, value):  # hooks must return None, or they replace outputs
        seen.setdefault(key, value)

    model = runner.model
    model.student.head.register_forward_hook(
        lambda m, i, out: note('student_logits', out.dtype))
    model.distill_losses['loss_kd'].register_forward_pre_hook(
        lambda m, args, kwargs: note('loss_inputs', (
            {k: v.dtype for k, v in kwargs.items()}, torch.is_autocast_enabled('cpu'))),
        with_kwargs=True)
    model.distill_losses['loss_kd'].register_forward_hook(
        lambda m, i, out: note('loss_output', out.dtype))
    runner.train()
    assert isinstance(runner.optim_wrapper, AmpOptimWrapper)
    assert seen['student_logits'] == torch.bfloat16  # the networks ran in bfloat16
    dtypes, autocast_on = seen['loss_inputs']
    assert dtypes == dict(preds_S=torch.float32, preds_T=torch.float32) and not autocast_on
    assert seen['loss_output'] == torch.float32
    hub = runner.message_hub
    assert all(torch.isfinite(torch.tensor(hub.get_scalar(f'train/{k}').current()))
               for k in ('loss', 'loss_cls', 'loss_kd'))
    assert osp.isfile(osp.join(str(tmp_path / 'work'), 'student_iter_3.pth'))


class _Args:
    """The command-line flags of tools/train.py, as argparse gives them."""

    def __init__(self, **flags):
        defaults = dict(launcher='none', work_dir=None, no_validate=False, amp=False,
                        resume=None, auto_scale_lr=False, no_pin_memory=False,
                        no_persistent_workers=False, cfg_options=None, config='x.py')
        for key, value in dict(defaults, **flags).items():
            setattr(self, key, value)
