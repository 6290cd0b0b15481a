"""A vision-language teacher assembled from two frozen towers and a fitted linear map (LiT-style)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module
from mmkd.utils import load_state_dict_file
from mmkd.utils.checkpoint import load_weights_only
from mmkd.utils.io import atomic_torch_save
from .base_teacher import BaseTeacher
from .input_adapter import InputConvention
from .vision_language_teacher import VisionLanguageTeacher


def fit_projection(features: torch.Tensor, labels: torch.Tensor, text_embeds: torch.Tensor,
                   out: Optional[str] = None, steps: int = 300, lr: float = 1e-3,
                   temperature: float = 0.07, weight_decay: float = 1e-4, seed: int = 0,
                   meta: Optional[dict] = None) -> Tuple[nn.Linear, float]:
    """Fit ``Linear(F → D)`` so each image is closest to its class's text embedding.

    Both towers stay frozen (LiT, Zhai et al. 2022): only the map is trained, full batch with AdamW,
    on the cross-entropy of ``cos(W f + b, text_c) / temperature`` over the labelled images. The
    features are standardised for the fit and the standardisation is folded into the map, so it
    applies to raw features. With ``out`` the map is saved there atomically as
    ``dict(state_dict=dict(weight [D, F], bias [D]), meta=...)`` (what :class:`TwoTowerTeacher`
    reads).

    Returns:
        The map and its top-1 accuracy on the images it was fitted on.

    Example:
        >>> features = torch.randn(40, 6)
        >>> labels = (features[:, 0] > 0).long()
        >>> projection, accuracy = fit_projection(features, labels, torch.eye(2, 3), steps=100,
        ...                                       lr=0.1)
        >>> projection.weight.shape, accuracy > 0.9
        (torch.Size([3, 6]), True)
    """
    if len(features) != len(labels) or int(labels.max()) >= len(text_embeds):
        raise ValueError(f'fit_projection: {len(features)} features, {len(labels)} labels (up to '
                         f'{int(labels.max())}) and {len(text_embeds)} class texts do not match')
    torch.manual_seed(seed)
    features = features.float()
    projection = nn.Linear(features.shape[1], text_embeds.shape[1])
    texts = F.normalize(text_embeds.float(), dim=-1)
    mean, std = features.mean(0), features.std(0).clamp(min=1e-6)
    inputs = (features - mean) / std
    optimizer = torch.optim.AdamW(projection.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        logits = F.normalize(projection(inputs), dim=-1) @ texts.t() / temperature
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():  # W (f - m) / s + b = (W / s) f + (b - (W / s) m)
        weight = projection.weight / std
        projection.bias.sub_(weight @ mean)
        projection.weight.copy_(weight)
        accuracy = (projection(features) @ texts.t()).argmax(1).eq(labels).float().mean().item()
    if out is not None:
        atomic_torch_save(dict(state_dict=projection.state_dict(), meta=dict(
            meta or {}, num_images=len(labels), steps=steps, lr=lr, temperature=temperature,
            train_accuracy=accuracy)), out)
    return projection, accuracy


@MODELS.register_module()
class TwoTowerTeacher(VisionLanguageTeacher):
    """An image teacher + a text encoder + a linear map from the image features into the text space.

    No aligned image–text model exists offline, so this joins two real but unrelated frozen towers
    — e.g. an ImageNet EfficientNet-Lite and the all-MiniLM-L6-v2 sentence encoder — through a map
    ``W f + b`` fitted by :func:`fit_projection` on labelled images of the task
    (``tools/vlm_ood/align_two_tower.py``). It plays CLIP's role: its image embeddings can be scored
    against text banks of the same text encoder (VLM-OOD's prototypes, LGD's Textual Semantics
    Bank).

    The image side is any teacher: a live one (its own input convention applies) or a
    :class:`StoreTeacher` serving its stored features. Records: ``image_embeds`` (``W f + b``, not
    normalised) plus every record of the image teacher.

    Args:
        image_teacher: the image teacher's config (e.g. ``dict(type='EfficientNetLiteTeacher')``).
        projection: the file :func:`fit_projection` wrote (``weight`` [D, F], ``bias`` [D]).
        text_encoder: the text tower's config (e.g. ``dict(type='HFTextEncoder', checkpoint=...)``),
            or ``None`` when the text side is a bank built beforehand.
        features: the image teacher's record the map reads.

    Example:
        >>> teacher = TwoTowerTeacher(  # doctest: +SKIP
        ...     image_teacher=dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0'),
        ...     text_encoder=dict(type='HFTextEncoder', checkpoint='checkpoints/all-MiniLM-L6-v2'),
        ...     projection='checkpoints/two-tower-lite0-minilm_fashion-mnist-id-ood.pth')
    """

    def __init__(self, image_teacher: dict, projection: str, text_encoder: Optional[dict] = None,
                 features: str = 'features', init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.image_teacher: BaseTeacher = build_mmkd_module(image_teacher)
        if features not in self.image_teacher.output_names:
            raise KeyError(f'TwoTowerTeacher: the image teacher has no record {features!r}; it has '
                           f'{list(self.image_teacher.output_names)}')
        self.text_encoder = None if text_encoder is None else build_mmkd_module(text_encoder)
        state = load_state_dict_file(projection, 'two-tower projection')
        if set(state) != {'weight', 'bias'}:
            raise KeyError(f'two-tower projection {projection!r} needs exactly `weight` and `bias`, '
                           f'got {sorted(state)}; fit it with tools/vlm_ood/align_two_tower.py')
        self.projection = nn.Linear(state['weight'].shape[1], state['weight'].shape[0])
        self.projection.load_state_dict(state)
        meta = load_weights_only(projection, 'two-tower projection').get('meta') or {}
        self.logit_scale = 1 / meta['temperature'] if meta.get('temperature') else None
        if self.text_encoder is not None and self.text_encoder.embed_dim != self.embed_dim:
            raise ValueError(f'two-tower projection {projection!r} maps into {self.embed_dim}-d, '
                             f'the text encoder embeds in {self.text_encoder.embed_dim}-d')
        self.features = features
        self.output_names = ('image_embeds', *self.image_teacher.output_names)
        self.load_report = [f'two-tower: image→text projection {projection} '
                            f'({self.projection.in_features} → {self.embed_dim})']
        self.freeze()

    @property
    def input_convention(self) -> InputConvention:
        return self.image_teacher.input_convention

    @property
    def embed_dim(self) -> int:
        return self.projection.out_features

    def adapt_inputs(self, student: InputConvention) -> None:
        self.image_teacher.adapt_inputs(student)

    def prepare_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.image_teacher.prepare_inputs(inputs)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return self.projection(self.image_teacher.extract(images)[self.features].float())

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        records = self.image_teacher(inputs, data_samples)
        return dict(records, image_embeds=self.projection(records[self.features].float()))

    def report(self) -> List[str]:
        return self.load_report + self.image_teacher.report() + [
            f'embedding size: {self.embed_dim}']
