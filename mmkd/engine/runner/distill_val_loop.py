"""Validate the student and, once or every time, its frozen teachers (MMRazor's
``SingleTeacherDistillValLoop``)."""
from typing import Dict, Optional

import torch
from mmengine.logging import MMLogger
from mmengine.model import is_model_wrapper
from mmengine.runner import ValLoop, autocast
from mmengine.runner.loops import _parse_losses

from mmkd.registry import LOOPS

WHEN = ('once', 'every', 'never')


@LOOPS.register_module()
class DistillValLoop(ValLoop):
    """The stock ``ValLoop`` for the student, plus the metrics of the distiller's teachers.

    The student is validated exactly as by MMEngine's ``ValLoop`` and its metrics keep their names
    (``accuracy/top1``, ``coco/bbox_mAP``, ``mIoU``: ``save_best`` and the user's tables work
    unchanged). Each OpenMMLab teacher is then evaluated with the same dataloader and evaluator on
    the student's preprocessed batch converted to the teacher's convention (exactly what it sees in
    training), and its metrics are added as ``teacher.<metric>`` (one teacher) or
    ``teacher.<name>.<metric>`` (several). Teachers of other kinds (CLIP, a store) have no
    ``predict`` of their own and are skipped, with a log line.

    A frozen teacher on a fixed validation set gives the same metrics every time: with
    ``evaluate_teacher='once'`` (default) they are computed at the first validation and reported
    again from memory afterwards; ``'every'`` recomputes them (MMRazor's behaviour, a full extra
    pass over the validation set each time); ``'never'`` validates the student only.

    Config::

        val_cfg = dict(type='mmkd.DistillValLoop', evaluate_teacher='once')

    Args:
        runner: the runner.
        dataloader: the validation dataloader (config or object).
        evaluator: the validation evaluator (config or object).
        fp16: validate under fp16 autocast.
        evaluate_teacher: ``'once'``, ``'every'`` or ``'never'``.
    """

    def __init__(self, runner, dataloader, evaluator, fp16: bool = False,
                 evaluate_teacher: str = 'once'):
        super().__init__(runner, dataloader, evaluator, fp16)
        if evaluate_teacher not in WHEN:
            raise ValueError(f'DistillValLoop: evaluate_teacher must be one of {WHEN}, '
                             f'got {evaluate_teacher!r}')
        self.evaluate_teacher = evaluate_teacher
        self._teacher_metrics: Optional[Dict[str, float]] = None

    @property
    def distiller(self):
        model = self.runner.model
        model = model.module if is_model_wrapper(model) else model
        if not hasattr(model, 'teachers'):
            raise TypeError(f'DistillValLoop validates a distiller with `teachers` (e.g. '
                            f'mmkd.KnowledgeDistiller); the model is a {type(model).__name__}. '
                            "Use MMEngine's ValLoop for a plain model.")
        return model

    def run(self) -> dict:
        """Validate the student, then (per ``evaluate_teacher``) the teachers."""
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        self.val_loss.clear()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if self.val_loss:
            metrics.update(_parse_losses(self.val_loss, 'val'))
        if self.evaluate_teacher == 'every' or (self.evaluate_teacher == 'once'
                                               and self._teacher_metrics is None):
            self._teacher_metrics = self._evaluate_teachers()
        metrics.update(self._teacher_metrics or {})
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics

    @torch.no_grad()
    def _evaluate_teachers(self) -> Dict[str, float]:
        from mmkd.models.teachers import OpenMMLabTeacher
        distiller = self.distiller
        logger = MMLogger.get_current_instance()
        teachers = dict(distiller.teachers.items())
        metrics: Dict[str, float] = {}
        for name, teacher in teachers.items():
            if not isinstance(teacher, OpenMMLabTeacher):
                logger.info(f'DistillValLoop: teacher {name!r} ({type(teacher).__name__}) is not '
                            'an OpenMMLab model with its own predict: not evaluated')
                continue
            for data_batch in self.dataloader:
                data = distiller.data_preprocessor(data_batch, False)
                with autocast(enabled=self.fp16):
                    outputs = teacher.model(teacher.prepare_inputs(data['inputs']),
                                            data['data_samples'], mode='predict')
                self.evaluator.process(data_samples=outputs, data_batch=data_batch)
            prefix = 'teacher.' if len(teachers) == 1 else f'teacher.{name}.'
            teacher_metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
            metrics.update({prefix + key: value for key, value in teacher_metrics.items()})
        if metrics and self.evaluate_teacher == 'once':
            logger.info('DistillValLoop: teacher metrics computed once (frozen teachers, fixed '
                        'validation set) and repeated at every validation: '
                        + ', '.join(f'{k}: {v:.4f}' if isinstance(v, float) else f'{k}: {v}'
                                    for k, v in metrics.items()))
        return metrics
