"""The store format: exact round trip, resume after a kill, shards, views, and the refusals of
wrong settings (file-level integrity faults: test_store_integrity.py)."""
import filecmp
import json
import os.path as osp

import numpy as np
import pytest

from mmkd.store import TeacherStore, TeacherStoreWriter, sample_id, shard_range

FINGERPRINT = dict(teacher=dict(type='OpenMMLabTeacher', depth=18), checkpoint='t.pth:1234',
                   view=['LoadImageFromFile', 'ResizeEdge(256)', 'CenterCrop(224)'])
N = 23


def make_rows(n=N, seed=0):
    rng = np.random.default_rng(seed)
    ids = [f'images/train/{i:06d}.png' for i in range(n)]
    return ids, dict(logits=rng.normal(size=(n, 10)).astype(np.float32),
                     feats=rng.normal(size=(n, 4, 3, 3)).astype(np.float32),
                     label=rng.integers(0, 10, size=(n,)))


def write(path, ids, records, chunk=5, **kwargs):
    writer = TeacherStoreWriter(str(path), len(ids), FINGERPRINT, **kwargs)
    for start in range(writer.num_written, len(ids), chunk):
        rows = slice(start, start + chunk)
        writer.write(ids[rows], {k: v[rows] for k, v in records.items()})
    assert writer.close()
    return TeacherStore(str(path), expected_fingerprint=FINGERPRINT)


def same_store(a, b):
    names = ['ids.txt'] + [f'{name}.npy' for name in TeacherStore(str(a)).records]
    match, mismatch, errors = filecmp.cmpfiles(str(a), str(b), names, shallow=False)
    return not mismatch and not errors


def test_round_trip_is_exact(tmp_path):
    ids, records = make_rows()
    store = write(tmp_path / 'store', ids, records, codecs=dict(feats='float16'))
    assert store.ids == ids and len(store) == N and ids[3] in store
    assert store.records['logits'] == dict(shape=[10], codec='raw')
    assert store.records['feats'] == dict(shape=[4, 3, 3], codec='float16')
    assert store.meta['arrays']['feats'] == dict(shape=[1, 4, 3, 3], dtype='float16')
    assert store.meta['arrays']['label']['dtype'] == records['label'].dtype.name
    picked = [ids[7], ids[2], ids[7]]
    np.testing.assert_array_equal(store.get('logits', picked), records['logits'][[7, 2, 7]])
    np.testing.assert_array_equal(store.get('feats', picked),
                                  records['feats'][[7, 2, 7]].astype(np.float16).astype(np.float32))
    np.testing.assert_array_equal(store.get('label', ids), records['label'])
    assert isinstance(np.load(osp.join(tmp_path, 'store', 'logits.npy'), mmap_mode='r'), np.memmap)


def test_resume_after_kill_equals_uninterrupted(tmp_path):
    ids, records = make_rows()
    write(tmp_path / 'whole', ids, records)
    # a job killed in the middle of its third chunk: rows and ids past the commit are on disk
    writer = TeacherStoreWriter(str(tmp_path / 'killed'), N, FINGERPRINT)
    for start in (0, 5):
        writer.write(ids[start:start + 5], {k: v[start:start + 5] for k, v in records.items()})
    writer._arrays['logits'][10:13] = 99.0
    writer._ids_file.write('junk/id.png\n')
    writer._ids_file.flush()
    writer._lock.release()  # the process is gone: no close(), the kernel drops its lock
    del writer
    with pytest.raises(RuntimeError, match=r'incomplete \(10/23 rows'):
        TeacherStore(str(tmp_path / 'killed'))
    resumed = TeacherStoreWriter(str(tmp_path / 'killed'), N, FINGERPRINT)
    assert resumed.num_written == 10 and resumed.written_ids() == ids[:10]
    resumed.close()
    store = write(tmp_path / 'killed', ids, records, chunk=7)
    assert store.ids == ids
    assert same_store(tmp_path / 'whole', tmp_path / 'killed')


def test_shards_merge_to_the_single_store(tmp_path):
    ids, records = make_rows()
    write(tmp_path / 'single', ids, records)
    shard_paths = []
    for index in range(3):
        rows = shard_range(N, index, 3)
        path = tmp_path / f'shard{index}'
        part = slice(rows.start, rows.stop)
        write(path, ids[part], {k: v[part] for k, v in records.items()},
              shard=dict(index=index, count=3, total_samples=N))
        shard_paths.append(str(path))
    with pytest.raises(ValueError, match='shards 0..2 once each'):
        TeacherStoreWriter.merge(shard_paths[:2], str(tmp_path / 'merged'))
    merged = TeacherStoreWriter.merge(shard_paths[::-1], str(tmp_path / 'merged'), chunk_size=4)
    assert merged.ids == ids
    assert same_store(tmp_path / 'single', tmp_path / 'merged')


