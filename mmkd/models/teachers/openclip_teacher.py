"""Any open_clip model (OpenAI CLIP ViT-L/14 in Li et al.) as a frozen vision-language teacher."""
import os.path as osp
from typing import Dict, Optional, Sequence

import torch
from torch import nn

from mmkd.registry import MODELS
from .input_adapter import Normalization
from .vision_language_teacher import VisionLanguageTeacher


@MODELS.register_module()
class OpenCLIPTeacher(VisionLanguageTeacher):
    """A frozen open_clip model: image embeddings of the batch, text embeddings of prompts.

    The student's batch is converted to CLIP's mean/std and resolution (read from the model's
    ``preprocess_cfg``), so one data pipeline serves both. Weights come only from a local file;
    open_clip loads them strictly and weights-only.

    Args:
        arch: an open_clip model name (``open_clip.list_models()``), e.g. ``'ViT-L-14'``.
        pretrained: a local weights file (open_clip's ``open_clip_pytorch_model.bin`` or
            ``.safetensors`` of that architecture). ``None`` only with ``allow_random_init``.
        model_overrides: keyword overrides of the architecture's config (``embed_dim``,
            ``vision_cfg``, ``text_cfg``): tests build tiny random-init models this way.
        allow_random_init: build without weights (tests); the teacher's signal is then noise.

    Example:
        >>> tiny = dict(embed_dim=32,
        ...             vision_cfg=dict(image_size=32, layers=1, width=32, head_width=16,
        ...                             patch_size=16),
        ...             text_cfg=dict(context_length=16, vocab_size=49408, width=32, heads=2,
        ...                           layers=1))
        >>> teacher = OpenCLIPTeacher('ViT-B-32', model_overrides=tiny, allow_random_init=True)
        >>> teacher(torch.zeros(2, 3, 32, 32))['image_embeds'].shape
        torch.Size([2, 32])
        >>> teacher.encode_text(['a photo of a cat']).shape
        torch.Size([1, 32])
    """

    def __init__(self,
                 arch: str = 'ViT-L-14',
                 pretrained: Optional[str] = None,
                 model_overrides: Optional[dict] = None,
                 allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        import open_clip
        if arch not in open_clip.list_models():
            raise ValueError(f'unknown open_clip architecture {arch!r}; see '
                             'open_clip.list_models()')
        if pretrained is None and not allow_random_init:
            raise ValueError(
                f'OpenCLIPTeacher({arch!r}): `pretrained` is None. Download the weights on a '
                'machine with internet (e.g. the open_clip_pytorch_model.bin of the Hugging Face '
                'repo timm/vit_large_patch14_clip_224.openai for ViT-L-14) and set `pretrained` to '
                'the local file, or set allow_random_init=True on purpose.')
        if pretrained is not None and not osp.isfile(pretrained):
            raise FileNotFoundError(
                f'OpenCLIP {arch} weights not found at {pretrained!r}: place the weights file '
                '(open_clip_pytorch_model.bin or open_clip_model.safetensors of that architecture) '
                'there, or change `pretrained` in the config. Nothing is downloaded.')
        self.arch = arch
        self.model = open_clip.create_model(
            arch, pretrained=pretrained, pretrained_text=False, **(model_overrides or {}))
        self.tokenizer = open_clip.get_tokenizer(arch, context_length=self.model.context_length)
        if not hasattr(self.model, 'token_embedding'):
            raise NotImplementedError(
                f'{arch} has a custom text tower (HF / CoCa); OpenCLIPTeacher supports the '
                'standard CLIP text transformer')
        preprocess = open_clip.get_model_preprocess_cfg(self.model)
        # open_clip gives mean/std of [0, 1] images; mmkd's adapters work on [0, 255] pixels
        self._mean = torch.tensor(preprocess['mean'], dtype=torch.float32) * 255
        self._std = torch.tensor(preprocess['std'], dtype=torch.float32) * 255
        size = preprocess['size']
        self._input_size = (size, size) if isinstance(size, int) else tuple(size)
        self.load_report = [f'open_clip {arch}: ' + (
            f'weights from {pretrained}' if pretrained else 'random init (no weights): its '
            'signal is noise')]
        self.freeze()

    @property
    def teacher_normalization(self) -> Normalization:
        return self._mean, self._std, False

    @property
    def input_size(self) -> Sequence[int]:
        return self._input_size

    @property
    def embed_dim(self) -> int:
        return int(self.model.visual.output_dim)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return self.model.encode_image(images)

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

    def text_state_dict(self) -> Dict[str, torch.Tensor]:
        return {k: v for k, v in self.model.state_dict().items() if not k.startswith('visual.')}
