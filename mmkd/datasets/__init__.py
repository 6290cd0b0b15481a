from .few_shot_dataset import FewShotDataset
from .label_set_dataset import LabelSetDataset
from .label_texts import class_texts, label_set_texts, read_descriptions, read_label2text
from .store_fingerprint import (describe_view, make_fingerprint,
                                random_transforms, store_view_decision)
from .teacher_store import (TeacherStore, TeacherStoreWriter, read_store_meta,
                            sample_id, shard_range)
from .transfer_set import TransferSetDataset
from .transforms import LoadTeacherTargets

__all__ = [
    'TransferSetDataset', 'TeacherStore', 'TeacherStoreWriter', 'read_store_meta', 'sample_id',
    'shard_range', 'describe_view', 'make_fingerprint', 'random_transforms',
    'store_view_decision', 'LoadTeacherTargets', 'LabelSetDataset', 'FewShotDataset',
    'class_texts', 'label_set_texts', 'read_descriptions', 'read_label2text'
]
