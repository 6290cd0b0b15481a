"""L2D's oracle-top-k F1 against a direct per-image, per-class computation."""
import torch
from mmpretrain.structures import DataSample

from mmkd.evaluation import OracleTopKF1, oracle_topk_predictions


def direct_f1s(scores, targets):
    """The original evaluate.py logic, with loops: threshold at the (k_i+1)-th largest score."""
    n, c = scores.shape
    predictions = torch.zeros(n, c, dtype=torch.long)
    for i in range(n):
        k = int(targets[i].sum())
        ranked = sorted(scores[i].tolist(), reverse=True)
        threshold = ranked[k] if k < c else float('-inf')
        for j in range(c):
            predictions[i, j] = int(scores[i, j] > threshold)
    f1s = []
    for j in range(c):
        tp = int(((predictions[:, j] == 1) & (targets[:, j] == 1)).sum())
        fp = int(((predictions[:, j] == 1) & (targets[:, j] == 0)).sum())
        fn = int(((predictions[:, j] == 0) & (targets[:, j] == 1)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    tp = int(((predictions == 1) & (targets == 1)).sum())
    fp = int(((predictions == 1) & (targets == 0)).sum())
    fn = int(((predictions == 0) & (targets == 1)).sum())
    return predictions, 100 * sum(f1s) / c, 100 * 2 * tp / (2 * tp + fp + fn)


def test_oracle_topk_f1_matches_direct_computation():
    generator = torch.Generator().manual_seed(0)
    scores = torch.rand(30, 7, generator=generator)
    targets = (torch.rand(30, 7, generator=generator) < 0.4).long()
    targets[0] = 0  # no positive: predicts nothing
    targets[1] = 1  # all positive: predicts everything
    targets[:, 6] = 0  # a class nobody has: F1 0, as sklearn's macro average
    expected_predictions, expected_cf1, expected_of1 = direct_f1s(scores, targets)
    assert torch.equal(oracle_topk_predictions(scores, targets), expected_predictions)
    metric = OracleTopKF1()
    metric.process(None, [DataSample().set_pred_score(s).set_gt_label(t.nonzero().flatten())
                          .to_dict() for s, t in zip(scores, targets)])
    results = metric.evaluate(len(scores))
    assert abs(results['oracle-top-k/CF1'] - expected_cf1) < 1e-9
    assert abs(results['oracle-top-k/OF1'] - expected_of1) < 1e-9
    assert 0 < results['oracle-top-k/CF1'] < 100
