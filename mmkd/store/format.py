"""The teacher store on disk: layout, ``meta.json``, and the checksums that guard it.

A store is a directory::

    meta.json            what the store is (below), replaced atomically after every commit
    ids.txt              one sample id a line, in row order
    <array>.npy          [num_samples, views, *shape], one file per stored array
    .writer.lock         held (flock) by the one process that writes the store

``meta.json`` holds ``version``, ``uuid`` (names this store in served data samples),
``fingerprint`` (teacher and view, :mod:`mmkd.store.fingerprint`), ``views`` (K views a sample),
``replay`` (base seed, pipeline probe and mixing of a replay store, else ``null``), ``records``
(per teacher record: its shape per view and its codec, :mod:`mmkd.store.codecs`), ``arrays``
(per file: shape per sample and dtype), ``num_samples``, ``num_written`` (committed rows),
``checksums`` (recorded when the writer finishes) and ``complete``, plus ``shard`` and ``info``.

A reader trusts nothing it does not check: ``ids.txt`` must hash to its recorded checksum (a lost or
edited line changes it) and every array file must have the recorded shape and dtype and the
recorded checksum of its first and last :data:`EDGE_BYTES` (cheap at any size: a truncated,
replaced or re-written file changes its size, header or tail).
"""
import hashlib
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional

from mmkd.utils.io import read_json

STORE_VERSION = 2
META_FILE = 'meta.json'
IDS_FILE = 'ids.txt'
PARTIAL = '.partial'
#: Bytes hashed at each end of an array file (its header, first rows, last rows and size).
EDGE_BYTES = 64 << 10
#: Records of a replay store that describe the view, not the teacher.
REPLAY_RECORDS = ('replay.seed', 'replay.hash')
MIX_RECORDS = ('mix.kind', 'mix.partner', 'mix.lam', 'mix.box')
#: The data-sample field replayed outputs travel in (``{store uuid: served view}``), from
#: :class:`mmkd.datasets.TeacherReplayDataset` to :class:`mmkd.models.StoreTeacher`.
SERVED_FIELD = 'stored_teacher_outputs'


class StoreIntegrityError(RuntimeError):
    """A store file does not match what ``meta.json`` recorded: the message names file and fix."""


def array_file(path: str, array: str, partial: bool = False) -> str:
    """The file of ``array`` in the store at ``path`` (``.partial`` while being written)."""
    return osp.join(path, f'{array}.npy' + (PARTIAL if partial else ''))


def read_store_meta(path: str) -> dict:
    """The ``meta.json`` of the store at ``path`` (in any state), checked for the format version.

    Example:
        >>> read_store_meta('/nonexistent/store')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        FileNotFoundError: no teacher store at '/nonexistent/store' (meta.json missing). ...
    """
    meta_file = osp.join(path, META_FILE)
    if not osp.isfile(meta_file):
        raise FileNotFoundError(f'no teacher store at {path!r} ({META_FILE} missing). Write it '
                                'with tools/extract_teacher_outputs.py.')
    meta = read_json(meta_file, 'teacher store metadata')
    if meta.get('version') != STORE_VERSION:
        raise ValueError(f'teacher store {path!r} has format version {meta.get("version")}, this '
                         f'mmkd reads version {STORE_VERSION}; extract it again with '
                         'tools/extract_teacher_outputs.py.')
    return meta


def file_checksum(file: str) -> str:
    """SHA-256 of a whole file (``ids.txt``: read in full by every reader anyway)."""
    digest = hashlib.sha256()
    with open(file, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def edge_checksum(file: str) -> str:
    """SHA-256 of a file's size, first and last :data:`EDGE_BYTES` (the ends overlap if small).

    Example:
        >>> import tempfile
        >>> name = tempfile.mktemp()
        >>> _ = open(name, 'wb').write(b'x' * 10)
        >>> len(edge_checksum(name))
        64
    """
    size = os.path.getsize(file)
    digest = hashlib.sha256(str(size).encode())
    with open(file, 'rb') as f:
        digest.update(f.read(EDGE_BYTES))
        f.seek(max(0, size - EDGE_BYTES))
        digest.update(f.read(EDGE_BYTES))
    return digest.hexdigest()


def read_ids(file: str) -> List[str]:
    """The ids of an ids file, one a line (``\\n``-terminated, UTF-8)."""
    with open(file, encoding='utf-8', newline='\n') as f:
        return f.read().split('\n')[:-1]


def json_ready(value: Any) -> Any:
    """A JSON round trip, so a value compares equal to the one read back from ``meta.json``."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def fingerprint_differences(stored: Any, expected: Any) -> List[str]:
    """Lines ``key: stored X, expected Y`` for every differing (nested) key.

    Example:
        >>> fingerprint_differences(dict(a=1, b=[1, 2]), dict(a=1, b=[1, 3]))
        ['b.1: stored 2, expected 3']
    """

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
