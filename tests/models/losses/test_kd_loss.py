"""KDLoss against Hinton's formula written out directly, values and gradients."""
import pytest
import torch

from mmkd.models.losses import KDLoss, kd_kl_div


def direct_kd(student, teacher, tau):
    p_t = torch.softmax(teacher / tau, dim=1)
    p_s = torch.softmax(student / tau, dim=1)
    return (p_t * (p_t.log() - p_s.log())).sum(dim=1) * tau**2


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_matches_direct_formula_and_gradient(tau):
    torch.manual_seed(0)
    student = torch.randn(16, 10, dtype=torch.float64, requires_grad=True)
    teacher = torch.randn(16, 10, dtype=torch.float64)
    loss = KDLoss(tau=tau, loss_weight=0.5)(student, teacher)
    expected = 0.5 * direct_kd(student, teacher, tau).mean()
    torch.testing.assert_close(loss, expected)
    grad, = torch.autograd.grad(loss, student)
    # d/ds [tau^2 KL] = tau * (softmax(s/tau) - softmax(t/tau)), averaged over the batch.
    analytic = 0.5 * tau * (torch.softmax(student / tau, 1) - torch.softmax(teacher / tau, 1)) / 16
    torch.testing.assert_close(grad, analytic)


def test_reductions_weights_and_avg_factor():
    torch.manual_seed(1)
    student, teacher = torch.randn(6, 5), torch.randn(6, 5)
    per_sample = direct_kd(student, teacher, 2.0)
    loss = KDLoss(tau=2.0)
    torch.testing.assert_close(loss(student, teacher, reduction_override='none'), per_sample)
    torch.testing.assert_close(loss(student, teacher, reduction_override='sum'), per_sample.sum())
    weight = torch.tensor([1., 0., 1., 0., 1., 0.])
    torch.testing.assert_close(loss(student, teacher, weight=weight, avg_factor=3),
                               (per_sample * weight).sum() / 3)


def test_edge_cases():
    logits = torch.randn(4, 7)
    # identical logits: zero loss and zero gradient
    student = logits.clone().requires_grad_()
    loss = KDLoss(tau=3.0)(student, logits)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    assert torch.autograd.grad(loss, student)[0].abs().max() < 1e-6
    # one class: softmax is 1, nothing to distil
    assert KDLoss()(torch.randn(4, 1), torch.randn(4, 1)).item() == pytest.approx(0.0, abs=1e-7)
    # the teacher never receives a gradient
    teacher = torch.randn(4, 7, requires_grad=True)
    kd_kl_div(torch.randn(4, 7, requires_grad=True), teacher, 2.0).sum().backward()
    assert teacher.grad is None
    # T -> 1 is the plain KL of the softmaxes
    s, t = torch.randn(4, 7), torch.randn(4, 7)
    torch.testing.assert_close(
        KDLoss(tau=1.0)(s, t),
        torch.nn.functional.kl_div(s.log_softmax(1), t.log_softmax(1), log_target=True,
                                   reduction='batchmean'))


def test_bad_input_is_named():
    with pytest.raises(ValueError, match='tau must be a finite number'):
        KDLoss(tau=0)
    with pytest.raises(ValueError, match=r'student \(4, 10\) and teacher \(4, 5\)'):
        KDLoss()(torch.randn(4, 10), torch.randn(4, 5))
