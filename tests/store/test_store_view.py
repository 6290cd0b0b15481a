"""The fingerprint: views described independently of packing, scopes and tuple/list; files named by
content; the name list of random transforms (reported beside the behaviour probe)."""
import pytest

from mmkd.store import describe_view, file_identity, make_fingerprint, random_transforms

DETERMINISTIC = [dict(type='LoadImageFromFile'), dict(type='mmpretrain.ResizeEdge', scale=256),
                 dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]


def test_random_transforms_by_name_are_found_also_when_nested():
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
    assert describe_view([dict(type='Resize', scale=(32, 32)), dict(type='PackInputs')]) == \
        describe_view([dict(type='Resize', scale=[32, 32]), dict(type='PackInputs')])


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
