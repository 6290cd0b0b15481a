"""The extraction tool (K views, resume after SIGKILL, shards, torchrun, a failed start),
TeacherReplayDataset + StoreTeacher serving exactly the live teacher's outputs on the replayed
views (0 and 2 workers), the fixed-view and view-independent modes, and tools/train.py from a
replay store. Real Fashion-tile images, the real configs of configs/teacher_store/."""
import filecmp
import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DATASETS, init_default_scope

from mmkd.datasets import LoadTeacherTargets
from mmkd.models.teachers import read_normalization
from mmkd.registry import MODELS, build_mmkd_module
from mmkd.store import TeacherStore, describe_view

from mmkd_test_helpers import REPO, run_tool

CONFIG = osp.join(REPO, 'configs/teacher_store/'
                  'kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py')
TEACHER_CONFIG = osp.join(REPO, 'configs/teacher_store/'
                          'resnet18-w8_fashion-tiles-multilabel_teacher.py')
TOOL = osp.join(REPO, 'tools/extract_teacher_outputs.py')
TEACHER = 'model.teachers.resnet18_w8'
VIEWS = 3


def extract(*args):
    """Run the tool in this process (fast); it prints its own progress."""
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from extract_teacher_outputs import extract as run, parse_args
    return run(parse_args([CONFIG, *map(str, args)]))


@pytest.fixture(scope='module')
def setup(fashion_tiles_root, tmp_path_factory):
    """A (random-init, saved) teacher checkpoint, the options pointing the config at it, and a
    store of 3 views of every training image."""
    work = tmp_path_factory.mktemp('store_tool')
    init_default_scope('mmpretrain')
    teacher = MODELS.build(Config.fromfile(TEACHER_CONFIG).model.to_dict())
    teacher.init_weights()
    checkpoint = str(work / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), checkpoint)
    options = [f'data_root={fashion_tiles_root}',
               f'train_dataloader.dataset.dataset.data_root={fashion_tiles_root}',
               f'val_dataloader.dataset.data_root={fashion_tiles_root}',
               f'test_dataloader.dataset.data_root={fashion_tiles_root}',
               f'{TEACHER}.teacher.checkpoint={checkpoint}']
    store = str(work / 'store')
    assert extract('--views', VIEWS, '--out', store, '--batch-size', 16, '--cfg-options',
                   *options)
    return dict(work=work, options=options, store=store, checkpoint=checkpoint,
                root=fashion_tiles_root)


def config(setup, store=None):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(dict(a.split('=', 1) for a in setup['options']))
    cfg.merge_from_dict({'train_dataloader.dataset.store': store or setup['store'],
                         f'{TEACHER}.store': store or setup['store']})
    return cfg


