"""MMRazor's losses under MMRazor's names, each against its formula written out here: values and
gradients, reductions, edge cases. The direct formulas follow MMRazor's code (v1, main branch), so
equality means a converted recipe computes what MMRazor computed."""
import warnings

import pytest
import torch
import torch.nn.functional as F

from mmkd.models.connectors import FBKDStudentConnector, FBKDTeacherConnector, MGDConnector
from mmkd.models.losses import (ABLoss, AngleWiseRKD, ATLoss, DISTLoss, DistanceWiseRKD, DKDLoss,
                                FBKDLoss, KDLoss, KDSoftCELoss, KLDivergence, L1Loss, L2Loss,
                                MGDLoss, PKDLoss, WSLD, FeatureImitationLoss)
from mmkd.registry import build_mmkd_module


def same_value_and_gradient(ours, direct, student, *others, rtol=1e-6, atol=1e-9):
    """Value and d/d(student) of ``ours(student, *others)`` equal those of ``direct``."""
    a = student.detach().clone().requires_grad_()
    b = student.detach().clone().requires_grad_()
    value, expected = ours(a, *others), direct(b, *others)
    torch.testing.assert_close(value, expected, rtol=rtol, atol=atol)
    if value.dim() == 0:
        grad_a, = torch.autograd.grad(value, a)
        grad_b, = torch.autograd.grad(expected, b)
        torch.testing.assert_close(grad_a, grad_b, rtol=rtol, atol=atol)
    return value


@pytest.fixture
def logits():
    torch.manual_seed(0)
    return (torch.randn(6, 10, dtype=torch.float64) * 3, torch.randn(6, 10, dtype=torch.float64) * 3,
            torch.tensor([0, 3, 9, 3, 1, 5]))


# ---------------------------------------------------------------------------------- KLDivergence
@pytest.mark.parametrize('reduction', ['batchmean', 'mean', 'sum', 'none'])
@pytest.mark.parametrize('tau', [1.0, 6.0])
def test_kl_divergence_is_torch_kl_div_with_its_reduction(logits, reduction, tau):
    s, t, _ = logits

    def direct(s, t):
        warnings.filterwarnings('ignore', "reduction: 'mean' divides")
        return 2.0 * tau**2 * F.kl_div(F.log_softmax(s / tau, 1), F.softmax(t / tau, 1),
                                       reduction=reduction)

    same_value_and_gradient(KLDivergence(tau=tau, loss_weight=2.0, reduction=reduction), direct,
                            s, t)


def test_kl_divergence_mean_is_batchmean_over_classes_and_kdloss_is_batchmean(logits):
    """The issue's measured trap: MMRazor's 'mean' (FitNets config) is C times smaller."""
    s, t, _ = logits
    batchmean = KLDivergence(tau=4.0)(s, t)
    assert torch.allclose(KLDivergence(tau=4.0, reduction='mean')(s, t), batchmean / 10)
    assert torch.allclose(KDLoss(tau=4.0)(s, t), batchmean)


def test_kl_divergence_on_dense_maps_sums_positions_and_divides_by_n():
    torch.manual_seed(1)
    s, t = torch.randn(2, 5, 3, 4, dtype=torch.float64), torch.randn(2, 5, 3, 4, dtype=torch.float64)
    total = 0.
    for n in range(2):
        for i in range(3):
            for j in range(4):
                p, q = t[n, :, i, j].softmax(0), s[n, :, i, j].softmax(0)
                total += (p * (p.log() - q.log())).sum()
    assert torch.allclose(KLDivergence()(s, t), total / 2)
    assert torch.allclose(KLDivergence(reduction='mean')(s, t), total / s.numel())


def test_kl_divergence_weight_avg_factor_and_teacher_detach(logits):
    s, t, _ = logits
    loss = KLDivergence(tau=2.0)
    per_sample = loss(s, t, reduction_override='none').sum(1)
    w = torch.tensor([1., 0., 2., 0., 0., 1.], dtype=torch.float64)
    assert torch.allclose(loss(s, t, weight=w), (per_sample * w).sum() / 6)
    assert torch.allclose(loss(s, t, weight=w, avg_factor=4), (per_sample * w).sum() / 4)
    teacher = t.clone().requires_grad_()
    KLDivergence()(s.clone().requires_grad_(), teacher).backward()
    assert teacher.grad is None
    teacher = t.clone().requires_grad_()
    KLDivergence(teacher_detach=False)(s, teacher).backward()  # data-free KD trains through it
    assert teacher.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="KLDivergence: reduction must be one of"):
        KLDivergence(reduction='average')


