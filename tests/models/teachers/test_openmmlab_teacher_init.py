"""A random-init OpenMMLab teacher gets its model's own init_cfg, not PyTorch's default init."""
import torch

from mmkd.models.teachers import OpenMMLabTeacher


def lenet(init_cfg):
    return dict(default_scope='mmpretrain', model=dict(
        type='ImageClassifier', backbone=dict(type='LeNet5', num_classes=10),
        init_cfg=init_cfg))


def test_random_init_runs_the_models_init_weights():
    teacher = OpenMMLabTeacher(lenet([dict(type='Constant', layer='Conv2d', val=0.25, bias=0.5),
                                      dict(type='Constant', layer='Linear', val=-1.0)]),
                               checkpoint=None, allow_random_init=True)
    convs = [m for m in teacher.model.modules() if isinstance(m, torch.nn.Conv2d)]
    linears = [m for m in teacher.model.modules() if isinstance(m, torch.nn.Linear)]
    assert convs and linears
    assert all(torch.all(m.weight == 0.25) and torch.all(m.bias == 0.5) for m in convs)
    assert all(torch.all(m.weight == -1.0) for m in linears)
    assert any('init_cfg' in line for line in teacher.report())
    # the distiller's later init_weights() leaves a teacher alone
    teacher.init_weights()
    assert all(torch.all(m.weight == 0.25) for m in convs)


def test_random_init_skips_pretrained_entries_and_says_so():
    """A ``Pretrained`` init_cfg would load (or download) weights: it is dropped, the rest runs."""
    teacher = OpenMMLabTeacher(lenet([dict(type='Pretrained', checkpoint='/nonexistent/r101.pth'),
                                      dict(type='Constant', layer='Linear', val=-1.0)]),
                               checkpoint=None, allow_random_init=True)
    linears = [m for m in teacher.model.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(torch.all(m.weight == -1.0) for m in linears)
    assert any('Pretrained init_cfg' in line and 'skipped' in line for line in teacher.report())
