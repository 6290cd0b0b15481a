"""MaKD's student side: loss numerics, head outputs and losses, targets transform, metric."""
import json

import numpy as np
import pytest
import torch
from mmpretrain.structures import DataSample

from mmkd.store import TeacherStoreWriter
from mmkd.datasets.transforms import LoadAspectTargets
from mmkd.evaluation import AspectAgreement
from mmkd.models import AspectBCELoss, AspectClsHead, PoolLinearConnector, aspect_bce


def direct_bce(logits, targets):
    """``softplus(s) - t·s``, the BCE-with-logits identity of the spec's checklist."""
    return torch.nn.functional.softplus(logits) - targets * logits


def test_aspect_bce_matches_the_direct_formula_and_its_gradient():
    torch.manual_seed(0)
    logits = torch.randn(6, 50, dtype=torch.float64, requires_grad=True)
    targets = torch.rand(6, 50, dtype=torch.float64)
    loss = AspectBCELoss(loss_weight=4.0)(logits, targets)
    expected = 4.0 * direct_bce(logits, targets).mean()
    torch.testing.assert_close(loss, expected)
    (grad, ) = torch.autograd.grad(loss, logits)
    torch.testing.assert_close(grad, 4.0 * (logits.sigmoid() - targets) / logits.numel())
    # the optimum is the MLLM's log-odds: zero gradient at s = logit(t)
    at_optimum = torch.logit(targets).requires_grad_(True)
    (grad, ) = torch.autograd.grad(AspectBCELoss()(at_optimum, targets), at_optimum)
    assert grad.abs().max() < 1e-12


def test_aspect_bce_edge_cases():
    loss = AspectBCELoss()
    big = torch.tensor([[100.0, -100.0]])
    assert loss(big, torch.tensor([[1.0, 0.0]])) < 1e-30  # saturated, stable, no NaN
    assert torch.isfinite(loss(big, torch.tensor([[0.0, 1.0]])))
    per_sample = torch.tensor([1.0, 0.0])
    logits, targets = torch.randn(2, 3), torch.rand(2, 3)
    torch.testing.assert_close(loss(logits, targets, weight=per_sample, avg_factor=3),
                               direct_bce(logits, targets)[0].sum() / 3)
    assert loss(logits, targets, reduction_override='none').shape == (2, 3)
    with pytest.raises(ValueError, match=r'in \[0, 1\]'):
        aspect_bce(logits, targets * 5)  # raw logits passed as targets
    with pytest.raises(ValueError, match='num_aspects'):
        aspect_bce(logits, torch.rand(2, 4))


def _samples(targets, labels):
    return [DataSample(aspect_targets=t).set_gt_label(int(y)) for t, y in zip(targets, labels)]


def test_head_splits_class_and_aspect_logits():
    torch.manual_seed(0)
    head = AspectClsHead(num_classes=3, num_aspects=4, in_channels=8)
    head.init_weights()
    feats = (torch.randn(5, 8), )
    logits = head(feats)
    assert logits.shape == (5, 7)
    targets, labels = torch.rand(5, 4), torch.tensor([0, 1, 2, 1, 0])
    losses = head.loss(feats, _samples(targets, labels))
    torch.testing.assert_close(losses['loss_cls'],
                               torch.nn.functional.cross_entropy(logits[:, :3], labels))
    torch.testing.assert_close(losses['loss_aspect'],
                               4.0 * direct_bce(logits[:, 3:], targets).mean())

    # prediction: classes only, even when an aspect logit is the largest output
    with torch.no_grad():
        head.fc.bias[3:] = 100.0
    predictions = head.predict(feats)
    assert predictions[0].pred_score.shape == (3, )
    assert all(int(p.pred_label) < 3 for p in predictions)
    assert predictions[0].aspect_score.shape == (4, )
    assert (predictions[0].aspect_score > 0.99).all()


def test_head_names_samples_without_targets():
    head = AspectClsHead(num_classes=3, num_aspects=4, in_channels=8)
    sample = DataSample(metainfo=dict(img_path='a/b.png')).set_gt_label(1)
    with pytest.raises(KeyError, match="'a/b.png'.*LoadAspectTargets"):
        head.loss((torch.randn(1, 8), ), [sample])


def _packed(**metainfo):
    return dict(data_samples=DataSample(metainfo=metainfo))


def test_targets_from_json_and_store(tmp_path):
    table = {'cat_1': [0.9, 0.1], 'dog_7': [0.2, 0.6]}
    (tmp_path / 'targets.json').write_text(json.dumps(table))
    by_stem = LoadAspectTargets(str(tmp_path / 'targets.json'))
    out = by_stem(_packed(img_path='/data/pets/cat/cat_1.jpg'))
    torch.testing.assert_close(out['data_samples'].aspect_targets, torch.tensor([0.9, 0.1]))
    with pytest.raises(KeyError, match="'cow_3'"):
        by_stem(_packed(img_path='/data/pets/cow/cow_3.jpg'))

    with TeacherStoreWriter(str(tmp_path / 'store'), 2, dict(teacher='mllm', view='any'),
                            info=dict(data_root='/data/pets')) as writer:
        writer.write(['cat/cat_1.jpg', 'dog/dog_7.jpg'],
                     dict(aspect_probs=np.array(list(table.values()), dtype=np.float32)))
    from_store = LoadAspectTargets(str(tmp_path / 'store'))
    out = from_store(_packed(img_path='/data/pets/dog/dog_7.jpg'))
    torch.testing.assert_close(out['data_samples'].aspect_targets, torch.tensor([0.2, 0.6]))
    with pytest.raises(KeyError, match="'cow/cow_3.jpg'"):
        from_store(_packed(img_path='/data/pets/cow/cow_3.jpg'))


def test_agreement_metric():
    metric = AspectAgreement()
    scores = torch.tensor([[0.9, 0.2, 0.6], [0.1, 0.7, 0.4]])
    targets = torch.tensor([[0.8, 0.6, 0.7], [0.3, 0.9, 0.45]])
    metric.process(None, [dict(aspect_score=s, aspect_targets=t) for s, t in zip(scores, targets)])
    result = metric.evaluate(2)
    assert result['aspect/accuracy'] == pytest.approx(100 * 5 / 6)
    expected_bce = -(targets * scores.log() + (1 - targets) * (1 - scores).log()).mean()
    assert result['aspect/bce'] == pytest.approx(expected_bce.item(), rel=1e-5)
    assert result['aspect/mae'] == pytest.approx((scores - targets).abs().mean().item())


def test_pool_linear_connector_pools_each_level():
    connector = PoolLinearConnector(in_channels=6, out_channels=2, levels=[0, 2])
    levels = (torch.randn(2, 3, 8, 8), torch.randn(2, 5, 4, 4), torch.randn(2, 3, 2, 2))
    pooled = torch.cat([levels[0].mean((2, 3)), levels[2].mean((2, 3))], dim=1)
    torch.testing.assert_close(connector(levels), connector.fc(pooled))
    with pytest.raises(ValueError, match='in_channels'):
        PoolLinearConnector(in_channels=4, out_channels=2)(levels)
