"""Every MaKD classification config builds a student whose head has C + Q outputs."""
import glob
import os.path as osp

import pytest
import torch
from mmkd_test_helpers import REPO
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'makd', 'makd_*.py')))
# the transfer-set config has no C+Q head (CE head + an aspect connector in a KnowledgeDistiller)
# and needs its aspect store: projects/makd/run_fashion_contrastive.py runs it
CLASSIFICATION = [c for c in CONFIGS if 'rcnn' not in c and 'retinanet' not in c and
                  'transfer' not in c]


@pytest.mark.parametrize('config', CLASSIFICATION, ids=osp.basename)
def test_classification_config_builds_a_c_plus_q_head(config):
    cfg = Config.fromfile(config)
    init_default_scope('mmpretrain')
    model = MODELS.build(cfg.model).eval()
    head = cfg.model.head
    size = 28 if 'fashion' in config else 32 if 'cifar' in config else 64
    channels = cfg.model.backbone.get('in_channels', 3)
    with torch.no_grad():
        logits = model(torch.zeros(2, channels, size, size), mode='tensor')
    assert logits.shape == (2, head.num_classes + head.num_aspects)
    assert head.num_aspects == (16 if 'fashion' in config else 50)  # the paper's Q = 50
    assert cfg.model.head.aspect_loss.loss_weight == 4.0  # alpha