# ---------------------------------------------------------------------------------- KDSoftCELoss
@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_kd_soft_ce_is_soft_cross_entropy_times_tau_squared(logits, reduction):
    s, t, _ = logits
    tau = 3.0

    def direct(s, t):
        ce = -(F.softmax(t / tau, -1) * F.log_softmax(s / tau, -1)).sum(-1)
        reduced = dict(mean=ce.mean(), sum=ce.sum(), none=ce)[reduction]
        return 0.5 * tau**2 * reduced

    same_value_and_gradient(KDSoftCELoss(tau=tau, reduction=reduction, loss_weight=0.5), direct,
                            s, t)
    # = KL + tau² · H(teacher): same gradient, larger value
    p_t = F.softmax(t / tau, -1)
    entropy = -(p_t * p_t.log()).sum(-1).mean() * tau**2
    assert torch.allclose(KDSoftCELoss(tau=tau)(s, t), KDLoss(tau=tau)(s, t) + entropy)
    no_square = KDSoftCELoss(tau=tau, mult_tem_square=False)(s, t)
    assert torch.allclose(no_square * tau**2, KDSoftCELoss(tau=tau)(s, t))


# ---------------------------------------------------------------------------------------- L2Loss
@pytest.mark.parametrize('normalize,div_element,dist', [
    (True, False, False), (False, False, False), (True, True, False), (False, True, False),
    (True, False, True), (False, False, True)])
def test_l2_loss_every_mode(normalize, div_element, dist):
    torch.manual_seed(2)
    s, t = torch.randn(4, 6, 3, 3, dtype=torch.float64), torch.randn(4, 6, 3, 3, dtype=torch.float64)
    mult = 2.0

    def direct(s, t):
        if normalize:
            s = s.view(4, -1) / s.view(4, -1).norm(2, dim=1, keepdim=True) * mult
            t = t.view(4, -1) / t.view(4, -1).norm(2, dim=1, keepdim=True) * mult
        loss = torch.sum(torch.pow(torch.sub(s, t), 2))
        if dist:
            return 10 * torch.sqrt(loss)
        return 10 * (loss / s.numel() if div_element else loss / s.size(0))

    loss = L2Loss(loss_weight=10, normalize=normalize, mult=mult, div_element=div_element,
                  dist=dist)
    same_value_and_gradient(loss, direct, s, t)


def test_l2_loss_against_feature_imitation_and_edge_cases():
    """The issue's measured gap: MMRazor's FitNets default normalises, FeatureImitationLoss not."""
    torch.manual_seed(3)
    s, t = torch.randn(4, 8, 5, 5) * 4, torch.randn(4, 8, 5, 5) * 4
    assert torch.allclose(L2Loss(normalize=False, div_element=True)(s, t),
                          FeatureImitationLoss()(s, t))
    fitnets = L2Loss(loss_weight=10)(s, t)
    assert not torch.allclose(fitnets, 10 * FeatureImitationLoss()(s, t), rtol=0.5)
    # an all-zero sample stays finite (MMRazor divides by its zero norm: NaN)
    zero = s.clone()
    zero[0] = 0
    assert torch.isfinite(L2Loss()(zero, t))
    per_sample = L2Loss(reduction='none')(s, t)
    assert per_sample.shape == (4, ) and torch.allclose(per_sample.mean(), L2Loss()(s, t))
    with pytest.raises(ValueError, match='differ'):
        L2Loss()(s, t[:, :4])
    with pytest.raises(ValueError, match='dist=True'):
        L2Loss(dist=True, reduction='sum')


# ---------------------------------------------------------------------------------------- L1Loss
@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_l1_loss_is_torch_l1(reduction):
    s, t = torch.randn(3, 4, 5, dtype=torch.float64), torch.randn(3, 4, 5, dtype=torch.float64)
    same_value_and_gradient(L1Loss(loss_weight=2.0, reduction=reduction),
                            lambda s, t: 2.0 * F.l1_loss(s, t, reduction=reduction), s, t)


