"""The offline teacher store: teacher outputs computed once, read by sample id, memory-mapped.

A store is a directory::

    meta.json      {"version", "fingerprint", "records": {name: {"shape", "dtype"}},
                    "num_samples", "num_written", "complete", "shard"}
    ids.txt        one sample id a line, row order (see :func:`sample_id`)
    <record>.npy   [num_samples, *shape], read with ``np.load(mmap_mode='r')``

Writing (:class:`TeacherStoreWriter`) fills ``<record>.npy.partial`` and ``ids.txt.partial`` in row
order, one chunk per :meth:`~TeacherStoreWriter.write`; after each chunk the data is flushed and
``meta.json`` (the progress record: ``num_written``) is replaced atomically. A killed job reopens
the directory and continues at ``num_written``: rows past it were never committed and are
overwritten, so no row is lost or duplicated. When every row is in, the partial files are renamed
into place and ``meta.json`` says ``"complete": true``. Every file that a reader opens appears by ``os.replace``.

Reading (:class:`TeacherStore`) refuses an incomplete store, a store whose fingerprint (teacher
config, checkpoint identity, data view) differs from the expected one, and ids it does not hold.
"""
import json
import os
from collections import Counter
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

STORE_VERSION = 1
META_FILE = 'meta.json'
IDS_FILE = 'ids.txt'
PARTIAL = '.partial'


def sample_id(info: Any, data_root: Optional[str] = None) -> str:
    """The stable id of a sample: its image path relative to ``data_root``, else its dataset index.

    Args:
        info: a dataset's data info dict, a data sample's ``metainfo`` dict, or a data sample.
            ``img_path`` is used when present, else ``sample_idx`` (mmpretrain / mmengine) or
            ``img_id`` (mmdet).
        data_root: the dataset's data root; paths under it are made relative to it, so the store
            survives moving the data. ``None`` keeps the path as given.

    Returns:
        ``'images/train/000001.png'``-style posix paths, or ``'index:17'`` for index-only data
        (e.g. MNIST arrays); an index is only stable for the same dataset config, which the store's
        fingerprint records.

    Example:
        >>> sample_id(dict(img_path='/data/coco/train/a.jpg', sample_idx=3), '/data/coco')
        'train/a.jpg'
        >>> sample_id(dict(sample_idx=3))
        'index:3'
    """
    metainfo = info.metainfo if hasattr(info, 'metainfo') else info
    path = metainfo.get('img_path')
    if path:
        path = osp.normpath(path)
        if data_root:
            root = osp.normpath(data_root)
            if path == root or path.startswith(root + os.sep):
                path = osp.relpath(path, root)
        return path.replace(os.sep, '/')
    for key in ('sample_idx', 'img_id'):
        if metainfo.get(key) is not None:
            return f'index:{metainfo[key]}'
    raise KeyError('cannot name this sample: it has no `img_path`, `sample_idx` or `img_id` '
                   f'(keys: {sorted(metainfo)}). Keep one of them in the meta_keys of the packing '
                   'transform.')


def fingerprint_differences(stored: dict, expected: dict) -> List[str]:
    """Human-readable lines ``key: stored X, expected Y`` for every differing (nested) key."""

    def flat(tree: Any, prefix: str = '') -> Dict[str, str]:
        if isinstance(tree, (dict, list)) and tree:
            out = {}
            items = tree.items() if isinstance(tree, dict) else enumerate(tree)
            for key, value in items:
                out.update(flat(value, f'{prefix}.{key}' if prefix else str(key)))
            return out
        return {prefix: json.dumps(tree, sort_keys=True, default=str)}

    def short(text: Optional[str]) -> str:
        if text is None:
            return '(absent)'
        return text if len(text) <= 120 else text[:117] + '...'

    old, new = flat(stored), flat(expected)
    return [f'{key}: stored {short(old.get(key))}, expected {short(new.get(key))}'
            for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]


