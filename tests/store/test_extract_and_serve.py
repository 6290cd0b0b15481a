"""The extraction tool (resume after SIGKILL, shards), StoreTeacher and LoadTeacherTargets, and a
KnowledgeDistiller trained from a store through tools/train.py."""
import filecmp
import importlib.util
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmkd.datasets import LoadTeacherTargets, TeacherStore
from mmkd.registry import MODELS, build_mmkd_module

# tests/makd has a conftest.py too, so `from conftest import ...` may find that one: load ours.
TESTS = osp.dirname(osp.dirname(osp.abspath(__file__)))
_spec = importlib.util.spec_from_file_location('mmkd_tests_conftest', osp.join(TESTS, 'conftest.py'))
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
REPO, run_tool = _conftest.REPO, _conftest.run_tool

CONFIG = osp.join(REPO, 'configs/teacher_store/'
                  'kd_resnet18-w8-store_resnet18-w4_fashion-tiles-multilabel.py')
TEACHER_CONFIG = osp.join(REPO, 'configs/teacher_store/'
                          'resnet18-w8_fashion-tiles-multilabel_teacher.py')
TOOL = osp.join(REPO, 'tools/extract_teacher_outputs.py')


def extract(*args):
    """Run the tool in this process (fast); it prints its own progress."""
    sys.path.insert(0, osp.join(REPO, 'tools'))
    from extract_teacher_outputs import extract as run, parse_args
    return run(parse_args([CONFIG, *map(str, args)]))


@pytest.fixture(scope='module')
def setup(fashion_tiles_root, tmp_path_factory):
    """A (random-init, saved) teacher checkpoint and the options that point the config at it."""
    work = tmp_path_factory.mktemp('store_tool')
    init_default_scope('mmpretrain')
    teacher = MODELS.build(Config.fromfile(TEACHER_CONFIG).model.to_dict())
    checkpoint = str(work / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), checkpoint)
    options = [f'data_root={fashion_tiles_root}',
               f'train_dataloader.dataset.data_root={fashion_tiles_root}',
               f'val_dataloader.dataset.data_root={fashion_tiles_root}',
               f'test_dataloader.dataset.data_root={fashion_tiles_root}',
               f'model.teachers.resnet18_w8.teacher.checkpoint={checkpoint}']
    store = str(work / 'store')
    extract('--out', store, '--batch-size', 16, '--cfg-options', *options)
    return dict(work=work, options=options, store=store, checkpoint=checkpoint,
                root=fashion_tiles_root)


def same_files(a, b):
    names = ['ids.txt', 'outputs.npy']
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def test_store_holds_every_training_image(setup):
    store = TeacherStore(setup['store'])
    assert len(store) == 96 and store.ids[0] == 'images/train/000000.png'
    assert store.records == dict(outputs=dict(shape=[10], dtype='float32'))
    assert store.fingerprint['view'] == [dict(type='LoadImageFromFile')]
    assert store.fingerprint['teacher']['checkpoint']['file'] == 'teacher.pth'
    assert store.meta['info']['data_root'] == setup['root']


def test_resume_after_sigkill_equals_uninterrupted(setup):
    out = str(setup['work'] / 'killed')
    args = [TOOL, CONFIG, '--out', out, '--batch-size', '4', '--cfg-options', *setup['options']]
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    meta_file = osp.join(out, 'meta.json')
    try:
        deadline = time.time() + 120
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
    # resume (in this process, with another batch size)
    assert extract('--out', out, '--batch-size', 8, '--cfg-options', *setup['options'])
    assert TeacherStore(out).ids == TeacherStore(setup['store']).ids
    assert same_files(setup['store'], out)


def test_max_samples_then_resume_and_shards_merge(setup):
    out = str(setup['work'] / 'stepwise')
    assert not extract('--out', out, '--max-samples', 40, '--cfg-options', *setup['options'])
    assert extract('--out', out, '--cfg-options', *setup['options'])
    assert same_files(setup['store'], out)

    sharded = str(setup['work'] / 'sharded')
    for index in range(3):
        extract('--out', sharded, '--shard', f'{index}/3', '--batch-size', 7,
                '--cfg-options', *setup['options'])
    assert extract('--out', sharded, '--merge', 3, '--cfg-options', *setup['options'])
    assert same_files(setup['store'], sharded)


