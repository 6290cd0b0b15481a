from .coco14_multilabel import COCO14_L2D_CLASSES, COCO14MultiLabel
from .image_checks import check_images_exist
from .nus_wide import NUSWide
from .transfer_set import TransferSetDataset
from .voc07_multilabel import VOC07MultiLabel

__all__ = [
    'COCO14_L2D_CLASSES', 'COCO14MultiLabel', 'check_images_exist', 'NUSWide',
    'TransferSetDataset', 'VOC07MultiLabel'
]
