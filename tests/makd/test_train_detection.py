"""MaKD's detection extension on the Fashion-tile set, trained through mmdet's own train.py."""
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

CONFIG = osp.join(REPO, 'configs', 'makd', 'makd_retinanet_r18_fpn64_1x_fashion-tiles.py')
STUDENT_CONFIG = osp.join(REPO, 'configs', 'makd', 'retinanet_r18_fpn64_1x_fashion-tiles.py')
QUESTIONS = osp.join(REPO, 'configs', 'makd', 'questions', 'fashion-mnist_q16.txt')
MMDET_TRAIN = osp.join(osp.dirname(__import__('mmdet').__file__), '.mim', 'tools', 'train.py')


@pytest.fixture(scope='module')
def trained(fashion_tiles_root, tiny_llava, tmp_path_factory):
    """Aspect targets of the tiles' training images, then 2 iterations of training."""
    workspace = tmp_path_factory.mktemp('makd_tiles')
    os.makedirs(workspace / 'data')
    os.symlink(fashion_tiles_root, workspace / 'data' / 'fashion_tiles')
    old_cwd = os.getcwd()
    os.chdir(workspace)  # the config's relative data and target paths resolve here
    try:
        model, processor = load_vlm(tiny_llava)
        scorer = AspectScorer(model, processor, read_questions(QUESTIONS, 16), batch_size=64)
        cfg = Config.fromfile(CONFIG)
        cfg.train_dataloader.dataset.indices = 32
        records, data_root = dataset_records(cfg)
        work_dir = 'work_dirs/makd_targets/fashion-tiles_train'
        extract_shard(scorer, records, data_root, work_dir, tiny_llava, image_batch=16,
                      progress=False)
        merge_shards(work_dir, 1)
        with mock.patch.object(sys, 'argv', [MMDET_TRAIN, CONFIG, '--work-dir', 'work_dirs/det',
                                             '--cfg-options', 'train_dataloader.dataset.indices=32',
                                             'val_dataloader.dataset.indices=8',
                                             'train_cfg.max_epochs=1',
                                             'default_hooks.logger.interval=1']):
            runpy.run_path(MMDET_TRAIN, run_name='__main__')
    finally:
        os.chdir(old_cwd)
    return workspace


def test_detector_trains_with_the_aspect_loss(trained):
    logs = [json.loads(line) for line in
            next((trained / 'work_dirs/det').glob('*/vis_data/scalars.json')).read_text()
            .splitlines()]
    steps = [entry for entry in logs if 'loss_aspect' in entry]
    assert len(steps) == 2  # 32 images / 16
    assert all(e['loss_aspect'] > 0 and e['loss_cls'] > 0 and e['loss_bbox'] > 0 for e in steps)


def test_store_ids_are_image_paths_relative_to_the_data_root(trained):
    ids = (trained / 'work_dirs/makd_targets/fashion-tiles_train/teacher_store/ids.txt'
           ).read_text().split()
    assert len(ids) == 32 and ids[0].startswith('images/train/')


def test_exported_student_is_the_plain_detector(trained):
    from mmdet.registry import MODELS
    from mmengine.registry import init_default_scope
    state = torch.load(trained / 'work_dirs/det/student_epoch_1.pth', map_location='cpu',
                       weights_only=True)['state_dict']
    assert not any('aspect' in key or key.startswith('connectors') for key in state)
    init_default_scope('mmdet')
    detector = MODELS.build(Config.fromfile(STUDENT_CONFIG).model)
    detector.load_state_dict(state, strict=True)
