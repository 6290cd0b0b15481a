"""ConvConnector: shapes, shared and per-level convs, norm, registry, gradients, errors."""
import pytest
import torch

from mmkd.models.connectors import ConvConnector
from mmkd.registry import build_mmkd_module


def test_single_map_is_a_1x1_conv():
    connector = ConvConnector(in_channels=4, out_channels=6)
    x = torch.randn(2, 4, 5, 3)
    conv = connector.convs[0].conv
    expected = torch.einsum('oc,nchw->nohw', conv.weight[:, :, 0, 0], x)
    expected = expected + conv.bias.view(1, 6, 1, 1)
    assert torch.allclose(connector(x), expected, atol=1e-6)


def test_levels_share_one_conv_or_have_one_each():
    fpn = tuple(torch.randn(2, 8, s, s) for s in (8, 4, 2))
    shared = ConvConnector(8, 16)
    outs = shared(fpn)
    assert len(shared.convs) == 1 and [o.shape for o in outs] == [(2, 16, s, s) for s in (8, 4, 2)]
    stages = (torch.randn(2, 4, 8, 8), torch.randn(2, 8, 4, 4))
    per_level = ConvConnector([4, 8], [16, 32])
    assert [o.shape[1] for o in per_level(stages)] == [16, 32]
    with pytest.raises(ValueError, match='2 per-level convs but got 3 levels'):
        per_level(fpn)
    with pytest.raises(ValueError, match='got one tensor'):
        per_level(stages[0])
    with pytest.raises(ValueError, match='both be ints, or lists of one length'):
        ConvConnector([4, 8], 16)


def test_norm_and_gradients_reach_every_parameter():
    connector = build_mmkd_module(dict(type='ConvConnector', in_channels=[4, 8],
                                       out_channels=[16, 32], norm_cfg=dict(type='BN')))
    assert isinstance(connector, ConvConnector)
    assert connector.convs[0].conv.bias is None and connector.convs[0].norm is not None
    outs = connector((torch.randn(2, 4, 4, 4), torch.randn(2, 8, 2, 2)))
    sum(o.pow(2).mean() for o in outs).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in connector.parameters())
