"""Distilled checkpoint → torchvision / mmdet / mmseg backbones, and mmdet's and mmseg's own
tools/train.py starting from the converted MobileNetV2 on the Fashion-tile sets."""
import importlib.util
import os.path as osp
import sys

import mmdet
import mmseg
import pytest
import torch

from mmkd.utils.backbone_layouts import (ARCHS, build_reference_backbone, convert_backbone,
                                         torchvision_to_mmpretrain)
from mmkd_test_helpers import run_tool

CONVERTER = 'tools/model_converters/lgd_to_backbone.py'


def convert(repo_root: str, *args: str) -> int:
    """Run the converter's ``main`` in this process (its CLI, without a new interpreter)."""
    spec = importlib.util.spec_from_file_location('lgd_to_backbone', osp.join(repo_root, CONVERTER))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    argv, sys.argv = sys.argv, [CONVERTER, *args]
    try:
        return tool.main()
    finally:
        sys.argv = argv
DET_CONFIG = 'configs/lgd/transfer/mask-rcnn_lgd-mnv2_fpn_fashion-tiles.py'
SEG_CONFIG = 'configs/lgd/transfer/deeplabv3plus_lgd-mnv2-d8_fashion-tiles.py'


def distilled_state(arch: str) -> dict:
    """A distiller state dict (student + projector + a SEED queue) with distinctive values."""
    torch.manual_seed(0)
    backbone = build_reference_backbone(arch, 'mmpretrain').state_dict()
    state = {f'student.backbone.{k}': (v * (1 + 0.1 * torch.rand_like(v)) + 0.01 * torch.rand_like(v)
                                       if v.is_floating_point() else v + 3)
             for k, v in backbone.items()}
    state['student.head.projector.0.weight'] = torch.randn(4, 4)
    state['distill_losses.loss_seed.bank.queue'] = torch.randn(8, 4)
    return state


@pytest.mark.parametrize('arch', ARCHS)
def test_every_backbone_tensor_lands_in_every_layout(arch):
    state = distilled_state(arch)
    source = {k[len('student.backbone.'):]: v for k, v in state.items()
              if k.startswith('student.backbone.')}
    for layout in ('torchvision', 'mmdet', 'mmseg'):
        conversion = convert_backbone(source, arch, layout)
        assert conversion.complete, conversion.report()
        target = build_reference_backbone(arch, layout)
        target.load_state_dict(conversion.state_dict, strict=True)
        landed = target.state_dict()
        assert len(conversion.state_dict) + len(conversion.dropped) == len(source)
        # each source tensor arrives unchanged (values are random, so a wrong rename shows)
        values = {tuple(v.flatten()[:4].tolist()) for v in source.values() if v.numel() >= 4}
        assert all(tuple(v.flatten()[:4].tolist()) in values for v in landed.values()
                   if v.numel() >= 4)
    back, rest = torchvision_to_mmpretrain(
        convert_backbone(source, arch, 'torchvision').state_dict, arch)
    assert not rest and all(torch.equal(back[k], source[k]) for k in source)


def test_mmseg_mobilenet_v2_drops_only_conv2():
    source = build_reference_backbone('mobilenet_v2', 'mmpretrain').state_dict()
    conversion = convert_backbone(source, 'mobilenet_v2', 'mmseg')
    assert conversion.complete and conversion.dropped
    assert all(k.startswith('conv2.') for k in conversion.dropped)
    assert 'dropped' in conversion.report()


@pytest.fixture(scope='module')
def converted(tmp_path_factory, repo_root):
    """The converter turning one distiller checkpoint into the det and seg configs' backbones."""
    root = tmp_path_factory.mktemp('lgd_convert')
    src = str(root / 'distiller.pth')
    torch.save(dict(state_dict=distilled_state('mobilenet_v2')), src)
    outputs = {}
    for layout, config in (('mmdet', DET_CONFIG), ('mmseg', SEG_CONFIG)):
        out = str(root / f'mnv2_{layout}.pth')
        assert convert(repo_root, src, out, '--arch', 'mobilenet_v2', '--layout', layout,
                       '--target-config', osp.join(repo_root, config)) == 0
        outputs[layout] = out
    return src, outputs


def test_converter_refuses_a_partial_checkpoint(converted, repo_root, tmp_path, capsys):
    src, _ = converted
    state = torch.load(src, weights_only=True)['state_dict']
    state['student.backbone.layer9.0.conv.0.conv.weight'] = torch.zeros(1)
    del state['student.backbone.layer1.0.conv.0.conv.weight']
    bad = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict=state), bad)
    out = tmp_path / 'out.pth'
    capsys.readouterr()
    assert convert(repo_root, bad, str(out), '--arch', 'mobilenet_v2', '--layout', 'mmdet') == 1
    captured = capsys.readouterr()
    message = captured.out + captured.err
    assert 'NOT written' in message and 'layer9.0.conv.0.conv.weight' in message
    assert 'layer1.0.depthwise_conv.conv.weight' in message  # the target key left empty
    assert 'non-backbone keys left out' in message  # projector and queue, listed
    assert not out.exists()
    assert convert(repo_root, bad, str(out), '--arch', 'mobilenet_v2', '--layout', 'mmdet',
                   '--allow-partial') == 0
    assert out.exists() and 'PARTIAL' in capsys.readouterr().err


def _train(tool_package, config, checkpoint, work_dir, fashion_tiles_root, extra=()):
    tool = osp.join(osp.dirname(tool_package.__file__), '.mim', 'tools', 'train.py')
    options = [f'model.backbone.init_cfg.checkpoint={checkpoint}',
               f'train_dataloader.dataset.data_root={fashion_tiles_root}',
               'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
               'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None',
               'test_cfg=None', 'test_dataloader=None', 'test_evaluator=None', *extra]
    proc = run_tool([tool, config, '--work-dir', str(work_dir), '--cfg-options', *options])
    log = proc.stdout + proc.stderr
    assert checkpoint in log  # mmengine's Pretrained init read the converted file
    assert 'do not match exactly' not in log and 'missing keys' not in log
    saved = torch.load(osp.join(work_dir, 'iter_2.pth'), map_location='cpu',
                       weights_only=False)['state_dict']
    return {k[len('backbone.'):]: v for k, v in saved.items() if k.startswith('backbone.')}


def test_mmdet_train_starts_from_the_converted_backbone(converted, fashion_tiles_root,
                                                         tmp_path):
    _, outputs = converted
    backbone = _train(mmdet, DET_CONFIG, outputs['mmdet'], tmp_path, fashion_tiles_root)
    expected = torch.load(outputs['mmdet'], weights_only=True)['state_dict']
    assert set(backbone) == set(expected)
    # BN in eval (norm_eval=True): running statistics never move, so they are the converted ones
    for key in ('conv1.bn.running_var', 'layer7.0.linear_conv.bn.running_mean'):
        assert torch.equal(backbone[key], expected[key])
    assert torch.allclose(backbone['conv1.conv.weight'], expected['conv1.conv.weight'], atol=1e-3)


def test_mmseg_train_starts_from_the_converted_backbone(converted, fashion_tiles_root,
                                                         tmp_path):
    _, outputs = converted
    backbone = _train(mmseg, SEG_CONFIG, outputs['mmseg'], tmp_path, fashion_tiles_root)
    expected = torch.load(outputs['mmseg'], weights_only=True)['state_dict']
    assert set(backbone) == set(expected)
    drift = max((backbone[k].float() - expected[k].float()).abs().max().item()
                for k in expected if k.endswith('conv.weight'))
    assert drift < 0.05  # two small SGD steps away from the converted weights
