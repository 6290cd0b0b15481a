"""Translate an MMRazor distillation config into an mmkd config a user can read and keep.

What maps onto what (the table with every config family is in ``docs/migrating_from_mmrazor.md``):

* ``SingleTeacherDistill`` / ``FpnTeacherDistill`` -> ``mmkd.KnowledgeDistiller``: ``architecture``
  -> ``student`` (a ``cfg_path`` is inlined from the installed package's config, as MMRazor built
  it), ``teacher`` + ``teacher_ckpt`` -> one ``OpenMMLabTeacher`` named ``teacher`` (its config by
  package path, its weights a local file), ``calculate_student_loss=False`` ->
  ``task_loss_weight=0``;
* ``ConfigurableDistiller``: each (recorder, ``record_idx``, ``data_idx``) a loss reads becomes one
  record (``ModuleOutputs`` / ``ModuleInputs`` -> module records, ``MethodOutputs`` /
  ``MethodInputs`` -> per-instance method records, ``FunctionOutputs`` / ``FunctionInputs`` ->
  function records, checked to exist now), each connector a connector fed by its record,
  each loss keeps its MMRazor type with ``inputs=`` naming its sources;
* ``mmcls::`` -> ``mmpretrain::`` (the file must exist in the installed package), ``_scope_='mmrazor'``
  dropped, ``SingleTeacherDistillValLoop`` -> ``mmkd.DistillValLoop`` (teacher evaluated once),
  ``find_unused_parameters`` dropped (the teacher is frozen and every connector feeds a loss), URLs
  of checkpoints -> ``checkpoints/<file>`` (nothing downloads).

What cannot run as MMRazor ran it raises :class:`MMRazorConversionError` saying what and why.
"""
import ast
import copy
import os
import os.path as osp
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from mmengine.config import Config, ConfigDict

from mmkd.models.recorder import find_function
from .package_configs import (CHECKPOINT_DIR, RENAMED_TYPES, MMRazorConversionError,
                              is_checkpoint_reference, local_checkpoint, model_zoo_weights,
                              resolve_package_config)
from .python_text import Raw, to_python

PACKAGE_REFERENCE = re.compile(r"""(['"])((?:mmcls|mmpretrain|mmdet|mmseg|mmdet3d)::[^'"]+)\1""")
ALGORITHMS = ('SingleTeacherDistill', 'FpnTeacherDistill')
ALGORITHM_KEYS = ('type', '_scope_', 'architecture', 'teacher', 'teacher_ckpt',
                  'teacher_trainable', 'teacher_norm_eval', 'student_trainable',
                  'calculate_student_loss', 'teacher_module_inplace', 'distiller',
                  'data_preprocessor', 'init_cfg')
DISTILLER_KEYS = ('type', 'student_recorders', 'teacher_recorders', 'distill_losses',
                  'loss_forward_mappings', 'connectors', 'distill_deliveries')
MAPPING_KEYS = ('from_student', 'recorder', 'record_idx', 'data_idx', 'connector',
                'connector_idx')
LOSSES = ('KLDivergence', 'KDSoftCELoss', 'L2Loss', 'L1Loss', 'ChannelWiseDivergence', 'DKDLoss',
          'DISTLoss', 'WSLD', 'ATLoss', 'ABLoss', 'DistanceWiseRKD', 'AngleWiseRKD', 'PKDLoss',
          'MGDLoss', 'FBKDLoss')
RECORDERS = ('ModuleOutputs', 'ModuleInputs', 'MethodOutputs', 'MethodInputs', 'FunctionOutputs',
             'FunctionInputs')
CONNECTORS = ('ConvModuleConnector', 'MGDConnector', 'FBKDStudentConnector',
              'FBKDTeacherConnector')

_DATA_FREE = ('data-free KD: a generator synthesises the training images and is trained through '
              "the teacher's and the student's gradients; mmkd distils on real data with a frozen "
              'teacher')
