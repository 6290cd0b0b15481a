"""An image-only teacher put into a text encoder's space by a fitted linear map (LiT-style)."""
import os
import os.path as osp
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement
from torch import nn

from mmkd.registry import MODELS, build_mmkd_module
from mmkd.utils import load_state_dict_file
from .base_teacher import BaseTeacher
from .input_adapter import Normalization


def fit_text_alignment(features: torch.Tensor, labels: torch.Tensor, text_bank: torch.Tensor,
                       out: str, steps: int = 300, lr: float = 1e-2, logit_scale: float = 20.0,
                       weight_decay: float = 1e-4) -> float:
    """Fit ``normalize(W f + b)`` so each image is closest to its class prompt; save it to ``out``.

    The image tower and the text bank stay frozen (LiT, Zhai et al. 2022): only the linear map is
    trained, with a cross-entropy over ``logit_scale · cos(W f + b, T_c)`` on labelled images.
    Returns the training accuracy. The file holds ``weight [D, F]`` and ``bias [D]``.
    """
    projection = nn.Linear(features.shape[1], text_bank.shape[1])
    optimizer = torch.optim.AdamW(projection.parameters(), lr=lr, weight_decay=weight_decay)
    mean, std = features.mean(0), features.std(0).clamp(min=1e-6)
    inputs = (features - mean) / std
    for _ in range(steps):
        logits = logit_scale * F.normalize(projection(inputs), dim=1) @ text_bank.t()
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        # fold the feature standardisation into the map: W (f - m) / s + b = (W / s) f + b'
        weight = projection.weight / std
        bias = projection.bias - weight @ mean
        logits = F.normalize(features @ weight.t() + bias, dim=1) @ text_bank.t()
        accuracy = (logits.argmax(1) == labels).float().mean().item()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save(dict(weight=weight, bias=bias), out + '.tmp')
    os.replace(out + '.tmp', out)
    return accuracy


@MODELS.register_module()
class TextAlignedTeacher(BaseTeacher):
    """Wrap an image teacher and map one of its records into a text space: ``normalize(W f + b)``.

    No aligned image-text model is available offline, so mmkd's LGD demo pairs two real but
    unrelated towers — an ImageNet EfficientNet-Lite2 and the MiniLM sentence encoder — through a
    linear map fitted by :func:`fit_text_alignment` on a few labelled images of the task, with both
    towers frozen. The result plays CLIP's role in LGD: its embeddings can be scored against a
    Textual Semantics Bank of the same text encoder. (A label-free alternative, mapping ImageNet
    predictions onto their class-name embeddings, scored at chance on Fashion-MNIST; see
    ``projects/lgd/README.md``.)

    Records: ``embedding`` ``[N, D]`` (unit norm) plus every record of the wrapped teacher.

    Args:
        teacher: the image teacher's config (live, or a ``StoreTeacher`` serving its features).
        projection: the file :func:`fit_text_alignment` wrote.
        features: the wrapped teacher's record that the map reads.

    Example:
        >>> teacher = TextAlignedTeacher(  # doctest: +SKIP
        ...     dict(type='EfficientNetLiteTeacher', checkpoint='efficientnet-lite2.pth'),
        ...     projection='work_dirs/lgd_fashion/lite2_to_minilm.pth')
    """

    def __init__(self, teacher: dict, projection: str, features: str = 'features',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.teacher = build_mmkd_module(teacher)
        if features not in self.teacher.output_names:
            raise KeyError(f'TextAlignedTeacher: the wrapped teacher has no record {features!r}; '
                           f'it has {list(self.teacher.output_names)}')
        state = load_state_dict_file(projection, 'text-alignment projection')
        if set(state) != {'weight', 'bias'}:
            raise KeyError(f'text-alignment projection {projection!r} needs exactly `weight` and '
                           f'`bias`, got {sorted(state)}')
        self.projection = nn.Linear(state['weight'].shape[1], state['weight'].shape[0])
        self.projection.load_state_dict(state)
        self.features = features
        self.output_names = ('embedding', *self.teacher.output_names)
        self.load_report = [f'text alignment {projection}: {state["weight"].shape[1]} → '
                            f'{state["weight"].shape[0]}']
        self.freeze()

    def adapt_inputs(self, student_normalization: Normalization) -> None:
        self.teacher.adapt_inputs(student_normalization)

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        records = self.teacher(inputs, data_samples)
        embedding = F.normalize(self.projection(records[self.features].float()), dim=1)
        return dict(records, embedding=embedding)

    def report(self) -> List[str]:
        return self.load_report + self.teacher.report()
