from .coco14_multilabel import COCO14_L2D_CLASSES, COCO14MultiLabel
from .few_shot_dataset import FewShotDataset
from .image_checks import check_images_exist
from .label_set_dataset import LabelSetDataset
from .nus_wide import NUSWide
from .store_fingerprint import (describe_view, make_fingerprint,
                                random_transforms, store_view_decision)
from .teacher_store import (TeacherStore, TeacherStoreWriter, read_store_meta,
                            sample_id, shard_range)
from .transfer_set import TransferSetDataset
from .transforms import DropLabels, LoadAspectTargets, LoadTeacherTargets
from .voc07_multilabel import VOC07MultiLabel

__all__ = [
    'TransferSetDataset', 'TeacherStore', 'TeacherStoreWriter', 'read_store_meta', 'sample_id',
    'shard_range', 'describe_view', 'make_fingerprint', 'random_transforms',
    'store_view_decision', 'LoadTeacherTargets', 'LoadAspectTargets', 'COCO14_L2D_CLASSES',
    'COCO14MultiLabel', 'check_images_exist', 'NUSWide', 'VOC07MultiLabel', 'DropLabels',
    'LabelSetDataset', 'FewShotDataset'
]
