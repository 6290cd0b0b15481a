"""MLD and LED against direct formulas: values, gradients, invariances and edge cases."""
import os

import pytest
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F
from mmpretrain.structures import DataSample

from mmkd.models.losses import (FeatureRelationLoss, LEDLoss, MLDLoss, class_distance_loss,
                                instance_distance_loss,
                                multi_label_binary_kl)


# ----------------------------------------------------------------------------- references
def reference_mld(student_logits, teacher_logits, eps=1e-8):
    """The spec's (M): clamped probabilities, binary KL summed over labels, mean over images."""
    p_s = torch.sigmoid(student_logits).clamp(eps, 1 - eps)
    p_t = torch.sigmoid(teacher_logits).clamp(eps, 1 - eps)
    kl = p_t * torch.log(p_t / p_s) + (1 - p_t) * torch.log((1 - p_t) / (1 - p_s))
    return kl.sum() / student_logits.size(0)


def reference_relation(student, teacher):
    """(D) + (R) for one group, written out with loops over pairs."""
    n = student.size(0)

    def normalised(embeddings):
        distances = torch.zeros(n, n, dtype=embeddings.dtype)
        for j in range(n):
            for k in range(n):
                if j != k:
                    squared = embeddings[j] @ embeddings[j] + embeddings[k] @ embeddings[k] \
                        - 2 * embeddings[j] @ embeddings[k]
                    distances[j, k] = squared.clamp(min=1e-12).sqrt()
        return distances / (distances.sum() / (n * (n - 1)))

    return F.smooth_l1_loss(normalised(student), normalised(teacher).detach(), reduction='sum',
                            beta=1.0) / n


def reference_cd(student, teacher, labels):
    total = student.new_zeros(())
    for c in range(labels.size(1)):
        positives = labels[:, c].nonzero().flatten()
        if len(positives) >= 2:
            total = total + reference_relation(student[positives, c], teacher[positives, c])
    return total


def reference_id(student, teacher, labels):
    total = student.new_zeros(())
    for i in range(labels.size(0)):
        positives = labels[i].nonzero().flatten()
        if len(positives) >= 2:
            total = total + reference_relation(student[i, positives], teacher[i, positives])
    return total


def random_case(n=7, c=6, d=5, d_teacher=9, seed=0):
    generator = torch.Generator().manual_seed(seed)
    student = torch.randn(n, c, d, generator=generator, dtype=torch.float64)
    teacher = torch.randn(n, c, d_teacher, generator=generator, dtype=torch.float64)
    labels = (torch.rand(n, c, generator=generator) < 0.5).double()
    labels[0] = 0  # an image without positives
    labels[1] = 0
    labels[1, 2] = 1  # one positive
    labels[2] = 1  # all positive
    return student.requires_grad_(), teacher, labels


# ---------------------------------------------------------------------------------- MLD
def test_mld_equals_the_clamped_kl_formula_and_its_bce_form():
    student, teacher = torch.randn(16, 80, dtype=torch.float64), 3 * torch.randn(16, 80)
    loss = MLDLoss()(student, teacher.double())
    torch.testing.assert_close(loss, reference_mld(student, teacher.double()))
    p_t = torch.sigmoid(teacher.double())
    entropy = -(p_t * p_t.log() + (1 - p_t) * (1 - p_t).log()).sum()
    bce_form = (F.binary_cross_entropy_with_logits(student, p_t, reduction='sum') - entropy) / 16
    torch.testing.assert_close(loss, bce_form)
    assert MLDLoss(loss_weight=10.0)(student, teacher.double()) == pytest.approx(10 * loss.item())
    torch.testing.assert_close(MLDLoss(reduction='sum')(student, teacher.double()), 16 * loss)


def test_mld_gradient_is_sigmoid_difference_over_n():
    student = torch.randn(5, 12, dtype=torch.float64, requires_grad=True)
    teacher = torch.randn(5, 12, dtype=torch.float64, requires_grad=True)
    MLDLoss()(student, teacher).backward()
    torch.testing.assert_close(student.grad, (torch.sigmoid(student) - torch.sigmoid(teacher)) / 5)
    assert teacher.grad is None


