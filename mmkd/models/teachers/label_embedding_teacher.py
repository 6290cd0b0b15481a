"""Map a classifier teacher into a text space by its class-name embeddings (ConSE)."""
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement

from mmkd.registry import MODELS, build_mmkd_module
from ..modules import TextSemanticsBank
from .base_teacher import BaseTeacher


@MODELS.register_module()
class LabelEmbeddingTeacher(BaseTeacher):
    """A classifier teacher whose image embedding is the text embedding of what it predicts.

    ``embedding = normalize(sum_{k in top-k} p_k · E_k)`` with ``p = softmax(logits / tau)``
    renormalised over the teacher's top-k classes and ``E`` the text embeddings of the teacher's
    own class names (ConSE, Norouzi et al., ICLR 2014). It puts an image-only teacher (an ImageNet
    classifier) into the space of a text encoder *without any image-text training and without
    downstream labels*, so a Textual Semantics Bank built by the same encoder can score its images
    — the role CLIP's joint space plays in LGD. It is how mmkd's offline LGD demo pairs a real
    EfficientNet-Lite2 with the real MiniLM sentence encoder.

    Records: ``embedding`` ``[N, D]`` plus every record of the wrapped teacher.

    Args:
        teacher: config of the classifier teacher (e.g. ``EfficientNetLiteTeacher``).
        label_bank: a text-bank file of the teacher's classes, in its logit order (e.g. built
            with ``--classes imagenet``).
        logits: the wrapped teacher's record holding the logits.
        top_k: classes combined per image (ConSE's T; 10 by default).
        tau: softmax temperature of the logits.

    Example:
        >>> teacher = LabelEmbeddingTeacher(  # doctest: +SKIP
        ...     dict(type='EfficientNetLiteTeacher', checkpoint='efficientnet-lite2.pth'),
        ...     label_bank='work_dirs/text_banks/imagenet_minilm.pt')
    """

    def __init__(self, teacher: dict, label_bank: str, logits: str = 'outputs', top_k: int = 10,
                 tau: float = 1.0, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.teacher = build_mmkd_module(teacher)
        if logits not in self.teacher.output_names:
            raise KeyError(f'LabelEmbeddingTeacher: the wrapped teacher has no record {logits!r}; '
                           f'it has {list(self.teacher.output_names)}')
        self.label_bank = TextSemanticsBank(label_bank)
        self.logits, self.top_k, self.tau = logits, top_k, tau
        self.output_names = ('embedding', *self.teacher.output_names)
        self.load_report = self.teacher.load_report + [
            f'label embeddings: {len(self.label_bank.class_names)} classes from {label_bank}, '
            f'top-{top_k}']
        self.freeze()

    def adapt_inputs(self, student_normalization) -> None:
        self.teacher.adapt_inputs(student_normalization)

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        records = self.teacher(inputs, data_samples)
        logits = records[self.logits].float()
        bank = self.label_bank.embeddings.to(logits)
        if logits.shape[1] != bank.shape[0]:
            raise ValueError(f'LabelEmbeddingTeacher: {logits.shape[1]} logits but the label bank '
                             f'has {bank.shape[0]} classes')
        top, index = logits.topk(min(self.top_k, logits.shape[1]), dim=1)
        weights = F.softmax(top / self.tau, dim=1)
        embedding = (weights.unsqueeze(-1) * bank[index]).sum(dim=1)
        return dict(records, embedding=F.normalize(embedding, dim=1))

    def report(self) -> List[str]:
        return self.load_report + self.teacher.report()[len(self.teacher.load_report):]
