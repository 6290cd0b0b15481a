"""Test helper for the 2-process run: every rank writes what it trained, and on which data."""
import os.path as osp

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class RankStateHook(Hook):
    """Save ``rank{R}_{before,after}.pth``: trainable weights, their names, the images seen."""

    def __init__(self):
        self.images = []

    def before_train(self, runner) -> None:
        self._save(runner, 'before')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self.images += [sample.img_path for sample in data_batch['data_samples']]

    def after_train(self, runner) -> None:
        self._save(runner, 'after')

    def _save(self, runner, when: str) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        torch.save(dict(
            weights={n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad},
            wrapper=type(runner.model).__name__,
            images=list(self.images)), osp.join(runner.work_dir, f'rank{get_rank()}_{when}.pth'))