# --------------------------------------------------------------------------------------- DKDLoss
def direct_dkd(s, t, y, tau, alpha, beta):
    """MMRazor's DKDLoss with its effective reduction (legacy size_average=False: a sum)."""
    gt = torch.zeros_like(s).scatter_(1, y.unsqueeze(1), 1).bool()
    other = torch.ones_like(s).scatter_(1, y.unsqueeze(1), 0).bool()

    def cat_mask(p):
        return torch.cat([(p * gt).sum(1, keepdims=True), (p * other).sum(1, keepdims=True)], 1)

    tckd = F.kl_div(torch.log(cat_mask(F.softmax(s / tau, 1))), cat_mask(F.softmax(t / tau, 1)),
                    reduction='sum') * tau**2
    nckd = F.kl_div(F.log_softmax(s / tau - 1000.0 * gt, 1), F.softmax(t / tau - 1000.0 * gt, 1),
                    reduction='sum') * tau**2
    return alpha * tckd + beta * nckd


@pytest.mark.parametrize('tau,alpha,beta', [(1.0, 1.0, 0.5), (4.0, 1.0, 8.0)])
def test_dkd_sum_is_mmrazor_and_batchmean_is_the_paper(logits, tau, alpha, beta):
    s, t, y = logits
    dkd = DKDLoss(tau=tau, alpha=alpha, beta=beta, reduction='sum', loss_weight=1.5)
    same_value_and_gradient(dkd, lambda s, t, y: 1.5 * direct_dkd(s, t, y, tau, alpha, beta),
                            s, t, y)
    batchmean = DKDLoss(tau=tau, alpha=alpha, beta=beta)(s, t, y)
    assert torch.allclose(batchmean, direct_dkd(s, t, y, tau, alpha, beta) / 6)
    per_sample = dkd(s, t, y, reduction_override='none')
    assert per_sample.shape == (6, ) and torch.allclose(per_sample.sum(), dkd(s, t, y))


def test_dkd_with_alpha_beta_one_relates_to_kd(logits):
    """Zhao et al. Eq. (5): KD = TCKD + (1 − p_t^gt) · NCKD."""
    s, t, y = logits
    tckd = DKDLoss(alpha=1.0, beta=0.0)(s, t, y, reduction_override='none')
    nckd = DKDLoss(alpha=0.0, beta=1.0)(s, t, y, reduction_override='none')
    p_gt = F.softmax(t, 1).gather(1, y[:, None])[:, 0]
    kd = KDLoss()(s, t, reduction_override='none')
    assert torch.allclose(kd, tckd + (1 - p_gt) * nckd)


def test_dkd_refuses_mmrazors_ambiguous_reductions_and_stays_finite(logits):
    s, t, y = logits
    for reduction in ('mean', 'none'):
        with pytest.raises(ValueError, match="Write reduction='sum' to keep MMRazor's numbers"):
            DKDLoss(reduction=reduction)
    # a saturated softmax: MMRazor's log of a probability gives inf, this stays finite
    s_big, t = s.float(), t.float()
    s_big[torch.arange(6), y] = 200.  # exp(-200) is 0 in fp32: 1 - p_gt is exactly 0
    assert not torch.isfinite(direct_dkd(s_big, t, y, 1.0, 1.0, 1.0))
    assert torch.isfinite(DKDLoss()(s_big, t, y))
    with pytest.raises(ValueError, match='3 labels for 6 samples'):
        DKDLoss()(s, t[:, :10], y[:3])


# -------------------------------------------------------------------------------------- DISTLoss
def test_dist_against_pearson_written_out():
    torch.manual_seed(4)
    s, t = torch.randn(8, 5, dtype=torch.float64), torch.randn(8, 5, dtype=torch.float64)
    tau = 2.0

    def pearson(a, b):
        a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
        return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + 1e-8)

    def direct(s, t):
        y_s, y_t = (s / tau).softmax(1), (t / tau).softmax(1)
        inter = tau**2 * (1 - pearson(y_s, y_t).mean())
        intra = tau**2 * (1 - pearson(y_s.t(), y_t.t()).mean())
        return 2 * (1.0 * inter + 0.5 * intra)

    same_value_and_gradient(DISTLoss(inter_loss_weight=1.0, intra_loss_weight=0.5, tau=tau,
                                     loss_weight=2), direct, s, t)
    assert DISTLoss()(s, s).item() == pytest.approx(0, abs=1e-6)  # up to the 1e-8 in the cosine


# ------------------------------------------------------------------------------------------ WSLD
def test_wsld_against_mmrazor_formula(logits):
    s, t, y = logits
    tau = 2.0

    def direct(s, t, y):
        ce = -torch.sum(F.softmax(t / tau, 1) * F.log_softmax(s / tau, 1), 1, keepdim=True)
        one_hot = F.one_hot(y, num_classes=10).double()
        ce_s = -torch.sum(one_hot * F.log_softmax(s.detach(), 1), 1, keepdim=True)
        ce_t = -torch.sum(one_hot * F.log_softmax(t.detach(), 1), 1, keepdim=True)
        focal = 1 - torch.exp(-torch.max(ce_s / (ce_t + 1e-7), torch.zeros_like(ce_s)))
        return 2.5 * tau**2 * torch.mean(focal * ce)

    same_value_and_gradient(WSLD(tau=tau, loss_weight=2.5, num_classes=10), direct, s, t, y)
    with pytest.raises(ValueError, match='num_classes=1000 but the logits have 10'):
        WSLD()(s, t, y)