def _json_ready(value: Any) -> Any:
    """A JSON round-trip, so a fingerprint compares equal to the one read back from meta.json."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _read_ids(file: str) -> List[str]:
    """The ids of an ids file, one a line (``\\n``-terminated, UTF-8)."""
    with open(file, encoding='utf-8', newline='\n') as f:
        return f.read().split('\n')[:-1]


def _write_json_atomic(path: str, data: dict) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_store_meta(path: str) -> dict:
    """The ``meta.json`` of the store at ``path`` (any state), checked for the format version."""
    meta_file = osp.join(path, META_FILE)
    if not osp.isfile(meta_file):
        raise FileNotFoundError(f'no teacher store at {path!r} ({META_FILE} missing). Write it '
                                'with tools/extract_teacher_outputs.py.')
    with open(meta_file) as f:
        meta = json.load(f)
    if meta.get('version') != STORE_VERSION:
        raise ValueError(f'teacher store {path!r} has format version {meta.get("version")}, this '
                         f'mmkd reads version {STORE_VERSION}; extract it again.')
    return meta


class TeacherStore:
    """Read a complete teacher store, memory-mapped.

    Args:
        path: the store directory.
        expected_fingerprint: if given, the store's fingerprint must equal it; the error lists
            every differing key.

    Example:
        >>> store = TeacherStore('work_dirs/store_resnet50', expected_fingerprint=fingerprint)
        >>> store.get('outputs', ['images/train/000000.png']).shape
        (1, 10)
    """

    def __init__(self, path: str, expected_fingerprint: Optional[dict] = None):
        self.path = path
        meta = read_store_meta(path)
        if not meta['complete']:
            raise RuntimeError(
                f'teacher store {path!r} is incomplete ({meta["num_written"]}/'
                f'{meta["num_samples"]} rows written). Run tools/extract_teacher_outputs.py again '
                'to resume it (or --merge its shards).')
        if expected_fingerprint is not None:
            differences = fingerprint_differences(meta['fingerprint'],
                                                  _json_ready(expected_fingerprint))
            if differences:
                raise ValueError(
                    f'teacher store {path!r} was made with a different teacher or view; '
                    'extract it again or point to the right store. Differences:\n  ' +
                    '\n  '.join(differences))
        self.meta = meta
        self.fingerprint: dict = meta['fingerprint']
        self.records: Dict[str, dict] = meta['records']
        self.ids: List[str] = _read_ids(osp.join(path, IDS_FILE))
        self._rows = {id_: row for row, id_ in enumerate(self.ids)}
        self._arrays = {name: np.load(osp.join(path, f'{name}.npy'), mmap_mode='r')
                        for name in self.records}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, id_: str) -> bool:
        return id_ in self._rows

    def rows(self, ids: Sequence[str]) -> List[int]:
        """Row numbers of ``ids``; ``KeyError`` naming the first missing ids and the store."""
        missing = [id_ for id_ in ids if id_ not in self._rows]
        if missing:
            shown = ', '.join(repr(id_) for id_ in missing[:5])
            more = f' (+{len(missing) - 5} more)' if len(missing) > 5 else ''
            raise KeyError(f'teacher store {self.path!r} has no rows for {len(missing)} sample '
                           f'id(s): {shown}{more}. Was it extracted from the same dataset and '
                           'data_root? (e.g. stored ids look like '
                           f'{self.ids[0] if self.ids else "(empty store)"!r})')
        return [self._rows[id_] for id_ in ids]

    def get(self, name: str, ids: Sequence[str]) -> np.ndarray:
        """The rows of record ``name`` for ``ids``, stacked: ``[len(ids), *shape]`` (a copy)."""
        if name not in self._arrays:
            raise KeyError(f'teacher store {self.path!r} has no record {name!r} '
                           f'(records: {sorted(self._arrays)})')
        return self.get_rows(name, self.rows(ids))

    def get_rows(self, name: str, rows: Union[slice, Sequence[int]]) -> np.ndarray:
        """Rows of record ``name`` by position (a slice or row numbers), as an in-memory array."""
        return np.asarray(self._arrays[name][rows])


class TeacherStoreWriter:
    """Write a teacher store row by row; reopening an unfinished store resumes it.

    Args:
        path: the store directory (created if needed).
        num_samples: rows the finished store holds.
        fingerprint: what makes the outputs what they are (teacher config, checkpoint identity,
            data view); JSON-serialisable. Resuming with a different one is refused.
        dtype: storage dtype of floating records, one for all (``'float16'`` halves the size) or
            ``{record: dtype}``; integer and bool records keep their own dtype.
        shard: ``dict(index=i, count=n, total_samples=N)`` when this store is shard ``i`` of ``n``
            of a dataset of ``N`` samples (rows :func:`shard_range`); see :meth:`merge`.
        info: facts kept in ``meta.json`` but not checked (dataset config, ``data_root`` …).

    Example:
        >>> writer = TeacherStoreWriter('store', num_samples=2, fingerprint=dict(teacher='t'))
        >>> writer.write(['a.png', 'b.png'], dict(logits=np.zeros((2, 10))))
        >>> writer.close()  # complete: True
        >>> TeacherStore('store').get('logits', ['b.png']).shape
        (1, 10)
    """

    def __init__(self, path: str, num_samples: int, fingerprint: dict,
                 dtype: Union[str, Dict[str, str]] = 'float32',
                 shard: Optional[dict] = None,
                 info: Optional[dict] = None):
        self.path = path
        self.dtype = dtype
        os.makedirs(path, exist_ok=True)
        fingerprint = _json_ready(fingerprint)
        shard = _json_ready(shard)
        if osp.isfile(osp.join(path, META_FILE)):
            self.meta = read_store_meta(path)
            differences = fingerprint_differences(self.meta['fingerprint'], fingerprint)
            if differences:
                raise ValueError(f'cannot resume teacher store {path!r}: it was started with a '
                                 'different fingerprint. Delete it or write elsewhere. '
                                 'Differences:\n  ' + '\n  '.join(differences))
            if (self.meta['num_samples'], self.meta.get('shard')) != (num_samples, shard):
                raise ValueError(
                    f'cannot resume teacher store {path!r}: it holds {self.meta["num_samples"]} '
                    f'rows (shard {self.meta.get("shard")}), asked for {num_samples} (shard '
                    f'{shard}).')
        else:
            self.meta = dict(version=STORE_VERSION, fingerprint=fingerprint, records={},
                             num_samples=num_samples, num_written=0, complete=False, shard=shard,
                             info=_json_ready(info or {}))
            _write_json_atomic(osp.join(path, META_FILE), self.meta)
        self._arrays: Dict[str, np.memmap] = {}
        self._ids_file = None
        self._written_ids = None

    @property
    def num_written(self) -> int:
        """Rows committed so far: where a resumed job continues."""
        return self.meta['num_written']

    @property
    def complete(self) -> bool:
        return self.meta['complete']

    def written_ids(self) -> List[str]:
        """Ids of the committed rows, in order."""
        name = IDS_FILE if self.complete else IDS_FILE + PARTIAL
        file = osp.join(self.path, name)
        if not osp.isfile(file):
            return []
        return _read_ids(file)[:self.num_written]

    def _storage_dtype(self, name: str, array: np.ndarray) -> np.dtype:
        if not np.issubdtype(array.dtype, np.floating):
            return array.dtype
        dtype = self.dtype.get(name, 'float32') if isinstance(self.dtype, dict) else self.dtype
        return np.dtype(dtype)

    def _open(self, records: Dict[str, np.ndarray]) -> None:
        """Create (first chunk) or reopen (resume) the partial record files and the ids file."""
        if not self.meta['records']:
            self.meta['records'] = {
                name: dict(shape=list(array.shape[1:]),
                           dtype=self._storage_dtype(name, array).name)
                for name, array in records.items()}
        for name, spec in self.meta['records'].items():
            file = osp.join(self.path, f'{name}.npy{PARTIAL}')
            shape = (self.meta['num_samples'], *spec['shape'])
            if self.num_written and not osp.isfile(file):
                raise FileNotFoundError(f'teacher store {self.path!r} says {self.num_written} rows '
                                        f'are written but {file!r} is gone; delete the store.')
            mode = 'r+' if self.num_written else 'w+'
            self._arrays[name] = np.lib.format.open_memmap(
                file, mode=mode, dtype=np.dtype(spec['dtype']), shape=shape)
        committed = self.written_ids()
        self._written_ids = set(committed)
        # drop ids past the last commit (a chunk killed half-way) with one truncate, then append
        self._ids_file = open(osp.join(self.path, IDS_FILE + PARTIAL), 'a', encoding='utf-8')
        self._ids_file.truncate(sum(len(f'{id_}\n'.encode()) for id_ in committed))

    def write(self, ids: Sequence[str], records: Dict[str, Any]) -> None:
        """Append one chunk: ``ids`` and ``{record: array [len(ids), *shape]}``, then commit it."""
        if self.complete:
            raise RuntimeError(f'teacher store {self.path!r} is already complete')
        records = {name: np.asarray(_to_numpy(value)) for name, value in records.items()}
        if not self._arrays:
            self._open(records)
        expected = self.meta['records']
        if set(records) != set(expected):
            raise KeyError(f'teacher store {self.path!r}: chunk has records {sorted(records)}, '
                           f'the store has {sorted(expected)}')
        ids = [str(id_) for id_ in ids]
        start, stop = self.num_written, self.num_written + len(ids)
        if stop > self.meta['num_samples']:
            raise ValueError(f'teacher store {self.path!r}: {stop} rows would exceed its '
                             f'{self.meta["num_samples"]} samples')
        for name, array in records.items():
            shape = [len(ids), *expected[name]['shape']]
            if list(array.shape) != shape:
                raise ValueError(f'teacher store {self.path!r}: record {name!r} has shape '
                                 f'{list(array.shape)}, expected {shape}')
        bad = [id_ for id_ in ids if id_ in self._written_ids or '\n' in id_]
        if bad or len(set(ids)) != len(ids):
            raise ValueError(f'teacher store {self.path!r}: sample ids {bad[:5] or ids} are '
                             'duplicated or contain a newline')
        self._written_ids.update(ids)
        for name, array in records.items():
            self._arrays[name][start:stop] = array
            self._arrays[name].flush()
        self._ids_file.write(''.join(f'{id_}\n' for id_ in ids))
        self._ids_file.flush()
        os.fsync(self._ids_file.fileno())
        self.meta['num_written'] = stop
        _write_json_atomic(osp.join(self.path, META_FILE), self.meta)

    def close(self) -> bool:
        """Finish the store if every row is written (``complete: true``); return whether it is.

        Safe to call again after a kill at any point of finishing: it renames what is left.
        """
        if self._ids_file is not None:
            self._ids_file.close()
            self._ids_file = None
        for array in self._arrays.values():
            array.flush()
        self._arrays = {}
        if self.complete or self.num_written < self.meta['num_samples']:
            return self.complete
        for name in [*(f'{record}.npy' for record in self.meta['records']), IDS_FILE]:
            partial = osp.join(self.path, name + PARTIAL)
            if osp.isfile(partial):
                os.replace(partial, osp.join(self.path, name))
        if not osp.isfile(osp.join(self.path, IDS_FILE)):  # an empty shard
            open(osp.join(self.path, IDS_FILE), 'w').close()
        self.meta['complete'] = True
        _write_json_atomic(osp.join(self.path, META_FILE), self.meta)
        return True

    def __enter__(self) -> 'TeacherStoreWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @classmethod
    def merge(cls, shard_paths: Sequence[str], path: str, chunk_size: int = 4096) -> TeacherStore:
        """Concatenate complete shards, in shard order, into one store at ``path``.

        All ``count`` shards of one split must be given, complete, with the same fingerprint and
        records; their ids must be disjoint and add up to ``total_samples``. A killed merge resumes.
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
            shards.append(TeacherStore(shard_path, expected_fingerprint=metas[0]['fingerprint']))
        records = [shard.records for shard in shards if len(shard)]
        if any(r != records[0] for r in records):
            raise ValueError(f'shards {list(shard_paths)} store different records: {records}')
        id_counts = Counter(id_ for shard in shards for id_ in shard.ids)
        repeated = [id_ for id_, n in id_counts.items() if n > 1]
        if repeated:
            raise ValueError(f'shards {list(shard_paths)} overlap: ids {repeated[:5]} are in more '
                             'than one shard')
        if sum(id_counts.values()) != total:
            raise ValueError(f'shards {list(shard_paths)} hold {sum(id_counts.values())} rows, '
                             f'the dataset has {total}')
        dtype = {name: spec['dtype'] for name, spec in (records[0] if records else {}).items()}
        writer = cls(path, total, metas[0]['fingerprint'], dtype=dtype, info=metas[0].get('info'))
        offset = 0
        for shard in shards:  # a resumed merge skips the rows it already copied
            for start in range(min(len(shard), max(0, writer.num_written - offset)), len(shard),
                               chunk_size):
                writer.write(shard.ids[start:start + chunk_size],
                             {name: shard.get_rows(name, slice(start, start + chunk_size))
                              for name in shard.records})
            offset += len(shard)
        writer.close()
        return TeacherStore(path)


def shard_range(num_samples: int, index: int, count: int) -> range:
    """The contiguous rows shard ``index`` of ``count`` covers; shards in order cover every row.

    Example:
        >>> [list(shard_range(5, i, 2)) for i in range(2)]
        [[0, 1], [2, 3, 4]]
    """
    if not 0 <= index < count:
        raise ValueError(f'shard {index}/{count}: need 0 <= index < count')
    return range(index * num_samples // count, (index + 1) * num_samples // count)


def _to_numpy(value: Any) -> Any:
    """Tensors (any device) become numpy; everything else is left to ``np.asarray``."""
    if hasattr(value, 'detach'):
        return value.detach().cpu().numpy()
    return value
