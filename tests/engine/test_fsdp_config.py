"""The FlexibleRunner / FSDP config parses; its wrap policy resolves through MMEngine's registry."""
import os.path as osp

from mmkd_test_helpers import REPO
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from torch import nn

import mmkd  # noqa: F401
from mmkd.engine import distiller_wrap_policy
from mmkd.models.teachers import OpenMMLabTeacher

FSDP_CONFIG = osp.join(
    REPO, 'configs/cwd/'
    'cwd_logits_pspnet-r101-d8_pspnet-r18-d8_4xb2-80k-fsdp_cityscapes-512x1024.py')


def test_fsdp_config_parses_and_names_a_registered_policy():
    cfg = Config.fromfile(FSDP_CONFIG)
    assert cfg.runner_type == 'FlexibleRunner' and cfg.strategy.type == 'FSDPStrategy'
    assert cfg.model.type == 'mmkd.KnowledgeDistiller'
    policy = dict(cfg.strategy.model_wrapper.auto_wrap_policy)
    # how MMFullyShardedDataParallel looks the policy up
    with FUNCTIONS.switch_scope_and_registry(None):
        assert FUNCTIONS.get(policy.pop('type')) is distiller_wrap_policy


def test_policy_wraps_every_teacher_and_big_student_blocks():
    teacher = OpenMMLabTeacher(
        config=dict(model=dict(type='ImageClassifier', backbone=dict(type='LeNet5')),
                    default_scope='mmpretrain'), checkpoint=None, allow_random_init=True)
    assert distiller_wrap_policy(teacher, recurse=False, nonwrapped_numel=10)
    assert distiller_wrap_policy(teacher, recurse=True, nonwrapped_numel=10)
    block = nn.Linear(8, 8)
    assert not distiller_wrap_policy(block, recurse=False, nonwrapped_numel=72)
    assert distiller_wrap_policy(block, recurse=False, nonwrapped_numel=72, min_num_params=50)
