"""A tiny real KD run (ResNet-CIFAR student and teacher on real Fashion-MNIST) for the fault tests.

Each fault test changes one thing in it — the teacher's file, a loss hyper-parameter, the optim
wrapper — and runs MMEngine's real runner for a few iterations.
"""
import copy
import importlib.util
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmkd_test_helpers import REPO


def classifier(width: int, num_classes: int = 10, scope: str = 'mmpretrain.') -> dict:
    """A CIFAR-stem ResNet-18 of ``width`` base channels for 1-channel 28 px images."""
    return dict(
        type=f'{scope}ImageClassifier',
        data_preprocessor=dict(type=f'{scope}ClsDataPreprocessor', mean=[72.9], std=[90.0]),
        backbone=dict(type=f'{scope}ResNet_CIFAR', depth=18, in_channels=1, stem_channels=width,
                      base_channels=width),
        neck=dict(type=f'{scope}GlobalAveragePooling'),
        head=dict(type=f'{scope}LinearClsHead', num_classes=num_classes, in_channels=8 * width,
                  loss=dict(type=f'{scope}CrossEntropyLoss')))


def save_teacher(path: str, num_classes: int = 10, nan_in: Optional[str] = None) -> str:
    """Save an initialised 8-channel teacher; ``nan_in`` names a tensor to fill with NaN."""
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = ROOT_MODELS.build(classifier(8, num_classes, scope=''))
    model.init_weights()
    state = model.state_dict()
    if nan_in is not None:
        state[nan_in] = torch.full_like(state[nan_in], float('nan'))
    torch.save(dict(state_dict=state), path)
    return path


def distiller(teacher_checkpoint: str, teacher_classes: int = 10, **kd_options) -> dict:
    """Hinton KD of the 4-channel student from the 8-channel teacher (``kd_options``: KDLoss)."""
    loss = dict(type='KDLoss', tau=2.0, inputs=dict(preds_S='student.logits',
                                                    preds_T='cnn.outputs'))
    loss.update(kd_options)
    return dict(
        type='mmkd.KnowledgeDistiller', student=classifier(4),
        teachers=dict(cnn=dict(type='OpenMMLabTeacher', checkpoint=teacher_checkpoint,
                               config=dict(model=classifier(8, teacher_classes, scope=''),
                                           default_scope='mmpretrain'))),
        student_records=dict(logits='head'), distill_losses=dict(loss_kd=loss))


def runner_cfg(work_dir: str, data_root: str, model: dict, max_iters: int = 3,
               batch_size: int = 8, **overrides) -> Config:
    """An iteration-based run that logs and checkpoints every iteration."""
    cfg = dict(
        default_scope='mmpretrain', work_dir=work_dir,
        custom_imports=dict(imports=['mmkd'], allow_failed_imports=False),
        model=copy.deepcopy(model),
        train_dataloader=dict(
            batch_size=batch_size, num_workers=0, persistent_workers=False, drop_last=True,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='FashionMNIST', data_root=data_root, indices=batch_size * max_iters,
                         pipeline=[dict(type='PackInputs')])),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-3)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                           checkpoint=dict(type='CheckpointHook', interval=1, by_epoch=False)),
        custom_hooks=[dict(type='mmkd.StudentCheckpointHook')],
        randomness=dict(seed=0), env_cfg=dict(dist_cfg=dict(backend='gloo')), log_level='INFO')
    cfg.update(overrides)
    return Config(cfg)


def train_tool():
    """mmkd's ``tools/train.py`` as a module (its ``apply_args``, ``check_checkpoints_to_load``)."""
    spec = importlib.util.spec_from_file_location('mmkd_train_tool',
                                                  osp.join(REPO, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