def test_changed_teacher_is_refused(setup):
    other = str(setup['work'] / 'other.pth')
    state = torch.load(setup['checkpoint'])
    state['state_dict']['head.fc.bias'] += 1
    torch.save(state, other)
    cfg = Config.fromfile(CONFIG).model.teachers.resnet18_w8.to_dict()
    cfg.update(store=setup['store'], teacher=dict(cfg['teacher'], checkpoint=other))
    with pytest.raises(ValueError, match=r'teacher.checkpoint.sha256: stored'):
        build_mmkd_module(cfg)
    with pytest.raises(ValueError, match='cannot resume'):
        extract('--out', setup['store'], '--cfg-options', *setup['options'][:-1],
                f'model.teachers.resnet18_w8.teacher.checkpoint={other}')


def build_distiller(setup, **teacher_options):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(dict(a.split('=', 1) for a in setup['options']))
    teacher = cfg.model.teachers.resnet18_w8
    teacher.update(store=setup['store'], **teacher_options)
    model = cfg.model.to_dict()
    model['student']['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    init_default_scope('mmpretrain')
    return MODELS.build(model), cfg


def test_store_teacher_serves_what_the_live_teacher_computes(setup):
    distiller, cfg = build_distiller(setup)
    store_teacher = distiller.teachers['resnet18_w8']
    assert store_teacher.live is None and 'STORE' in store_teacher.report()[0]
    assert not list(store_teacher.parameters())  # nothing loaded

    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    data = distiller.data_preprocessor(pseudo_collate([dataset[i] for i in (5, 70, 3)]))
    served = store_teacher(data['inputs'], data['data_samples'])['outputs']
    live = build_mmkd_module(cfg.model.teachers.resnet18_w8.teacher)
    live.adapt_inputs(store_teacher_norm(distiller))
    torch.testing.assert_close(served, live(data['inputs'], data['data_samples'])['outputs'],
                               rtol=1e-5, atol=1e-5)

    for sample in data['data_samples']:
        sample.set_metainfo(dict(img_path=osp.join(setup['root'], 'images/val/000001.png')))
    with pytest.raises(KeyError, match=r"3 sample id\(s\): 'images/val/000001.png'"):
        store_teacher(data['inputs'], data['data_samples'])


def store_teacher_norm(distiller):
    from mmkd.models.teachers import read_normalization
    return read_normalization(distiller.data_preprocessor)


def test_random_training_view_runs_the_live_teacher(setup):
    random_view = [dict(type='LoadImageFromFile'), dict(type='RandomFlip', prob=0.5),
                   dict(type='PackInputs')]
    distiller, _ = build_distiller(setup, pipeline=random_view)
    teacher = distiller.teachers['resnet18_w8']
    assert teacher.live is not None
    assert teacher.report()[0].startswith('LIVE teacher') and 'RandomFlip' in teacher.report()[0]
    assert not any(p.requires_grad for p in teacher.parameters())
    with pytest.raises(ValueError, match='Give the live `teacher`'):
        build_distiller(setup, pipeline=random_view, teacher=None)
    resized = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=32)]
    with pytest.raises(ValueError, match=r'another view.*\n  view.1.scale: stored \(absent\)'):
        build_distiller(setup, pipeline=resized)


def test_load_teacher_targets(setup):
    from mmpretrain.structures import DataSample
    transform = LoadTeacherTargets(setup['store'], records=dict(outputs='teacher_logits'),
                                   view=[dict(type='LoadImageFromFile')])
    sample = DataSample(metainfo=dict(img_path=osp.join(setup['root'], 'images/train/000007.png')))
    out = transform(dict(inputs=torch.zeros(3), data_samples=sample))
    expected = TeacherStore(setup['store']).get('outputs', ['images/train/000007.png'])[0]
    np.testing.assert_array_equal(out['data_samples'].teacher_logits.numpy(), expected)
    with pytest.raises(ValueError, match=r'random \(RandomFlip\)'):
        LoadTeacherTargets(setup['store'], records=['outputs'],
                           view=[dict(type='LoadImageFromFile'), dict(type='RandomFlip')])
    with pytest.raises(ValueError, match='give the training pipeline'):
        LoadTeacherTargets(setup['store'], records=['outputs'])


def test_train_from_the_store_with_tools_train(setup):
    work_dir = setup['work'] / 'train'
    run_tool(['tools/train.py', CONFIG, '--work-dir', str(work_dir), '--cfg-options',
              *setup['options'], f'model.teachers.resnet18_w8.store={setup["store"]}',
              'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
              'default_hooks.checkpoint.interval=2'])
    log = open(next(work_dir.glob('*/*.log'))).read()
    assert f"[resnet18_w8] STORE '{setup['store']}': 96 samples" in log
    assert 'loss_kd' in log and 'multi-label/mAP' in log
    assert (work_dir / 'student_epoch_2.pth').is_file()
