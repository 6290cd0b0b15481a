"""Replay: randomness found by behaviour, unreplayable transforms named, hash mismatches refused,
Mixup/CutMix replayed with the teacher's outputs on the mixed view, build-time checks of the
wrapper. Real Fashion-MNIST images, mmpretrain's own transforms, a tiny real teacher."""
import random

import numpy as np
import pytest
import torch
from mmcv.transforms import BaseTransform
from mmengine.dataset import pseudo_collate
from mmengine.registry import TRANSFORMS, init_default_scope

from mmkd.datasets import TeacherReplayDataset
from mmkd.models.teachers import StoreTeacher, read_normalization
from mmkd.registry import build_mmkd_module
from mmkd.store import (ReplayError, SampleMixing, TeacherStore, probe_pipeline,
                        random_transforms, seeded)
from mmkd.store.extraction import extract_store
from replay_data import RANDOM_PIPELINE, ArrayDataset, fashion_images, preprocessor, teacher_config

PACK = dict(type='mmpretrain.PackInputs')
MIXING = dict(augments=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)],
              probs=[0.4, 0.4])


@TRANSFORMS.register_module(force=True)
class ShiftPixels(BaseTransform):
    """A user's own random transform, drawing from NumPy's global generator."""

    def transform(self, results):
        results['img'] = np.roll(results['img'], np.random.randint(1, 5), axis=1)
        return results


@TRANSFORMS.register_module(force=True)
class OwnGeneratorNoise(BaseTransform):
    """Draws from a generator of its own, seeded by the OS: cannot be replayed."""

    def transform(self, results):
        noise = np.random.default_rng().integers(0, 3, results['img'].shape, dtype=np.uint8)
        results['img'] = results['img'] + noise
        return results


@TRANSFORMS.register_module(force=True)
class AddOffset(BaseTransform):
    """Deterministic, but its code can change between extraction and training (``offset``)."""

    offset = 0

    def transform(self, results):
        results['img'] = results['img'] + np.uint8(self.offset)
        return results


@pytest.fixture(scope='module')
def data(fashion_mnist_root, tmp_path_factory):
    init_default_scope('mmpretrain')
    images, labels = fashion_images(fashion_mnist_root, 24)
    return dict(images=images, labels=labels, work=tmp_path_factory.mktemp('replay'))


def dataset(data, pipeline):
    return ArrayDataset(data['images'], data['labels'], pipeline)


def test_randomness_around_a_seeded_view_does_not_depend_on_its_seed():
    def around(view_seed):
        random.seed(5), np.random.seed(5), torch.manual_seed(5)
        with seeded(view_seed):
            inside = random.random(), np.random.rand(), torch.rand(1).item()
        return inside, (random.random(), np.random.rand(), torch.rand(1).item())

    inside_a, after_a = around(123)
    inside_b, after_b = around(999)
    assert after_a == after_b and inside_a != inside_b
    assert around(123)[0] == inside_a and inside_a != after_a


@pytest.mark.parametrize('transform', [
    dict(type='mmpretrain.Cutout', shape=8, prob=1.0),
    dict(type='mmpretrain.Rotate', angle=30.0, prob=1.0, random_negative_prob=0.5),
    dict(type='mmpretrain.Brightness', magnitude=0.5, prob=1.0, random_negative_prob=0.5),
    dict(type='mmpretrain.EfficientNetRandomCrop', scale=24, crop_padding=0),
    dict(type='ShiftPixels'),
], ids=lambda t: t['type'].split('.')[-1])
def test_random_transforms_are_found_by_behaviour_where_names_miss_them(data, transform):
    pipeline = [transform, PACK]
    if transform['type'] != 'mmpretrain.EfficientNetRandomCrop':  # its name says "Random"
        assert random_transforms(pipeline) == []
    assert probe_pipeline(dataset(data, pipeline), [0, 5, 11])


def test_a_deterministic_pipeline_is_found_deterministic(data):
    pipeline = [dict(type='mmpretrain.Rotate', angle=30.0, prob=1.0, random_negative_prob=0.0),
                dict(type='mmpretrain.ResizeEdge', scale=24), PACK]
    assert not probe_pipeline(dataset(data, pipeline), [0, 5, 11])


def test_a_transform_with_its_own_generator_is_refused_by_name(data):
    pipeline = [dict(type='mmpretrain.RandomFlip', prob=0.5), dict(type='OwnGeneratorNoise'),
                PACK]
    with pytest.raises(ReplayError, match=r'transform #1 OwnGeneratorNoise draws from a source'):
        probe_pipeline(dataset(data, pipeline), [0])
    with pytest.raises(ReplayError, match='OwnGeneratorNoise'):
        extract_store(str(data['work'] / 'never'), dataset(data, pipeline), pipeline,
                      teacher_config(str(data['work'])), preprocessor(), views=2,
                      progress=False)


