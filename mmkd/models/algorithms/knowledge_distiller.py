"""The algorithm wrapper: one OpenMMLab student, named frozen teachers, distillation losses."""
import inspect
from typing import Any, Dict, List, Optional, Union

import torch
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.structures import BaseDataElement
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module
from mmkd.utils import hide_from_checkpoints
from ..recorder import ModuleRecorder, RecordSpec
from ..teachers import BaseTeacher, read_normalization

RESERVED_SOURCES = ('student', 'connectors', 'data_samples')


@MODELS.register_module()
class KnowledgeDistiller(BaseModel):
    """Distil one or more frozen teachers into an unchanged OpenMMLab student.

    One training step: the student runs its own ``loss`` (its task losses, e.g. ``loss`` of an
    mmpretrain head or the ``loss_cls``/``loss_bbox`` of a detector) while forward hooks record the
    tensors named in ``student_records``; every teacher runs under ``no_grad`` on the same batch in
    its own preprocessing and returns its records; ``connectors`` map student records into the
    teachers' spaces; each distill loss gets its arguments from the sources named in its ``inputs``.
    All losses land in one dict, so the user's logging and hooks see the student's keys unchanged.
    ``predict`` and ``tensor`` modes are the student's alone: the user's evaluator runs as it is.

    Sources a loss (or connector) input can name:

    * ``'student.<record>'`` — a tensor recorded from the student (``student_records``);
    * ``'<teacher>.<record>'`` — a record of a teacher (see its ``output_names``);
    * ``'connectors.<name>'`` — a connector's output;
    * ``'data_samples'`` — the batch's data samples.

    Every name is checked when the distiller is built: a wrong module path, record, teacher or loss
    argument fails at once with the valid names, not at the first step. Every connector must feed a
    loss, so DDP never needs ``find_unused_parameters``.

    Samples whose metainfo has ``is_labeled=False`` (see :class:`~mmkd.datasets.TransferSetDataset`)
    get only the distillation losses: the student's task loss runs on the labelled part of the batch
    (a second, smaller student forward when a batch mixes both).

    Args:
        student: the student's model config, as in the user's own config.
        teachers: ``name -> teacher config`` (``OpenMMLabTeacher``, …). At least one.
        distill_losses: ``name -> loss config`` with an extra ``inputs=dict(arg=source)``. Names start
            with ``loss`` (they are summed into the total loss).
        student_records: ``name -> module path`` or ``dict(module, source, index)`` in the student.
        connectors: ``name -> connector config`` with an extra ``source`` (a student record).
        task_loss_weight: multiplies every task loss of the student.
        data_preprocessor: the student's preprocessor when its config keeps it at top level (the
            runner passes it here); it becomes the student's and the distiller's.

    Example:
        >>> from mmkd.registry import build_mmkd_module
        >>> lenet = dict(type='mmpretrain.ImageClassifier',
        ...              backbone=dict(type='mmpretrain.LeNet5', num_classes=10),
        ...              head=dict(type='mmpretrain.ClsHead',
        ...                        loss=dict(type='mmpretrain.CrossEntropyLoss')))
        >>> distiller = build_mmkd_module(dict(
        ...     type='KnowledgeDistiller', student=lenet,
        ...     teachers=dict(big=dict(type='OpenMMLabTeacher',
        ...                            config=dict(model=lenet, default_scope='mmpretrain'),
        ...                            checkpoint=None, allow_random_init=True)),
        ...     student_records=dict(logits='head'),
        ...     distill_losses=dict(loss_kd=dict(
        ...         type='KDLoss', tau=4.0,
        ...         inputs=dict(preds_S='student.logits', preds_T='big.outputs')))))
    """

    def __init__(self,
                 student: dict,
                 teachers: Dict[str, dict],
                 distill_losses: Dict[str, dict],
                 student_records: Optional[Dict[str, RecordSpec]] = None,
                 connectors: Optional[Dict[str, dict]] = None,
                 task_loss_weight: float = 1.0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        student = dict(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        self.student = ROOT_MODELS.build(student)
        self.data_preprocessor = self.student.data_preprocessor
        self.student_recorder = ModuleRecorder(self.student, student_records or {}, 'the student')

        if not teachers:
            raise ValueError('KnowledgeDistiller needs at least one teacher in `teachers`')
        clash = [name for name in teachers if name in RESERVED_SOURCES or '.' in name]
        if clash:
            raise ValueError(f'teacher names {clash} are reserved or contain "."; '
                             f'reserved: {RESERVED_SOURCES}')
        self.teachers = nn.ModuleDict(
            {name: build_mmkd_module(cfg) for name, cfg in teachers.items()})
        student_norm = read_normalization(self.data_preprocessor)
        for teacher in self.teachers.values():
            if not isinstance(teacher, BaseTeacher):
                raise TypeError(f'{type(teacher).__name__} is not an mmkd BaseTeacher')
            teacher.adapt_inputs(student_norm)

        self.connector_sources: Dict[str, str] = {}
        built_connectors = {}
        for name, cfg in (connectors or {}).items():
            cfg = dict(cfg)
            if 'source' not in cfg:
                raise KeyError(f'connector {name!r} needs `source` (a student record)')
            self.connector_sources[name] = cfg.pop('source')
            built_connectors[name] = build_mmkd_module(cfg)
        self.connectors = nn.ModuleDict(built_connectors)

        self.loss_inputs: Dict[str, Dict[str, str]] = {}
        built_losses = {}
        for name, cfg in distill_losses.items():
            cfg = dict(cfg)
            if not name.startswith('loss'):
                raise ValueError(f'distill loss {name!r}: names must start with "loss" so that '
                                 'MMEngine sums them into the total loss (e.g. "loss_kd")')
            if 'inputs' not in cfg:
                raise KeyError(f'distill loss {name!r} needs `inputs=dict(arg=source)`')
            self.loss_inputs[name] = dict(cfg.pop('inputs'))
            built_losses[name] = build_mmkd_module(cfg)
        self.distill_losses = nn.ModuleDict(built_losses)
        self.task_loss_weight = task_loss_weight
        self._validate_wiring()
        self._reported = False

        hide_from_checkpoints(self, 'teachers')  # loaded from their own files

    # ------------------------------------------------------------------ wiring
    def _known_sources(self) -> List[str]:
        known = [f'student.{r}' for r in self.student_recorder.specs]
        for name, teacher in self.teachers.items():
            known += [f'{name}.{r}' for r in teacher.output_names]
        known += [f'connectors.{c}' for c in self.connectors]
        return known + ['data_samples']

    def _validate_wiring(self) -> None:
        known = self._known_sources()
        for name, source in self.connector_sources.items():
            if not source.startswith('student.') or source not in known:
                raise KeyError(f'connector {name!r}: source {source!r} is not a student record; '
                               f'student records: {[k for k in known if k.startswith("student.")]}')
        used = set()
        for loss_name, inputs in self.loss_inputs.items():
            params = inspect.signature(self.distill_losses[loss_name].forward).parameters
            required = [p for p, v in params.items()
                        if v.default is inspect.Parameter.empty
                        and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
            takes_kwargs = any(v.kind == v.VAR_KEYWORD for v in params.values())
            for arg, source in inputs.items():
                if arg not in params and not takes_kwargs:
                    raise KeyError(f'distill loss {loss_name!r}: its forward has no argument '
                                   f'{arg!r}; it takes {list(params)}')
                if source not in known:
                    raise KeyError(f'distill loss {loss_name!r}: input {arg}={source!r} is not a '
                                   f'known source; known: {known}')
                used.add(source)
            missing = [p for p in required if p not in inputs]
            if missing:
                raise KeyError(f'distill loss {loss_name!r}: required arguments {missing} have no '
                               'source in its `inputs`')
        unused = [c for c in self.connectors if f'connectors.{c}' not in used]
        if unused:
            raise ValueError(f'connectors {unused} feed no loss: their parameters would get no '
                             'gradient (and DDP would need find_unused_parameters). Remove them or '
                             'use them in a loss.')

    def _resolve(self, source: str, records: Dict[str, Any]) -> Any:
        if source == 'data_samples':
            return records['data_samples']
        owner, _, key = source.partition('.')
        return records[owner][key]

    # ---------------------------------------------------------------- forward
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, predict and tensor mode')

    def loss(self, inputs: torch.Tensor, data_samples: List[BaseDataElement]) -> Dict[str, Any]:
        # Teachers first: their activations are freed before the student's, kept for backward,
        # are allocated (lower peak memory; ~5 % less CPU time per step, docs/benchmark.md).
        records: Dict[str, Any] = dict(data_samples=data_samples)
        for name, teacher in self.teachers.items():
            with torch.no_grad():
                records[name] = teacher(inputs, data_samples)

        labeled = [sample.metainfo.get('is_labeled', True) for sample in data_samples]
        with self.student_recorder.recording() as student_records:
            if all(labeled):
                task_losses = self.student.loss(inputs, data_samples)
            else:
                self.student(inputs, data_samples, mode='tensor')
                task_losses = {}
        if any(labeled) and not all(labeled):
            if not isinstance(inputs, torch.Tensor):
                raise TypeError('a batch mixing labelled and unlabelled samples needs batched '
                                f'tensor inputs; got {type(inputs).__name__}')
            keep = [i for i, is_labeled in enumerate(labeled) if is_labeled]
            task_losses = self.student.loss(inputs[keep], [data_samples[i] for i in keep])

        records['student'] = student_records
        records['connectors'] = {
            name: connector(self._resolve(self.connector_sources[name], records))
            for name, connector in self.connectors.items()}

        losses = {key: _scale(value, self.task_loss_weight) if 'loss' in key else value
                  for key, value in task_losses.items()}
        for name, loss in self.distill_losses.items():
            if name in losses:
                raise KeyError(f'distill loss {name!r} has the name of a student task loss; '
                               f'rename it (student losses: {list(task_losses)})')
            losses[name] = loss(**{arg: self._resolve(source, records)
                                   for arg, source in self.loss_inputs[name].items()})
        if not self._reported:
            self._report(records, data_samples, losses)
        return losses

    # ------------------------------------------------------------------ report
    def _report(self, records: Dict[str, Any], data_samples: List[BaseDataElement],
                losses: Dict[str, Any]) -> None:
        """Log, once, what tells a broken teacher from bad KD weighting."""
        self._reported = True
        logger = MMLogger.get_current_instance()
        lines = ['mmkd teacher report (first training batch):']
        for name, teacher in self.teachers.items():
            lines += [f'  [{name}] {line}' for line in teacher.report()]
            accuracy = _first_batch_accuracy(records[name].get('outputs'), data_samples)
            if accuracy is not None:
                lines.append(f'  [{name}] top-1 accuracy on this batch: {accuracy:.2%}')
        num_labeled = sum(s.metainfo.get('is_labeled', True) for s in data_samples)
        lines.append(f'  labelled samples in this batch: {num_labeled}/{len(data_samples)}')
        magnitudes = ', '.join(f'{k}={float(_mean(v)):.4g}' for k, v in losses.items()
                               if 'loss' in k)
        lines.append(f'  loss magnitudes: {magnitudes}')
        logger.info('\n'.join(lines))


def _scale(value: Union[torch.Tensor, List[torch.Tensor]], weight: float):
    if weight == 1:
        return value
    return [v * weight for v in value] if isinstance(value, (list, tuple)) else value * weight


def _mean(value: Union[torch.Tensor, List[torch.Tensor]]) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().mean()
    return sum(v.detach().mean() for v in value)


def _first_batch_accuracy(outputs: Any, data_samples: List[BaseDataElement]) -> Optional[float]:
    """Top-1 accuracy of [N, C] logits against single-label ``gt_label``s, else ``None``."""
    if not isinstance(outputs, torch.Tensor) or outputs.dim() != 2:
        return None
    pairs = [(i, s.gt_label) for i, s in enumerate(data_samples)
             if s.metainfo.get('is_labeled', True) and 'gt_label' in s
             and s.gt_label.numel() == 1]
    if not pairs:
        return None
    index = torch.tensor([i for i, _ in pairs], device=outputs.device)
    labels = torch.cat([label.view(1) for _, label in pairs]).to(outputs.device)
    return (outputs[index].argmax(dim=1) == labels).float().mean().item()
