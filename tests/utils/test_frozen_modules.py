"""One mechanism keeps frozen teachers / text towers out of checkpoints, at any depth."""
import torch
from torch import nn

from mmkd.utils import hide_from_checkpoints


class Owner(nn.Module):
    def __init__(self):
        super().__init__()
        self.student = nn.Linear(2, 2)
        self.teacher = nn.Linear(2, 2)
        hide_from_checkpoints(self, 'teacher')


def test_hidden_submodules_move_with_the_model_but_never_enter_a_checkpoint():
    model = nn.Sequential(nn.Identity(), Owner())  # nested: keys are '1.student.weight' …
    assert sorted(model.state_dict()) == ['1.student.bias', '1.student.weight']
    fresh = nn.Sequential(nn.Identity(), Owner())
    teacher_weight = fresh[1].teacher.weight.clone()
    result = fresh.load_state_dict(model.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(fresh[1].student.weight, model[1].student.weight)
    assert torch.equal(fresh[1].teacher.weight, teacher_weight)  # untouched by the load
    model.to(torch.float64)
    assert model[1].teacher.weight.dtype == torch.float64  # a registered submodule
    assert len(list(model.parameters())) == 4


def test_a_missing_student_key_is_still_reported():
    model = Owner()
    state = model.state_dict()
    del state['student.bias']
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ['student.bias']