# -------------------------------------------------------------------------------- ATLoss, ABLoss
def test_at_loss_against_attention_written_out():
    torch.manual_seed(5)
    s, t = torch.randn(2, 4, 5, 5, dtype=torch.float64), torch.randn(2, 9, 5, 5, dtype=torch.float64)

    def direct(s, t):
        def at(x):
            a = x.pow(2).mean(1).view(x.size(0), -1)
            return a / a.norm(dim=1, keepdim=True)
        return 3.0 * (at(s) - at(t)).pow(2).mean()

    same_value_and_gradient(ATLoss(loss_weight=3.0), direct, s, t)
    with pytest.raises(ValueError, match='one batch and size'):
        ATLoss()(s, t[:, :, :4])


def test_ab_loss_against_piecewise_hinge():
    torch.manual_seed(6)
    s, t = torch.randn(3, 4, 2, 2, dtype=torch.float64) * 2, torch.randn(3, 4, 2, 2, dtype=torch.float64)
    m = 1.0

    def direct(s, t):
        total = 0.
        for a, b in zip(s.flatten(), t.flatten()):
            if b <= 0 and a > -m:
                total = total + (a + m)**2
            if b > 0 and a <= m:
                total = total + (a - m)**2
        return 0.5 * total / 3 / 1000 * 3

    same_value_and_gradient(ABLoss(loss_weight=0.5, margin=m), direct, s, t)
    with pytest.raises(ValueError, match='ABLoss: margin must be a finite number'):
        ABLoss(margin=float('inf'))


# ------------------------------------------------------------------------------------------ RKD
def direct_distances(x):
    n = x.shape[0]
    d = torch.zeros(n, n, dtype=x.dtype)
    for i in range(n):
        for j in range(n):
            if i != j:
                d[i, j] = (x[i] - x[j]).norm()
    return d


def test_distance_wise_rkd_against_distances_written_out():
    torch.manual_seed(7)
    s, t = torch.randn(5, 3, 2, 2, dtype=torch.float64), torch.randn(5, 7, dtype=torch.float64)

    def direct(s, t):
        s = F.normalize(s.view(5, -1), dim=1)
        t = F.normalize(t.view(5, -1), dim=1)
        d_s, d_t = direct_distances(s), direct_distances(t)
        d_s, d_t = d_s / d_s[d_s > 0].mean(), d_t / d_t[d_t > 0].mean()
        return 25 * F.smooth_l1_loss(d_s, d_t)

    same_value_and_gradient(DistanceWiseRKD(), direct, s, t)
    assert DistanceWiseRKD()(s[:1], t[:1]).item() == 0  # MMRazor: mean of nothing, NaN


def test_angle_wise_rkd_against_angles_written_out():
    torch.manual_seed(8)
    s, t = torch.randn(4, 6, dtype=torch.float64), torch.randn(4, 3, dtype=torch.float64)

    def direct(s, t):
        def angles(x):
            x = F.normalize(x, dim=1)
            out = torch.zeros(4, 4, 4, dtype=x.dtype)
            for i in range(4):
                for j in range(4):
                    for k in range(4):
                        if j != i and k != i:
                            u, v = x[j] - x[i], x[k] - x[i]
                            out[i, j, k] = (u @ v) / (u.norm() * v.norm())
            return out
        return 50 * F.smooth_l1_loss(angles(s), angles(t))

    same_value_and_gradient(AngleWiseRKD(), direct, s, t)


