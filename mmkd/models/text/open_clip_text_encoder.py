"""The text tower of an OpenCLIP / OpenAI CLIP model, and the one way mmkd builds open_clip models."""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils.checkpoint import check_checkpoint_file
from .base_text_encoder import BaseTextEncoder


def create_open_clip(arch: str, checkpoint: Optional[str], model_overrides: Optional[dict],
                     allow_random_init: bool, owner: str) -> Tuple[nn.Module, str]:
    """An open_clip model from its own config, loaded strictly (weights-only) from a local file.

    Returns the model and a one-line load report. ``owner`` names the caller in errors.
    """
    import open_clip
    if arch not in open_clip.list_models():
        raise ValueError(f'{owner}: unknown open_clip architecture {arch!r}; see '
                         'open_clip.list_models()')
    if checkpoint is None and not allow_random_init:
        raise ValueError(
            f'{owner}({arch!r}): `checkpoint` is None. Download the weights on a machine with '
            'internet (e.g. the open_clip_pytorch_model.bin of the Hugging Face repo '
            'timm/vit_large_patch14_clip_224.openai for ViT-L-14) and set `checkpoint` to the '
            'local file, or set allow_random_init=True on purpose.')
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'{owner}: open_clip {arch} weights not found at {checkpoint!r}: place the weights '
            'file (open_clip_pytorch_model.bin or open_clip_model.safetensors of that '
            'architecture) there, or change `checkpoint` in the config. Nothing is downloaded.')
    if checkpoint is not None and not checkpoint.endswith('.safetensors'):
        check_checkpoint_file(checkpoint, f'{owner}: open_clip {arch} checkpoint')
    model = open_clip.create_model(arch, pretrained=checkpoint, pretrained_text=False,
                                   **(model_overrides or {}))
    report = f'open_clip {arch}: ' + (f'weights from {checkpoint}' if checkpoint else
                                      'random init (no weights): its signal is noise')
    return model, report


@MODELS.register_module()
class OpenCLIPTextEncoder(BaseTextEncoder):
    """The text transformer of an ``open_clip`` model, with open_clip's own tokenizer.

    Built from open_clip's config (``'RN50'`` is the CLIP RN50 that LGD uses) and loaded strictly
    from a local file; nothing is downloaded. :class:`~mmkd.models.OpenCLIPTeacher` hands over the
    text tower of the model it built (``model``) instead of building a second one.

    Args:
        arch: an open_clip model name, e.g. ``'RN50'``, ``'ViT-L-14'``.
        checkpoint: a local weights file of the whole CLIP model (open_clip layout). ``None``
            needs ``allow_random_init``.
        model_overrides: keyword overrides of the architecture's config (tests: tiny models).
        allow_random_init: build without weights (tests; the embeddings are then noise).
        model: an open_clip model already built; its image tower is dropped.

    Example:
        >>> encoder = OpenCLIPTextEncoder('RN50', allow_random_init=True)
        >>> encoder.encode_text(['a photo of a dog.']).shape
        torch.Size([1, 1024])
    """

    def __init__(self, arch: str, checkpoint: Optional[str] = None,
                 model_overrides: Optional[dict] = None, allow_random_init: bool = False,
                 model: Optional[nn.Module] = None):
        super().__init__()
        import open_clip
        if model is None:
            model, _ = create_open_clip(arch, checkpoint, model_overrides, allow_random_init,
                                        'OpenCLIPTextEncoder')
        if not hasattr(model, 'token_embedding'):
            raise NotImplementedError(
                f'{arch} has a custom text tower (HF / CoCa); mmkd supports the standard CLIP text '
                'transformer')
        model.visual = None
        self.model = model
        self.arch = arch
        self.tokenizer = open_clip.get_tokenizer(arch, context_length=model.context_length)
        self.freeze()

    @property
    def embed_dim(self) -> int:
        projection = self.model.text_projection
        if projection is None:
            return int(self.model.transformer.width)
        return int(projection.out_features if isinstance(projection, nn.Linear)
                   else projection.shape[1])

    @property
    def config_id(self) -> str:
        return self.arch

    def tokenize(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        return dict(input_ids=self.tokenizer(list(texts)))

    def embed_tokens(self, tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model.token_embedding(tokens['input_ids'])

    def encode_token_embeddings(self, embeddings: torch.Tensor,
                                tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        """open_clip's ``encode_text`` from the token embeddings on (same steps, same pooling)."""
        from open_clip.transformer import text_global_pool
        model = self.model
        cast_dtype = model.transformer.get_cast_dtype()
        x = embeddings.to(cast_dtype) + model.positional_embedding.to(cast_dtype)
        x = model.ln_final(model.transformer(x, attn_mask=model.attn_mask))
        x = text_global_pool(x, tokens['input_ids'], model.text_pool_type,
                             eos_token_id=getattr(model, 'text_eos_id', None))
        if isinstance(model.text_projection, nn.Linear):
            return model.text_projection(x)
        return x if model.text_projection is None else x @ model.text_projection
