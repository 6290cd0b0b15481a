"""LGD's banks of embeddings: SEED's FIFO queue and LGKA's Visual Semantics Bank."""
import torch
import torch.nn.functional as F
from mmkd_test_helpers import write_text_bank

from mmkd.models.modules import EmbeddingQueue, VisualSemanticsBank


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
    bank = write_text_bank(tmp_path / 'tsb.pt', text)
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
