"""Save a deployable student-only checkpoint beside every checkpoint of a distillation run."""
import os
import os.path as osp
from typing import Optional

from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop

from mmkd.registry import HOOKS
from mmkd.utils.checkpoint import find_nonfinite
from mmkd.utils.io import atomic_torch_save
from mmkd.version import __version__


@HOOKS.register_module()
class StudentCheckpointHook(Hook):
    """Write ``student_epoch_N.pth`` (or ``student_iter_N.pth``) whenever the runner saves.

    The normal checkpoint is untouched and still resumes the whole run; the student file holds the
    student's ``state_dict`` with the ``student.`` prefix removed — no teacher, connector or
    optimizer — so it loads with ``strict=True`` into the plain student config and evaluates with the
    stock ``tools/test.py`` of mmpretrain / mmdet / mmseg. Its ``meta`` holds only plain types, so a
    weights-only ``torch.load`` reads it without mmkd installed. A student whose tensors are not
    finite is never written.

    Args:
        out_dir: where to write; defaults to the runner's ``work_dir``.
        max_keep_ckpts: keep at most this many student files (-1: all).

    Example:
        >>> custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
    """

    priority = 'VERY_LOW'

    def __init__(self, out_dir: Optional[str] = None, max_keep_ckpts: int = -1):
        self.out_dir = out_dir
        self.max_keep_ckpts = max_keep_ckpts
        self._saved = []

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'student'):
            raise TypeError('StudentCheckpointHook needs a distiller with a `student`; got '
                            f'{type(model).__name__}')
        meta = checkpoint.get('meta', {})
        tag = f"epoch_{meta.get('epoch', runner.epoch)}" if _saves_by_epoch(runner) else \
            f"iter_{meta.get('iter', runner.iter)}"
        state_dict = {k: v.detach().cpu() for k, v in model.student.state_dict().items()}
        nonfinite = find_nonfinite(state_dict)
        if nonfinite:
            raise FloatingPointError(
                f'refusing to write student_{tag}.pth: {len(nonfinite)} student tensors hold NaN '
                f'or inf: {nonfinite[:4]}. Training diverged; the previous files are kept.')
        student_meta = dict(
            epoch=int(meta.get('epoch', runner.epoch)), iter=int(meta.get('iter', runner.iter)),
            mmkd_version=__version__, source='mmkd student-only export',
            experiment_name=str(runner.experiment_name))
        dataset_meta = meta.get('dataset_meta')
        if isinstance(dataset_meta, dict) and 'classes' in dataset_meta:
            student_meta['dataset_meta'] = dict(classes=[str(c) for c in dataset_meta['classes']])
        out_dir = self.out_dir or runner.work_dir
        os.makedirs(out_dir, exist_ok=True)
        path = osp.join(out_dir, f'student_{tag}.pth')
        atomic_torch_save(dict(meta=student_meta, state_dict=state_dict), path)
        runner.logger.info(f'student-only checkpoint saved to {path}')
        if path not in self._saved:
            self._saved.append(path)
        while 0 < self.max_keep_ckpts < len(self._saved):
            old = self._saved.pop(0)
            if osp.isfile(old):
                os.remove(old)


def _saves_by_epoch(runner) -> bool:
    """Name student files as the runner's ``CheckpointHook`` names its own (epoch_N / iter_N).

    (An ``IterBasedTrainLoop`` also has ``_max_epochs``, so the loop's attributes cannot tell.)
    """
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook):
            return hook.by_epoch
    return isinstance(runner.train_loop, EpochBasedTrainLoop)