def test_a_view_that_does_not_replay_is_refused_naming_sample_and_transforms(data):
    pipeline = [dict(type='AddOffset'), *RANDOM_PIPELINE]
    path = str(data['work'] / 'offset')
    assert extract_store(path, dataset(data, pipeline), pipeline,
                         teacher_config(str(data['work'])), preprocessor(), views=2,
                         progress=False)
    replay = TeacherReplayDataset(dataset(data, pipeline), path)
    replay.set_epoch(1)
    replay[3]  # replays
    AddOffset.offset = 1  # the transform's code changed after extraction
    try:
        with pytest.raises(ReplayError) as error:
            replay[3]
    finally:
        AddOffset.offset = 0
    message = str(error.value)
    assert "sample 'index:3' (index 3, view 1" in message and path in message
    assert '[AddOffset, RandomResizedCrop, RandomFlip, PackInputs]' in message


def test_mixup_and_cutmix_replay_with_the_teacher_output_on_the_mixed_view(data):
    path = str(data['work'] / 'mixed')
    teacher_cfg = teacher_config(str(data['work']))
    assert extract_store(path, dataset(data, RANDOM_PIPELINE), RANDOM_PIPELINE, teacher_cfg,
                         preprocessor(), views=4, mixing=SampleMixing(**MIXING), progress=False)
    store = TeacherStore(path)
    kinds = np.asarray(store.encoded('mix.kind', slice(None)))
    assert set(kinds.ravel().tolist()) == {0, 1, 2}  # none, Mixup and CutMix all drawn
    replay = TeacherReplayDataset(dataset(data, RANDOM_PIPELINE), path, batch_augments=MIXING)
    student_preprocessor = preprocessor()
    live = build_mmkd_module(teacher_cfg)
    live.adapt_inputs(read_normalization(student_preprocessor))
    store_teacher = StoreTeacher(path, teacher=teacher_cfg)
    for epoch in range(4):
        replay.set_epoch(epoch)
        batch = pseudo_collate([replay[i] for i in range(len(replay))])
        samples = batch['data_samples']
        for i, sample in enumerate(samples):
            params = store.view_params(i, epoch)['mix']
            score = sample.gt_score
            assert score.sum() == pytest.approx(1.0, abs=1e-6)
            assert score[int(sample.gt_label)] >= params.lam - 1e-6  # λ of its own label at least
        data_batch = student_preprocessor(batch, training=False)
        with torch.no_grad():
            expected = live(data_batch['inputs'])['outputs']
        served = store_teacher(data_batch['inputs'], data_batch['data_samples'])['outputs']
        torch.testing.assert_close(served, expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match='batch_augments differ'):
        TeacherReplayDataset(dataset(data, RANDOM_PIPELINE), path,
                             batch_augments=dict(augments=[dict(type='Mixup', alpha=0.2)]))
    with pytest.raises(ValueError, match='batch_augments differ'):
        TeacherReplayDataset(dataset(data, RANDOM_PIPELINE), path)


def test_the_wrapper_checks_ids_and_pipeline_when_built(data):
    path = str(data['work'] / 'small')
    small = ArrayDataset(data['images'][:10], data['labels'][:10], RANDOM_PIPELINE)
    assert extract_store(path, small, RANDOM_PIPELINE, teacher_config(str(data['work'])),
                         preprocessor(), views=2, progress=False)
    config = dict(type='ArrayDataset', images=data['images'], labels=data['labels'],
                  pipeline=RANDOM_PIPELINE)
    with pytest.raises(KeyError, match=r"no rows for 14 sample id\(s\) of the training dataset "
                                       r"\(TeacherReplayDataset\): 'index:10', 'index:11'"):
        TeacherReplayDataset(dataset(data, RANDOM_PIPELINE), path)
    from mmengine.registry import DATASETS
    DATASETS.register_module(module=ArrayDataset, force=True)
    other = dict(config, images=data['images'][:10], labels=data['labels'][:10],
                 pipeline=[dict(type='mmpretrain.RandomFlip', prob=0.5), PACK])
    with pytest.raises(ValueError, match=r'pipeline is not the one.*\n  0.crop_ratio_range'):
        TeacherReplayDataset(other, path)
    replay = TeacherReplayDataset(dict(other, pipeline=RANDOM_PIPELINE), path,
                                  view_order='random')
    picks = [[replay.view_of(row, epoch) for row in range(10)] for epoch in range(4)]
    assert picks == [[replay.view_of(row, epoch) for row in range(10)] for epoch in range(4)]
    assert {v for epoch in picks for v in epoch} == {0, 1}


def test_in_memory_parts_of_a_concat_dataset_get_their_own_ids(data):
    """Two Fashion-MNIST subsets both number their samples from 0: part-qualified in the store,
    and refused for serving by sample id, where they would collide."""
    from mmengine.dataset import ConcatDataset
    parts = ConcatDataset([ArrayDataset(data['images'][:6], data['labels'][:6], RANDOM_PIPELINE),
                           ArrayDataset(data['images'][6:], data['labels'][6:], RANDOM_PIPELINE)])
    path = str(data['work'] / 'parts')
    assert extract_store(path, parts, RANDOM_PIPELINE, teacher_config(str(data['work'])),
                         preprocessor(), progress=False)
    assert TeacherStore(path).ids[5:7] == ['part0/index:5', 'part1/index:0']
    replay = TeacherReplayDataset(parts, path)
    assert replay[6]['data_samples'].stored_teacher_outputs  # served through the wrapper
    with pytest.raises(ValueError, match="share the id 'index:0'.*TeacherReplayDataset"):
        StoreTeacher(path, fixed_view=True, dataset=parts)
