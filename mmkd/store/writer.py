"""Writing a teacher store: one locked writer, resumable after a kill at any point.

Rows are written in order, one chunk per :meth:`TeacherStoreWriter.write`: the encoded arrays go
into ``<array>.npy.partial`` (memory-mapped) and the ids are appended to ``ids.txt.partial``; both
are flushed, then ``meta.json`` (``num_written``) is replaced atomically. A killed job reopens the
directory and continues at ``num_written``: rows past it were never committed and are overwritten.

Finishing (:meth:`~TeacherStoreWriter.close`) is a sequence that a kill can interrupt anywhere and
any later writer completes: (1) the checksums of the partial files go into ``meta.json``; (2) each
partial file is renamed into place (a file already renamed is skipped); (3) ``meta.json`` says
``complete``. A writer that finds every row committed just runs the sequence again.

One writer at a time: :class:`mmkd.utils.io.WriterLock` on the directory makes a second one refuse
at once, naming the holder's pid and host. A store that committed no row (a teacher that failed to
load, a wrong config) is started afresh by the next writer, whatever its settings were.
"""
import os
import os.path as osp
import uuid
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from mmkd.utils.io import WriterLock, atomic_write_json
from .codecs import build_codec
from .format import (IDS_FILE, META_FILE, PARTIAL, STORE_VERSION, array_file,
                     edge_checksum, file_checksum, fingerprint_differences, json_ready,
                     read_ids, read_store_meta)
from .reader import TeacherStore


