"""A vision-language teacher as a zero-shot classifier, to evaluate it like a student."""
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel
from mmpretrain.structures import DataSample

from mmkd.registry import MODELS, build_mmkd_module
from ..heads.text_prototype_head import cosine_logits
from ..teachers import VisionLanguageTeacher, read_normalization
from ..text import TextBank, build_label_sets


@MODELS.register_module()
class ZeroShotClassifier(BaseModel):
    """Classify each image by its teacher embedding's cosine similarity to the class texts of its
    label set (metainfo ``label_set``) — the teacher's own ID and OOD accuracy, measured with the
    student's data pipeline, data preprocessor and metric (``tools/test.py``).

    Args:
        teacher: a :class:`VisionLanguageTeacher` config.
        label_sets: ``name -> dict(classes, label_file, descriptions_file, templates)`` as in
            :class:`~mmkd.models.VisionLanguageDistiller`.
        default_label_set: for samples without ``label_set``.
        text_cache_dir: the text-bank cache.
        data_preprocessor: the student's preprocessor (``ClsDataPreprocessor`` by default); the
            teacher converts from it.

    Example:
        >>> # tools/vlm_ood/test_zero_shot.py configs/vlm_ood/zero-shot_openclip-vit-l14_cub.py
    """

    def __init__(self, teacher: dict, label_sets: Dict[str, dict], default_label_set: str = 'id',
                 text_cache_dir: Optional[str] = 'work_dirs/text_embedding_cache',
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None):
        data_preprocessor = dict(data_preprocessor or {})
        data_preprocessor.setdefault('type', 'mmpretrain.ClsDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.teacher = build_mmkd_module(teacher)
        if not isinstance(self.teacher, VisionLanguageTeacher):
            raise TypeError(f'{type(self.teacher).__name__} is no VisionLanguageTeacher')
        self.teacher.adapt_inputs(read_normalization(self.data_preprocessor))
        self.default_label_set = default_label_set
        built = build_label_sets(label_sets)
        self.text_bank = TextBank({name: len(s.class_names) for name, s in built.items()},
                                  self.teacher.embed_dim)
        self.text_bank.load_texts(self.teacher, built, text_cache_dir)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List[DataSample]] = None,
                mode: str = 'predict'):
        if mode == 'tensor':
            return self.teacher(inputs)['image_embeds']
        if mode != 'predict':
            raise RuntimeError(f'ZeroShotClassifier has no {mode!r} mode: it is not trained')
        embeds = self.teacher(inputs)['image_embeds']
        data_samples = data_samples or [DataSample() for _ in range(len(embeds))]
        for sample, embed in zip(data_samples, embeds):
            label_set = sample.metainfo.get('label_set', self.default_label_set)
            if label_set not in self.text_bank.label_sets:
                raise KeyError(f'label set {label_set!r} of {sample.metainfo.get("img_path")} is '
                               f'not configured; known: {list(self.text_bank.label_sets)}')
            score = cosine_logits(embed[None], self.text_bank(label_set), 0.01)[0].softmax(dim=0)
            sample.set_pred_score(score).set_pred_label(score.argmax(keepdim=True))
        return data_samples
