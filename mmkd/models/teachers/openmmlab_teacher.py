"""Any OpenMMLab model (mmpretrain, mmdet, mmseg …) as a frozen teacher."""
import copy
import dataclasses
import logging
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmengine.structures import BaseDataElement
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils import load_strictly
from ..recorder import ModuleRecorder, RecordSpec
from .base_teacher import BaseTeacher
from .input_adapter import read_normalization


def load_model_config(config: Union[str, dict]) -> Config:
    """A config file path, a package config (``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``) or
    an inline dict with ``model`` (and optionally ``default_scope``)."""
    if isinstance(config, dict):
        return Config(config)
    if '::' in config:
        from mmengine.hub import get_config
        return get_config(config, pretrained=False)
    if not osp.isfile(config):
        raise FileNotFoundError(f'teacher config not found: {config!r}')
    return Config.fromfile(config)


@MODELS.register_module()
class OpenMMLabTeacher(BaseTeacher):
    """A frozen OpenMMLab model built from its own config and loaded strictly from a checkpoint.

    The model runs in ``tensor`` mode (never through its loss); its forward output is the record
    ``'outputs'`` (the logits of a classifier) and ``records`` add hooked submodule tensors.
    Its input convention is its own ``data_preprocessor``'s (mean/std, BGR or RGB), at
    ``input_size`` if given; the student's batch is converted to it. A random-init teacher runs
    the model's own ``init_weights`` (its ``init_cfg``).

    Args:
        config: the teacher's config file, ``'pkg::path'`` config, or a dict with ``model``.
        checkpoint: the teacher's weights; loaded to CPU, weights-only, every key must match.
            ``None`` only with ``allow_random_init=True`` (tests, or a teacher without weights).
        records: extra records, ``name -> module path`` (see :class:`ModuleRecorder`).
        input_size: ``(h, w)`` the teacher expects, if not the student's.
        allow_random_init: build without a checkpoint.

    Example:
        >>> teacher = OpenMMLabTeacher(
        ...     config=dict(model=dict(type='ImageClassifier',
        ...         backbone=dict(type='LeNet5', num_classes=10), head=dict(type='ClsHead')),
        ...         default_scope='mmpretrain'),
        ...     checkpoint=None, allow_random_init=True)
        >>> teacher(torch.zeros(2, 1, 32, 32))['outputs'].shape
        torch.Size([2, 10])
    """

    def __init__(self,
                 config: Union[str, dict],
                 checkpoint: Optional[str],
                 records: Optional[Dict[str, RecordSpec]] = None,
                 input_size: Optional[Sequence[int]] = None,
                 allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        cfg = load_model_config(config)
        if 'model' not in cfg:
            raise KeyError(f'teacher config {config!r} has no `model`')
        scope = cfg.get('default_scope') or DefaultScope.get_current_instance().scope_name
        # keep ConfigDicts: mmseg's EncoderDecoder sets `backbone.pretrained` by attribute
        model_cfg = copy.deepcopy(cfg.model)
        if cfg.get('data_preprocessor') is not None:
            model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
        with DefaultScope.overwrite_default_scope(scope):
            self.model = ROOT_MODELS.build(model_cfg)
        self.input_convention = dataclasses.replace(
            read_normalization(getattr(self.model, 'data_preprocessor', None)),
            size=tuple(input_size) if input_size else None)
        if checkpoint is not None:
            self.load_report = [load_strictly(self.model, checkpoint, 'teacher checkpoint')]
        elif allow_random_init:
            logger = MMLogger.get_current_instance()
            level = logger.level
            logger.setLevel(logging.WARNING)  # one report line, not one line per parameter
            skipped = _drop_pretrained_init(self.model)
            try:
                self.model.init_weights()
            finally:
                logger.setLevel(level)
            self.load_report = ['random init (no checkpoint, its own init_cfg): its signal is '
                                'noise' + (f'; Pretrained init_cfg of {skipped} skipped (nothing '
                                           'is downloaded)' if skipped else '')]
        else:
            raise ValueError(f'teacher from {config!r}: `checkpoint` is None. Give the trained '
                             "teacher's .pth, or set allow_random_init=True on purpose.")
        self.recorder = ModuleRecorder(self.model, records or {}, owner='teacher')
        self.output_names = ('outputs', *self.recorder.specs)
        self.freeze()

    def extract(self, images: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        with self.recorder.recording() as records:
            outputs = self.model(images, data_samples, mode='tensor')
        return dict(outputs=outputs, **records)


def _drop_pretrained_init(model: nn.Module) -> List[str]:
    """Remove ``Pretrained`` entries from every submodule's ``init_cfg``; return where they were.

    A random-init teacher runs its own initialisers, but a ``Pretrained`` entry would load (or
    download) weights the user did not ask for.
    """
    skipped = []
    for name, module in model.named_modules():
        init_cfg = getattr(module, 'init_cfg', None)
        if not init_cfg:
            continue
        entries = init_cfg if isinstance(init_cfg, list) else [init_cfg]
        kept = [entry for entry in entries if entry.get('type') != 'Pretrained']
        if len(kept) != len(entries):
            skipped.append(name or 'model')
            module.init_cfg = kept if isinstance(init_cfg, list) else (kept[0] if kept else None)
    return skipped
