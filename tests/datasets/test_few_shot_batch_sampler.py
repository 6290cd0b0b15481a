"""FewShotBatchSampler: Li et al.'s few-shot batches (64 ID images + 64 shots), via the runner."""
import os
import os.path as osp
from collections import Counter

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmkd  # noqa: F401
from mmkd.datasets import FewShotBatchSampler

NUM_ID, NUM_OOD, ID_IMAGES, SHOT_FILES = 3, 20, 150, 6


@pytest.fixture(scope='module')
def split_root(tmp_path_factory):
    """train/ (3 ID classes, 150 images) and val/ (20 OOD classes, 6 images each): 100 shots."""
    root = tmp_path_factory.mktemp('few_shot')
    for prefix, classes, per_class in (('train', NUM_ID, ID_IMAGES // NUM_ID),
                                       ('val', NUM_OOD, SHOT_FILES)):
        for c in range(classes):
            os.makedirs(root / prefix / f'class_{c:02d}')
            for i in range(per_class):
                cv2.imwrite(str(root / prefix / f'class_{c:02d}' / f'{i:03d}.png'),
                            np.full((4, 4, 3), i, np.uint8))
    return str(root)


def dataloader(root, seed=0):
    init_default_scope('mmpretrain')
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    parts = [
        dict(label_set='all', dataset=dict(type='CustomDataset', data_root=root,
                                           data_prefix='train', pipeline=pipeline)),
        dict(label_set='all', label_offset=NUM_ID, dataset=dict(
            type='mmkd.FewShotDataset', shots=5, part='support', data_root=root,
            data_prefix='val', pipeline=pipeline)),
    ]
    # the keys of configs/vlm_ood/few-shot-5_*.py, through MMEngine's own dataloader builder
    return Runner.build_dataloader(dict(
        batch_size=64, num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_sampler=dict(type='mmkd.FewShotBatchSampler', num_shots=64),
        dataset=dict(type='mmkd.LabelSetDataset', parts=parts)), seed=seed)


def test_every_batch_is_64_id_images_and_64_distinct_shots(split_root):
    loader = dataloader(split_root)
    batches = list(loader)
    assert len(batches) == len(loader) == 3  # one pass over the 150 ID images: 64 + 64 + 22
    id_seen = Counter()
    for number, batch in enumerate(batches):
        labels = [int(sample.gt_label) for sample in batch['data_samples']]
        paths = [sample.img_path for sample in batch['data_samples']]
        id_paths = [p for p, label in zip(paths, labels) if label < NUM_ID]
        shot_paths = [p for p, label in zip(paths, labels) if label >= NUM_ID]
        assert len(id_paths) == (64 if number < 2 else ID_IMAGES - 128)
        assert len(shot_paths) == 64 == len(set(shot_paths))  # without replacement in a batch
        assert all(osp.basename(p) < f'{5:03d}' for p in shot_paths)  # only the 5 first files
        id_seen.update(id_paths)
    assert len(id_seen) == ID_IMAGES and set(id_seen.values()) == {1}
    assert max(labels) < NUM_ID + NUM_OOD


def test_shots_are_drawn_afresh_per_batch_and_epoch(split_root):
    loader = dataloader(split_root)
    sampler = loader.batch_sampler
    first = list(sampler)
    assert first == list(sampler)  # the same epoch replays the same batches
    assert set(first[0][64:]) != set(first[1][64:])
    sampler.sampler.set_epoch(1)  # what DistSamplerSeedHook does each epoch
    second = list(sampler)
    assert second != first
    assert sorted(i for batch in second for i in batch if i < ID_IMAGES) == list(range(ID_IMAGES))


def test_ranks_split_the_id_images_and_keep_full_shot_batches(split_root, monkeypatch):
    dataset = dataloader(split_root).dataset
    from mmengine.dataset import DefaultSampler
    batches = {}
    for rank in (0, 1):
        monkeypatch.setattr('mmkd.datasets.few_shot_dataset.get_dist_info', lambda: (rank, 2))
        sampler = FewShotBatchSampler(DefaultSampler(dataset, seed=0), 64, num_shots=64)
        batches[rank] = list(sampler)
        assert len(sampler) == len(batches[rank]) == 2  # 75 ID images a rank: 64 + 11
        assert all(len(batch) - 64 == min(64, 75 - 64 * i) for i, batch in enumerate(batches[rank]))
    id_images = [i for rank in (0, 1) for batch in batches[rank] for i in batch[:-64]]
    assert sorted(id_images) == list(range(ID_IMAGES))


def test_wrong_datasets_are_refused(split_root):
    from mmengine.dataset import DefaultSampler
    dataset = dataloader(split_root).dataset
    with pytest.raises(TypeError, match='ConcatDataset'):
        FewShotBatchSampler(DefaultSampler(dataset.datasets[0]), 64)
    with pytest.raises(ValueError, match='must be >= 1'):
        FewShotBatchSampler(DefaultSampler(dataset), 64, num_shots=0)
