from .few_shot_dataset import FewShotDataset
from .label_set_dataset import LabelSetDataset
from .label_texts import class_texts, label_set_texts, read_descriptions, read_label2text
from .transfer_set import TransferSetDataset

__all__ = [
    'TransferSetDataset', 'LabelSetDataset', 'FewShotDataset', 'class_texts', 'label_set_texts',
    'read_descriptions', 'read_label2text'
]
