"""Every loss of Li et al. (ICCV 2023) against a direct, loop-based formula: values, gradients."""
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmkd.models.heads import TextPrototypeClsHead
from mmkd.models.losses import (CaptionContrastiveLoss, EmbeddingContrastiveLoss,
                                EmbeddingMSELoss, VLAlignLoss)

TAU = 0.07


def unit(x):
    return x / x.norm(dim=-1, keepdim=True)


def samples(labels):
    return [DataSample().set_gt_label(int(y)) for y in labels]


def inputs(batch=6, dim=8, classes=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(batch, dim, generator=g, dtype=torch.float64, requires_grad=True)
    t = torch.randn(batch, dim, generator=g, dtype=torch.float64)
    w = torch.randn(classes, dim, generator=g, dtype=torch.float64)
    y = torch.randint(0, classes, (batch, ), generator=g)
    return s, t, w, y


def grads_match(loss_fn, reference_fn, s):
    g1, = torch.autograd.grad(loss_fn(s), s)
    g2, = torch.autograd.grad(reference_fn(s), s)
    torch.testing.assert_close(g1, g2)


def test_mse_matches_two_minus_two_cosine():
    s, t, _, _ = inputs()
    loss = EmbeddingMSELoss()

    def direct(s):
        return sum(2 - 2 * F.cosine_similarity(s[i], t[i], dim=0) for i in range(len(s))) / len(s)

    torch.testing.assert_close(loss(s, t), direct(s))
    grads_match(lambda x: loss(x, t), direct, s)
    assert loss(t, t * 3).abs() < 1e-12  # direction only
    with pytest.raises(ValueError, match='differ'):
        loss(s, t[:, :4])


@pytest.mark.parametrize('mode', ['bidirectional', 'single'])
def test_contrastive_matches_direct_info_nce(mode):
    s, t, _, _ = inputs()
    loss = EmbeddingContrastiveLoss(temperature=TAU, mode=mode)

    def direct(s):
        a = [[unit(s[i]) @ unit(t[j]) / TAU for j in range(len(t))] for i in range(len(s))]
        total = 0
        for i in range(len(s)):
            row = -a[i][i] + torch.logsumexp(torch.stack(a[i]), 0)
            col = -a[i][i] + torch.logsumexp(torch.stack([a[j][i] for j in range(len(s))]), 0)
            total = total + (row if mode == 'single' else (row + col) / 2)
        return total / len(s)

    torch.testing.assert_close(loss(s, t), direct(s))
    grads_match(lambda x: loss(x, t), direct, s)


def direct_vl_align(s, t, w, k, keep=None):
    """KL(teacher || student) over the top-k texts of the teacher, averaged over kept samples."""
    total, count = 0, 0
    for i in range(len(s)):
        if keep is not None and not keep[i]:
            continue
        zt = torch.stack([unit(t[i]) @ unit(w[c]) / TAU for c in range(len(w))])
        zs = torch.stack([unit(s[i]) @ unit(w[c]) / TAU for c in range(len(w))])
        top = sorted(range(len(w)), key=lambda c: -float(zt[c]))[:min(k, len(w))]
        p = torch.softmax(zt[top], 0)
        q = torch.softmax(zs[top], 0)
        total = total + (p * (p.log() - q.log())).sum()
        count += 1
    return total / count


@pytest.mark.parametrize('k', [1, 3, 256])
def test_vl_align_top_k_matches_direct_formula(k):
    s, t, w, _ = inputs(classes=7)
    loss = VLAlignLoss(temperature=TAU, num_proximal=k)
    torch.testing.assert_close(loss(s, t, w), direct_vl_align(s, t, w, k))
    grads_match(lambda x: loss(x, t, w), lambda x: direct_vl_align(x, t, w, k), s)
    if k == 1:  # a single proximal text: p = q = 1, nothing to match
        assert loss(s, t, w).abs() < 1e-12


def test_vl_align_k_beyond_classes_is_full_softmax_kl():
    s, t, w, _ = inputs(classes=5)
    full = F.kl_div(F.log_softmax(unit(s) @ unit(w).t() / TAU, 1),
                    F.log_softmax(unit(t) @ unit(w).t() / TAU, 1), log_target=True,
                    reduction='batchmean')
    torch.testing.assert_close(VLAlignLoss(num_proximal=256)(s, t, w), full)


def test_vl_align_filter_drops_images_the_teacher_misclassifies():
    s, t, w, y = inputs(batch=8, classes=4)
    teacher_pred = (unit(t) @ unit(w).t()).argmax(1)
    y[:4] = teacher_pred[:4]  # 4 aligned images …
    y[4:] = (teacher_pred[4:] + 1) % 4  # … and 4 the teacher gets wrong
    loss = VLAlignLoss(num_proximal=3, filter_misaligned=True)
    keep = teacher_pred == y
    expected = direct_vl_align(s, t, w, 3, keep)
    torch.testing.assert_close(loss(s, t, w, samples(y)), expected)
    grads_match(lambda x: loss(x, t, w, samples(y)),
                lambda x: direct_vl_align(x, t, w, 3, keep), s)
    unfiltered = VLAlignLoss(num_proximal=3)(s, t, w)
    assert not torch.isclose(unfiltered, expected)


def test_vl_align_filter_with_no_aligned_image_is_zero_not_nan():
    s, t, w, _ = inputs(batch=4, classes=3)
    wrong = ((unit(t) @ unit(w).t()).argmax(1) + 1) % 3
    value = VLAlignLoss(filter_misaligned=True)(s, t, w, samples(wrong))
    assert value == 0 and not torch.isnan(value)
    grad, = torch.autograd.grad(value, s)
    assert torch.equal(grad, torch.zeros_like(grad))
    with pytest.raises(ValueError, match='data_samples'):
        VLAlignLoss(filter_misaligned=True)(s, t, w)


def test_caption_loss_masks_same_class_captions():
    s, c, _, _ = inputs(batch=6)
    y = torch.tensor([0, 0, 1, 1, 2, 0])
    loss = CaptionContrastiveLoss(temperature=1.0)

    def direct(s):
        total = 0
        for i in range(len(s)):
            logits = torch.stack([
                torch.tensor(-1e7, dtype=s.dtype) if (y[i] == y[j] and i != j)
                else unit(s[i]) @ unit(c[j]) for j in range(len(c))])
            total = total - torch.log_softmax(logits, 0)[i]
        return total / len(s)

    torch.testing.assert_close(loss(s, c, samples(y)), direct(s))
    grads_match(lambda x: loss(x, c, samples(y)), direct, s)
    # all one class: only the own caption is left, the loss is 0
    assert loss(s, c, samples([1] * 6)).abs() < 1e-6
    with pytest.raises(ValueError, match='gt_label'):
        loss(s, c, [DataSample() for _ in range(6)])


def test_l_cls_is_cross_entropy_over_cosine_logits_of_the_head():
    torch.manual_seed(0)
    head = TextPrototypeClsHead(in_channels=6, embed_dim=4, label_sets=dict(id=3, ood=2))
    head.init_weights()
    prototypes = torch.randn(3, 4)
    head.prototypes.set_embeddings('id', prototypes)
    feats = torch.randn(5, 6, requires_grad=True)
    y = torch.tensor([0, 2, 1, 1, 0])
    value = head.loss((feats, ), samples(y))['loss']
    s = head.projection(feats)
    expected = sum(-torch.log_softmax(
        torch.stack([unit(s[i]) @ unit(prototypes[c]) / TAU for c in range(3)]), 0)[y[i]]
        for i in range(5)) / 5
    torch.testing.assert_close(value, expected)
    g1, = torch.autograd.grad(value, feats)
    s = head.projection(feats)
    logits = unit(s) @ unit(prototypes).t() / TAU
    g2, = torch.autograd.grad(F.cross_entropy(logits, y), feats)
    torch.testing.assert_close(g1, g2)
