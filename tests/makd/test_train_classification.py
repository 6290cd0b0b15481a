"""MaKD end to end on real Fashion-MNIST: targets from a tiny VLM, then mmpretrain's train.py."""
import json
import os
import os.path as osp
import runpy
import sys
from unittest import mock

import pytest
import torch
from makd_helpers import load_vlm
from mmkd_test_helpers import REPO
from mmengine.config import Config

from mmkd.makd import AspectScorer, dataset_records, extract_shard, merge_shards, read_questions

CONFIG = osp.join(REPO, 'configs', 'makd', 'makd_resnet18_1xb128-30e_fashion-mnist.py')
QUESTIONS = osp.join(REPO, 'configs', 'makd', 'questions', 'fashion-mnist_q16.txt')
MMPRETRAIN_TRAIN = osp.join(osp.dirname(__import__('mmpretrain').__file__), '.mim', 'tools',
                            'train.py')
SUBSET = dict(train_dataloader=32, val_dataloader=16)


def run_script(path, args):
    """Run a command-line script in this process (no second interpreter start-up)."""
    with mock.patch.object(sys, 'argv', [path, *args]):
        runpy.run_path(path, run_name='__main__')


@pytest.fixture(scope='module')
def trained(fashion_mnist_root, tiny_llava, tmp_path_factory):
    """Targets for a train / test subset at the config's paths, then one epoch of training."""
    workspace = tmp_path_factory.mktemp('makd_fashion')
    os.makedirs(workspace / 'data')
    os.symlink(fashion_mnist_root, workspace / 'data' / 'fashion_mnist')
    old_cwd = os.getcwd()
    os.chdir(workspace)  # the config's relative data and target paths resolve here
    try:
        model, processor = load_vlm(tiny_llava)
        scorer = AspectScorer(model, processor, read_questions(QUESTIONS, 16), batch_size=64)
        for split, stem in (('train_dataloader', 'train'), ('val_dataloader', 'test')):
            cfg = Config.fromfile(CONFIG)
            cfg[split].dataset.indices = SUBSET[split]
            records, data_root = dataset_records(cfg, split)
            work_dir = f'work_dirs/makd_targets/fashion-mnist_{stem}'
            extract_shard(scorer, records, data_root, work_dir, tiny_llava, image_batch=16,
                          progress=False)
            merge_shards(work_dir, 1)
        run_script(MMPRETRAIN_TRAIN, [
            CONFIG, '--work-dir', 'work_dirs/train', '--cfg-options',
            *(f'{split}.dataset.indices={n}' for split, n in SUBSET.items()),
            *(f'{split}.{key}' for split in SUBSET
              for key in ('num_workers=0', 'persistent_workers=False')),
            'train_dataloader.batch_size=16', 'train_cfg.max_epochs=1',
            'model.backbone.base_channels=8', 'model.backbone.stem_channels=8',
            'model.head.in_channels=64', 'default_hooks.logger.interval=1'])
    finally:
        os.chdir(old_cwd)
    return workspace


def test_targets_are_stored_by_dataset_index(trained):
    meta = json.loads(
        (trained / 'work_dirs/makd_targets/fashion-mnist_train/multi-aspect-logits.meta.json')
        .read_text())
    assert meta['num_images'] == 32 and meta['num_questions'] == 16
    assert meta['keys']['index:0'] == 'index:0'
    summary = (trained / 'work_dirs/makd_targets/fashion-mnist_train/summary.md').read_text()
    assert '10 classes' in summary  # per-class statistics from the dataset's labels


def test_training_logs_both_losses_and_both_metrics(trained):
    logs = [json.loads(line) for line in
            next((trained / 'work_dirs/train').glob('*/vis_data/scalars.json')).read_text()
            .splitlines()]
    train = [entry for entry in logs if 'loss_aspect' in entry]
    assert len(train) == 2  # 32 images / 16, logged every step
    assert all(entry['loss_cls'] > 0 and entry['loss_aspect'] > 0 for entry in train)
    # the logged `loss` is the optimised total, not the class term alone
    assert all(abs(entry['loss'] - entry['loss_cls'] - entry['loss_aspect']) < 1e-4 * entry['loss']
               for entry in train)
    val = [entry for entry in logs if 'accuracy/top1' in entry]
    assert len(val) == 1 and 0 <= val[0]['aspect/accuracy'] <= 100 and val[0]['aspect/bce'] > 0


def test_checkpoint_holds_the_expanded_head(trained):
    checkpoint = torch.load(trained / 'work_dirs/train/epoch_1.pth', map_location='cpu',
                            weights_only=False)
    assert checkpoint['state_dict']['head.fc.weight'].shape == (10 + 16, 64)