_FACTOR_TRANSFER = ("factor transfer's two stages: a paraphraser is first trained on the frozen "
                    "teacher's features with the student frozen, then a translator on the student; "
                    'mmkd has no stage with a trainable teacher-side autoencoder')
_OFD = ("OFD's overhaul algorithm: its distiller reads the teacher's batch-norm statistics to "
        'build margins for pre-ReLU features (OFDDistiller); mmkd has no such distiller')
_BYOT = ('BYOT self-distillation: the student distils its own deeper stages into shallower ones '
         'through per-stage heads; there is no separate teacher model')
_CRD = ("CRD: its loss needs every sample's dataset index and class-aware negative indices from "
        "MMRazor's CRDDataset wrapper and PackCRDClsInputs, and keeps a memory bank over the whole "
        'training set; that data path is not ported')
#: Types whose presence anywhere in a config means the recipe cannot run on mmkd, and why.
REFUSED_TYPES = {
    'DataFreeDistillation': _DATA_FREE, 'DAFLDataFreeDistillation': _DATA_FREE,
    'DAFLGenerator': _DATA_FREE, 'ZSKTGenerator': _DATA_FREE,
    'SelfDistill': _BYOT, 'BYOTDistiller': _BYOT, 'BYOTConnector': _BYOT,
    'OverhaulFeatureDistillation': _OFD, 'OFDDistiller': _OFD, 'OFDTeacherConnector': _OFD,
    'OFDLoss': _OFD,
    'Paraphraser': _FACTOR_TRANSFER, 'Translator': _FACTOR_TRANSFER, 'FTLoss': _FACTOR_TRANSFER,
    'DeiTClsHead': ("DeiT's distillation token: a second class token and head inside the student "
                    'ViT (mmrazor.DeiTClsHead), trained against the teacher; mmkd does not change '
                    'the student'),
    'CRDLoss': _CRD, 'CRDConnector': _CRD, 'CRDDataset': _CRD, 'PackCRDClsInputs': _CRD,
    'RazorVisualizationHook': ("RazorVisualizationHook draws recorded feature maps; mmkd has no "
                               'visualisation hook (the recipe trains like its base config)'),
}
#: Top-level keys MMEngine's runner (or the packages' tools) read: never taken for helper variables.
RUNNER_KEYS = ('work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg',
               'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler',
               'val_evaluator', 'test_evaluator', 'default_hooks', 'data_preprocessor',
               'load_from', 'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
               'visualizer', 'default_scope', 'randomness', 'experiment_name', 'tta_model',
               'tta_pipeline', 'model_wrapper_cfg', 'strategy', 'compile')


@dataclass
class Conversion:
    """The result of :func:`convert_mmrazor_config`."""
    source: str
    text: str
    notes: List[str] = field(default_factory=list)
    #: ``(local path, URL)`` of every checkpoint MMRazor would have downloaded.
    checkpoints: List[Tuple[str, str]] = field(default_factory=list)


def convert_mmrazor_config(path: str, checkpoint_dir: str = CHECKPOINT_DIR) -> Conversion:
    """Convert the MMRazor config file ``path``; see the module docstring.

    Args:
        path: an MMRazor distillation config (its relative ``_base_`` files next to it).
        checkpoint_dir: where the converted config expects downloaded checkpoints.

    Raises:
        MMRazorConversionError: for a recipe mmkd cannot run as MMRazor did (the reason named).
    """
    return _Converter(path, checkpoint_dir).run()


def _read_bases(path: str) -> List[str]:
    """The ``_base_`` entries of a config file, without executing it."""
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            bases = ast.literal_eval(node.value)
            return [bases] if isinstance(bases, str) else list(bases)
    return []


def _type_name(value: Any) -> str:
    return str(value).split('.')[-1]


