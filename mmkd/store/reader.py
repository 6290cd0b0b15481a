"""Reading a teacher store: everything checked when it is opened, rows memory-mapped."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from .codecs import build_codec
from .format import (IDS_FILE, MIX_RECORDS, REPLAY_RECORDS, StoreIntegrityError, array_file,
                     edge_checksum, file_checksum, fingerprint_differences, json_ready, read_ids,
                     read_store_meta)
from .replay import MixParams

Rows = Union[slice, Sequence[int], np.ndarray]


class TeacherStore:
    """A complete teacher store, checked at open and read memory-mapped.

    Opening refuses, naming the file and the fix: an incomplete store; a fingerprint other than
    ``expected_fingerprint`` (every differing key listed); an ``ids.txt`` whose checksum, line count
    or uniqueness differ from what the writer recorded; an array file that is missing, truncated, of
    another shape or dtype than ``meta.json`` says, or whose head/tail checksum changed. None of it
    reads a large store in full (``ids.txt`` is read anyway to index the rows).

    A store pickles without its memory maps (dataloader workers reopen them, unchecked: the
    process that opened it checked).

    Args:
        path: the store directory.
        expected_fingerprint: if given, the store's fingerprint must equal it.

    Example:
        >>> store = TeacherStore('work_dirs/stores/resnet50')  # doctest: +SKIP
        >>> store.get('outputs', ['images/train/000000.png']).shape  # doctest: +SKIP
        (1, 10)
    """

    def __init__(self, path: str, expected_fingerprint: Optional[dict] = None):
        self.path = path
        meta = read_store_meta(path)
        if not meta['complete']:
            finishing = meta['num_written'] == meta['num_samples']
            raise RuntimeError(
                f'teacher store {path!r} is incomplete ({meta["num_written"]}/'
                f'{meta["num_samples"]} rows written' +
                (', finishing was interrupted' if finishing else '') + '). Run '
                'tools/extract_teacher_outputs.py again with the same arguments to '
                + ('finish' if finishing else 'resume') + ' it (or --merge its shards).')
        if expected_fingerprint is not None:
            differences = fingerprint_differences(meta['fingerprint'],
                                                  json_ready(expected_fingerprint))
            if differences:
                raise ValueError(
                    f'teacher store {path!r} was made with a different teacher or view; '
                    'extract it again or point to the right store. Differences:\n  ' +
                    '\n  '.join(differences))
        self.meta = meta
        self.ids: List[str] = self._checked_ids()
        self._rows = {id_: row for row, id_ in enumerate(self.ids)}
        self._arrays: Dict[str, np.ndarray] = {name: self._checked_array(name)
                                               for name in meta['arrays']}
        #: the array files of each teacher record (its codec's parts)
        self._record_arrays = {name: [name + suffix for suffix in build_codec(spec['codec']).parts]
                               for name, spec in self.records.items()}

    # ------------------------------------------------------------------ checks at open
    def _refuse(self, file: str, problem: str) -> None:
        raise StoreIntegrityError(
            f'teacher store {self.path!r}: {file!r} {problem}. It was changed after the store '
            'was written (edited, truncated, copied incompletely or replaced): restore it from '
            'where the store came from, or extract the store again '
            '(tools/extract_teacher_outputs.py).')

    def _checked_ids(self) -> List[str]:
        file = osp.join(self.path, IDS_FILE)
        if not osp.isfile(file):
            self._refuse(file, 'is missing')
        ids = read_ids(file)
        expected = self.meta['num_samples']
        if len(ids) != expected:
            self._refuse(file, f'has {len(ids)} ids, meta.json says {expected} samples')
        if file_checksum(file) != self.meta['checksums'][IDS_FILE]:
            self._refuse(file, 'does not match the checksum recorded when the store was '
                         'finished (same number of lines, other content)')
        if len(set(ids)) != len(ids):
            self._refuse(file, 'repeats sample ids')
        return ids

    def _checked_array(self, name: str) -> np.ndarray:
        file = array_file(self.path, name)
        spec = self.meta['arrays'][name]
        if not osp.isfile(file):
            self._refuse(file, 'is missing')
        try:
            array = np.load(file, mmap_mode='r')
        except ValueError as error:  # shorter than its header says
            self._refuse(file, f'cannot be mapped ({error})')
        expected = [self.meta['num_samples'], *spec['shape']]
        if list(array.shape) != expected or array.dtype != np.dtype(spec['dtype']):
            self._refuse(file, f'holds {list(array.shape)} {array.dtype}, meta.json says '
                         f'{expected} {spec["dtype"]}')
        if edge_checksum(file) != self.meta['checksums'][osp.basename(file)]:
            self._refuse(file, 'does not match the checksum of its head and tail recorded when '
                         'the store was finished')
        return _plain(array)

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _arrays=None)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._arrays = {name: _plain(np.load(array_file(self.path, name), mmap_mode='r'))
                        for name in self.meta['arrays']}

    # ------------------------------------------------------------------ what it holds
    @property
    def fingerprint(self) -> dict:
        return self.meta['fingerprint']

    @property
    def uuid(self) -> str:
        """Names this store in the data samples it serves (see ``TeacherReplayDataset``)."""
        return self.meta['uuid']

    @property
    def views(self) -> int:
        return self.meta['views']

    @property
    def replay(self) -> Optional[dict]:
        """Base seed, pipeline probe and mixing of a replay store; ``None`` if view-independent."""
        return self.meta['replay']

    @property
    def records(self) -> Dict[str, dict]:
        """The teacher's records: ``{name: {shape (one view), codec}}``."""
        return {name: spec for name, spec in self.meta['records'].items()
                if name not in REPLAY_RECORDS + MIX_RECORDS}

    @property
    def mixes(self) -> bool:
        """Whether views were mixed (Mixup/CutMix) with a partner sample."""
        return 'mix.kind' in self.meta['records']

    def bytes_per_view(self, records: Optional[Sequence[str]] = None) -> float:
        """Stored bytes of one view of one sample: the records' arrays, seeds, hashes, mixing."""
        names = [*(records or self.records),
                 *(name for name in REPLAY_RECORDS + MIX_RECORDS if name in self.meta['records'])]
        arrays = [self.meta['arrays'][name + suffix] for name in names
                  for suffix in build_codec(self.meta['records'][name]['codec']).parts]
        return sum(np.dtype(spec['dtype']).itemsize * int(np.prod(spec['shape']))
                   for spec in arrays) / self.views

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, id_: str) -> bool:
        return id_ in self._rows

    # ------------------------------------------------------------------ lookups
    def missing(self, ids: Sequence[str]) -> List[str]:
        """The ids of ``ids`` the store has no row for."""
        return [id_ for id_ in ids if id_ not in self._rows]

    def check_ids(self, ids: Sequence[str], what: str = 'the dataset') -> None:
        """Refuse, listing them, ``ids`` the store lacks (call it when a run is built)."""
        missing = self.missing(ids)
        if missing:
            shown = ', '.join(repr(id_) for id_ in missing[:5])
            more = f' (+{len(missing) - 5} more)' if len(missing) > 5 else ''
            raise KeyError(f'teacher store {self.path!r} has no rows for {len(missing)} sample '
                           f'id(s) of {what}: {shown}{more}. Was it extracted from the same '
                           'dataset and data_root? (e.g. stored ids look like '
                           f'{self.ids[0] if self.ids else "(empty store)"!r})')

    def rows(self, ids: Sequence[str]) -> List[int]:
        """Row numbers of ``ids``; ``KeyError`` naming the first missing ids and the store."""
        self.check_ids(ids, 'this batch')
        return [self._rows[id_] for id_ in ids]

    def get(self, name: str, ids: Sequence[str], views: Optional[Sequence[int]] = None
            ) -> np.ndarray:
        """Record ``name`` of ``ids`` (view 0, or ``views[i]`` of each), decoded:
        ``[len(ids), *shape]``."""
        return self.get_rows(name, self.rows(ids), views)

    def get_rows(self, name: str, rows: Rows, views: Optional[Sequence[int]] = None
                 ) -> np.ndarray:
        """Record ``name`` of rows ``rows`` (a slice or row numbers), decoded, in memory."""
        if name not in self.records:
            raise KeyError(f'teacher store {self.path!r} has no record {name!r} '
                           f'(records: {sorted(self.records)})')
        parts = {name + suffix: self._view_rows(name + suffix, rows, views)
                 for suffix in build_codec(self.meta['records'][name]['codec']).parts}
        return self.decode(name, parts)

    def view_parts(self, row: int, view: int) -> Dict[str, np.ndarray]:
        """The encoded arrays of every teacher record of one view (what a dataloader worker
        hands on: a few bytes; :meth:`decode` turns a batch of them into the records)."""
        return {array: self._arrays[array][row, view]
                for arrays in self._record_arrays.values() for array in arrays}

    def decode(self, name: str, parts: Dict[str, np.ndarray]) -> np.ndarray:
        """Record ``name`` from its encoded arrays (``{array name: [..., *part shape]}``)."""
        spec = self.meta['records'][name]
        codec = build_codec(spec['codec'])
        return codec.decode({suffix: parts[name + suffix] for suffix in codec.parts},
                            spec['shape'])

    def _view_rows(self, array: str, rows: Rows, views: Optional[Sequence[int]]) -> np.ndarray:
        data = self._arrays[array]
        if isinstance(rows, slice):
            rows = np.arange(len(self))[rows]
        return data[rows, 0 if views is None else views]

    def encoded(self, array: str, rows: Rows) -> np.ndarray:
        """Stored rows of one array file, every view, as encoded (for copying stores)."""
        return np.asarray(self._arrays[array][rows])

    def view_params(self, row: int, view: int) -> Dict[str, object]:
        """``seed``, ``hash`` and ``mix`` (:class:`~mmkd.store.replay.MixParams` or ``None``) of
        view ``view`` of row ``row`` of a replay store."""
        params = dict(seed=int(self._arrays['replay.seed'][row, view]),
                      hash=int(self._arrays['replay.hash'][row, view]), mix=None)
        if self.mixes:
            params['mix'] = MixParams(
                int(self._arrays['mix.kind'][row, view]),
                int(self._arrays['mix.partner'][row, view]),
                float(self._arrays['mix.lam'][row, view]),
                tuple(int(v) for v in self._arrays['mix.box'][row, view]))
        return params


def _plain(array: np.memmap) -> np.ndarray:
    """An ndarray view of a memory map (same pages, no copy): indexing it skips np.memmap's
    per-result bookkeeping, ~10x faster for the one-row reads of a dataloader."""
    return array.view(np.ndarray)
