"""KnowledgeDistiller for students that classify in a vision-language teacher's text space."""
from typing import Dict, Optional, Union

from torch import nn

from mmkd.datasets.label_texts import label_set_texts
from mmkd.registry import MODELS, build_mmkd_module
from ..teachers import VisionLanguageTeacher
from .knowledge_distiller import KnowledgeDistiller


@MODELS.register_module()
class VisionLanguageDistiller(KnowledgeDistiller):
    """A :class:`KnowledgeDistiller` that gives the student's text-prototype head its classes.

    When built, the class texts of every label set (``label2text.txt`` names, ``chatgpt.txt``
    descriptions, a prompt template) are encoded once by the text tower of ``text_teacher`` —
    cached on disk by teacher fingerprint and texts — and written into the prototypes of the
    student's :class:`~mmkd.models.heads.TextPrototypeClsHead`; a CoOp prompt learner there is bound
    to that text tower instead. Everything else (records, losses, wiring checks) is the
    :class:`KnowledgeDistiller`'s.

    Args:
        label_sets: ``name -> dict(classes, label_file=None, descriptions_file=None,
            template=None)``; the names must be the head's ``label_sets``.
        text_teacher: the name of a :class:`VisionLanguageTeacher` in ``teachers``, or the config
            of one — when the image embeddings come from a teacher store, the store teacher has no
            text tower. A config-built text teacher is kept (frozen, out of checkpoints) only when
            a prompt learner needs it during training.
        text_cache_dir: where text embeddings are cached (``None``: no cache).
        **kwargs: the :class:`KnowledgeDistiller` arguments.

    Example:
        >>> # see configs/vlm_ood/vlm-ood_openclip-vit-l14_resnet18_cub.py
    """

    def __init__(self, label_sets: Dict[str, dict], text_teacher: Union[str, dict] = 'clip',
                 text_cache_dir: Optional[str] = 'work_dirs/text_embedding_cache', **kwargs):
        super().__init__(**kwargs)
        if isinstance(text_teacher, str):
            if text_teacher not in self.teachers:
                raise KeyError(f'text_teacher {text_teacher!r} is not among the teachers '
                               f'{list(self.teachers)}')
            teacher = self.teachers[text_teacher]
        else:
            teacher = build_mmkd_module(text_teacher)
        if not isinstance(teacher, VisionLanguageTeacher):
            raise TypeError(f'text_teacher ({type(teacher).__name__}) has no text tower; use an '
                            'OpenCLIPTeacher or TwoTowerTeacher (name or config)')
        prototypes = getattr(getattr(self.student, 'head', None), 'prototypes', None)
        if prototypes is None or not hasattr(prototypes, 'load_texts'):
            raise TypeError('VisionLanguageDistiller needs a student whose head is a '
                            'TextPrototypeClsHead (student.head.prototypes)')
        if set(label_sets) != set(prototypes.label_sets):
            raise KeyError(f'label_sets {sorted(label_sets)} differ from the head\'s '
                           f'{sorted(prototypes.label_sets)}')
        prototypes.load_texts(teacher, label_set_texts(label_sets), text_cache_dir)
        if not isinstance(text_teacher, str) and getattr(prototypes, 'needs_text_tower', False):
            self.text_teacher = teacher
            self.register_state_dict_post_hook(_drop_text_teacher_weights)
            self.register_load_state_dict_post_hook(_ignore_missing_text_teacher_weights)


def _drop_text_teacher_weights(module: nn.Module, state_dict: dict, prefix: str,
                               local_metadata: dict) -> None:
    for key in [k for k in state_dict if k.startswith(f'{prefix}text_teacher.')]:
        del state_dict[key]


def _ignore_missing_text_teacher_weights(module: nn.Module, incompatible_keys) -> None:
    incompatible_keys.missing_keys[:] = [
        k for k in incompatible_keys.missing_keys if not k.startswith('text_teacher.')]
