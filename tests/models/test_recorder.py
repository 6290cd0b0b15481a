"""ModuleRecorder: module outputs/inputs, call and index selection, per-instance method records and
function records (MMRazor's ModuleOutputs / ModuleInputs / MethodOutputs / MethodInputs /
FunctionOutputs / FunctionInputs kinds)."""
import sys
import textwrap

import pytest
import torch
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.backbones import vision_transformer
from mmpretrain.models.utils import resize_pos_embed
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


def test_function_outputs_and_inputs_on_a_real_mmpretrain_forward():
    """VisionTransformer.forward calls the module-level resize_pos_embed (names imported into
    mmpretrain.models.backbones.vision_transformer) on 48x48 inputs of a 32x32 model."""
    torch.manual_seed(0)
    vit = VisionTransformer(arch=dict(embed_dims=8, num_layers=1, num_heads=2,
                                      feedforward_channels=16), img_size=32, patch_size=16)
    function = 'mmpretrain.models.backbones.vision_transformer.resize_pos_embed'
    recorder = ModuleRecorder(vit, dict(
        pos=dict(function=function),
        pos_embed=dict(function=function, source='input'),
        arguments=dict(function=function, source='input', index=None),
        tokens=dict(module='drop_after_pos', source='input'),
        patches=dict(module='patch_embed', index=0),
        forward=dict(method='VisionTransformer.forward', index=-1)))
    x = torch.randn(2, 3, 48, 48)
    with recorder.recording() as records:
        out = vit(x)
    # restored, and the recorded call is the one the forward made
    assert vision_transformer.resize_pos_embed is resize_pos_embed
    assert records['pos_embed'] is vit.pos_embed
    # positional arguments, then the keywords in the signature's order
    assert records['arguments'][1:] == ((2, 2), (3, 3), 'bicubic', 1)
    expected = resize_pos_embed(vit.pos_embed, (2, 2), (3, 3), mode='bicubic', num_extra_tokens=1)
    assert records['pos'].shape == (1, 10, 8) and torch.equal(records['pos'], expected)
    cls_token = vit.cls_token.expand(2, -1, -1)
    assert torch.allclose(records['tokens'], torch.cat((cls_token, records['patches']), 1)
                          + records['pos'])
    assert torch.equal(records['forward'], out[-1])


@pytest.fixture
def scaled_package(tmp_path, monkeypatch):
    """A tiny package: ``helpers.scale`` defined in one module, imported and called by another."""
    package = tmp_path / 'recorded_pkg'
    package.mkdir()
    (package / '__init__.py').write_text('')
    (package / 'helpers.py').write_text(textwrap.dedent("""
        def scale(x, factor=1.0):
            return x * factor

        SCALE = 2.0
        """))
    (package / 'model.py').write_text(textwrap.dedent("""
        import torch
        from torch import nn

        from .helpers import SCALE, scale


        class Scaled(nn.Module):

            def __init__(self):
                super().__init__()
                self.linear = nn.Linear(3, 3)

            def project(self, x):
                return self.linear(x)

            def forward(self, x, fail=False):
                y = scale(self.project(x), factor=SCALE)
                if fail:
                    raise RuntimeError('forward failed')
                return scale(y, 0.5) + 1
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package
    for name in ('recorded_pkg', 'recorded_pkg.helpers', 'recorded_pkg.model'):
        sys.modules.pop(name, None)


def test_function_record_with_a_method_record_on_the_same_forward(scaled_package):
    from recorded_pkg import helpers, model
    torch.manual_seed(0)
    net = model.Scaled()
    recorder = ModuleRecorder(net, dict(
        scaled=dict(function='recorded_pkg.model.scale'),             # two calls: a tuple
        first=dict(function='recorded_pkg.model.scale', call=0),
        factor=dict(function='recorded_pkg.model.scale', source='input', index=1),
        factors=dict(function='recorded_pkg.model.scale', source='input', index=1, call=1),
        projected=dict(method='Scaled.project')))
    x = torch.randn(4, 3)
    with recorder.recording() as records:
        out = net(x)
    assert model.scale is helpers.scale and 'project' not in net.__dict__
    projected = net.linear(x)
    assert torch.equal(records['projected'], projected)
    assert len(records['scaled']) == 2
    assert torch.equal(records['first'], projected * 2.0)
    assert torch.equal(records['scaled'][1], projected)  # 2.0 * 0.5
    assert torch.equal(out, records['scaled'][1] + 1)
    assert records['factor'] == (2.0, 0.5)  # a keyword, then a positional argument
    assert records['factors'] == 0.5


def test_function_is_restored_when_the_forward_raises(scaled_package):
    from recorded_pkg import helpers, model
    net = model.Scaled()
    recorder = ModuleRecorder(net, dict(scaled=dict(function='recorded_pkg.model.scale'),
                                        projected=dict(method='Scaled.project')))
    with pytest.raises(RuntimeError, match='forward failed'):
        with recorder.recording():
            net(torch.randn(4, 3), fail=True)
    assert model.scale is helpers.scale and 'project' not in net.__dict__
    net(torch.randn(4, 3))  # no recording outside recording()
    assert recorder._calls is None


def test_a_function_is_seen_through_the_module_that_calls_it(scaled_package):
    from recorded_pkg import model
    recorder = ModuleRecorder(model.Scaled(), dict(x=dict(function='recorded_pkg.helpers.scale')))
    with pytest.raises(RuntimeError, match=r"\['recorded_pkg.helpers.scale'\] did not run in "
                                           r"this forward; a function is seen only when called "
                                           r"through the name of the Python module given"):
        with recorder.recording():
            model.Scaled()(torch.randn(4, 3))


def test_wrong_function_records_fail_at_build_with_the_closest_functions(scaled_package):
    net = nn.Linear(3, 3)
    with pytest.raises(KeyError, match=r"function 'recorded_pkg.model.scael'.*recorded_pkg.model "
                                       r"has no function 'scael'. Closest functions there: "
                                       r"\['scale'\]"):
        ModuleRecorder(net, dict(x=dict(function='recorded_pkg.model.scael')))
    with pytest.raises(KeyError, match=r"no function 'SCALE' \(it is a float\)"):
        ModuleRecorder(net, dict(x=dict(function='recorded_pkg.model.SCALE')))
    with pytest.raises(KeyError, match=r"cannot import 'recorded_pkg.modle'.*give the Python "
                                       r"module that calls the function"):
        ModuleRecorder(net, dict(x=dict(function='recorded_pkg.modle.scale')))
    with pytest.raises(ValueError, match="function must be 'package.module.function_name'"):
        ModuleRecorder(net, dict(x=dict(function='scale')))
    with pytest.raises(ValueError, match='or function alone'):
        ModuleRecorder(net, dict(x=dict(function='recorded_pkg.model.scale', module='weight')))