# --------------------------------------------------------------------------------------- PKDLoss
def test_pkd_against_standardised_mse_and_resizing():
    torch.manual_seed(9)
    s = (torch.randn(2, 3, 4, 4, dtype=torch.float64), torch.randn(2, 3, 2, 2, dtype=torch.float64))
    t = (torch.randn(2, 3, 8, 8, dtype=torch.float64), torch.randn(2, 3, 2, 2, dtype=torch.float64))

    def norm(x):
        c = x.shape[1]
        flat = x.permute(1, 0, 2, 3).reshape(c, -1)
        out = (flat - flat.mean(-1, keepdim=True)) / (flat.std(-1, keepdim=True) + 1e-6)
        return out.reshape(c, x.shape[0], *x.shape[2:]).permute(1, 0, 2, 3)

    def direct(s0, resize_stu=True):
        total = 0.
        for a, b in zip((s0, s[1]), t):
            if a.shape[2:] != b.shape[2:]:
                if resize_stu:
                    a = F.interpolate(a, b.shape[2:], mode='bilinear')
                else:
                    b = F.interpolate(b, a.shape[2:], mode='bilinear')
            total = total + F.mse_loss(norm(a), norm(b)) / 2
        return 6 * total

    same_value_and_gradient(lambda s0: PKDLoss(loss_weight=6)((s0, s[1]), t), direct, s[0])
    same_value_and_gradient(lambda s0: PKDLoss(loss_weight=6, resize_stu=False)((s0, s[1]), t),
                            lambda s0: direct(s0, resize_stu=False), s[0])


# ------------------------------------------------------------------------------- MGD and FBKD
def test_mgd_loss_and_connector():
    torch.manual_seed(10)
    s, t = torch.randn(2, 4, 3, 3, dtype=torch.float64), torch.randn(2, 4, 3, 3, dtype=torch.float64)
    same_value_and_gradient(MGDLoss(alpha_mgd=2e-5),
                            lambda s, t: 2e-5 * F.mse_loss(s, t, reduction='sum') / 2, s, t)
    connector = MGDConnector(student_channels=3, teacher_channels=4, lambda_mgd=0.65)
    feature = torch.randn(2, 3, 6, 6)
    torch.manual_seed(11)
    out = connector(feature)
    # the same draw written out: positions with rand > 1 - lambda are zeroed before generation
    torch.manual_seed(11)
    aligned = connector.align(feature)
    mask = torch.where(torch.rand(2, 1, 6, 6) > 1 - 0.65, 0., 1.)
    assert torch.allclose(out, connector.generation(aligned * mask))
    assert MGDConnector(4, 4).align is None
    with pytest.raises(ValueError, match='MGDConnector: lambda_mgd'):
        MGDConnector(4, 4, lambda_mgd=1.5)


def test_fbkd_loss_against_its_terms_written_out():
    torch.manual_seed(12)
    student, teacher = FBKDStudentConnector(8, sub_sample=True), FBKDTeacherConnector(8)
    s_in, t_in = student(torch.randn(2, 8, 8, 8)), teacher(torch.randn(2, 8, 8, 8))
    s_sm, _, s_cp, s_sp, s_rel, s_feat = s_in
    t_sm, _, t_sp, t_rel, t_feat = t_in
    mask = ((t_sm + s_sm) / 2).detach()
    expected = (7e-5 * torch.sum((t_feat - s_feat)**2 * mask)**0.5
                + 4e-3 * torch.dist(torch.mean(t_feat, [2, 3]), s_cp)
                + 4e-3 * torch.dist(t_sp, s_sp) + 7e-5 * torch.dist(t_rel, s_rel, p=2))
    loss = FBKDLoss(loss_weight=2.0)(s_in, t_in)
    assert torch.allclose(loss, 2.0 * expected)
    loss.backward()  # both connectors train: the teacher side's non-local block too
    assert teacher.non_local.conv_out.conv.weight.grad is not None
    # FBKD's masks: softmax over positions of the channel-mean |x| at 1/T, scaled to mean 1
    x = torch.randn(2, 8, 4, 4)
    spatial = teacher(x)[0]
    direct = torch.softmax(x.abs().mean(1).view(2, -1) / 0.5, 1).view(2, 1, 4, 4) * 16
    assert torch.allclose(spatial, direct) and torch.allclose(spatial.mean((2, 3)),
                                                              torch.ones(2, 1))
    with pytest.raises(ValueError, match='6 outputs of FBKDStudentConnector'):
        FBKDLoss()(t_in, t_in)


# --------------------------------------------------------------------------------- registry
@pytest.mark.parametrize('name', [
    'KLDivergence', 'KDSoftCELoss', 'L2Loss', 'L1Loss', 'ChannelWiseDivergence', 'DKDLoss',
    'DISTLoss', 'WSLD', 'ATLoss', 'ABLoss', 'DistanceWiseRKD', 'AngleWiseRKD', 'PKDLoss',
    'MGDLoss', 'FBKDLoss'])
def test_mmrazor_names_build_from_the_registry(name):
    assert type(build_mmkd_module(dict(type=name))).__name__ == name
