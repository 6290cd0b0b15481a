"""Fault table, configs: a wrong argument names the valid ones; a user config that merged the
distiller into its base model (``_delete_=True`` forgotten) is told to add ``_delete_=True``."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import DefaultScope
from mmkd_test_helpers import REPO
from reliability_helpers import distiller

from mmkd.registry import build_mmkd_module

STUDENT_CFG = osp.join(REPO, 'configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py')
TEACHER_CFG = osp.join(REPO, 'configs/hinton_kd/resnet18-w8_fashion-mnist-10k_teacher.py')


def test_unknown_loss_argument_names_the_valid_ones():
    cfg = distiller(None)
    cfg['teachers']['cnn']['allow_random_init'] = True
    cfg['distill_losses']['loss_kd'] = dict(type='KDLoss', temperature=4.0, inputs=dict(
        preds_S='student.logits', preds_T='cnn.outputs'))
    with pytest.raises(TypeError, match=r"KDLoss got unknown argument\(s\) \['temperature'\]; "
                                        r"KDLoss takes \['tau', 'loss_weight', 'reduction'\]"):
        build_mmkd_module(cfg)


@pytest.mark.parametrize('part, change, message', [
    ('teacher', dict(checkpoints='teacher.pth'),
     r"OpenMMLabTeacher got unknown argument\(s\) \['checkpoints'\] \('checkpoints': did you "
     r"mean 'checkpoint'\?\)"),
    ('student', dict(heads=None), r"the student got unknown argument\(s\) \['heads'\] \('heads': "
                                  r"did you mean 'head'\?\); ImageClassifier takes \['backbone'"),
    ('distiller', dict(distil_losses={}), r"KnowledgeDistiller got unknown argument\(s\) "
                                          r"\['distil_losses'\]; it takes \['student'"),
])
def test_unknown_arguments_of_each_part_are_named(part, change, message):
    cfg = distiller(None)
    cfg['teachers']['cnn']['allow_random_init'] = True
    {'teacher': cfg['teachers']['cnn'], 'student': cfg['student'], 'distiller': cfg}[part].update(
        change)
    with pytest.raises(TypeError, match=message):
        build_mmkd_module(cfg)


def test_forgotten_delete_says_to_add_it(tmp_path):
    wrapper = tmp_path / 'kd_without_delete.py'
    wrapper.write_text(f"""
_base_ = ['{STUDENT_CFG}']
model = dict(
    type='mmkd.KnowledgeDistiller',
    student={{{{_base_.model}}}},
    teachers=dict(cnn=dict(type='OpenMMLabTeacher', config='{TEACHER_CFG}', checkpoint=None,
                           allow_random_init=True)),
    student_records=dict(logits='head'),
    distill_losses=dict(loss_kd=dict(
        type='KDLoss', tau=2.0, inputs=dict(preds_S='student.logits', preds_T='cnn.outputs'))))
""")
    cfg = Config.fromfile(str(wrapper))
    import mmkd  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmpretrain'), pytest.raises(TypeError) as refused:
        ROOT_MODELS.build(cfg.model)
    message = str(refused.value)
    assert "['backbone', 'head', 'neck'] are keys of the student's model dict" in message
    assert 'Add `_delete_=True` to the model dict' in message
    assert "unexpected keyword argument 'backbone'" not in message
