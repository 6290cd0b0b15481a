"""ModuleRecorder: module outputs/inputs, call and index selection, per-instance method records
(MMRazor's ModuleOutputs / ModuleInputs / MethodOutputs / MethodInputs kinds)."""
import pytest
import torch
from torch import nn

from mmkd.models.recorder import ModuleRecorder


class Block(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 1)
        self.relu = nn.ReLU()

    def branch(self, x, scale=1.0):
        return self.conv(x) * scale, x

    def forward(self, x):
        out, _ = self.branch(x, scale=2.0)
        return self.relu(self.relu(out) + x)  # relu runs twice, like a ResNet BasicBlock's


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        self.a, self.b = Block(), Block()
        self.loss_module = nn.MSELoss()

    def forward(self, x, target):
        y = self.b(self.a(x))
        return self.loss_module(y, target)


@pytest.fixture
def net():
    torch.manual_seed(0)
    return Net()


def run(net, records):
    recorder = ModuleRecorder(net, records, owner='the student')
    x, target = torch.randn(2, 2, 3, 3), torch.randn(2, 2, 3, 3)
    with recorder.recording() as out:
        net(x, target)
    return out, x, target


def test_outputs_inputs_calls_and_indices(net):
    out, x, target = run(net, dict(
        relus=dict(module='a.relu'),                      # two calls: a tuple
        second=dict(module='a.relu', call=1),             # MMRazor record_idx=1: block output
        first=dict(module='a.relu', call=0),
        target=dict(module='loss_module', source='input', index=1),  # ModuleInputs, data_idx=1
        pred=dict(module='loss_module', source='input'),  # first positional argument
        both=dict(module='loss_module', source='input', index=None)))
    assert isinstance(out['relus'], tuple) and len(out['relus']) == 2
    assert torch.equal(out['second'], out['relus'][1]) and torch.equal(out['first'], out['relus'][0])
    assert torch.equal(out['second'], net.a(x))
    assert torch.equal(out['target'], target)
    assert torch.equal(out['pred'], net.b(net.a(x)))
    assert len(out['both']) == 2 and torch.equal(out['both'][1], target)


def test_method_outputs_and_inputs_per_instance(net):
    out, x, _ = run(net, dict(
        branch=dict(method='Block.branch'),                       # both Blocks: a tuple of calls
        branch_b=dict(method='Block.branch', module='b', index=0),
        scale=dict(method='Block.branch', module='a', source='input', index=1),
        net_forward=dict(method='Net.forward')))
    assert len(out['branch']) == 2
    assert torch.allclose(out['branch'][0][0], net.a.conv(x) * 2)
    assert torch.equal(out['branch_b'], out['branch'][1][0])
    assert out['scale'] == 2.0  # a keyword argument, in signature order after the positionals
    assert out['net_forward'].dim() == 0
    # the class is never touched and the instances are restored after recording
    assert 'branch' not in net.a.__dict__ and Block.branch is Block.__dict__['branch']


def test_method_wrappers_are_removed_even_when_the_forward_fails(net):
    recorder = ModuleRecorder(net, dict(branch=dict(method='Block.branch')))
    with pytest.raises(RuntimeError):
        with recorder.recording():
            net(torch.randn(2, 3, 3, 3), None)  # wrong channel count
    assert 'branch' not in net.a.__dict__ and 'branch' not in net.b.__dict__
    # nothing is recorded outside recording()
    net(torch.randn(2, 2, 3, 3), torch.randn(2, 2, 3, 3))
    assert recorder._calls is None


def test_wrong_specs_fail_at_build_with_the_valid_names(net):
    with pytest.raises(KeyError, match=r"no submodule named 'a.rleu'. Closest: \['a.relu'"):
        ModuleRecorder(net, dict(x='a.rleu'))
    with pytest.raises(KeyError, match=r"no submodule is a ResNet with its own 'forward' method. "
                                       r"Classes here: \['Block', 'Conv2d'"):
        ModuleRecorder(net, dict(x=dict(method='ResNet.forward')))
    with pytest.raises(KeyError, match="no submodule 'a.conv' is a Block"):
        ModuleRecorder(net, dict(x=dict(method='Block.branch', module='a.conv')))
    with pytest.raises(ValueError, match=r"unknown: \['data_idx'\]"):
        ModuleRecorder(net, dict(x=dict(module='a', data_idx=1)))
    with pytest.raises(ValueError, match="method must be 'ClassName.method_name'"):
        ModuleRecorder(net, dict(x=dict(method='mmdet.models.GFLHead.forward_single')))
    with pytest.raises(ValueError, match="source must be 'output' or 'input'"):
        ModuleRecorder(net, dict(x=dict(module='a', source='grad')))


def test_missing_calls_and_records_fail_at_the_step(net):
    with pytest.raises(RuntimeError, match=r"call=2 asked, but it ran 2 time\(s\)"):
        run(net, dict(x=dict(module='a.relu', call=2)))
    recorder = ModuleRecorder(net, dict(x='loss_module'), owner='the student')
    with pytest.raises(RuntimeError, match=r"records \['x'\] of the student were not produced"):
        with recorder.recording():
            net.a(torch.randn(1, 2, 3, 3))
