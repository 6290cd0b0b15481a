"""Record codecs: top-k softmax densify round trip, KD on it approaches KD on the full logits as k
grows (at any temperature), fp16 rows."""
import numpy as np
import pytest
import torch

from mmkd.models.losses.kd_loss import kd_kl_div
from mmkd.store import build_codec


def teacher_logits(n=64, classes=100, seed=0):
    """Peaked logits like a trained teacher's (a few strong classes per sample)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1.0, size=(n, classes))
    logits[np.arange(n), rng.integers(0, classes, n)] += 8.0
    logits[np.arange(n), rng.integers(0, classes, n)] += 4.0
    return logits.astype(np.float32)


def round_trip(codec, values):
    codec = build_codec(codec)
    return codec.decode(codec.encode(values), values.shape[-1:])


def test_topk_keeps_the_top_classes_and_spreads_the_rest_evenly():
    logits = teacher_logits()
    probs = torch.softmax(torch.from_numpy(logits).double(), 1).numpy()
    decoded = np.exp(round_trip('softmax_topk:10', logits).astype(np.float64))
    np.testing.assert_allclose(decoded.sum(1), 1.0, atol=1e-5)
    top = np.argsort(-probs, 1)[:, :10]
    np.testing.assert_allclose(np.take_along_axis(decoded, top, 1),
                               np.take_along_axis(probs, top, 1), rtol=2e-3, atol=1e-6)
    rest = np.ones_like(probs, dtype=bool)
    np.put_along_axis(rest, top, False, 1)
    expected_rest = (1 - np.take_along_axis(probs, top, 1).sum(1)) / 90
    for row in range(len(logits)):  # one value for every class outside the top 10: the rest mass
        np.testing.assert_allclose(decoded[row, rest[row]], expected_rest[row], rtol=2e-2,
                                   atol=1e-7)


def test_full_k_round_trip_is_the_log_softmax():
    logits = teacher_logits(classes=20)
    expected = torch.log_softmax(torch.from_numpy(logits).double(), 1).numpy()
    np.testing.assert_allclose(round_trip('softmax_topk:20', logits), expected, atol=2e-2)


def test_a_fully_confident_teacher_gives_no_infinite_log_probabilities():
    logits = np.full((2, 50), -100.0, dtype=np.float32)
    logits[:, 3] = 100.0  # every other class underflows: the kept mass rounds to 1
    decoded = round_trip('softmax_topk:5', logits)
    assert np.isfinite(decoded).all() and decoded.argmax(1).tolist() == [3, 3]
    kd = kd_kl_div(torch.zeros(2, 50), torch.from_numpy(decoded), tau=4.0)
    assert torch.isfinite(kd).all()


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_kd_on_densified_topk_approaches_kd_on_full_logits_as_k_grows(tau):
    logits = torch.from_numpy(teacher_logits(classes=1000, n=32))
    student = torch.randn(32, 1000, generator=torch.Generator().manual_seed(1))
    full = kd_kl_div(student, logits, tau)
    errors = []
    for k in (1, 5, 20, 100, 1000):
        served = torch.from_numpy(round_trip(f'softmax_topk:{k}', logits.numpy()))
        errors.append(float(((kd_kl_div(student, served, tau) - full).abs() / full).mean()))
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 2e-3 and errors[0] > 10 * errors[-1], errors


def test_log_probabilities_are_logits_at_any_temperature():
    """softmax(log p / T) == softmax(z / T): stored log-probabilities soften like the logits."""
    logits = torch.from_numpy(teacher_logits(classes=30)).double()
    log_p = torch.log_softmax(logits, 1)
    for tau in (0.5, 2.0, 8.0):
        torch.testing.assert_close(torch.softmax(log_p / tau, 1), torch.softmax(logits / tau, 1))


def test_float16_rows_and_raw():
    embeds = np.random.default_rng(2).normal(size=(4, 3, 8)).astype(np.float32)
    np.testing.assert_allclose(round_trip('float16', embeds), embeds, rtol=1e-3, atol=1e-3)
    assert round_trip('float16', embeds).dtype == np.float32
    labels = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert round_trip('raw', labels).dtype == np.int64
    with pytest.raises(ValueError, match="unknown record codec 'topk:3'"):
        build_codec('topk:3')
    with pytest.raises(ValueError, match='needs at least 12 classes'):
        build_codec('softmax_topk:12').layout([10], 'float32')
