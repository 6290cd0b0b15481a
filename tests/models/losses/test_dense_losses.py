"""FeatureImitationLoss and ChannelWiseDivergence against direct formulas, gradients, edge cases."""
import pytest
import torch
import torch.nn.functional as F

from mmkd.models.losses import ChannelWiseDivergence, FeatureImitationLoss
from mmkd.registry import build_mmkd_module


def cwd_by_loops(s: torch.Tensor, t: torch.Tensor, tau: float) -> torch.Tensor:
    """Shu et al., Eq. (2)-(3), written out one channel at a time."""
    n, c = s.shape[:2]
    total = 0.
    for i in range(n):
        for j in range(c):
            p_t = torch.softmax(t[i, j].flatten() / tau, dim=0)
            p_s = torch.softmax(s[i, j].flatten() / tau, dim=0)
            total += (p_t * torch.log(p_t / p_s)).sum()
    return tau**2 * total / (n * c)


# ----------------------------------------------------------------------------- feature imitation
def test_feature_imitation_is_mse_on_one_map():
    s, t = torch.randn(3, 5, 7, 6), torch.randn(3, 5, 7, 6)
    loss = FeatureImitationLoss(loss_weight=0.5)(s, t)
    assert torch.allclose(loss, 0.5 * F.mse_loss(s, t))


def test_feature_imitation_sums_levels_and_resizes_student_to_teacher():
    s = (torch.randn(2, 4, 8, 8), torch.randn(2, 4, 3, 5))
    t = (torch.randn(2, 4, 16, 16), torch.randn(2, 4, 3, 5))
    expected = (F.mse_loss(F.interpolate(s[0], size=(16, 16), mode='bilinear'), t[0])
                + F.mse_loss(s[1], t[1]))
    assert torch.allclose(FeatureImitationLoss()(s, t), expected)
    # lists work like tuples
    assert torch.allclose(FeatureImitationLoss()(list(s), list(t)), expected)


def test_feature_imitation_weight_avg_factor_and_reductions():
    s, t = torch.randn(4, 3, 5, 5), torch.randn(4, 3, 5, 5)
    per_sample = (s - t).pow(2).mean(dim=(1, 2, 3))
    loss = FeatureImitationLoss()
    assert torch.allclose(loss(s, t, reduction_override='none'), per_sample)
    assert torch.allclose(loss(s, t, reduction_override='sum'), per_sample.sum())
    weight = torch.tensor([1., 0., 2., 0.])
    assert torch.allclose(loss(s, t, weight=weight, avg_factor=3.),
                          (per_sample * weight).sum() / 3.)


def test_feature_imitation_gradient_reaches_student_only():
    s = torch.randn(2, 3, 4, 4, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 3, 6, 6, dtype=torch.double, requires_grad=True)
    loss = FeatureImitationLoss()
    small_s, small_t = s[:1, :2].detach().requires_grad_(), t[:1, :2]
    assert torch.autograd.gradcheck(lambda x: loss(x, small_t), (small_s,))
    loss(s, t).backward()
    assert t.grad is None and s.grad.abs().sum() > 0
    # same-size maps: d/ds mean((s - t)²) = 2 (s - t) / numel
    s2 = s.detach().clone().requires_grad_()
    t2 = torch.randn_like(s2)
    loss(s2, t2).backward()
    assert torch.allclose(s2.grad, 2 * (s2 - t2).detach() / s2.numel())


def test_feature_imitation_edge_cases():
    x = torch.randn(2, 3, 4, 4)
    assert FeatureImitationLoss()(x, x.clone()).item() == 0
    one_pixel = FeatureImitationLoss()(torch.zeros(2, 3, 1, 1), torch.ones(2, 3, 1, 1))
    assert one_pixel.item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match='ConvConnector with in_channels=3, out_channels=8'):
        FeatureImitationLoss()(x, torch.randn(2, 8, 4, 4))
    with pytest.raises(ValueError, match='2 maps .* teacher 1'):
        FeatureImitationLoss()((x, x), (x, ))
    with pytest.raises(ValueError, match='batch sizes differ'):
        FeatureImitationLoss()(x, torch.randn(3, 3, 4, 4))
    with pytest.raises(ValueError, match=r'\[N, C, H, W\]'):
        FeatureImitationLoss()(torch.randn(2, 3), torch.randn(2, 3))
    with pytest.raises(ValueError, match='reduction'):
        FeatureImitationLoss(reduction='batchmean')


