from .coco14_multilabel import COCO14_L2D_CLASSES, COCO14MultiLabel
from .few_shot_dataset import FewShotBatchSampler, FewShotDataset
from .image_checks import check_images_exist
from .label_set_dataset import LabelSetDataset
from .nus_wide import NUSWide
from .teacher_replay_dataset import TeacherReplayDataset, TeacherReplayHook
from .transfer_set import TransferSetDataset
from .transforms import DropLabels, LoadAspectTargets, LoadTeacherTargets
from .voc07_multilabel import VOC07MultiLabel

__all__ = [
    'TransferSetDataset', 'TeacherReplayDataset', 'TeacherReplayHook', 'LoadTeacherTargets',
    'LoadAspectTargets', 'COCO14_L2D_CLASSES', 'COCO14MultiLabel', 'check_images_exist', 'NUSWide',
    'VOC07MultiLabel', 'DropLabels', 'LabelSetDataset', 'FewShotDataset', 'FewShotBatchSampler'
]