def test_mld_is_finite_for_saturated_logits_and_zero_for_equal_logits():
    logits = torch.tensor([[40.0, -40.0, 0.0]])
    assert torch.isfinite(multi_label_binary_kl(logits, logits)).all()
    assert multi_label_binary_kl(logits, logits).abs().max() < 1e-6
    assert multi_label_binary_kl(logits, -logits).min() > 30


# ---------------------------------------------------------------------------------- LED
def test_vectorised_cd_and_id_equal_the_loops():
    student, teacher, labels = random_case()
    torch.testing.assert_close(class_distance_loss(student, teacher, labels).sum(),
                               reference_cd(student, teacher, labels))
    torch.testing.assert_close(instance_distance_loss(student, teacher, labels).sum(),
                               reference_id(student, teacher, labels))


def test_led_value_and_gradient_equal_the_loops():
    student, teacher, labels = random_case(seed=1)
    loss = LEDLoss(lambda_cd=100.0, lambda_id=1000.0)(student, teacher, labels=labels)
    (grad,) = torch.autograd.grad(loss, student)
    reference = 100 * reference_cd(student, teacher, labels) + \
        1000 * reference_id(student, teacher, labels)
    (reference_grad,) = torch.autograd.grad(reference, student)
    torch.testing.assert_close(loss, reference)
    torch.testing.assert_close(grad, reference_grad)


def test_led_reads_gt_labels_from_data_samples():
    student, teacher, labels = random_case(seed=2)
    samples = [DataSample().set_gt_label(row.nonzero().flatten().tolist()) for row in labels]
    torch.testing.assert_close(LEDLoss()(student, teacher, samples),
                               LEDLoss()(student, teacher, labels=labels))
    with pytest.raises(KeyError, match='data sample 0'):
        LEDLoss()(student, teacher, [DataSample() for _ in labels])


def random_rotation(dim, seed):
    q, r = torch.linalg.qr(torch.randn(dim, dim, generator=torch.Generator().manual_seed(seed),
                                       dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))


@pytest.mark.parametrize('side', ['student', 'teacher'])
def test_led_is_invariant_to_scale_rotation_and_translation(side):
    student, teacher, labels = random_case(seed=3)
    loss = LEDLoss()(student, teacher, labels=labels)
    dim = student.size(-1) if side == 'student' else teacher.size(-1)
    transformed = (student if side == 'student' else teacher) @ random_rotation(dim, 4) * 3.7 \
        + torch.randn(dim, dtype=torch.float64)
    moved = (LEDLoss()(transformed, teacher, labels=labels) if side == 'student'
             else LEDLoss()(student, transformed, labels=labels))
    torch.testing.assert_close(moved, loss)


def test_led_is_zero_when_the_student_equals_the_teacher():
    student, _, labels = random_case(seed=5)
    assert LEDLoss()(student, student.detach().clone(), labels=labels).abs() < 1e-9


def test_groups_of_two_give_zero_loss_and_zero_gradient():
    student = torch.randn(2, 4, 5, dtype=torch.float64, requires_grad=True)
    teacher = torch.randn(2, 4, 7, dtype=torch.float64)
    labels = torch.tensor([[1.0, 1, 0, 0], [0, 1, 1, 0]])  # ID groups of 2; CD: class 1 only
    loss = LEDLoss()(student, teacher, labels=labels)
    (grad,) = torch.autograd.grad(loss, student)
    assert loss.abs() < 1e-9
    assert grad.abs().max() < 1e-9


def test_negative_labels_get_no_gradient():
    student, teacher, labels = random_case(seed=6)
    (grad,) = torch.autograd.grad(LEDLoss()(student, teacher, labels=labels), student)
    assert grad[labels == 0].abs().max() == 0
    assert grad[labels == 1].abs().max() > 0
    assert grad[0].abs().max() == 0  # the image without positives


