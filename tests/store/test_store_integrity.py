"""Every integrity fault of issue #13, one test each: a second writer, files changed after the store
was written, kills at every step of finishing and merging, a 0-row leftover."""
import filecmp
import multiprocessing as mp
import os
import signal
import socket

import numpy as np
import pytest

from mmkd.store import StoreIntegrityError, TeacherStore, TeacherStoreWriter, shard_range

FINGERPRINT = dict(teacher=dict(type='T', checkpoint='t.pth:1'), view='any')
N = 12
# fork: the children only touch numpy and files (no torch threads), and start in milliseconds
FORK = mp.get_context('fork')


def rows(n=N):
    rng = np.random.default_rng(0)
    return ([f'img/{i:03d}.png' for i in range(n)],
            dict(logits=rng.normal(size=(n, 20)).astype(np.float32),
                 embeds=rng.normal(size=(n, 6)).astype(np.float32)))


def write(path, ids, records, chunk=4, close=True, **kwargs):
    writer = TeacherStoreWriter(str(path), len(ids), FINGERPRINT,
                                codecs=dict(logits='softmax_topk:5', embeds='float16'), **kwargs)
    for start in range(writer.num_written, len(ids), chunk):
        writer.write(ids[start:start + chunk], {k: v[start:start + chunk] for k, v in
                                                records.items()})
    if close:
        assert writer.close()
    return writer


@pytest.fixture
def store(tmp_path):
    ids, records = rows()
    write(tmp_path / 'store', ids, records)
    TeacherStore(str(tmp_path / 'store'))  # opens cleanly before any fault
    return tmp_path / 'store'


def same_store(a, b):
    names = sorted(n for n in os.listdir(a) if n.endswith(('.npy', '.txt')))
    _, mismatch, errors = filecmp.cmpfiles(str(a), str(b), names, shallow=False)
    return names and not mismatch and not errors


