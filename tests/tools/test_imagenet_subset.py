"""tools/dataset_converters/imagenet_subset.py: N random images per class, seeded, in order."""
import pytest

from mmkd_test_helpers import run_script

TOOL = 'tools/dataset_converters/imagenet_subset.py'


@pytest.fixture
def ann_file(tmp_path):
    lines = [f'n{label:04d}/img_{i:03d}.JPEG {label}' for label in range(4) for i in range(20)]
    path = tmp_path / 'train.txt'
    path.write_text('\n'.join(lines) + '\n')
    return str(path), lines


def test_per_class_subset_is_seeded_and_keeps_the_order(ann_file, tmp_path):
    path, lines = ann_file
    outs = []
    for name, seed in (('a', 0), ('b', 0), ('c', 1)):
        out = tmp_path / f'{name}.txt'
        run_script(TOOL, [path, str(out), '--per-class', '3', '--seed', str(seed)])
        outs.append(out.read_text().splitlines())
    kept = outs[0]
    assert len(kept) == 12 and [line.split()[1] for line in kept].count('2') == 3
    assert kept == sorted(kept, key=lines.index)  # input order
    assert outs[1] == kept and outs[2] != kept  # the seed decides


def test_a_class_with_too_few_images_is_named(ann_file, tmp_path):
    path, _ = ann_file
    with pytest.raises(ValueError, match='label 0 has 20 images, fewer than --per-class 21'):
        run_script(TOOL, [path, str(tmp_path / 'x.txt'), '--per-class', '21'])