def test_one_positive_image_enters_only_its_class_group():
    student, teacher, labels = random_case(seed=7)
    labels[3:6, 2] = 1  # class 2: images 1 (its single positive), 2, 3, 4, 5
    assert instance_distance_loss(student, teacher, labels)[1] == 0  # an ID group of one
    (id_grad,) = torch.autograd.grad(LEDLoss(lambda_cd=0.0)(student, teacher, labels=labels),
                                     student)
    (cd_grad,) = torch.autograd.grad(LEDLoss(lambda_id=0.0)(student, teacher, labels=labels),
                                     student)
    assert id_grad[1].abs().max() == 0
    assert cd_grad[1, 2].abs().max() > 0


def test_all_positive_and_batch_of_one():
    student = torch.randn(1, 5, 8, dtype=torch.float64, requires_grad=True)
    teacher = torch.randn(1, 5, 8, dtype=torch.float64)
    labels = torch.ones(1, 5, dtype=torch.float64)
    loss = LEDLoss()(student, teacher, labels=labels)
    torch.testing.assert_close(loss, 1000 * reference_id(student, teacher, labels))
    assert class_distance_loss(student, teacher, labels).abs().max() == 0  # groups of one
    loss.backward()
    assert torch.isfinite(student.grad).all()
    empty = LEDLoss()(student, teacher, labels=torch.zeros(1, 5))
    assert empty == 0


def test_mean_reduction_divides_by_groups_with_two_or_more_members():
    student, teacher, labels = random_case(seed=8)
    per_image = instance_distance_loss(student, teacher, labels)
    groups = int((labels.sum(dim=1) >= 2).sum())
    loss = LEDLoss(lambda_cd=0.0, lambda_id=1.0, reduction='mean')(student, teacher, labels=labels)
    torch.testing.assert_close(loss, per_image.sum() / groups)


# ------------------------------------------------------------------------ global batch (DDP)
def _gather_worker(rank, world_size, port, student, teacher, labels, queue):
    import torch.distributed as torch_dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch_dist.init_process_group('gloo', rank=rank, world_size=world_size)
    shard = slice(rank * 4, (rank + 1) * 4)
    local = student[shard].clone().requires_grad_()
    loss = LEDLoss(lambda_id=0.0)(local, teacher[shard], labels=labels[shard])
    loss.backward()
    queue.put((rank, loss.item(), local.grad.tolist()))  # by value: no shared memory
    torch_dist.destroy_process_group()


def test_cd_on_the_gathered_global_batch_equals_the_single_process_cd():
    student, teacher, labels = random_case(n=8, seed=9)
    student = student.detach()
    full = student.clone().requires_grad_()
    expected = LEDLoss(lambda_id=0.0)(full, teacher, labels=labels)
    expected.backward()
    # spawn, not fork: a child forked after torch started its thread pool can hang in backward
    context = mp.get_context('spawn')
    queue = context.Queue()
    port = 29500 + os.getpid() % 1000
    processes = [context.Process(target=_gather_worker,
                                 args=(rank, 2, port, student, teacher, labels, queue))
                 for rank in range(2)]
    for process in processes:
        process.start()
    try:
        results = dict((rank, (loss, grad)) for rank, loss, grad in (queue.get(timeout=300)
                                                                     for _ in processes))
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    for rank in range(2):
        loss, grad = results[rank]
        assert loss == pytest.approx(expected.item(), rel=1e-12)  # every rank: the global CD
        torch.testing.assert_close(torch.tensor(grad, dtype=torch.float64),
                                   full.grad[rank * 4:(rank + 1) * 4])  # the local shard's


# ------------------------------------------------------------------------- feature term
def test_feature_relation_loss_is_the_batch_relation_of_pooled_features():
    generator = torch.Generator().manual_seed(10)
    student = torch.randn(5, 6, 3, 3, generator=generator, dtype=torch.float64,
                          requires_grad=True)
    teacher = torch.randn(5, 9, 3, 3, generator=generator, dtype=torch.float64)
    loss = FeatureRelationLoss(loss_weight=2.0)(student, (teacher, ))
    expected = 2.0 * reference_relation(student.mean(dim=(2, 3)), teacher.mean(dim=(2, 3)))
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert student.grad.abs().sum() > 0
    same = FeatureRelationLoss()(teacher.mean(dim=(2, 3)) * 3 + 1, teacher)
    assert same.abs() < 1e-9
