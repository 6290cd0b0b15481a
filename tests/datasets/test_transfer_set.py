"""TransferSetDataset: the transfer part reaches the model without any label."""
import torch
from mmengine.registry import DefaultScope
from mmpretrain.datasets import FashionMNIST

from mmkd.datasets import TransferSetDataset


def test_transfer_part_has_no_labels(fashion_mnist_root):
    common = dict(data_root=fashion_mnist_root, download=False, pipeline=[dict(type='PackInputs')])
    with DefaultScope.overwrite_default_scope('mmpretrain'):  # as under an mmpretrain runner
        dataset = TransferSetDataset(labeled=dict(type='FashionMNIST', indices=10, **common),
                                     transfer=FashionMNIST(indices=-5, **common))
    assert len(dataset) == 15 and dataset.num_labeled == 10
    assert dataset.metainfo['classes'][0] == 'T-shirt/top'
    labeled, transfer = dataset[3]['data_samples'], dataset[12]['data_samples']
    assert 'gt_label' in labeled and labeled.metainfo.get('is_labeled', True)
    assert transfer.gt_label.numel() == 0 and transfer.metainfo['is_labeled'] is False
    # the transfer images are the last 5 of the training set, unchanged
    assert (dataset[14]['inputs'] == FashionMNIST(**common)[59999]['inputs']).all()


def test_empty_like_keeps_structure_without_labels():
    from mmengine.structures import InstanceData, PixelData

    from mmkd.datasets.transfer_set import IGNORE_INDEX, empty_like
    assert empty_like(torch.tensor([3])).shape == (0, )
    instances = InstanceData(bboxes=torch.rand(4, 4), labels=torch.arange(4))
    emptied = empty_like(instances)
    assert len(emptied) == 0 and emptied.bboxes.shape == (0, 4)
    seg = empty_like(PixelData(data=torch.zeros(1, 5, 5, dtype=torch.uint8)))
    assert (seg.data == IGNORE_INDEX).all()
