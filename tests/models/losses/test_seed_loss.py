"""SEED and LGD losses against direct formulas (the queue and the two semantics banks as banks)."""
import pytest
import torch
import torch.nn.functional as F
from mmkd_test_helpers import write_text_bank

from mmkd.models.losses import SEEDLoss, similarity_distillation


def direct_soft_ce(s, t, bank, tau_s, tau_t, self_slot):
    """The formula of SEED (Eq. 2-3) / LGD written out per sample with explicit sums."""
    losses = []
    for i in range(s.shape[0]):
        si, ti = s[i] / s[i].norm(), t[i] / t[i].norm()
        cols = ([ti] if self_slot else []) + [b for b in bank]
        zs = torch.stack([si @ c for c in cols]) / tau_s
        zt = torch.stack([ti @ c for c in cols]) / tau_t
        p_t = torch.exp(zt - zt.max()) / torch.exp(zt - zt.max()).sum()
        log_q = zs - (zs.max() + torch.log(torch.exp(zs - zs.max()).sum()))
        losses.append(-(p_t * log_q).sum())
    return torch.stack(losses)


@pytest.mark.parametrize('self_slot', [True, False])
def test_similarity_distillation_matches_formula_and_gradient(self_slot):
    torch.manual_seed(0)
    s = torch.randn(5, 8, dtype=torch.float64, requires_grad=True)
    t, bank = torch.randn(5, 8), F.normalize(torch.randn(7, 8), dim=1)
    ours = similarity_distillation(s.float(), t, bank, 0.2, 0.05, self_slot)
    s_ref = s.detach().clone().requires_grad_(True)
    ref = direct_soft_ce(s_ref, t.double(), bank.double(), 0.2, 0.05, self_slot)
    assert torch.allclose(ours.double(), ref, atol=1e-5)
    grad, = torch.autograd.grad(ours.sum(), s)
    grad_ref, = torch.autograd.grad(ref.sum(), s_ref)
    assert torch.allclose(grad, grad_ref, atol=1e-4)


def test_similarity_distillation_edge_cases():
    torch.manual_seed(0)
    s, t, bank = torch.randn(4, 6), torch.randn(4, 6), F.normalize(torch.randn(3, 6), dim=1)
    # a vanishing teacher temperature puts all mass on the self slot (t·t = 1 is the largest)
    loss = similarity_distillation(s, t, bank, 0.2, 1e-6, self_slot=True)
    s_n, t_n = F.normalize(s, dim=1), F.normalize(t, dim=1)
    logits = torch.cat([(s_n * t_n).sum(1, keepdim=True), s_n @ bank.t()], 1) / 0.2
    assert torch.allclose(loss, -F.log_softmax(logits, 1)[:, 0], atol=1e-5)
    # with equal temperatures the loss is a cross-entropy: smallest when the student is the teacher
    assert (similarity_distillation(t, t, bank, 0.1, 0.1)
            <= similarity_distillation(s, t, bank, 0.1, 0.1) + 1e-6).all()
    assert torch.isfinite(similarity_distillation(s * 1e-12, t, bank, 0.2, 1e-4)).all()
    with pytest.raises(ValueError, match='one shape'):
        similarity_distillation(torch.randn(4, 5), t, bank, 0.2, 0.01)
    with pytest.raises(ValueError, match='bank of dim'):
        similarity_distillation(s, t, torch.randn(3, 5), 0.2, 0.01)


def test_seed_loss_uses_the_queue_before_updating_it():
    torch.manual_seed(0)
    loss = SEEDLoss(dict(type='EmbeddingQueue', size=6, dim=4), tau_s=0.2, tau_t=0.01,
                    loss_weight=2.0)
    before = loss.bank.embeddings.clone()
    s, t = torch.randn(3, 4, requires_grad=True), torch.randn(3, 4)
    value = loss(s, t)
    expected = 2.0 * similarity_distillation(s, t, before, 0.2, 0.01).mean()
    assert torch.allclose(value, expected)
    value.backward()  # the in-place queue update must not break autograd
    assert torch.allclose(loss.bank.embeddings[:3], F.normalize(t, dim=1))
    assert torch.equal(loss.bank.embeddings[3:], before[3:])
    weight = torch.tensor([1., 0., 0.])
    loss.eval()  # no update in eval mode
    frozen = loss.bank.embeddings.clone()
    one = loss(s, t, weight=weight, reduction_override='sum')
    assert torch.allclose(one, 2.0 * similarity_distillation(s, t, frozen, 0.2, 0.01)[0])
    assert torch.equal(loss.bank.embeddings, frozen)
    with pytest.raises(ValueError, match='SEEDLoss: tau_t must be a finite number'):
        SEEDLoss(dict(type='EmbeddingQueue', size=4, dim=4), tau_t=0)


def test_lgd_total_loss_matches_formula(tmp_path):
    """LGD = alpha·L_VIS(VSB) + (1-alpha)·L_TEX(TSB), both against the banks before the update."""
    torch.manual_seed(0)
    text = F.normalize(torch.randn(4, 8), dim=1)
    path = write_text_bank(tmp_path / 'tsb.pt', text)
    alpha, tau_s, tau_t = 0.3, 0.2, 0.01
    vis = SEEDLoss(dict(type='VisualSemanticsBank', text_bank=path, momentum=0.9),
                   tau_s=tau_s, tau_t=tau_t, loss_weight=alpha)
    tex = SEEDLoss(dict(type='TextBank', path=path), tau_s=tau_s, tau_t=tau_t,
                   self_slot=False, loss_weight=1 - alpha)
    s, t = torch.randn(6, 8), torch.randn(6, 8)
    v_before = vis.bank.embeddings.clone()
    total = vis(s, t) + tex(s, t)
    s_n, t_n = F.normalize(s, dim=1), F.normalize(t, dim=1)
    p_vis = F.softmax(torch.cat([(t_n * t_n).sum(1, keepdim=True), t_n @ v_before.t()], 1) / tau_t,
                      dim=1)
    q_vis = F.log_softmax(torch.cat([(s_n * t_n).sum(1, keepdim=True), s_n @ v_before.t()], 1)
                          / tau_s, dim=1)
    l_vis = -(p_vis * q_vis).sum(1).mean()
    l_tex = -(F.softmax(t_n @ text.t() / tau_t, 1) * F.log_softmax(s_n @ text.t() / tau_s, 1)).sum(1).mean()
    assert torch.allclose(total, alpha * l_vis + (1 - alpha) * l_tex, atol=1e-5)
    assert vis.bank.initialized.any()  # LGKA ran after the loss