# ------------------------------------------------------------------------------------------- CWD
@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_cwd_matches_the_paper_formula(tau):
    s, t = torch.randn(2, 5, 6, 7) * 3, torch.randn(2, 5, 6, 7) * 3
    loss = ChannelWiseDivergence(tau=tau, loss_weight=3.0)(s, t)
    assert torch.allclose(loss, 3.0 * cwd_by_loops(s, t, tau), rtol=1e-5)
    # the same as torch's KL with a sum over positions and channels, divided by N·C
    kl = F.kl_div(F.log_softmax(s.flatten(2) / tau, 2), F.log_softmax(t.flatten(2) / tau, 2),
                  reduction='sum', log_target=True)
    assert torch.allclose(loss, 3.0 * tau**2 * kl / (2 * 5), rtol=1e-5)


def test_cwd_levels_resize_and_reductions():
    s = (torch.randn(2, 3, 4, 4), torch.randn(2, 3, 2, 2))
    t = (torch.randn(2, 3, 8, 8), torch.randn(2, 3, 2, 2))
    expected = (cwd_by_loops(F.interpolate(s[0], size=(8, 8), mode='bilinear'), t[0], 2.0)
                + cwd_by_loops(s[1], t[1], 2.0))
    loss = ChannelWiseDivergence(tau=2.0)
    assert torch.allclose(loss(s, t), expected, rtol=1e-5)
    per_sample = loss(s, t, reduction_override='none')
    assert per_sample.shape == (2, )
    assert torch.allclose(loss(s, t, reduction_override='sum'), per_sample.sum())
    assert torch.allclose(loss(s, t, weight=torch.tensor([0., 1.]), avg_factor=1.),
                          per_sample[1])


def test_cwd_gradient_is_tau_times_probability_difference():
    tau = 3.0
    s = torch.randn(2, 4, 3, 5, dtype=torch.double, requires_grad=True)
    t = torch.randn(2, 4, 3, 5, dtype=torch.double, requires_grad=True)
    loss = ChannelWiseDivergence(tau=tau)
    small_s, small_t = s[:1, :2].detach().requires_grad_(), t[:1, :2]
    assert torch.autograd.gradcheck(lambda x: loss(x, small_t), (small_s,))
    loss(s, t).backward()
    assert t.grad is None
    p_s = torch.softmax(s.detach().flatten(2) / tau, 2)
    p_t = torch.softmax(t.detach().flatten(2) / tau, 2)
    expected = (tau * (p_s - p_t) / (2 * 4)).view_as(s)
    assert torch.allclose(s.grad, expected)


def test_cwd_edge_cases():
    x = torch.randn(2, 3, 4, 4)
    loss = ChannelWiseDivergence(tau=4.0)
    assert loss(x, x.clone()).item() == pytest.approx(0, abs=1e-6)
    # a per-channel offset does not change a channel's spatial distribution
    assert loss(x + torch.randn(2, 3, 1, 1) * 10, x).item() == pytest.approx(0, abs=1e-5)
    # one position: every distribution is a point mass
    assert loss(torch.randn(2, 3, 1, 1), torch.randn(2, 3, 1, 1)).item() == 0
    # huge logits stay finite (log-softmax, no log of a softmax)
    big = loss(torch.randn(2, 3, 4, 4) * 1e4, torch.randn(2, 3, 4, 4) * 1e4)
    assert torch.isfinite(big) and big > 0
    with pytest.raises(ValueError, match='tau must be a finite number'):
        ChannelWiseDivergence(tau=0)
    with pytest.raises(ValueError, match='19 channels and the teacher 21'):
        loss(torch.randn(1, 19, 4, 4), torch.randn(1, 21, 4, 4))


def test_losses_build_from_the_registry():
    assert isinstance(build_mmkd_module(dict(type='ChannelWiseDivergence', tau=4.0)),
                      ChannelWiseDivergence)
    assert isinstance(build_mmkd_module(dict(type='mmkd.FeatureImitationLoss')),
                      FeatureImitationLoss)
