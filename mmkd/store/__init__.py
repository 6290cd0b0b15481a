"""The teacher-output store: a teacher's outputs computed once, read by sample id.

* :mod:`~mmkd.store.format`: the files and ``meta.json``, the checksums that guard them;
* :mod:`~mmkd.store.writer`: :class:`TeacherStoreWriter` (one locked writer, resumable, shards);
* :mod:`~mmkd.store.reader`: :class:`TeacherStore` (checked at open, memory-mapped);
* :mod:`~mmkd.store.codecs`: how records are stored (top-k softmax, fp16, raw);
* :mod:`~mmkd.store.fingerprint`: what the outputs depend on (teacher files, view);
* :mod:`~mmkd.store.replay`: seeds, view hashes, randomness by behaviour, per-view mixing;
* :mod:`~mmkd.store.extraction`: running a teacher over K replayable views of a dataset.

Training reads stores through :class:`mmkd.datasets.TeacherReplayDataset` (replayed views) and
:class:`mmkd.models.StoreTeacher`; see ``docs/teacher_store.md``.
"""
from .codecs import build_codec
from .fingerprint import (describe_view, file_identity, make_fingerprint, random_transforms,
                          teacher_fingerprint)
from .format import StoreIntegrityError, fingerprint_differences, read_store_meta
from .reader import TeacherStore
from .replay import ReplayError, SampleMixing, probe_pipeline, seeded, view_hash, view_seed
from .sample_ids import data_root_of, dataset_sample_ids, sample_id
from .writer import TeacherStoreWriter, shard_range

__all__ = [
    'TeacherStore', 'TeacherStoreWriter', 'shard_range', 'read_store_meta', 'StoreIntegrityError',
    'fingerprint_differences', 'build_codec', 'describe_view', 'file_identity', 'make_fingerprint',
    'random_transforms', 'teacher_fingerprint', 'ReplayError', 'SampleMixing', 'probe_pipeline',
    'seeded', 'view_hash', 'view_seed', 'sample_id', 'dataset_sample_ids', 'data_root_of'
]
