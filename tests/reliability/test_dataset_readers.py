"""Fault table, dataset readers (VOC07 / COCO14 / NUS-WIDE in L2D's layouts): list files that would
drop, rename or duplicate samples, duplicate COCO entries and a boolean COCO label are refused
with file and line (or entry), instead of being read as something else."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmkd.datasets import COCO14MultiLabel, NUSWide, VOC07MultiLabel

IDS = ['000005', '000007', '000009']


def write(path, text):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(text)


def image(path):
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(path)


@pytest.fixture
def voc_root(tmp_path):
    root = tmp_path / 'VOC2007'
    for img_id in IDS:
        image(root / 'JPEGImages' / f'{img_id}.jpg')
        write(root / 'Annotations' / f'{img_id}.xml',
              '<annotation><object><name>car</name><difficult>0</difficult></object>'
              '</annotation>\n')
    return root


@pytest.mark.parametrize('text, line, problem', [
    ('000005\n000007\n000005\n', 3, "entry '000005' repeats line 1"),
    ('000005\n\n000007\n', 2, 'has a blank line'),
    ('000005\n000007 \n', 2, "entry '000007 ' has leading or trailing whitespace"),
    ('000005  1\n000007\n', 1, "entry '000005  1' has 2 columns"),
])
def test_voc_list_problems_are_refused_with_file_and_line(voc_root, text, line, problem):
    listing = voc_root / 'ImageSets' / 'Main' / 'trainval.txt'
    write(listing, text)
    with pytest.raises(ValueError, match=rf'{listing}:{line}: VOC image list {problem}'):
        VOC07MultiLabel(data_root=str(voc_root), split='trainval')


def test_voc_list_with_windows_line_ends_and_final_blank_lines_is_read(voc_root):
    write(voc_root / 'ImageSets' / 'Main' / 'trainval.txt', '000005\r\n000009\r\n\r\n')
    assert len(VOC07MultiLabel(data_root=str(voc_root), split='trainval')) == 2


@pytest.fixture
def coco_root(tmp_path):
    for name in ('COCO_val2014_000000000042.jpg', 'COCO_val2014_000000000073.jpg'):
        image(tmp_path / 'val2014' / name)
    return tmp_path


def build_coco(root, entries):
    write(root / 'val_anno.json', json.dumps(entries))
    return COCO14MultiLabel(data_root=str(root), ann_file='val_anno.json', data_prefix='val2014')


def test_coco_duplicate_file_names_are_refused(coco_root):
    with pytest.raises(ValueError, match=r"val_anno\.json: entries 0 and 2 both list "
                                         r"'COCO_val2014_000000000042\.jpg'"):
        build_coco(coco_root, [dict(file_name='COCO_val2014_000000000042.jpg', labels=[1]),
                               dict(file_name='COCO_val2014_000000000073.jpg', labels=[2]),
                               dict(file_name='COCO_val2014_000000000042.jpg', labels=[3])])


def test_coco_label_true_is_not_class_1(coco_root):
    with pytest.raises(ValueError, match=r'val_anno\.json: entry 1 \(COCO_val2014_000000000073\.'
                                         r'jpg\) must be .*"labels": \[true, 4\]'):
        build_coco(coco_root, [dict(file_name='COCO_val2014_000000000042.jpg', labels=[1]),
                               dict(file_name='COCO_val2014_000000000073.jpg', labels=[True, 4])])


@pytest.fixture
def nus_root(tmp_path):
    write(tmp_path / 'Concepts81.txt', 'airport\nbeach\n')
    for split, names in (('Train', ['actor\\0001_1.jpg', 'beach\\0002_2.jpg']),
                         ('Test', ['actor\\0003_3.jpg'])):
        for name in names:
            image(tmp_path / 'Flickr' / name.replace('\\', '/'))
        for concept in ('airport', 'beach'):
            write(tmp_path / 'TrainTestLabels' / f'Labels_{concept}_{split}.txt',
                  '0\n' * len(names))
    return tmp_path


@pytest.mark.parametrize('text, line, problem', [
    ('actor\\0001_1.jpg\r\nactor\\0001_1.jpg\r\n', 2, r"entry 'actor\\\\0001_1\.jpg' repeats "
                                                      'line 1'),
    ('actor\\0001_1.jpg\n\nbeach\\0002_2.jpg\n', 2, 'has a blank line'),
    ('actor\\0001_1.jpg \nbeach\\0002_2.jpg\n', 1, 'entry .* has leading or trailing whitespace'),
    ('actor\\0001_1.jpg 1\nbeach\\0002_2.jpg 0\n', 1, 'entry .* has 2 columns'),
])
def test_nus_wide_list_problems_are_refused_with_file_and_line(nus_root, text, line, problem):
    listing = nus_root / 'ImageList' / 'TrainImagelist.txt'
    write(listing, text)
    with pytest.raises(ValueError, match=rf'{listing}:{line}: NUS-WIDE image list {problem}'):
        NUSWide(data_root=str(nus_root), split='train')


def test_nus_wide_well_formed_lists_are_read(nus_root):
    write(nus_root / 'ImageList' / 'TrainImagelist.txt',
          'actor\\0001_1.jpg\r\nbeach\\0002_2.jpg\r\n')
    assert len(NUSWide(data_root=str(nus_root), split='train')) == 2
