"""KnowledgeDistiller for students that classify in a vision-language teacher's text space."""
from typing import Dict, Optional, Union

from mmkd.registry import MODELS, build_mmkd_module
from ..teachers import VisionLanguageTeacher
from ..text import build_label_sets
from .knowledge_distiller import KnowledgeDistiller


@MODELS.register_module()
class VisionLanguageDistiller(KnowledgeDistiller):
    """A :class:`KnowledgeDistiller` that gives the student's text-prototype head its classes.

    When built, the prompts of every label set (``label2text.txt`` names, ``chatgpt.txt``
    descriptions, prompt templates) are encoded once by the text tower of ``text_teacher`` — a
    text bank cached on disk by encoder fingerprint and prompts — and written into the prototypes
    of the student's :class:`~mmkd.models.heads.TextPrototypeClsHead`; a CoOp prompt learner there
    is bound to that text tower instead (it keeps it, out of checkpoints). Everything else
    (records, losses, wiring checks) is the :class:`KnowledgeDistiller`'s.

    Args:
        label_sets: ``name -> dict(classes, label_file=None, descriptions_file=None,
            templates=None)`` (:class:`~mmkd.models.text.LabelSet`); the names must be the head's
            ``label_sets``.
        text_teacher: the name of a :class:`VisionLanguageTeacher` in ``teachers``, or the config
            of one — when the image embeddings come from a teacher store, the store teacher has no
            text tower. Of a config-built text teacher only the text tower is kept, and only when a
            prompt learner needs it during training.
        text_cache_dir: where text banks are cached (``None``: no cache).
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
        if not isinstance(teacher, VisionLanguageTeacher) or teacher.text_encoder is None:
            raise TypeError(f'text_teacher ({type(teacher).__name__}) has no text tower; use an '
                            'OpenCLIPTeacher or a TwoTowerTeacher with a text_encoder (name or '
                            'config)')
        prototypes = getattr(getattr(self.student, 'head', None), 'prototypes', None)
        if prototypes is None or not hasattr(prototypes, 'load_texts'):
            raise TypeError('VisionLanguageDistiller needs a student whose head is a '
                            'TextPrototypeClsHead (student.head.prototypes)')
        if set(label_sets) != set(prototypes.label_sets):
            raise KeyError(f'label_sets {sorted(label_sets)} differ from the head\'s '
                           f'{sorted(prototypes.label_sets)}')
        prototypes.load_texts(teacher.text_encoder, build_label_sets(label_sets), text_cache_dir)


def text_teacher_config(model_cfg: dict, name: Optional[str] = None) -> dict:
    """The config of a distiller's vision-language teacher: ``model.teachers[name]``, else
    ``model.text_teacher`` (a teacher name or a config); the live teacher of a ``StoreTeacher``.

    Example:
        >>> clip = dict(type='OpenCLIPTeacher', arch='RN50')
        >>> text_teacher_config(dict(teachers=dict(clip=dict(type='StoreTeacher', teacher=clip))))
        {'type': 'OpenCLIPTeacher', 'arch': 'RN50'}
    """
    teachers = model_cfg.get('teachers', {})
    source = name or model_cfg.get('text_teacher', 'clip')
    if isinstance(source, str):
        if source not in teachers:
            raise KeyError(f'teacher {source!r} not in model.teachers: {list(teachers)}')
        source = teachers[source]
    if source.get('type') in ('StoreTeacher', 'mmkd.StoreTeacher'):
        source = source['teacher']
    return source.to_dict() if hasattr(source, 'to_dict') else dict(source)
