from .store_fingerprint import (describe_view, make_fingerprint,
                                random_transforms, store_view_decision)
from .teacher_store import (TeacherStore, TeacherStoreWriter, read_store_meta,
                            sample_id, shard_range)
from .transfer_set import TransferSetDataset
from .transforms import DropLabels, LoadTeacherTargets

__all__ = [
    'TransferSetDataset', 'TeacherStore', 'TeacherStoreWriter', 'read_store_meta', 'sample_id',
    'shard_range', 'describe_view', 'make_fingerprint', 'random_transforms',
    'store_view_decision', 'LoadTeacherTargets', 'DropLabels'
]