def test_merge_refuses_overlapping_shards(tmp_path):
    ids, records = make_rows(4)
    paths = []
    for index in range(2):  # both shards hold the same rows
        write(tmp_path / f's{index}', ids[:2], {k: v[:2] for k, v in records.items()},
              shard=dict(index=index, count=2, total_samples=4))
        paths.append(str(tmp_path / f's{index}'))
    with pytest.raises(ValueError, match="overlap: ids \\['images/train/000000.png'"):
        TeacherStoreWriter.merge(paths, str(tmp_path / 'merged'))


def test_stale_fingerprint_is_refused_with_the_difference(tmp_path):
    ids, records = make_rows(4)
    write(tmp_path / 'store', ids, records)
    other = dict(FINGERPRINT, checkpoint='t.pth:9999')
    with pytest.raises(ValueError, match=r'checkpoint: stored "t.pth:1234", expected "t.pth:9999"'):
        TeacherStore(str(tmp_path / 'store'), expected_fingerprint=other)
    with pytest.raises(ValueError, match=r'cannot resume.*\n  fingerprint.checkpoint: stored'):
        TeacherStoreWriter(str(tmp_path / 'store'), 4, other)
    view = dict(FINGERPRINT, view=['LoadImageFromFile', 'RandomResizedCrop(224)'])
    with pytest.raises(ValueError, match=r'view\.1: stored "ResizeEdge\(256\)"'):
        TeacherStore(str(tmp_path / 'store'), expected_fingerprint=view)


def test_missing_ids_are_named_with_the_store_path(tmp_path):
    ids, records = make_rows(4)
    store = write(tmp_path / 'store', ids, records)
    wanted = [ids[0]] + [f'val/{i}.png' for i in range(7)]
    with pytest.raises(KeyError) as error:
        store.get('logits', wanted)
    message = str(error.value)
    assert "7 sample id(s) of this batch: 'val/0.png', 'val/1.png'" in message
    assert '(+2 more)' in message
    assert str(tmp_path / 'store') in message
    with pytest.raises(KeyError, match="no record 'probs'"):
        store.get('probs', ids)


def test_writer_rejects_bad_chunks(tmp_path):
    ids, records = make_rows(4)
    writer = TeacherStoreWriter(str(tmp_path / 'store'), 4, FINGERPRINT)
    writer.write(ids[:2], {k: v[:2] for k, v in records.items()})
    with pytest.raises(ValueError, match='duplicated'):
        writer.write(ids[1:3], {k: v[1:3] for k, v in records.items()})
    with pytest.raises(KeyError, match='chunk has records'):
        writer.write(ids[2:3], dict(logits=records['logits'][2:3]))
    with pytest.raises(ValueError, match="'logits' has shape"):
        writer.write(ids[2:4], dict(records, logits=np.zeros((2, 11))))
    assert not writer.close()
    assert json.load(open(tmp_path / 'store' / 'meta.json'))['complete'] is False


def test_sample_id():
    assert sample_id(dict(img_path='/d/root/a/b.png', sample_idx=1), '/d/root/') == 'a/b.png'
    assert sample_id(dict(img_path='/elsewhere/b.png'), '/d/root') == '/elsewhere/b.png'
    assert sample_id(dict(sample_idx=5)) == 'index:5'
    assert sample_id(dict(img_id=9, img_path=None)) == 'index:9'
    with pytest.raises(KeyError, match='cannot name this sample'):
        sample_id(dict(ori_shape=(2, 2)))


def test_views_round_trip_and_bytes_per_view(tmp_path):
    """A store of 3 views a sample: each view's rows come back; top-k + seed + hash = 48 bytes a
    view for a 1000-class teacher at k = 10 (the budget of TinyViT-style records)."""
    rng = np.random.default_rng(3)
    ids = [f'{i}.png' for i in range(5)]
    logits = rng.normal(size=(5, 3, 1000)).astype(np.float32)
    seeds = rng.integers(0, 2**31 - 1, size=(5, 3)).astype(np.int32)
    hashes = rng.integers(0, 2**32 - 1, size=(5, 3)).astype(np.uint32)
    writer = TeacherStoreWriter(str(tmp_path / 'replay'), 5, FINGERPRINT, views=3,
                                codecs=dict(outputs='softmax_topk:10'),
                                replay=dict(base_seed=0, random=True, mixing=None))
    writer.write(ids, {'outputs': logits, 'replay.seed': seeds, 'replay.hash': hashes})
    assert writer.close()
    store = TeacherStore(str(tmp_path / 'replay'))
    assert store.views == 3 and list(store.records) == ['outputs']
    assert store.bytes_per_view() == 48
    top = store.get('outputs', [ids[4], ids[1]], views=[2, 0]).argmax(1)
    assert top.tolist() == [logits[4, 2].argmax(), logits[1, 0].argmax()]
    assert store.view_params(4, 2) == dict(seed=int(seeds[4, 2]), hash=int(hashes[4, 2]),
                                           mix=None)
    with pytest.raises(ValueError, match=r"'outputs' has shape \[5, 1000\]; a store of 3 views"):
        w = TeacherStoreWriter(str(tmp_path / 'bad'), 5, FINGERPRINT, views=3)
        try:
            w.write(ids, dict(outputs=logits[:, 0]))
        finally:
            w.close()
