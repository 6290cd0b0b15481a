"""Real data and a tiny real teacher for the replay tests (imported by tests/store/test_*.py).

The images are real Fashion-MNIST photos (28x28, grey) resized to 32x32 and copied to three
channels, held in memory by a plain MMEngine dataset, so mmpretrain's own transforms run on them.
"""
import os.path as osp

import numpy as np
import torch
from mmengine.dataset import BaseDataset

TEACHER_MODEL = dict(
    type='mmpretrain.ImageClassifier',
    backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, stem_channels=4, base_channels=4),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=32,
              loss=dict(type='mmpretrain.CrossEntropyLoss')))
STUDENT_PREPROCESSOR = dict(type='mmpretrain.ClsDataPreprocessor', num_classes=10,
                            mean=[72.9] * 3, std=[90.0] * 3)
RANDOM_PIPELINE = [
    dict(type='mmpretrain.RandomResizedCrop', scale=32, crop_ratio_range=(0.5, 1.0)),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]


class ArrayDataset(BaseDataset):
    """Images in memory (``img`` arrays) with labels; ids are ``index:<i>``."""

    METAINFO = dict(classes=tuple(f'c{i}' for i in range(10)))

    def __init__(self, images: np.ndarray, labels: np.ndarray, pipeline=(), **kwargs):
        self._images, self._labels = images, labels
        super().__init__(pipeline=list(pipeline), serialize_data=False, **kwargs)

    def load_data_list(self):
        return [dict(img=image, img_shape=image.shape[:2], ori_shape=image.shape[:2],
                     gt_label=int(label)) for image, label in zip(self._images, self._labels)]


def fashion_images(root: str, count: int):
    """The first ``count`` Fashion-MNIST training images (32x32x3 uint8) and labels."""
    import cv2
    from mmpretrain.datasets import FashionMNIST
    data = FashionMNIST(data_root=root, split='train', indices=count, pipeline=[])
    images = np.stack([cv2.resize(np.asarray(info['img']), (32, 32)) for info in
                       (data.get_data_info(i) for i in range(count))])
    images = np.repeat(images[..., None], 3, axis=-1).astype(np.uint8)
    labels = np.array([int(data.get_data_info(i)['gt_label']) for i in range(count)])
    return images, labels


def teacher_config(work_dir: str) -> dict:
    """An OpenMMLabTeacher of :data:`TEACHER_MODEL` with saved random weights (one file, so every
    process builds the same teacher)."""
    from mmengine.registry import MODELS
    checkpoint = osp.join(work_dir, 'teacher.pth')
    if not osp.isfile(checkpoint):
        torch.manual_seed(0)
        model = MODELS.build(TEACHER_MODEL)
        model.init_weights()
        torch.save(dict(state_dict=model.state_dict()), checkpoint)
    return dict(type='OpenMMLabTeacher',
                config=dict(model=TEACHER_MODEL, default_scope='mmpretrain'),
                checkpoint=checkpoint)


def preprocessor():
    from mmengine.registry import MODELS
    return MODELS.build(STUDENT_PREPROCESSOR)
