"""The demo's distillation config trains on mixed labelled/unlabelled batches through tools/train.py."""
import glob
import os.path as osp
import re

import torch
from mmengine.config import Config
from mmengine.registry import DATA_SAMPLERS
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope

from mmkd_test_helpers import REPO, run_tool

CONFIG = osp.join(REPO, 'configs/hinton_kd/kd_resnet18-w8_resnet18-w4_fashion-mnist-1k-transfer10k.py')
TEACHER = osp.join(REPO, 'configs/hinton_kd/resnet18-w8_fashion-mnist-10k_teacher.py')


def test_distils_on_a_transfer_set(tmp_path, fashion_mnist_root):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        teacher = ROOT_MODELS.build(Config.fromfile(TEACHER).model)
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    work_dir = tmp_path / 'kd'
    run_tool(['tools/train.py', CONFIG, '--work-dir', str(work_dir), '--cfg-options',
              f'model.teachers.resnet18_w8.checkpoint={ckpt}',
              f'train_dataloader.dataset.labeled.data_root={fashion_mnist_root}',
              'train_dataloader.dataset.labeled.indices=48',
              f'train_dataloader.dataset.transfer.data_root={fashion_mnist_root}',
              'train_dataloader.dataset.transfer.indices=-80', 'train_dataloader.batch_size=32',
              f'val_dataloader.dataset.data_root={fashion_mnist_root}',
              'val_dataloader.dataset.indices=100', 'train_cfg.max_epochs=1',
              'train_cfg.val_interval=1', 'default_hooks.checkpoint.interval=1',
              'randomness.seed=0'])
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    counts = re.search(r'labelled samples in this batch: (\d+)/32', log)
    # the config's sampler, seeded as the runner seeds it, over 48 labelled + 80 transfer samples
    sampler = DATA_SAMPLERS.build(Config.fromfile(CONFIG).train_dataloader.sampler,
                                  default_args=dict(dataset=list(range(128)), seed=0))
    expected = sum(index < 48 for index in list(sampler)[:32])
    assert 0 < expected < 32  # a mixed batch
    assert counts and int(counts.group(1)) == expected
    assert re.search(r'loss_kd: [\d.]+', log)
    assert osp.isfile(osp.join(work_dir, 'student_epoch_1.pth'))
