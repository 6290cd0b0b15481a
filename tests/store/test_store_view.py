"""The rule that decides between the store and the live teacher."""
import pytest

from mmkd.datasets import (describe_view, make_fingerprint, random_transforms,
                           store_view_decision)
from mmkd.datasets.store_fingerprint import file_identity

DETERMINISTIC = [dict(type='LoadImageFromFile'), dict(type='mmpretrain.ResizeEdge', scale=256),
                 dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]


def test_random_transforms_are_found_also_when_nested():
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='mmpretrain.RandomResizedCrop', scale=224),
                dict(type='RandomApply', transforms=[dict(type='ColorJitter')], prob=0.8),
                dict(type='AutoAugment', policies='imagenet'),
                dict(type='GaussianBlurLike', prob=0.3), dict(type='PackInputs')]
    assert random_transforms(pipeline) == ['RandomResizedCrop', 'RandomApply', 'ColorJitter',
                                           'AutoAugment', 'GaussianBlurLike']
    assert random_transforms(DETERMINISTIC) == []


def test_view_ignores_packing_and_scope():
    view = describe_view(DETERMINISTIC)
    assert [t['type'] for t in view] == ['LoadImageFromFile', 'ResizeEdge', 'CenterCrop']
    assert describe_view(view) == view  # idempotent: a stored view describes itself


def test_decision_table(tmp_path):
    stored = describe_view(DETERMINISTIC)
    assert store_view_decision('any', None, 's') == (
        True, 'the stored outputs do not depend on the view (extracted with view=any)')
    assert store_view_decision(stored, DETERMINISTIC, 's')[0]
    serve, reason = store_view_decision(stored, [dict(type='RandomFlip', prob=0.5)], 's')
    assert not serve and reason == 'the training view is random (RandomFlip)'
    with pytest.raises(ValueError, match=r"view.2.crop_size: stored 224, expected 256"):
        store_view_decision(stored, [*DETERMINISTIC[:2], dict(type='CenterCrop', crop_size=256)],
                            's')
    with pytest.raises(ValueError, match='give the training pipeline'):
        store_view_decision(stored, None, 's')


def test_fingerprint_names_files_by_content(tmp_path):
    checkpoint = tmp_path / 'teacher.pth'
    checkpoint.write_bytes(b'weights' * 1000)
    fingerprint = make_fingerprint(dict(type='T', checkpoint=str(checkpoint)), 'any')
    assert fingerprint['teacher']['checkpoint'] == file_identity(str(checkpoint))
    moved = tmp_path / 'elsewhere'
    moved.mkdir()
    (moved / 'teacher.pth').write_bytes(b'weights' * 1000)
    assert make_fingerprint(dict(type='T', checkpoint=str(moved / 'teacher.pth')), 'any') == \
        fingerprint
    (moved / 'teacher.pth').write_bytes(b'retrained' * 1000)
    assert make_fingerprint(dict(type='T', checkpoint=str(moved / 'teacher.pth')), 'any') != \
        fingerprint
    with pytest.raises(ValueError, match="or 'any'"):
        make_fingerprint(dict(type='T'), 'test_pipeline')
