"""Crash-safe file writing: atomic replacement and one exclusive writer per directory.

Every file mmkd writes for later reading (stores, caches, projections, shards, converted
checkpoints) appears by :func:`os.replace` of a fully written, fsynced temporary file whose name is
unique to the writer (host, pid, random suffix), so a kill leaves either the old file or the new
one, and two writers never share a temporary file. :class:`WriterLock` makes a second writer of a
directory refuse at once, naming the holder; the lock is an ``flock`` that the kernel releases when
its holder dies, so a killed job can always be resumed.
"""
import contextlib
import fcntl
import json
import os
import os.path as osp
import socket
import uuid
from typing import IO, Any, Iterator, Optional

LOCK_FILE = '.writer.lock'


def temporary_name(path: str) -> str:
    """A sibling of ``path`` that no other writer uses (host, pid and a random suffix).

    Example:
        >>> name = temporary_name('/data/store/meta.json')
        >>> name.startswith('/data/store/meta.json.tmp-') and name != temporary_name('/x')
        True
    """
    return f'{path}.tmp-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}'


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'w', encoding: Optional[str] = 'utf-8') -> Iterator[IO]:
    """Open a writer-private temporary file; on success fsync it and ``os.replace`` it to ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was.

    Args:
        path: the final file.
        mode: ``'w'`` (text) or ``'wb'`` (binary).
        encoding: text encoding (ignored for binary modes).

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'a.txt')
        >>> with atomic_write(path) as f:
        ...     _ = f.write('done')
        >>> open(path).read()
        'done'
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = temporary_name(path)
    try:
        with open(tmp, mode, encoding=None if 'b' in mode else encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_write_json(path: str, obj: Any, indent: Optional[int] = 1) -> None:
    """Write ``obj`` as JSON to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as f:
        json.dump(obj, f, indent=indent)


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save(obj, path)`` atomically (see :func:`atomic_write`)."""
    import torch
    with atomic_write(path, 'wb') as f:
        torch.save(obj, f)


def read_json(path: str, what: str) -> Any:
    """Load a JSON file; a missing or corrupt file is an error naming ``what`` and the path."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f'{what} not found: {path!r}') from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f'{what} {path!r} is not valid JSON ({error}); it is corrupt or was '
                         'truncated: delete it and rerun the tool that writes it') from None


class WriterLock:
    """An exclusive, non-blocking writer lock on a directory (``<directory>/.writer.lock``).

    The lock file records the holder's host and pid; a second writer raises at once with them. The
    lock is an ``flock``: the kernel drops it when the holder exits or is killed, so a stale lock
    file never blocks a resume.

    Args:
        directory: the directory one process writes (created if needed).
        what: how to name the directory in the error (e.g. ``'teacher store'``).

    Example:
        >>> import tempfile
        >>> directory = tempfile.mkdtemp()
        >>> with WriterLock(directory, 'store'):
        ...     try:
        ...         WriterLock(directory, 'store').acquire()
        ...     except RuntimeError as error:
        ...         print('refused:', 'already being written' in str(error))
        refused: True
    """

    def __init__(self, directory: str, what: str = 'directory'):
        self.directory = directory
        self.what = what
        self.path = osp.join(directory, LOCK_FILE)
        self._file: Optional[IO] = None

    def acquire(self) -> 'WriterLock':
        os.makedirs(self.directory, exist_ok=True)
        file = open(self.path, 'a+', encoding='utf-8')
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or 'unknown'
            file.close()
            raise RuntimeError(
                f'{self.what} {self.directory!r} is already being written by {holder}; wait for '
                'that job to finish (or stop it), or write elsewhere. Two writers would corrupt '
                'it.') from None
        file.seek(0)
        file.truncate()
        file.write(f'pid {os.getpid()} on host {socket.gethostname()}\n')
        file.flush()
        self._file = file
        return self

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> 'WriterLock':
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()
