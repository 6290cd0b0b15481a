"""The Fashion-tile sets are exact and load in mmdet, mmseg and mmpretrain as they are."""
import json
import os.path as osp

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils


def test_annotations_agree_with_pixels(fashion_tiles_root):
    coco = json.load(open(osp.join(fashion_tiles_root, 'annotations/instances_val.json')))
    multilabel = json.load(open(osp.join(fashion_tiles_root, 'annotations/multilabel_val.json')))
    by_image = {}
    for ann in coco['annotations']:
        by_image.setdefault(ann['image_id'], []).append(ann)
    for image, entry in zip(coco['images'], multilabel['data_list']):
        seg = np.array(Image.open(osp.join(fashion_tiles_root, 'seg', image['file_name'])))
        picture = np.array(Image.open(osp.join(fashion_tiles_root, 'images',
                                               image['file_name'])))
        anns = by_image[image['id']]
        assert 1 <= len(anns) <= 4
        rebuilt = np.zeros_like(seg)
        for ann in anns:
            mask = mask_utils.decode(ann['segmentation']).astype(bool)
            assert mask.sum() == ann['area']
            x, y, w, h = ann['bbox']
            ys, xs = np.nonzero(mask)
            assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x, y, x + w, y + h)
            assert (rebuilt[mask] == 0).all(), 'instances must not overlap'
            rebuilt[mask] = ann['category_id']
        np.testing.assert_array_equal(rebuilt, seg)
        assert ((picture[..., 0] > 0) == (seg > 0)).all()
        assert entry['gt_label'] == sorted({a['category_id'] - 1 for a in anns})


def test_loads_in_openmmlab_datasets(fashion_tiles_root):
    from mmdet.datasets import CocoDataset
    from mmpretrain.datasets import MultiLabelDataset
    from mmseg.datasets import BaseSegDataset

    from make_fashion_tiles import CLASSES, SEG_CLASSES
    det = CocoDataset(data_root=fashion_tiles_root, ann_file='annotations/instances_train.json',
                      data_prefix=dict(img='images/'), metainfo=dict(classes=CLASSES),
                      pipeline=[])
    assert len(det) == 96 and det[0]['instances'][0]['bbox_label'] in range(10)
    seg = BaseSegDataset(data_root=fashion_tiles_root, metainfo=dict(classes=SEG_CLASSES),
                         data_prefix=dict(img_path='images/train', seg_map_path='seg/train'),
                         img_suffix='.png', seg_map_suffix='.png', pipeline=[])
    assert len(seg) == 96 and seg[0]['seg_map_path'].endswith('seg/train/000000.png')
    cls = MultiLabelDataset(data_root=fashion_tiles_root,
                            ann_file='annotations/multilabel_train.json', pipeline=[])
    assert len(cls) == 96 and tuple(cls.CLASSES) == CLASSES
