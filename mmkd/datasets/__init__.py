from . import transforms  # noqa: F401  (registers the transforms)
from .teacher_store import (TeacherStore, TeacherStoreWriter, sample_id,
                            shard_range)
from .transfer_set import TransferSetDataset

__all__ = ['TransferSetDataset', 'TeacherStore', 'TeacherStoreWriter', 'sample_id', 'shard_range']