def _walk(value: Any):
    """Every dict inside ``value`` (itself included)."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)


def _plain(value: Any) -> Any:
    """ConfigDicts -> dicts, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def _occurs(needle: Any, haystack: Any) -> bool:
    if needle == haystack:
        return True
    if isinstance(haystack, dict):
        return any(_occurs(needle, v) for v in haystack.values())
    if isinstance(haystack, (list, tuple)):
        return any(_occurs(needle, v) for v in haystack)
    return False


def _normalisation(preprocessor: Optional[dict]) -> Tuple:
    preprocessor = preprocessor or {}
    flip = preprocessor.get('bgr_to_rgb', preprocessor.get('to_rgb', False))
    mean, std = preprocessor.get('mean'), preprocessor.get('std')
    return (None if mean is None else [float(m) for m in mean],
            None if std is None else [float(s) for s in std], bool(flip))


class _Converter:

    def __init__(self, path: str, checkpoint_dir: str):
        self.path = osp.abspath(path)
        self.checkpoint_dir = checkpoint_dir
        self.notes: List[str] = []
        self.checkpoints: List[Tuple[str, str]] = []
        self.external_bases: List[str] = []

    def error(self, message: str) -> MMRazorConversionError:
        return MMRazorConversionError(f'{self.path}: {message}')

    # ------------------------------------------------------------------ reading
    def _rewrite(self, path: str, out_dir: str) -> str:
        """A copy of ``path`` (and, recursively, its relative bases) with package references
        resolved for today's packages; collects the package bases in order."""
        if not osp.isfile(path):
            raise self.error(f'base config {path} not found (keep the folder layout of '
                             "MMRazor's configs/)")
        text = open(path).read()
        for name in re.findall(r"""type\s*=\s*['"](?:\w+\.)?(\w+)['"]""", text):
            if name in REFUSED_TYPES:
                raise self.error(f'{name} cannot be converted: {REFUSED_TYPES[name]}.')
        for base in _read_bases(path):
            if '::' not in base:
                copy_path = self._rewrite(osp.normpath(osp.join(osp.dirname(path), base)),
                                          out_dir)
                text = text.replace(repr(base), repr(copy_path)).replace(f'"{base}"',
                                                                         repr(copy_path))
        try:
            text = PACKAGE_REFERENCE.sub(
                lambda m: repr(resolve_package_config(m.group(2))), text)
        except MMRazorConversionError as error:
            raise self.error(str(error)) from None
        text = re.sub(r"""(['"])mmcls\.""", r'\1mmpretrain.', text)
        text = re.sub(r"""_scope_\s*=\s*(['"])mmcls\1""", "_scope_='mmpretrain'", text)
        for old, new in RENAMED_TYPES.items():
            text = re.sub(rf"""(['"])((?:\w+\.)?){old}\1""", rf'\1\g<2>{new}\1', text)
        for base in _read_bases(path):
            if '::' in base:
                resolved = resolve_package_config(base)
                if resolved not in self.external_bases:
                    self.external_bases.append(resolved)
        out = osp.join(out_dir, f'{len(os.listdir(out_dir))}_{osp.basename(path)}')
        with open(out, 'w') as f:
            f.write(text)
        return out

    def _load(self) -> Tuple[Config, Config]:
        if not osp.isfile(self.path):
            raise MMRazorConversionError(f'MMRazor config not found: {self.path}')
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Config.fromfile(self._rewrite(self.path, tmp))
            bases_file = osp.join(tmp, 'bases.py')
            with open(bases_file, 'w') as f:
                f.write(f'_base_ = {self.external_bases!r}\n')
            base_cfg = Config.fromfile(bases_file)
        return cfg, base_cfg

    # ------------------------------------------------------------------ checks
    def _refuse_unsupported(self, cfg: Config) -> None:
        for node in _walk(_plain(cfg._cfg_dict)):
            name = _type_name(node.get('type', ''))
            if name in REFUSED_TYPES:
                raise self.error(f'{node["type"]} cannot be converted: {REFUSED_TYPES[name]}.')

    # ------------------------------------------------------------------ models
    def _package_model(self, spec: dict, role: str) -> Tuple[dict, Optional[str], Optional[str]]:
        """``(model dict, package config reference or None, scope)`` of an architecture/teacher."""
        spec = _plain(spec)
        if 'cfg_path' in spec and 'type' not in spec:
            unknown = set(spec) - {'cfg_path', 'pretrained'}
            if unknown:
                raise self.error(f'{role}: unknown keys {sorted(unknown)} beside cfg_path')
            reference = resolve_package_config(spec['cfg_path'])
            from mmengine.hub import get_config
            package_cfg = get_config(reference)
            model = _plain(package_cfg.model)
            if package_cfg.get('data_preprocessor') is not None:  # as mmengine's get_model
                model['data_preprocessor'] = _plain(package_cfg.data_preprocessor)
            if spec.get('pretrained') and role == 'architecture':  # a teacher's: its checkpoint
                weights = model_zoo_weights(reference)
                if weights is None:
                    raise self.error(f'{role}: pretrained=True but {reference} has no weights '
                                     "in its package's metafile")
                model['init_cfg'] = dict(type='Pretrained', checkpoint=weights)
                self.notes.append(f'{role}: pretrained=True -> init_cfg Pretrained from the '
                                  f"model zoo's weights of {reference}")
            return model, reference, reference.split('::')[0]
        if 'type' not in spec:
            raise self.error(f'{role} needs cfg_path or a model type; got keys {sorted(spec)}')
        return spec, None, None

    def _student(self, algorithm: dict, cfg: Config) -> dict:
        student, reference, scope = self._package_model(algorithm['architecture'], 'architecture')
        # MMRazor preprocesses with the algorithm's data_preprocessor: the model's own key, else
        # the config's top-level one (the runner's default), else the architecture's
        preprocessor = (algorithm.get('data_preprocessor') or cfg.get('data_preprocessor')
                        or student.get('data_preprocessor'))
        if preprocessor is not None:
            student['data_preprocessor'] = self._student_preprocessor(
                _plain(preprocessor), scope or cfg.get('default_scope'))
        if scope is not None and scope != cfg.get('default_scope'):
            student['_scope_'] = scope
        self.student_reference = reference
        return student

    def _student_preprocessor(self, preprocessor: dict, scope: Optional[str]) -> dict:
        """MMRazor's algorithm-level ``ImgDataPreprocessor`` as an mmpretrain student's own
        ``ClsDataPreprocessor`` (mmpretrain's ImageClassifier gives its preprocessor
        ``batch_augments``, which ImgDataPreprocessor does not take): the same normalisation,
        channel order and padding; MMRazor's algorithm preprocessor ran no batch augments."""
        if scope != 'mmpretrain' or _type_name(preprocessor.get('type')) != 'ImgDataPreprocessor':
            return preprocessor
        unknown = set(preprocessor) - {'type', 'mean', 'std', 'bgr_to_rgb', 'rgb_to_bgr',
                                       'pad_size_divisor', 'pad_value', 'non_blocking'}
        if unknown:
            raise self.error(f'data_preprocessor: ImgDataPreprocessor keys {sorted(unknown)} are '
                             'not ported')
        out = dict(type='ClsDataPreprocessor', mean=preprocessor.get('mean'),
                   std=preprocessor.get('std'),
                   to_rgb=bool(preprocessor.get('bgr_to_rgb') or preprocessor.get('rgb_to_bgr')))
        out.update({k: preprocessor[k] for k in ('pad_size_divisor', 'pad_value')
                    if k in preprocessor})
        out['batch_augments'] = None
        self.notes.append("data_preprocessor: MMRazor's ImgDataPreprocessor -> the student's "
                          'ClsDataPreprocessor with the same mean/std/channel order and no batch '
                          'augments (as MMRazor preprocessed the batch)')
        return out

    def _teacher_checkpoint(self, algorithm: dict, reference: Optional[str]) -> str:
        teacher = algorithm['teacher']
        if algorithm.get('teacher_ckpt'):
            return algorithm['teacher_ckpt']
        if teacher.get('pretrained') and reference is not None:
            weights = model_zoo_weights(reference)
            if weights is not None:
                return weights
        name = osp.splitext(osp.basename(reference or 'teacher'))[0]
        placeholder = osp.join(self.checkpoint_dir, f'{name}.pth')
        self.notes.append(
            f"the MMRazor config gives the teacher no weights (no teacher_ckpt, pretrained=False: "
            f'in MMRazor it is random or loaded by the algorithm\'s init_cfg); put the trained '
            f"teacher's weights at {placeholder} (loaded strictly)")
        return placeholder

    def _teacher(self, algorithm: dict, student: dict,
                 records: Dict[str, dict]) -> Dict[str, Any]:
        model, reference, scope = self._package_model(algorithm['teacher'], 'teacher')
        config: Any = reference
        student_dp = student.get('data_preprocessor')
        if reference is None or (_normalisation(model.get('data_preprocessor'))
                                 != _normalisation(student_dp)):
            # MMRazor feeds the teacher the student's preprocessed batch: give the teacher the
            # student's normalisation, so mmkd's conversion to the teacher's convention is identity
            if student_dp is not None:
                model['data_preprocessor'] = copy.deepcopy(student_dp)
            config = dict(model=model, default_scope=scope or self.default_scope)
            if reference is not None:
                self.notes.append(f"teacher: {reference} normalises differently from the student; "
                                  "inlined with the student's data_preprocessor, as MMRazor "
                                  "feeds the teacher the student's batch")
        checkpoint = self._teacher_checkpoint(algorithm, reference)
        self.teacher_checkpoint = self._localise(checkpoint)
        teacher = dict(type='OpenMMLabTeacher', config=config, checkpoint=Raw('teacher_ckpt'))
        if records:
            teacher['records'] = records
        return teacher

    def _localise(self, reference: str) -> str:
        local, origin = local_checkpoint(reference, self.checkpoint_dir)
        if origin is not None and (local, origin) not in self.checkpoints:
            self.checkpoints.append((local, origin))
        return local

    def _localise_all(self, value: Any) -> Any:
        if isinstance(value, str) and is_checkpoint_reference(value):
            return self._localise(value)
        if isinstance(value, dict):
            return {k: self._localise_all(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._localise_all(v) for v in value)
        return value

    # ------------------------------------------------------------------ wiring
    def _source(self, loss: str, arg: str, info: dict, recorders: Dict[bool, dict],
                records: Dict[bool, dict], connectors: dict, built_connectors: dict) -> str:
        where = f'loss_forward_mappings.{loss}.{arg}'
        unknown = set(info) - set(MAPPING_KEYS)
        if unknown:
            raise self.error(f'{where}: unknown keys {sorted(unknown)}')
        if info.get('connector_idx') is not None:
            raise self.error(f'{where}: connector_idx (one output of a connector) is not ported; '
                             'mmkd feeds a loss the whole connector output')
        student = info.get('from_student')
        if not isinstance(student, bool) or 'recorder' not in info:
            raise self.error(f'{where}: needs recorder and from_student (a bool)')
        side = 'student' if student else 'teacher'
        name = info['recorder']
        if name not in recorders[student]:
            raise self.error(f'{where}: no {side}_recorders entry {name!r}; '
                             f'have {sorted(recorders[student])}')
        recorder = recorders[student][name]
        kind, module = _type_name(recorder.get('type')), recorder.get('source')
        call, index = info.get('record_idx', 0), info.get('data_idx')
        if kind not in RECORDERS:
            raise self.error(f'{side}_recorders.{name}: recorder type {recorder.get("type")!r} '
                             'is not ported')
        if kind == 'ModuleInputs' and module == '':
            if student and index == 1 and call == 0 and not info.get('connector'):
                return 'data_samples'  # the inputs of the student's forward: (inputs, samples)
            raise self.error(f'{where}: inputs of the whole model other than data_idx=1 (the data '
                             'samples) are not ported')
        if not student and 'loss' in (module or '').split('.')[-1]:
            raise self.error(f'{where}: {module!r} of the teacher only runs in its loss path; '
                             'mmkd runs teachers without their losses')
        if kind.startswith('Function'):
            try:
                find_function(str(module))
            except KeyError as error:
                raise self.error(f'{side}_recorders.{name}: {error.args[0]}') from None
            spec = dict(function=module)
        elif kind.startswith('Method'):
            parts = str(module).split('.')
            if len(parts) < 2:
                raise self.error(f'{side}_recorders.{name}: {kind} source must end with '
                                 f'Class.method, got {module!r}')
            spec = dict(method='.'.join(parts[-2:]))
        else:
            spec = dict(module=module)
        if kind.endswith('Inputs'):
            spec.update(source='input', index=index)
        elif index is not None:
            spec['index'] = index
        spec['call'] = call
        record = name + ('' if index is None else f'_{index}') + (f'_call{call}' if call else '')
        records[student][record] = spec
        reference = f'{side}.{record}'
        connector = info.get('connector')
        if not connector:
            return reference
        if connector not in connectors:
            raise self.error(f'{where}: no connector {connector!r}; have {sorted(connectors)}')
        if connector in built_connectors:
            if built_connectors[connector]['source'] != reference:
                raise self.error(f'connector {connector!r} is applied to two records; mmkd gives '
                                 'each connector one source (duplicate it to train two copies)')
            return f'connectors.{connector}'
        built_connectors[connector] = self._connector(connector, connectors[connector], reference)
        return f'connectors.{connector}'

    def _connector(self, name: str, cfg: Any, source: str) -> dict:
        if not isinstance(cfg, dict):
            raise self.error(f'connector {name!r}: a list of connectors (nn.Sequential) is not '
                             'ported')
        kind = _type_name(cfg.get('type'))
        if kind not in CONNECTORS:
            raise self.error(f'connector {name!r}: {cfg.get("type")!r} is not ported (mmkd has '
                             f'{list(CONNECTORS)})')
        out = {k: v for k, v in _plain(cfg).items() if k != '_scope_'}
        out['type'] = kind
        out['source'] = source
        return out

    def _loss(self, name: str, cfg: dict, inputs: dict) -> dict:
        out = {k: v for k, v in _plain(cfg).items() if k != '_scope_'}
        kind = _type_name(out.get('type'))
        if kind not in LOSSES:
            raise self.error(f'distill loss {name!r}: {cfg.get("type")!r} is not ported (mmkd '
                             f'has MMRazor\'s {list(LOSSES)})')
        out['type'] = kind
        if kind == 'FBKDLoss' and 'nonloacl_weight' in out:
            out['nonlocal_weight'] = out.pop('nonloacl_weight')
        if kind == 'DKDLoss' and out.get('reduction', 'batchmean') != 'batchmean':
            self.notes.append(
                f"{name}: DKDLoss reduction={out['reduction']!r} -> 'sum': MMRazor's DKDLoss "
                "passes the legacy size_average=False to F.kl_div, which sums over the batch for "
                "every reduction but 'batchmean'; 'sum' keeps its numbers")
            out['reduction'] = 'sum'
        out['inputs'] = inputs
        return out

    def _distiller(self, distiller: dict) -> Tuple[dict, dict, dict, dict]:
        distiller = _plain(distiller)
        if _type_name(distiller.get('type')) != 'ConfigurableDistiller':
            raise self.error(f'distiller {distiller.get("type")!r} is not ported '
                             '(ConfigurableDistiller is)')
        unknown = set(distiller) - set(DISTILLER_KEYS)
        if unknown:
            raise self.error(f'distiller: unknown keys {sorted(unknown)}')
        if distiller.get('distill_deliveries'):
            raise self.error('distill_deliveries (overriding student outputs with the '
                             "teacher's by patching functions) are not ported")
        recorders = {True: distiller.get('student_recorders') or {},
                     False: distiller.get('teacher_recorders') or {}}
        losses_cfg = distiller.get('distill_losses') or {}
        mappings = distiller.get('loss_forward_mappings') or {}
        connectors_cfg = distiller.get('connectors') or {}
        records: Dict[bool, dict] = {True: {}, False: {}}
        connectors: Dict[str, dict] = {}
        losses: Dict[str, dict] = {}
        for name, mapping in mappings.items():
            if name not in losses_cfg:
                raise self.error(f'loss_forward_mappings.{name}: no distill_losses entry')
            inputs = {arg: self._source(name, arg, info, recorders, records, connectors_cfg,
                                        connectors)
                      for arg, info in mapping.items()}
            key = name
            if not name.startswith('loss'):
                if 'loss' not in name:
                    raise self.error(f'distill loss {name!r}: MMRazor only logs a name without '
                                     '"loss" (no gradient); mmkd trains every distill loss')
                key = f'loss_{name}'
                self.notes.append(f'distill loss {name!r} renamed {key!r} (mmkd loss names '
                                  'start with "loss")')
            losses[key] = self._loss(name, losses_cfg[name], inputs)
        unused = sorted(set(losses_cfg) - set(mappings))
        if unused:
            self.notes.append(f'distill losses {unused} have no loss_forward_mappings entry '
                              '(MMRazor never computed them): dropped')
        unused = sorted(set(connectors_cfg) - set(connectors))
        if unused:
            self.notes.append(f'connectors {unused} feed no loss: dropped')
        return records[True], records[False], connectors, losses

    def _model(self, cfg: Config, base_cfg: Config) -> dict:
        if 'model' not in cfg:
            raise self.error('no model: not a distillation config (a base file of one?)')
        algorithm = _plain(cfg.model)
        kind = _type_name(algorithm.get('type'))
        if kind not in ALGORITHMS:
            raise self.error(f'model type {algorithm.get("type")!r}: only {list(ALGORITHMS)} '
                             'are converted')
        unknown = set(algorithm) - set(ALGORITHM_KEYS)
        if unknown:
            raise self.error(f'{kind}: unknown keys {sorted(unknown)}')
        if algorithm.get('teacher_trainable'):
            raise self.error('teacher_trainable=True: mmkd teachers are frozen (a teacher trained '
                             'with the student is not a distillation mmkd runs)')
        if algorithm.get('teacher_norm_eval', True) is False:
            raise self.error('teacher_norm_eval=False (teacher batch norm in training mode) is '
                             'not ported: mmkd teachers always run in eval mode')
        if algorithm.get('student_trainable', True) is False:
            raise self.error(f'student_trainable=False (a stage that trains only connectors) is '
                             f'not ported; this is {_FACTOR_TRANSFER}')
        student = self._student(algorithm, cfg)
        student_records, teacher_records, connectors, losses = self._distiller(
            algorithm['distiller'])
        model: Dict[str, Any] = dict(type='mmkd.KnowledgeDistiller', student=student)
        if 'model' in base_cfg:
            model = dict(_delete_=True, **model)
        model['teachers'] = dict(teacher=self._teacher(algorithm, student, teacher_records))
        if student_records:
            model['student_records'] = student_records
        if connectors:
            model['connectors'] = connectors
        model['distill_losses'] = losses
        if algorithm.get('calculate_student_loss', True) is False:
            model['task_loss_weight'] = 0.0
            self.notes.append("calculate_student_loss=False -> task_loss_weight=0.0 (the student's "
                              'own losses are computed and logged, weighted 0)')
        if algorithm.get('init_cfg'):
            model['init_cfg'] = algorithm['init_cfg']
            self.notes.append('the algorithm init_cfg loads a whole distiller checkpoint: it must '
                              "be mmkd's (keys student.*, connectors.*; teachers are never saved)")
        if kind == 'FpnTeacherDistill':
            self.notes.append('FpnTeacherDistill: the teacher runs its whole tensor forward (MMRazor '
                              'only its backbone and neck): the same records, some extra compute')
        return self._localise_all(model)

    # ------------------------------------------------------------------ output
    def run(self) -> Conversion:
        cfg, base_cfg = self._load()
        self._refuse_unsupported(cfg)
        self.default_scope = cfg.get('default_scope')
        model = self._model(cfg, base_cfg)
        algorithm = _plain(cfg.model)  # after _model: it refuses a config without one
        own: Dict[str, Any] = {}
        for key, value in _plain(cfg._cfg_dict).items():
            if key in ('model', 'custom_imports', 'custom_hooks'):
                continue
            if key == 'find_unused_parameters':
                self.notes.append('find_unused_parameters dropped: the teacher is frozen and '
                                  'every connector feeds a loss, so DDP needs no unused-parameter '
                                  'search')
                continue
            if key in base_cfg and _plain(base_cfg[key]) == value:
                continue
            if key not in base_cfg and key not in RUNNER_KEYS and _occurs(value, algorithm):
                if key != 'teacher_ckpt':  # written again below, localised
                    self.notes.append(f'helper variable {key!r} dropped (its value is inside '
                                      'model)')
                continue
            if key == 'val_cfg' and _type_name(value.get('type')) == 'SingleTeacherDistillValLoop':
                value = dict(type='mmkd.DistillValLoop', evaluate_teacher='once')
                self.notes.append("SingleTeacherDistillValLoop -> mmkd.DistillValLoop: student "
                                  "metrics under their names, the teacher's as teacher.<metric>, "
                                  "computed once (frozen teacher); evaluate_teacher='every' is "
                                  "MMRazor's behaviour")
            if isinstance(value, dict) and isinstance(base_cfg.get(key), dict):
                value = dict(_delete_=True, **value)
            own[key] = self._localise_all(value)
        imports = list((cfg.get('custom_imports') or {}).get('imports', []))
        custom_imports = dict(imports=imports + ['mmkd'] if 'mmkd' not in imports else imports,
                              allow_failed_imports=False)
        hooks = list(_plain(cfg.get('custom_hooks') or []))
        hooks.append(dict(type='mmkd.StudentCheckpointHook'))
        lines = self._header()
        if self.external_bases:
            lines.append(f'_base_ = {to_python(self.external_bases)}')
        lines += [f'custom_imports = {to_python(custom_imports)}', '']
        origin = dict(self.checkpoints).get(self.teacher_checkpoint)
        if origin:
            lines.append(f'# MMRazor downloaded {origin}')
        lines.append(f'teacher_ckpt = {self.teacher_checkpoint!r}')
        lines += ['', f'model = {to_python(model)}', '']
        lines += [f'{key} = {to_python(value)}' for key, value in own.items()]
        lines.append(f'custom_hooks = {to_python(hooks)}')
        return Conversion(self.path, '\n'.join(lines) + '\n', self.notes, self.checkpoints)

    def _header(self) -> List[str]:
        lines = [f'# Converted from the MMRazor config {osp.basename(self.path)} by',
                 '# tools/misc/convert_mmrazor_config.py (see docs/migrating_from_mmrazor.md).']
        for note in self.notes:
            lines += _comment(note)
        if self.checkpoints:
            lines.append('# Checkpoints MMRazor downloaded; nothing downloads here, put them at:')
            for local, origin in self.checkpoints:
                lines += _comment(f'{local}  <-  {origin}', bullet='  ')
        return lines + ['']


def _comment(text: str, bullet: str = '- ', width: int = 98) -> List[str]:
    words, lines, line = text.split(' '), [], f'# {bullet}'
    for word in words:
        if len(line) + len(word) + 1 > width and line.strip('# -'):
            lines.append(line.rstrip())
            line = '#   '
        line += word + ' '
    return lines + [line.rstrip()]
