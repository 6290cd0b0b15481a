"""The one loss scaffold: every mmkd loss uses it; hyper-parameters are refused at build (#15's
measured cases); reductions, weights; fp32 under autocast."""
import inspect
import math
from collections import namedtuple

import pytest
import torch
from torch import nn

import mmkd.models.losses as losses
from mmkd.models.losses import KDLoss, KLDivergence, kd_kl_div
from mmkd.models.losses.base import (BaseDistillLoss, at_least_fp32, check_loss_weight,
                                     check_temperature)
from mmkd.registry import build_mmkd_module

LOSSES = [obj for _, obj in inspect.getmembers(losses, inspect.isclass)
          if issubclass(obj, nn.Module)]
REQUIRED = dict(SEEDLoss=dict(bank=dict(type='EmbeddingQueue', size=4, dim=4)))
TEMPERATURES = {cls.__name__: [p for p in inspect.signature(cls).parameters
                               if p in ('tau', 'temperature', 'tau_s', 'tau_t')] for cls in LOSSES}


def build(cls, **kwargs):
    return cls(**REQUIRED.get(cls.__name__, {}), **kwargs)


def test_every_loss_is_built_on_the_scaffold():
    assert len(LOSSES) >= 27
    assert [c.__name__ for c in LOSSES if not issubclass(c, BaseDistillLoss)] == []


@pytest.mark.parametrize('cls', [c for c in LOSSES if TEMPERATURES[c.__name__]],
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize('tau', [math.nan, 1e-45, 1e30, 1e3, 0.0, -1.0, math.inf])
def test_bad_temperatures_are_refused_naming_loss_and_argument(cls, tau):
    for name in TEMPERATURES[cls.__name__]:
        with pytest.raises(ValueError, match=rf'{cls.__name__}: {name} must be a finite number'):
            build(cls, **{name: tau})


@pytest.mark.parametrize('cls', [c for c in LOSSES if c.__name__ != 'MGDLoss'],
                         ids=lambda c: c.__name__)
@pytest.mark.parametrize('weight', [1e39, -1.0, math.nan])
def test_bad_loss_weights_are_refused(cls, weight):
    with pytest.raises(ValueError, match=rf'{cls.__name__}: loss_weight must be a finite number '
                                         r'in \[0, 1e\+25\]'):
        build(cls, loss_weight=weight)


def test_mgd_weight_is_alpha_and_non_numbers_are_type_errors():
    with pytest.raises(ValueError, match='MGDLoss: alpha_mgd must be'):
        losses.MGDLoss(alpha_mgd=1e39)
    with pytest.raises(TypeError, match=r"KDLoss: tau must be a finite number, got '4'"):
        KDLoss(tau='4')
    with pytest.raises(TypeError, match='KDLoss: loss_weight must be a finite number, got True'):
        KDLoss(loss_weight=True)


def fp32_relative_error(tau: float, rounds: int = 200) -> float:
    """Worst relative error of the fp32 KD loss against fp64, unit-variance logits (the functional
    core: the module refuses a ``tau`` outside TAU_RANGE)."""
    torch.manual_seed(0)
    worst = 0.0
    for _ in range(rounds):
        s, t = torch.randn(8, 10), torch.randn(8, 10)
        exact = kd_kl_div(s.double(), t.double(), tau).mean().item()
        worst = max(worst, abs(kd_kl_div(s, t, tau).mean().item() - exact) / exact)
    return worst


def test_the_bounds_are_where_fp32_breaks():
    """The numbers of check_temperature's and check_loss_weight's docstrings."""
    assert fp32_relative_error(1e-6) < 1e-6
    assert fp32_relative_error(100.0) < 2e-3  # the top of TAU_RANGE: 0.13 %
    assert fp32_relative_error(1e3) > 0.1  # beyond it the KD loss is rounding noise
    tiny, huge = torch.tensor(1e-45, dtype=torch.float32), torch.tensor(1e30, dtype=torch.float32)
    s = torch.randn(4, 10) * 10
    assert not torch.isfinite(s / tiny).all()
    assert not torch.isfinite(huge**2)
    assert torch.equal(torch.softmax(s / huge, 1), torch.full_like(s, 0.1))  # KD would be 0
    assert torch.isfinite(torch.tensor(1e25) * 1e8 * 65536)
    assert not torch.isfinite(torch.tensor(1e39, dtype=torch.float32))
    assert check_temperature('X', 'tau', 1e-4) == 1e-4  # SEED's teacher temperature
    assert check_loss_weight('X', 0) == 0.0


def test_reduce_weights_avg_factor_and_errors():
    loss = KLDivergence()
    s, t = torch.randn(3, 4, 2, 2), torch.randn(3, 4, 2, 2)
    elementwise = loss(s, t, reduction_override='none')
    w = torch.tensor([1., 0., 3.])
    assert torch.allclose(loss(s, t, weight=w, reduction_override='sum'),
                          (elementwise * w.view(3, 1, 1, 1)).sum())
    assert torch.allclose(loss(s, t, weight=w, avg_factor=2.0, reduction_override='mean'),
                          (elementwise * w.view(3, 1, 1, 1)).sum() / 2)
    with pytest.raises(ValueError, match=r'KLDivergence: weight of shape \(2,\) does not fit'):
        loss(s, t, weight=torch.ones(2))
    with pytest.raises(ValueError, match='avg_factor can not be used with reduction="sum"'):
        loss(s, t, avg_factor=2.0, reduction_override='sum')
    with pytest.raises(ValueError, match='reduction must be one of'):
        loss(s, t, reduction_override='max')


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16])
def test_losses_compute_in_fp32_under_autocast(dtype):
    torch.manual_seed(0)
    head = nn.Linear(8, 10)
    x, teacher = torch.randn(16, 8), torch.randn(16, 10)
    with torch.autocast('cpu', dtype=dtype):
        logits = head(x)
        assert logits.dtype == dtype
        value = build_mmkd_module(dict(type='KDLoss', tau=4.0))(logits, teacher)
        fpn = build_mmkd_module(dict(type='ChannelWiseDivergence', tau=4.0))(
            (logits.view(16, 10, 1, 1).expand(16, 10, 2, 2).contiguous(), ),
            (teacher.view(16, 10, 1, 1).expand(16, 10, 2, 2), ))
    assert value.dtype == torch.float32 and fpn.dtype == torch.float32
    expected = KDLoss(tau=4.0)(logits.float(), teacher)
    assert torch.equal(value, expected)  # the same fp32 computation on the half-precision logits
    value.backward()
    assert head.weight.grad.dtype == torch.float32 and torch.isfinite(head.weight.grad).all()


def test_fp64_stays_fp64():
    s = torch.randn(2, 3, dtype=torch.float64)
    assert KDLoss()(s, s).dtype == torch.float64


def test_at_least_fp32_keeps_containers_and_promotes_only_low_precision_floats():
    Levels = namedtuple('Levels', 'fine coarse')
    half, double = torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.float64)
    levels = at_least_fp32(Levels(half, double))
    assert isinstance(levels, Levels)
    assert (levels.fine.dtype, levels.coarse.dtype) == (torch.float32, torch.float64)
    nested = at_least_fp32({'maps': [half.bfloat16(), torch.ones(2, dtype=torch.long)], 'n': 3})
    assert [t.dtype for t in nested['maps']] == [torch.float32, torch.long] and nested['n'] == 3
    values = at_least_fp32(torch.ones(2, 3, dtype=torch.float16).max(dim=0))
    assert values.values.dtype == torch.float32 and values.indices.dtype == torch.long
