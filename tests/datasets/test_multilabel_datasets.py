"""VOC 2007, COCO 2014 (L2D's json) and NUS-WIDE read from fixture files in their exact layouts."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmkd.datasets import COCO14_L2D_CLASSES, COCO14MultiLabel, NUSWide, VOC07MultiLabel


def write_image(path):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(path)


def write_text(path, text):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def voc_xml(objects):
    body = ''.join(f'\n  <object>\n    <name>{name}</name>\n    <difficult>{int(difficult)}'
                   '</difficult>\n  </object>' for name, difficult in objects)
    return f'<annotation>\n  <filename>x.jpg</filename>{body}\n</annotation>\n'


@pytest.fixture
def voc_root(tmp_path):
    root = tmp_path / 'VOCtrainval2007' / 'VOCdevkit' / 'VOC2007'
    annotations = {
        '000005': [('chair', False), ('chair', True), ('pottedplant', True)],
        '000007': [('car', False)],
        '000009': [('horse', False), ('person', False), ('person', True)],
    }
    for img_id, objects in annotations.items():
        write_image(str(root / 'JPEGImages' / f'{img_id}.jpg'))
        write_text(str(root / 'Annotations' / f'{img_id}.xml'), voc_xml(objects))
    write_text(str(root / 'ImageSets' / 'Main' / 'trainval.txt'), '000005\n000007\n000009\n')
    return str(root)


def test_voc_labels_with_and_without_difficult_positives(voc_root):
    dataset = VOC07MultiLabel(data_root=voc_root, split='trainval')
    classes = list(dataset.CLASSES)
    assert len(dataset) == 3 and classes[0] == 'aeroplane' and len(classes) == 20
    first = dataset.get_data_info(0)
    assert first['gt_label'] == [classes.index('chair')]
    assert first['gt_label_difficult'] == [classes.index('pottedplant')]
    assert dataset.get_data_info(2)['gt_label'] == sorted(
        [classes.index('horse'), classes.index('person')])
    parity = VOC07MultiLabel(data_root=voc_root, split='trainval', difficult_as_positive=True)
    assert parity.get_data_info(0)['gt_label'] == sorted(
        [classes.index('chair'), classes.index('pottedplant')])
    assert parity.get_data_info(0)['gt_label_difficult'] == []
    assert parity.get_data_info(0)['img_path'].endswith(osp.join('JPEGImages', '000005.jpg'))


def test_voc_errors_name_file_line_and_image(voc_root):
    broken = osp.join(voc_root, 'Annotations', '000007.xml')
    write_text(broken, '<annotation>\n  <object>\n    <name>car</name>\n  </objec>\n')
    with pytest.raises(ValueError, match=r'000007\.xml:4:'):
        VOC07MultiLabel(data_root=voc_root)
    write_text(broken, voc_xml([('car', False), ('spaceship', False)]))
    with pytest.raises(ValueError, match=r"000007\.xml: object #2 has class 'spaceship'"):
        VOC07MultiLabel(data_root=voc_root)
    write_text(broken, voc_xml([('car', False)]))
    os.remove(osp.join(voc_root, 'JPEGImages', '000009.jpg'))
    with pytest.raises(FileNotFoundError, match=r'000009\.jpg'):
        VOC07MultiLabel(data_root=voc_root)
    assert len(VOC07MultiLabel(data_root=voc_root, check_images=False)) == 3


@pytest.fixture
def coco_root(tmp_path):
    entries = [
        dict(file_name='COCO_val2014_000000000042.jpg', labels=[28]),
        dict(file_name='COCO_val2014_000000000073.jpg', labels=[44, 49, 49]),
    ]
    for entry in entries:
        write_image(str(tmp_path / 'val2014' / entry['file_name']))
    write_text(str(tmp_path / 'val_anno.json'), json.dumps(entries))
    return str(tmp_path)


def test_coco_reads_l2d_json_with_sorted_class_names(coco_root):
    dataset = COCO14MultiLabel(data_root=coco_root, ann_file='val_anno.json',
                               data_prefix='val2014')
    assert list(COCO14_L2D_CLASSES) == sorted(COCO14_L2D_CLASSES)
    assert len(set(COCO14_L2D_CLASSES)) == 80
    assert len(dataset) == 2
    assert [dataset.CLASSES[i] for i in dataset.get_data_info(0)['gt_label']] == ['dog']
    assert [dataset.CLASSES[i] for i in dataset.get_data_info(1)['gt_label']] == [
        'motorcycle', 'person']
    assert dataset.get_data_info(1)['img_path'] == osp.join(
        coco_root, 'val2014', 'COCO_val2014_000000000073.jpg')


def test_coco_errors_name_file_line_entry_and_image(coco_root):
    ann_file = osp.join(coco_root, 'val_anno.json')
    build = lambda: COCO14MultiLabel(data_root=coco_root, ann_file='val_anno.json',  # noqa: E731
                                     data_prefix='val2014')
    write_text(ann_file, '[\n{"file_name": "a.jpg", "labels": [1]},\n{"file_name": "b.jpg"\n]')
    with pytest.raises(ValueError, match=r'val_anno\.json:4:1: invalid JSON'):
        build()
    write_text(ann_file, json.dumps([dict(file_name='COCO_val2014_000000000042.jpg', labels=[1]),
                                     dict(file_name='c.jpg', labels=[80])]))
    with pytest.raises(ValueError, match=r'val_anno\.json: entry 1 \(c\.jpg\)'):
        build()
    write_text(ann_file, json.dumps([dict(file_name='missing.jpg', labels=[1])]))
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        build()


@pytest.fixture
def nus_root(tmp_path):
    concepts = ['airport', 'animal', 'beach']
    write_text(str(tmp_path / 'Concepts81.txt'), '\n'.join(concepts) + '\n')
    images = {'Train': ['actor\\0001_2124494179.jpg', 'airport\\0002_1.jpg', 'beach\\0003_2.jpg'],
              'Test': ['actor\\0004_3.jpg']}
    labels = {'Train': {'airport': '0\n1\n0\n', 'animal': '1\n1\n0\n', 'beach': '0 \n0\n0\n'},
              'Test': {'airport': '1\n', 'animal': '0\n', 'beach': '1\n'}}
    for split, names in images.items():
        write_text(str(tmp_path / 'ImageList' / f'{split}Imagelist.txt'),
                   '\r\n'.join(names) + '\r\n')
        for name in names:
            write_image(str(tmp_path / 'Flickr' / name.replace('\\', '/')))
        for concept, text in labels[split].items():
            write_text(str(tmp_path / 'TrainTestLabels' / f'Labels_{concept}_{split}.txt'), text)
    return str(tmp_path)


def test_nus_wide_aligns_lists_and_label_files(nus_root):
    train = NUSWide(data_root=nus_root, split='train')
    assert list(train.CLASSES) == ['airport', 'animal', 'beach']
    assert [train.get_data_info(i)['gt_label'] for i in range(3)] == [[1], [0, 1], []]
    assert train.get_data_info(0)['img_path'] == osp.join(nus_root, 'Flickr', 'actor',
                                                          '0001_2124494179.jpg')
    assert len(NUSWide(data_root=nus_root, split='train', drop_unlabeled=True)) == 2
    assert NUSWide(data_root=nus_root, split='test').get_data_info(0)['gt_label'] == [0, 2]


def test_nus_wide_errors_name_file_line_and_image(nus_root):
    label_file = osp.join(nus_root, 'TrainTestLabels', 'Labels_animal_Train.txt')
    write_text(label_file, '1\nx\n0\n')
    with pytest.raises(ValueError, match=r'Labels_animal_Train\.txt:2: expected 0 or 1'):
        NUSWide(data_root=nus_root)
    write_text(label_file, '1\n0\n')
    with pytest.raises(ValueError, match=r'Labels_animal_Train\.txt: 2 labels for the 3 images'):
        NUSWide(data_root=nus_root)
    write_text(label_file, '1\n1\n0\n')
    os.remove(osp.join(nus_root, 'Flickr', 'beach', '0003_2.jpg'))
    with pytest.raises(FileNotFoundError, match=r'beach/0003_2\.jpg'):
        NUSWide(data_root=nus_root)