# ------------------------------------------------------------------ one writer at a time
def _hold_writer(path, ready, release):
    writer = TeacherStoreWriter(path, N, FINGERPRINT)
    ready.set()
    release.wait(30)
    writer.close()


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    path = str(tmp_path / 'store')
    ready, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_writer, args=(path, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(RuntimeError) as error:
            TeacherStoreWriter(path, N, FINGERPRINT)
        message = str(error.value)
        assert f'pid {holder.pid} on host {socket.gethostname()}' in message
        assert path in message and 'already being written' in message
    finally:
        release.set()
        holder.join(30)
    TeacherStoreWriter(path, N, FINGERPRINT).close()  # free again once the holder is gone


# ------------------------------------------------------------------ files changed after writing
def test_a_lost_id_line_is_refused(store):
    ids_file = store / 'ids.txt'
    lines = ids_file.read_text().splitlines(keepends=True)
    ids_file.write_text(''.join(lines[:5] + lines[6:]))
    with pytest.raises(StoreIntegrityError, match=r"ids.txt' has 11 ids, meta.json says 12 "
                                                  r"samples.*restore it.*extract the store again"):
        TeacherStore(str(store))


def test_an_edited_id_line_is_refused(store):
    ids_file = store / 'ids.txt'
    ids_file.write_text(ids_file.read_text().replace('img/003.png', 'img/030.png'))
    with pytest.raises(StoreIntegrityError, match=r"ids.txt' does not match the checksum"):
        TeacherStore(str(store))


def test_a_record_file_with_too_few_rows_is_refused(store):
    file = store / 'embeds.npy'
    np.save(file, np.load(file)[:-1])
    with pytest.raises(StoreIntegrityError,
                       match=r"embeds.npy' holds \[11, 1, 6\] float16, meta.json says "
                             r"\[12, 1, 6\]"):
        TeacherStore(str(store))


def test_a_record_file_of_another_shape_or_dtype_is_refused(store):
    file = store / 'logits.logp.npy'
    np.save(file, np.zeros((N, 1, 6), dtype=np.float16))
    with pytest.raises(StoreIntegrityError, match=r"logits.logp.npy' holds \[12, 1, 6\]"):
        TeacherStore(str(store))
    np.save(file, np.zeros((N, 1, 5), dtype=np.float32))
    with pytest.raises(StoreIntegrityError, match=r"holds \[12, 1, 5\] float32, meta.json says "
                                                  r"\[12, 1, 5\] float16"):
        TeacherStore(str(store))


def test_a_truncated_record_file_is_refused(store):
    file = store / 'logits.index.npy'
    data = file.read_bytes()
    file.write_bytes(data[:-7])
    with pytest.raises(StoreIntegrityError, match=r"logits.index.npy' cannot be mapped"):
        TeacherStore(str(store))


def test_rewritten_rows_at_the_end_of_a_record_file_are_refused(store):
    file = store / 'embeds.npy'
    array = np.load(file)
    array[-1] += 1
    np.save(file, array)  # same shape, dtype and size: only the checksum can tell
    with pytest.raises(StoreIntegrityError, match=r"embeds.npy' does not match the checksum of "
                                                  'its head and tail'):
        TeacherStore(str(store))


def test_a_missing_record_file_is_refused(store):
    os.remove(store / 'embeds.npy')
    with pytest.raises(StoreIntegrityError, match=r"embeds.npy' is missing"):
        TeacherStore(str(store))


# ------------------------------------------------------------------ kills while finishing
def _killed_at(call, after, target, args):
    """Run ``target(*args)`` in a child that SIGKILLs itself at its ``call``-th ``os.replace``
    (before it, or right ``after`` it); return whether the child was killed."""

    def child():
        replace, count = os.replace, [0]

        def dying_replace(src, dst):
            count[0] += 1
            if count[0] == call and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            replace(src, dst)
            if count[0] == call and after:
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = dying_replace
        target(*args)

    process = FORK.Process(target=child)
    process.start()
    process.join(60)
    return process.exitcode == -signal.SIGKILL


def _close_store(path, ids, records):
    writer = write(path, ids, records, close=False)
    writer.close()


def test_a_kill_at_any_point_of_finishing_resumes_to_the_complete_store(tmp_path):
    ids, records = rows()
    write(tmp_path / 'reference', ids, records)
    # meta.json at start and after 3 chunks, then finishing: checksums into meta.json, 4 renames
    # (ids.txt, logits.index, logits.logp, embeds), meta.json complete
    first, last = 5, 4 + 6
    for call in range(first, last + 1):
        for after in (False, True):
            path = tmp_path / f'killed_{call}_{after}'
            assert _killed_at(call, after, _close_store, (str(path), ids, records))
            if call == last and after:  # killed after its last step: simply complete
                assert TeacherStore(str(path)).ids == ids
                continue
            with pytest.raises(RuntimeError, match='finishing was interrupted'):
                TeacherStore(str(path))
            writer = TeacherStoreWriter(str(path), N, FINGERPRINT,
                                        codecs=dict(logits='softmax_topk:5', embeds='float16'))
            assert writer.num_written == N and writer.written_ids() == ids
            assert writer.close(), f'not finished after a kill at replace {call} (after={after})'
            assert TeacherStore(str(path)).ids == ids
            assert same_store(tmp_path / 'reference', path)


def _merge(shard_paths, out):
    TeacherStoreWriter.merge(shard_paths, out, chunk_size=2)


def test_a_kill_at_any_point_of_a_merge_resumes_to_the_complete_store(tmp_path):
    ids, records = rows()
    write(tmp_path / 'single', ids, records)
    shard_paths = []
    for index in range(3):
        part = shard_range(N, index, 3)
        path = tmp_path / f'shard{index}'
        write(path, ids[part.start:part.stop], {k: v[part.start:part.stop]
                                               for k, v in records.items()},
              shard=dict(index=index, count=3, total_samples=N))
        shard_paths.append(str(path))
    # merge: meta.json at start, 6 chunks of 2 rows, 6 replaces finishing = 13
    for call in (1, 2, 5, 7, 8, 10, 12, 13):
        out = str(tmp_path / f'merged_{call}')
        assert _killed_at(call, False, _merge, (shard_paths, out))
        merged = TeacherStoreWriter.merge(shard_paths, out, chunk_size=5)
        assert merged.ids == ids and same_store(tmp_path / 'single', out), call


# ------------------------------------------------------------------ failed starts
def test_a_zero_row_leftover_of_a_failed_start_is_reused(tmp_path):
    path = str(tmp_path / 'store')
    first = TeacherStoreWriter(path, N, dict(FINGERPRINT, teacher='wrong checkpoint'),
                               views=2)
    first._lock.release()  # the teacher failed to load: the job died with 0 rows written
    ids, records = rows()
    write(path, ids, records)  # other fingerprint, other views: reused, not refused
    assert TeacherStore(path, expected_fingerprint=FINGERPRINT).ids == ids


def test_a_started_store_is_not_silently_restarted_with_other_settings(tmp_path):
    ids, records = rows()
    writer = TeacherStoreWriter(str(tmp_path / 'store'), N, FINGERPRINT)
    writer.write(ids[:4], {k: v[:4] for k, v in records.items()})
    assert not writer.close()  # 4 of 12 rows: resumable, so kept
    with pytest.raises(ValueError, match=r'cannot resume.*\(4 rows written\).*\n  '
                                         r'fingerprint.teacher.checkpoint: stored'):
        TeacherStoreWriter(str(tmp_path / 'store'), N,
                           dict(FINGERPRINT, teacher=dict(type='T', checkpoint='t.pth:2')))