def shard_range(num_samples: int, index: int, count: int) -> range:
    """The contiguous rows shard ``index`` of ``count`` covers; shards in order cover every row.

    Example:
        >>> [list(shard_range(5, i, 2)) for i in range(2)]
        [[0, 1], [2, 3, 4]]
    """
    if not 0 <= index < count:
        raise ValueError(f'shard {index}/{count}: need 0 <= index < count')
    return range(index * num_samples // count, (index + 1) * num_samples // count)


class TeacherStoreWriter:
    """Write a teacher store chunk by chunk; reopening an unfinished store resumes it.

    Args:
        path: the store directory (created if needed).
        num_samples: rows the finished store holds.
        fingerprint: what makes the outputs what they are (teacher config, checkpoint identity,
            data view); JSON-serialisable. Resuming with a different one is refused.
        codecs: ``{record: codec}`` (``'raw'``, ``'float16'``, ``'softmax_topk:K'``), or one codec
            for every floating record; default ``'raw'``. Integer and bool records stay raw.
        views: views per sample (a replay store: records are ``[B, views, *shape]`` in
            :meth:`write`; with one view ``[B, *shape]``).
        replay: how the views were made (base seed, pipeline probe, mixing); ``None`` for a
            view-independent store.
        shard: ``dict(index=i, count=n, total_samples=N)`` when this store is shard ``i`` of ``n``
            (rows :func:`shard_range`); see :meth:`merge`.
        info: facts kept in ``meta.json`` but not checked (dataset config, ``data_root`` …).

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'store')
        >>> writer = TeacherStoreWriter(path, num_samples=2, fingerprint=dict(teacher='t'),
        ...                             codecs=dict(logits='softmax_topk:3'))
        >>> writer.write(['a.png', 'b.png'], dict(logits=np.zeros((2, 10))))
        >>> writer.close()
        True
        >>> TeacherStore(path).get('logits', ['b.png']).shape
        (1, 10)
    """

    def __init__(self, path: str, num_samples: int, fingerprint: dict,
                 codecs: Union[None, str, Dict[str, str]] = None,
                 views: int = 1,
                 replay: Optional[dict] = None,
                 shard: Optional[dict] = None,
                 info: Optional[dict] = None):
        if views < 1:
            raise ValueError(f'a store holds at least one view per sample, got views={views}')
        self.path = path
        self.codecs = codecs
        self._lock = WriterLock(path, 'teacher store').acquire()
        settings = json_ready(dict(fingerprint=fingerprint, num_samples=num_samples, views=views,
                                   replay=replay, shard=shard))
        self.meta = None
        if osp.isfile(osp.join(path, META_FILE)):
            self.meta = read_store_meta(path)
            if self.meta['num_written'] == 0 and not self.meta['complete']:
                self.meta = None  # a failed start: nothing to keep, whatever it was set up with
            else:
                self._check_resumable(settings)
        if self.meta is None:
            self._remove_partials()
            self.meta = dict(version=STORE_VERSION, uuid=uuid.uuid4().hex, **settings,
                             records={}, arrays={}, num_written=0, complete=False,
                             info=json_ready(info or {}))
            self._commit_meta()
        self._arrays: Dict[str, np.memmap] = {}
        self._ids_file = None
        self._written_ids: Optional[set] = None

    def _check_resumable(self, settings: dict) -> None:
        differences = fingerprint_differences({k: self.meta.get(k) for k in settings}, settings)
        if differences:
            raise ValueError(
                f'cannot resume teacher store {self.path!r}: it was started with other settings '
                f'({self.meta["num_written"]} rows written). Run the same command as before, or '
                'delete it / write elsewhere. Differences:\n  ' + '\n  '.join(differences))

    def _remove_partials(self) -> None:
        for name in os.listdir(self.path):
            if name.endswith(PARTIAL):
                os.remove(osp.join(self.path, name))

    def _commit_meta(self) -> None:
        atomic_write_json(osp.join(self.path, META_FILE), self.meta)

    @property
    def num_written(self) -> int:
        """Rows committed so far: where a resumed job continues."""
        return self.meta['num_written']

    @property
    def complete(self) -> bool:
        return self.meta['complete']

    def written_ids(self) -> List[str]:
        """Ids of the committed rows, in order."""
        for name in (IDS_FILE + PARTIAL, IDS_FILE):
            file = osp.join(self.path, name)
            if osp.isfile(file):
                return read_ids(file)[:self.num_written]
        return []

    # ------------------------------------------------------------------ layout
    def _codec_spec(self, name: str, array: np.ndarray) -> str:
        if name.startswith(('replay.', 'mix.')) or not np.issubdtype(array.dtype, np.floating):
            return 'raw'
        if isinstance(self.codecs, dict):
            return self.codecs.get(name, 'raw')
        return self.codecs or 'raw'

    def _lay_out(self, records: Dict[str, np.ndarray]) -> None:
        """Record specs and array files from the first chunk (shape per view, codec)."""
        views = self.meta['views']
        unknown = sorted(set(self.codecs) - set(records)) if isinstance(self.codecs, dict) else []
        if unknown:
            raise KeyError(f'teacher store {self.path!r}: codecs given for records {unknown} the '
                           f'teacher does not return (records: {sorted(records)})')
        for name, array in records.items():
            if views > 1 and array.shape[1:2] != (views, ):
                raise ValueError(f'teacher store {self.path!r}: record {name!r} has shape '
                                 f'{list(array.shape)}; a store of {views} views takes '
                                 f'[batch, {views}, *shape]')
            shape = array.shape[1:] if views == 1 else array.shape[2:]
            codec = build_codec(self._codec_spec(name, array))
            self.meta['records'][name] = dict(shape=list(shape), codec=codec.spec())
            for suffix, (part_shape, dtype) in codec.layout(shape, array.dtype).items():
                self.meta['arrays'][name + suffix] = dict(shape=[views, *part_shape],
                                                          dtype=dtype)

    def _open(self) -> None:
        """Create (first chunk) or reopen (resume) the partial array files and the ids file."""
        for name, spec in self.meta['arrays'].items():
            file = array_file(self.path, name, partial=True)
            if self.num_written and not osp.isfile(file):
                raise FileNotFoundError(
                    f'teacher store {self.path!r} says {self.num_written} rows are written but '
                    f'{file!r} is gone; delete the store and extract it again.')
            self._arrays[name] = np.lib.format.open_memmap(
                file, mode='r+' if self.num_written else 'w+', dtype=np.dtype(spec['dtype']),
                shape=(self.meta['num_samples'], *spec['shape']))
        committed = self.written_ids()
        self._written_ids = set(committed)
        # drop ids past the last commit (a chunk killed half-way) with one truncate, then append
        self._ids_file = open(osp.join(self.path, IDS_FILE + PARTIAL), 'a', encoding='utf-8')
        self._ids_file.truncate(sum(len(f'{id_}\n'.encode()) for id_ in committed))

    # ------------------------------------------------------------------ writing
    def write(self, ids: Sequence[str], records: Dict[str, Any]) -> None:
        """Append one chunk: ``ids`` and ``{record: [len(ids), (views,) *shape]}``, commit it."""
        records = {name: np.asarray(_to_numpy(value)) for name, value in records.items()}
        if not self.meta['records']:
            self._lay_out(records)
        expected = self.meta['records']
        if set(records) != set(expected):
            raise KeyError(f'teacher store {self.path!r}: chunk has records {sorted(records)}, '
                           f'the store has {sorted(expected)}')
        lead = [len(ids)] if self.meta['views'] == 1 else [len(ids), self.meta['views']]
        arrays = {}
        for name, array in records.items():
            if list(array.shape) != lead + expected[name]['shape']:
                raise ValueError(f'teacher store {self.path!r}: record {name!r} has shape '
                                 f'{list(array.shape)}, expected {lead + expected[name]["shape"]}')
            array = array.reshape(len(ids), self.meta['views'], *expected[name]['shape'])
            codec = build_codec(expected[name]['codec'])
            arrays.update({name + suffix: part
                           for suffix, part in codec.encode(array).items()})
        self._write_arrays([str(id_) for id_ in ids], arrays)

    def _write_arrays(self, ids: List[str], arrays: Dict[str, np.ndarray]) -> None:
        if self.complete:
            raise RuntimeError(f'teacher store {self.path!r} is already complete')
        if not self._arrays:
            self._open()
        start, stop = self.num_written, self.num_written + len(ids)
        if stop > self.meta['num_samples']:
            raise ValueError(f'teacher store {self.path!r}: {stop} rows would exceed its '
                             f'{self.meta["num_samples"]} samples')
        bad = [id_ for id_ in ids if id_ in self._written_ids or '\n' in id_]
        if bad or len(set(ids)) != len(ids):
            raise ValueError(f'teacher store {self.path!r}: sample ids {bad[:5] or ids} are '
                             'duplicated or contain a newline')
        self._written_ids.update(ids)
        for name, part in arrays.items():
            self._arrays[name][start:stop] = part
            self._arrays[name].flush()
        self._ids_file.write(''.join(f'{id_}\n' for id_ in ids))
        self._ids_file.flush()
        os.fsync(self._ids_file.fileno())
        self.meta['num_written'] = stop
        self._commit_meta()

    # ------------------------------------------------------------------ finishing
    def close(self) -> bool:
        """Finish the store if every row is written (``complete: true``) and release the lock;
        return whether the store is complete. Safe to call again after a kill at any point."""
        if self._ids_file is not None:
            self._ids_file.close()
            self._ids_file = None
        for array in self._arrays.values():
            array.flush()
        self._arrays = {}
        try:
            if not self.complete and self.num_written == self.meta['num_samples']:
                self._finish()
            return self.complete
        finally:
            self._lock.release()

    def _finish(self) -> None:
        files = {IDS_FILE: osp.join(self.path, IDS_FILE),
                 **{osp.basename(array_file(self.path, name)): array_file(self.path, name)
                    for name in self.meta['arrays']}}
        if not self.meta.get('checksums'):  # (1): before any rename, of the partial files
            if not osp.exists(files[IDS_FILE] + PARTIAL) and not osp.exists(files[IDS_FILE]):
                open(files[IDS_FILE] + PARTIAL, 'w').close()  # an empty shard
            for name in self.meta['arrays']:
                if not osp.exists(array_file(self.path, name, partial=True)):
                    np.lib.format.open_memmap(  # an empty shard: no chunk opened the files
                        array_file(self.path, name, partial=True), mode='w+',
                        dtype=np.dtype(self.meta['arrays'][name]['dtype']),
                        shape=(0, *self.meta['arrays'][name]['shape'])).flush()
            self.meta['checksums'] = {
                base: (file_checksum if base == IDS_FILE else edge_checksum)(file + PARTIAL)
                for base, file in files.items()}
            self._commit_meta()
        for file in files.values():  # (2): each partial into place, skipping those already moved
            if osp.exists(file + PARTIAL):
                os.replace(file + PARTIAL, file)
            elif not osp.exists(file):
                raise FileNotFoundError(f'teacher store {self.path!r}: neither {file!r} nor its '
                                        'partial file exists; delete the store and extract it '
                                        'again.')
        self.meta['complete'] = True  # (3)
        self._commit_meta()

    def __enter__(self) -> 'TeacherStoreWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ merging
    @classmethod
    def merge(cls, shard_paths: Sequence[str], path: str, chunk_size: int = 4096) -> TeacherStore:
        """Concatenate complete shards, in shard order, into one store at ``path``.

        All ``count`` shards of one split must be given, complete, with the same settings and
        records; their ids must be disjoint and add up to ``total_samples``. The encoded arrays are
        copied as they are. A killed merge resumes.
        """
        metas = [read_store_meta(p) for p in shard_paths]
        splits = {(m['shard']['count'], m['shard']['total_samples']) if m.get('shard') else None
                  for m in metas}
        if None in splits or len(splits) != 1:
            raise ValueError(f'merge needs the shards of one split; got shard fields '
                             f'{[m.get("shard") for m in metas]} from {list(shard_paths)}')
        count, total = splits.pop()
        by_index = {m['shard']['index']: (p, m) for p, m in zip(shard_paths, metas)}
        if sorted(by_index) != list(range(count)) or len(metas) != count:
            raise ValueError(f'merge needs shards 0..{count - 1} once each, got '
                             f'{[m["shard"]["index"] for m in metas]} from {list(shard_paths)}')
        shards = []
        for index in range(count):
            shard_path, meta = by_index[index]
            if not meta['complete']:
                raise RuntimeError(f'shard {shard_path!r} is incomplete ({meta["num_written"]}/'
                                   f'{meta["num_samples"]} rows); finish it before merging.')
            shards.append(TeacherStore(shard_path))
        first = shards[0].meta
        for shard in shards[1:]:
            differences = fingerprint_differences(
                {k: first[k] for k in ('fingerprint', 'views', 'replay')},
                {k: shard.meta[k] for k in ('fingerprint', 'views', 'replay')})
            if differences:
                raise ValueError(f'shards {shard_paths[0]!r} and {shard.path!r} were extracted '
                                 'with different settings:\n  ' + '\n  '.join(differences))
        layouts = [(s.meta['records'], s.meta['arrays']) for s in shards if len(s)]
        if any(layout != layouts[0] for layout in layouts):
            raise ValueError(f'shards {list(shard_paths)} store different records: '
                             f'{[records for records, _ in layouts]}')
        id_counts = Counter(id_ for shard in shards for id_ in shard.ids)
        repeated = [id_ for id_, n in id_counts.items() if n > 1]
        if repeated:
            raise ValueError(f'shards {list(shard_paths)} overlap: ids {repeated[:5]} are in more '
                             'than one shard')
        if sum(id_counts.values()) != total:
            raise ValueError(f'shards {list(shard_paths)} hold {sum(id_counts.values())} rows, '
                             f'the dataset has {total}')
        writer = cls(path, total, first['fingerprint'], views=first['views'],
                     replay=first['replay'], info=first.get('info'))
        if layouts and not writer.meta['records']:
            writer.meta['records'], writer.meta['arrays'] = layouts[0]
        offset = 0
        for shard in shards:  # a resumed merge skips the rows it already copied
            for start in range(min(len(shard), max(0, writer.num_written - offset)), len(shard),
                               chunk_size):
                rows = slice(start, start + chunk_size)
                writer._write_arrays(shard.ids[rows], {name: shard.encoded(name, rows)
                                                       for name in shard.meta['arrays']})
            offset += len(shard)
        writer.close()
        return TeacherStore(path)


def _to_numpy(value: Any) -> Any:
    """Tensors (any device) become numpy; everything else is left to ``np.asarray``."""
    if hasattr(value, 'detach'):
        return value.detach().cpu().numpy()
    return value
