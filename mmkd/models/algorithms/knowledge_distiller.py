"""The algorithm wrapper: one OpenMMLab student, named frozen teachers, distillation losses."""
import inspect
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
from mmengine.logging import MessageHub, MMLogger
from mmengine.model import BaseModel
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement
from torch import nn

from mmkd.engine.nonfinite_step_skipper import NonFiniteStepSkipper
from mmkd.registry import MODELS, build_mmkd_module, check_arguments
from mmkd.utils import hide_from_checkpoints
from mmkd.utils.checkpoint import find_nonfinite
from ..losses.base import at_least_fp32
from ..recorder import ModuleRecorder, RecordSpec
from ..teachers import BaseTeacher, read_normalization
from ..teachers.base_teacher import per_sample_shape
from .paired_shapes import check_paired_shapes, find_num_classes

RESERVED_SOURCES = ('student', 'connectors', 'data_samples')
#: mmpretrain heads call their task loss ``loss``, the key MMEngine's ``parse_losses`` gives the
#: total: in the distiller's losses it is renamed, so the logged ``loss`` is what is optimised.
TASK_LOSS_RENAMES = {'loss': 'loss_cls'}
NONFINITE_MODES = ('raise', 'skip')


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

    Record shapes are checked for every loss that declares the inputs it compares
    (``paired_inputs``, e.g. KD's student and teacher logits): when the distiller is built if
    ``input_shape`` is given (one dry forward on a dummy batch), else on the first training batch
    before any loss or optimiser step. A mismatch names the loss, the records, the teacher and both
    shapes, with advice that fits (different class counts need a teacher trained on the student's
    classes; different channels need a connector).

    Losses that are not finite (NaN or inf) stop training at that iteration, naming the loss, the
    iteration, the teachers feeding it and which of its inputs are not finite
    (``nonfinite_loss='raise'``); ``nonfinite_loss='skip'`` skips those optimiser steps instead,
    as AMP does (see :class:`~mmkd.engine.NonFiniteStepSkipper`). A checkpoint with non-finite
    student weights is never written. Under mixed precision every distill loss is computed in
    float32 (its inputs cast, autocast off).

    The student's task losses keep their names, except an mmpretrain head's ``loss``, which becomes
    ``loss_cls``: MMEngine logs the optimised total as ``loss``.

    Samples whose metainfo has ``is_labeled=False`` (see :class:`~mmkd.datasets.TransferSetDataset`)
    get only the distillation losses: the student's task loss runs on the labelled part of the batch
    (a second, smaller student forward when a batch mixes both).

    Args:
        student: the student's model config, as in the user's own config.
        teachers: ``name -> teacher config`` (``OpenMMLabTeacher``, …). At least one.
        distill_losses: ``name -> loss config`` with an extra ``inputs=dict(arg=source)``. Names start
            with ``loss`` (they are summed into the total loss).
        student_records: ``name -> module path`` or ``dict(module, source, index)`` in the student.
        connectors: ``name -> connector config`` with an extra ``source`` (a student or teacher
            record; a connector on a teacher record trains too, e.g. FBKD's teacher side).
        task_loss_weight: multiplies every task loss of the student.
        input_shape: ``(C, H, W)`` of one preprocessed student input: check the record shapes when
            the distiller is built, on a dummy batch of that size, instead of on the first batch.
            (The model alone cannot know it: the pipeline sets it, and a ViT needs exactly its own.)
        nonfinite_loss: ``'raise'`` (stop at a NaN/inf loss) or ``'skip'`` (skip the step).
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
                 input_shape: Optional[Sequence[int]] = None,
                 nonfinite_loss: str = 'raise',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 **unexpected: Any):
        super().__init__(init_cfg=init_cfg)
        if unexpected:
            raise _unexpected_arguments(unexpected, student)
        if nonfinite_loss not in NONFINITE_MODES:
            raise ValueError(f'nonfinite_loss must be one of {NONFINITE_MODES}, got '
                             f'{nonfinite_loss!r}')
        student = dict(student)
        if data_preprocessor is not None:
            student.setdefault('data_preprocessor', data_preprocessor)
        # a scoped student type ('mmpretrain.ImageClassifier') builds its unscoped parts (its
        # default data preprocessor ...) in that scope, also when the distiller is built in mmkd's
        student_type = student.get('type')
        scope = student_type.partition('.')[0] if isinstance(student_type, str) and \
            '.' in student_type else None
        with DefaultScope.overwrite_default_scope(scope):
            check_arguments(student, ROOT_MODELS, what='the student')
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
        for name, teacher in self.teachers.items():
            if not isinstance(teacher, BaseTeacher):
                raise TypeError(f'{type(teacher).__name__} is not an mmkd BaseTeacher')
            nonfinite = find_nonfinite(teacher.state_dict())
            if nonfinite:
                raise ValueError(f'teacher {name!r} has {len(nonfinite)} tensors holding NaN or '
                                 f'inf: {nonfinite[:4]}. Its weights were saved after its '
                                 'training diverged; use an earlier checkpoint.')
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
        self._shapes_checked = False
        if input_shape is not None:
            self._check_shapes(self._dry_run_shapes(input_shape))
        self.step_skipper = NonFiniteStepSkipper(self) if nonfinite_loss == 'skip' else None

        hide_from_checkpoints(self, 'teachers')  # loaded from their own files
        self.register_state_dict_post_hook(_refuse_nonfinite_weights)

    # ------------------------------------------------------------------ wiring
    def _known_sources(self) -> List[str]:
        known = [f'student.{r}' for r in self.student_recorder.specs]
        for name, teacher in self.teachers.items():
            known += [f'{name}.{r}' for r in teacher.output_names]
        known += [f'connectors.{c}' for c in self.connectors]
        return known + ['data_samples']

    def _validate_wiring(self) -> None:
        known = self._known_sources()
        records = [k for k in known if not k.startswith('connectors.') and k != 'data_samples']
        for name, source in self.connector_sources.items():
            if source not in records:
                raise KeyError(f'connector {name!r}: source {source!r} is not a student or '
                               f'teacher record; records: {records}')
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

    # ----------------------------------------------------------------- shapes
    def _check_shapes(self, shapes: Dict[str, Optional[tuple]]) -> None:
        num_classes = {name: find_num_classes(teacher) for name, teacher in self.teachers.items()}
        num_classes['student'] = find_num_classes(self.student)
        for name, loss in self.distill_losses.items():
            check_paired_shapes(name, loss, self.loss_inputs[name], shapes, num_classes,
                                self.connector_sources)
        self._shapes_checked = True

    @torch.no_grad()
    def _dry_run_shapes(self, input_shape: Sequence[int]) -> Dict[str, Optional[tuple]]:
        """Per-sample shapes of every source on a dummy batch of two ``input_shape`` inputs."""
        dummy = torch.zeros(2, *input_shape)
        modes = {module: module.training for module in (self.student, self.connectors)}
        self.student.eval()
        self.connectors.eval()
        try:
            with self.student_recorder.recording() as records:
                self.student(dummy, None, mode='tensor')
            connectors = {name: connector(records[self.connector_sources[name].split('.', 1)[1]])
                          for name, connector in self.connectors.items()}
        except Exception as error:
            raise RuntimeError(f'the dry forward of the student on a dummy batch of input_shape='
                               f'{tuple(input_shape)} failed ({type(error).__name__}: {error}); '
                               'fix input_shape, or leave it None to check the shapes on the '
                               'first training batch') from error
        finally:
            for module, mode in modes.items():
                module.train(mode)
        shapes = {f'student.{k}': per_sample_shape(v) for k, v in records.items()}
        shapes.update({f'connectors.{k}': per_sample_shape(v) for k, v in connectors.items()})
        for name, teacher in self.teachers.items():
            shapes.update({f'{name}.{k}': v for k, v in teacher.record_shapes(dummy).items()})
        return shapes

    def _first_batch_shapes(self, records: Dict[str, Any]) -> Dict[str, Optional[tuple]]:
        return {f'{owner}.{key}': per_sample_shape(value)
                for owner, values in records.items() if owner != 'data_samples'
                for key, value in values.items()}

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
        if not self._shapes_checked:
            self._check_shapes(self._first_batch_shapes(records))

        losses = _rename_task_losses(task_losses)
        losses = {key: _scale(value, self.task_loss_weight) if 'loss' in key else value
                  for key, value in losses.items()}
        # fp32 losses under AMP: softmax/KL/exp of fp16 or bf16 inputs lose precision or overflow
        device_type = inputs.device.type if isinstance(inputs, torch.Tensor) else 'cpu'
        with torch.autocast(device_type, enabled=False):
            for name, loss in self.distill_losses.items():
                if name in losses:
                    raise KeyError(f'distill loss {name!r} has the name of a student task loss; '
                                   f'rename it (student losses: {list(losses)})')
                losses[name] = loss(**{arg: at_least_fp32(self._resolve(source, records))
                                       for arg, source in self.loss_inputs[name].items()})
        if not self._reported:
            self._report(records, data_samples, losses)
        self._guard_nonfinite(losses, records)
        return losses

    def _guard_nonfinite(self, losses: Dict[str, Any], records: Dict[str, Any]) -> None:
        """Stop (or mark the step for skipping) when a loss is NaN or inf."""
        keys = [key for key in losses if 'loss' in key]
        if not keys or bool(torch.stack([torch.isfinite(_mean(losses[k])) for k in keys]).all()):
            return
        bad = [k for k in keys if not bool(torch.isfinite(_mean(losses[k])))]
        causes = '; '.join(self._describe_nonfinite(key, float(_mean(losses[key])), records)
                           for key in bad)
        if self.step_skipper is not None:
            self.step_skipper.cause = causes
            return
        iteration = MessageHub.get_current_instance().get_info('iter')
        where = f' at iteration {iteration + 1}' if iteration is not None else ''
        raise FloatingPointError(
            f'non-finite loss{where}, training stopped before the optimiser step: {causes}. '
            'Likely causes: a teacher whose weights or outputs are not finite, a loss '
            'hyper-parameter out of range (tau, loss_weight), a learning rate too high. To skip '
            "such steps instead (as AMP does), set nonfinite_loss='skip' on the distiller.")

    def _describe_nonfinite(self, key: str, value: float, records: Dict[str, Any]) -> str:
        if key not in self.loss_inputs:
            return f'{key} = {value} (a task loss of the student)'
        teachers = sorted({source.partition('.')[0] for source in self.loss_inputs[key].values()
                           if source.partition('.')[0] in self.teachers})
        inputs = []
        for arg, source in self.loss_inputs[key].items():
            tensors = _tensors(self._resolve(source, records))
            if tensors:
                bad = sum(int((~torch.isfinite(t.detach())).sum()) for t in tensors)
                total = sum(t.numel() for t in tensors)
                inputs.append(f'{arg}={source} ' + (f'has {bad} non-finite of {total} values'
                                                    if bad else 'finite'))
        fed_by = f"fed by teacher(s) {teachers}" if teachers else 'fed by no teacher'
        return (f'{key} = {value} ({type(self.distill_losses[key]).__name__}, {fed_by}; inputs: '
                f'{", ".join(inputs)})')

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


def _unexpected_arguments(unexpected: Dict[str, Any], student: dict) -> TypeError:
    """The error for extra distiller arguments; keys of the student's own model dict mean that the
    user config merged the distiller into its base config's model (``_delete_=True`` forgotten)."""
    merged = sorted(k for k in unexpected if isinstance(student, dict) and k in student)
    valid = [p for p in inspect.signature(KnowledgeDistiller).parameters if p != 'unexpected']
    if merged:
        return TypeError(
            f'the distiller got the arguments {sorted(unexpected)}: {merged} are keys of the '
            "student's model dict, so your config's `model` was merged into its base config's "
            "model. Add `_delete_=True` to the model dict: model = dict(_delete_=True, "
            "type='mmkd.KnowledgeDistiller', student={{_base_.model}}, ...)")
    return TypeError(f'KnowledgeDistiller got unknown argument(s) {sorted(unexpected)}; it takes '
                     f'{valid}')


def _rename_task_losses(task_losses: Dict[str, Any]) -> Dict[str, Any]:
    losses = {}
    for key, value in task_losses.items():
        new_key = TASK_LOSS_RENAMES.get(key, key)
        if new_key in task_losses and new_key != key:
            raise KeyError(f'the student returns both {key!r} and {new_key!r}; the distiller '
                           f'logs its {key!r} as {new_key!r}: rename one of them')
        losses[new_key] = value
    return losses


def _tensors(value: Any) -> List[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value] if value.is_floating_point() else []
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    return []


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


def _refuse_nonfinite_weights(module: nn.Module, state_dict: dict, prefix: str,
                              local_metadata: dict) -> None:
    """Never let a checkpoint carry a diverged student: its state dict cannot be taken."""
    trained = {k: v for k, v in state_dict.items()
               if k.startswith((f'{prefix}student.', f'{prefix}connectors.'))}
    nonfinite = find_nonfinite(trained)
    if nonfinite:
        iteration = MessageHub.get_current_instance().get_info('iter')
        when = f' (iteration {iteration + 1})' if iteration is not None else ''
        raise FloatingPointError(
            f'refusing to save the distiller{when}: {len(nonfinite)} student tensors hold NaN or '
            f'inf: {nonfinite[:4]}. Training diverged; no checkpoint is written, the previous '
            'ones are kept.')
