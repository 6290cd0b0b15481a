"""Fault table, MaKD targets: targets are checked when the pipeline is built (length, finite,
in [0, 1], naming file, sample and value), a sample without targets fails before the first
iteration, and a corrupt targets file is named."""
import glob
import json
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmkd.store import TeacherStoreWriter
from mmkd.datasets.transforms import LoadAspectTargets

Q = 5


def write_targets(path, table) -> str:
    with open(path, 'w') as f:
        json.dump(table, f)
    return str(path)


def good_table(n=8):
    rng = np.random.RandomState(0)
    return {f'index:{i}': rng.rand(Q).round(4).tolist() for i in range(n)}


@pytest.mark.parametrize('change, message', [
    (lambda t: t.update({'index:3': t['index:3'][:4]}),
     r"every sample needs 5 values \(most samples\); \['index:3'\] have 4"),
    (lambda t: t['index:5'].__setitem__(2, float('nan')),
     r"sample 'index:5' has value nan at question #2; .*finite, in \[0, 1\]"),
    (lambda t: t['index:6'].__setitem__(0, 1.7), r"sample 'index:6' has value 1.7 at question #0"),
    (lambda t: t['index:1'].__setitem__(4, -0.2), r"sample 'index:1' has value -0.2"),
    (lambda t: t.update({'index:2': [True, False, True, True, False]}),
     r"sample 'index:2' is not a list of numbers"),
])
def test_bad_targets_are_refused_when_built(tmp_path, change, message):
    table = good_table()
    change(table)
    path = write_targets(tmp_path / 'targets.json', table)
    with pytest.raises(ValueError, match=rf"MaKD aspect targets '{path}': {message}"):
        LoadAspectTargets(path, key='sample_id')


def test_the_expected_number_of_questions_is_checked(tmp_path):
    path = write_targets(tmp_path / 'targets.json', good_table())
    with pytest.raises(ValueError, match=r'every sample needs 6 values \(num_aspects\); '
                                         r"\['index:0', 'index:1', 'index:2'\] have 5"):
        LoadAspectTargets(path, key='sample_id', num_aspects=6)


def test_a_corrupt_targets_file_is_named(tmp_path):
    path = tmp_path / 'multi-aspect-logits.json'
    path.write_text('{"index:0": [0.1, 0.2')
    with pytest.raises(ValueError, match=rf"MaKD aspect targets '{path}' is not valid JSON"):
        LoadAspectTargets(str(path), key='sample_id')


def test_a_store_with_a_nan_target_is_refused(tmp_path):
    probs = np.random.RandomState(0).rand(4, Q).astype(np.float32)
    probs[2, 3] = np.nan
    store = str(tmp_path / 'teacher_store')
    with TeacherStoreWriter(store, 4, dict(teacher='MaKD aspect answers', view='any')) as writer:
        writer.write([f'index:{i}' for i in range(4)], dict(aspect_probs=probs))
    with pytest.raises(ValueError, match=rf"MaKD aspect targets '{store}': sample 'index:2' has "
                                         'value nan at question #3'):
        LoadAspectTargets(store)


def test_a_sample_without_targets_fails_before_the_first_iteration(tmp_path, fashion_mnist_root):
    table = good_table(16)
    del table['index:11']
    targets = write_targets(tmp_path / 'targets.json', table)
    cfg = Config(dict(
        default_scope='mmpretrain', work_dir=str(tmp_path / 'work'),
        custom_imports=dict(imports=['mmkd'], allow_failed_imports=False),
        model=dict(type='ImageClassifier',
                   data_preprocessor=dict(num_classes=10, mean=[72.9], std=[90.0]),
                   backbone=dict(type='LeNet5', num_classes=-1),
                   neck=dict(type='GlobalAveragePooling'),
                   head=dict(type='mmkd.AspectClsHead', num_classes=10, num_aspects=Q,
                             in_channels=120, loss=dict(type='CrossEntropyLoss'),
                             aspect_loss=dict(type='AspectBCELoss', loss_weight=4.0))),
        train_dataloader=dict(
            batch_size=8, num_workers=0, persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='FashionMNIST', data_root=fashion_mnist_root, indices=16,
                         pipeline=[dict(type='Resize', scale=(32, 32)), dict(type='PackInputs'),
                                   dict(type='mmkd.LoadAspectTargets', source=targets,
                                        key='sample_id')])),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='mmkd.TargetCoverageHook')]))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(KeyError, match=r"1 of the 16 samples of train_dataloader have no targets "
                                       r".*targets\.json.*\['index:11'\]"):
        runner.train()
    log = open(glob.glob(osp.join(str(tmp_path / 'work'), '*', '*.log'))[0]).read()
    assert 'Epoch(train)' not in log  # not one iteration ran