def build_distiller(cfg, **teacher_options):
    model = cfg.model.to_dict()
    model['teachers']['resnet18_w8'].update(teacher_options)
    model['student']['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    init_default_scope('mmpretrain')
    return MODELS.build(model)


def same_files(a, b):
    names = sorted(n for n in os.listdir(a) if n.endswith(('.npy', '.txt')))
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return names and not mismatch and not errors


def test_the_store_holds_k_views_of_every_training_image(setup):
    store = TeacherStore(setup['store'])
    cfg = Config.fromfile(CONFIG)
    assert len(store) == 96 and store.views == VIEWS and store.ids[0] == 'images/train/000000.png'
    assert store.records == dict(outputs=dict(shape=[10], codec='raw'))
    assert store.fingerprint['view'] == describe_view(cfg.train_pipeline)
    assert store.replay == dict(base_seed=0, view_hash='crc32', random=True,
                                random_by_name=['RandomFlip'], mixing=None)
    assert store.fingerprint['teacher']['checkpoint']['file'] == 'teacher.pth'
    assert store.bytes_per_view() == 4 * 10 + 4 + 4


@pytest.mark.parametrize('num_workers', [0, 2])
def test_replayed_views_get_exactly_the_live_teachers_outputs(setup, num_workers):
    """Every sample, every view: what StoreTeacher serves is the live teacher on that view."""
    cfg = config(setup)
    distiller = build_distiller(cfg)
    store_teacher = distiller.teachers['resnet18_w8']
    assert not list(store_teacher.parameters())  # nothing loaded, nothing runs
    live = build_mmkd_module(cfg.model.teachers.resnet18_w8.teacher)
    live.adapt_inputs(read_normalization(distiller.data_preprocessor))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = torch.utils.data.DataLoader(dataset, batch_size=32, num_workers=num_workers,
                                         persistent_workers=num_workers > 0,
                                         collate_fn=pseudo_collate)
    seen, flipped = set(), 0
    for epoch in range(VIEWS):
        dataset.set_epoch(epoch)  # what TeacherReplayHook does; persistent workers see it
        for batch in loader:
            data = distiller.data_preprocessor(batch, training=True)
            served = store_teacher(data['inputs'], data['data_samples'])['outputs']
            with torch.no_grad():
                expected = live(data['inputs'], data['data_samples'])['outputs']
            torch.testing.assert_close(served, expected, rtol=1e-5, atol=1e-5)
            for sample in data['data_samples']:
                item = sample.stored_teacher_outputs[store_teacher.store.uuid]
                assert item['view'] == epoch
                seen.add((sample.img_path, item['view']))
                flipped += sample.flip
    assert len(seen) == 96 * VIEWS
    assert 0.3 < flipped / (96 * VIEWS) < 0.7  # the views really are augmented


def test_resume_after_sigkill_equals_uninterrupted(setup):
    out = str(setup['work'] / 'killed')
    args = [TOOL, CONFIG, '--views', VIEWS, '--out', out, '--batch-size', '4', '--cfg-options',
            *setup['options']]
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    meta_file = osp.join(out, 'meta.json')
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            if osp.isfile(meta_file) and json.load(open(meta_file))['num_written'] >= 12:
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    written = json.load(open(meta_file))['num_written']
    assert 12 <= written < 96, 'the job should have been killed mid-way'
    with pytest.raises(RuntimeError, match='incomplete'):
        TeacherStore(out)
    # resume in this process, with another batch size: the kernel dropped the dead job's lock
    assert extract('--views', VIEWS, '--out', out, '--batch-size', 8, '--cfg-options',
                   *setup['options'])
    assert same_files(setup['store'], out)


def test_max_samples_then_resume_and_shards_merge(setup):
    out = str(setup['work'] / 'stepwise')
    common = ['--views', VIEWS, '--cfg-options', *setup['options']]
    assert not extract('--out', out, '--max-samples', 40, *common)
    assert extract('--out', out, *common)
    assert same_files(setup['store'], out)

    sharded = str(setup['work'] / 'sharded')
    for index in range(3):
        extract('--out', sharded, '--shard', f'{index}/3', '--batch-size', 7, *common)
    assert extract('--out', sharded, '--merge', 3, *common)
    assert same_files(setup['store'], sharded)


def test_torchrun_writes_one_shard_per_rank_and_merges(setup):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    out = str(setup['work'] / 'torchrun')
    run_tool(['-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(port),
              TOOL, CONFIG, '--views', str(VIEWS), '--out', out, '--cfg-options',
              *setup['options']], env=dict(OMP_NUM_THREADS='1'))
    assert sorted(os.listdir(osp.join(out, 'shards'))) == ['0-of-2', '1-of-2']
    assert same_files(setup['store'], out)


def test_changed_teacher_is_refused(setup):
    other = str(setup['work'] / 'other.pth')
    state = torch.load(setup['checkpoint'])
    state['state_dict']['head.fc.bias'] += 1
    torch.save(state, other)
    with pytest.raises(ValueError, match=r'teacher.checkpoint.sha256: stored'):
        build_distiller(config(setup), teacher=dict(
            config(setup).model.teachers.resnet18_w8.teacher, checkpoint=other))
    with pytest.raises(ValueError, match='cannot resume'):
        extract('--views', VIEWS, '--out', setup['store'], '--cfg-options',
                *setup['options'][:-1], f'{TEACHER}.teacher.checkpoint={other}')


def test_a_failed_start_does_not_block_the_corrected_run(setup):
    out = str(setup['work'] / 'failed_start')
    with pytest.raises(FileNotFoundError):
        extract('--views', VIEWS, '--out', out, '--cfg-options', *setup['options'][:-1],
                f'{TEACHER}.teacher.checkpoint={setup["work"]}/typo.pth')
    assert json.load(open(osp.join(out, 'meta.json')))['num_written'] == 0
    assert not extract('--views', VIEWS, '--out', out, '--max-samples', 8, '--cfg-options',
                       *setup['options'])
    assert json.load(open(osp.join(out, 'meta.json')))['num_written'] == 8


def test_store_teacher_refuses_batches_the_wrapper_did_not_replay(setup):
    cfg = config(setup)
    store_teacher = build_distiller(cfg).teachers['resnet18_w8']
    report = store_teacher.report()[0]
    assert report.startswith(f"REPLAY store '{setup['store']}': 96 samples x 3 views (random "
                             'pipeline), records outputs (raw), 48 bytes per view')
    assert store_teacher.record_shapes(torch.zeros(1)) == dict(outputs=(10, ))
    plain_cfg = cfg.train_dataloader.dataset.dataset
    plain = DATASETS.build(plain_cfg)
    batch = pseudo_collate([plain[i] for i in range(4)])
    with pytest.raises(ValueError, match="not replayed from it: wrap the training dataset"):
        store_teacher(batch['inputs'][0][None].float(), batch['data_samples'])
    replay = DATASETS.build(cfg.train_dataloader.dataset)  # its epoch was never set
    batch = pseudo_collate([replay[i] for i in range(4)])
    with pytest.raises(RuntimeError, match='TeacherReplayHook'):
        store_teacher(torch.zeros(4), batch['data_samples'])
    replay.set_epoch(0)
    batch = pseudo_collate([replay[i] for i in range(4)])
    for sample in batch['data_samples']:  # what a preprocessor's Mixup does after the replay
        sample.set_gt_score(torch.full((10, ), 0.1))
    with pytest.raises(RuntimeError, match='mixed the batch'):
        store_teacher(torch.zeros(4), batch['data_samples'])


def test_fixed_view_serves_one_stored_view_and_checks_ids_at_build(setup):
    out = str(setup['work'] / 'fixed')
    assert extract('--out', out, '--pipeline', 'test_pipeline', '--codec', 'outputs=float16',
                   '--cfg-options', *setup['options'])  # one view, the un-augmented image
    cfg = config(setup, out)
    train_set = cfg.train_dataloader.dataset.dataset.to_dict()
    distiller = build_distiller(cfg, fixed_view=True, dataset=train_set)
    teacher = distiller.teachers['resnet18_w8']
    assert teacher.report()[0].startswith(f"FIXED VIEW store '{out}': 96 samples, records "
                                          'outputs (float16), 28 bytes per view')
    augmented = DATASETS.build(train_set)
    batch = distiller.data_preprocessor(pseudo_collate([augmented[i] for i in (5, 70)]), True)
    expected = TeacherStore(out).get('outputs', ['images/train/000005.png',
                                                 'images/train/000070.png'])
    np.testing.assert_array_equal(teacher(batch['inputs'], batch['data_samples'])['outputs'],
                                  expected)
    val_set = dict(train_set, ann_file='annotations/multilabel_val.json')
    with pytest.raises(KeyError, match=r"no rows for 48 sample id\(s\) of the training dataset: "
                                       r"'images/val/000000.png'"):
        build_distiller(cfg, fixed_view=True, dataset=val_set)  # found at build, not at step 3
    with pytest.raises(ValueError, match='holds 3 views per sample; a fixed view is one'):
        build_distiller(config(setup), fixed_view=True)


def test_view_independent_store_and_load_teacher_targets(setup):
    out = str(setup['work'] / 'any')
    assert extract('--out', out, '--view-independent', '--cfg-options', *setup['options'])
    store = TeacherStore(out)
    assert store.replay is None and store.fingerprint['view'] == 'any'
    teacher = build_distiller(config(setup, out)).teachers['resnet18_w8']
    assert teacher.report()[0].startswith(f"VIEW-INDEPENDENT store '{out}'")
    from mmpretrain.structures import DataSample
    transform = LoadTeacherTargets(out, records=dict(outputs='teacher_logits'))
    sample = DataSample(metainfo=dict(img_path=osp.join(setup['root'], 'images/train/000007.png')))
    result = transform(dict(inputs=torch.zeros(3), data_samples=sample))
    np.testing.assert_array_equal(result['data_samples'].teacher_logits.numpy(),
                                  store.get('outputs', ['images/train/000007.png'])[0])
    with pytest.raises(ValueError, match='holds the teacher\'s outputs on views of a pipeline'):
        LoadTeacherTargets(setup['store'], records=['outputs'])


def test_train_from_the_replay_store_with_tools_train(setup):
    work_dir = setup['work'] / 'train'
    run_tool(['tools/train.py', CONFIG, '--work-dir', str(work_dir), '--cfg-options',
              *setup['options'], f'{TEACHER}.store={setup["store"]}',
              f'train_dataloader.dataset.store={setup["store"]}', 'train_cfg.max_epochs=2',
              'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2'])
    log = open(next(work_dir.glob('*/*.log'))).read()
    assert f"[resnet18_w8] REPLAY store '{setup['store']}': 96 samples x 3 views" in log
    assert 'loss_kd' in log and 'multi-label/mAP' in log
    assert (work_dir / 'student_epoch_2.pth').is_file()
