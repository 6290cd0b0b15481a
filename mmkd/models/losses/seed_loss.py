"""SEED (Fang et al., ICLR 2021): match the teacher's similarity distribution over a bank."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmkd.registry import MODELS, build_mmkd_module
from .base import BaseDistillLoss, check_temperature


def similarity_distillation(student: torch.Tensor, teacher: torch.Tensor, bank: torch.Tensor,
                            tau_s: float, tau_t: float, self_slot: bool = True) -> torch.Tensor:
    """Per-sample soft cross-entropy between similarity distributions over ``bank``, shape [N].

    With ``s = normalize(student)`` and ``t = normalize(teacher)`` (``[N, D]``) and a bank
    ``[K, D]``, the student's logits are ``[s · t, s · bank] / tau_s`` and the teacher's target is
    ``softmax([t · t, t · bank] / tau_t)`` (SEED, Eq. 2–3); ``self_slot=False`` drops the first
    slot (LGD's L_TEX over the text bank). The loss is ``-sum_j p_T[j] · log softmax(z_S)[j]``.
    Teacher and bank get no gradient.
    """
    if student.shape != teacher.shape:
        raise ValueError(f'similarity distillation needs student and teacher embeddings of one '
                         f'shape; got {tuple(student.shape)} and {tuple(teacher.shape)} (project '
                         'the student into the teacher space first)')
    if bank.shape[1] != teacher.shape[1]:
        raise ValueError(f'bank of dim {bank.shape[1]} for embeddings of dim {teacher.shape[1]}')
    s = F.normalize(student, dim=1)
    t = F.normalize(teacher.detach(), dim=1)
    bank = bank.detach().to(s.dtype)
    logits_s, logits_t = s @ bank.t(), t @ bank.t()
    if self_slot:
        logits_s = torch.cat([(s * t).sum(1, keepdim=True), logits_s], dim=1)
        logits_t = torch.cat([(t * t).sum(1, keepdim=True), logits_t], dim=1)
    p_t = F.softmax(logits_t / tau_t, dim=1)
    return -(p_t * F.log_softmax(logits_s / tau_s, dim=1)).sum(dim=1)


@MODELS.register_module()
class SEEDLoss(BaseDistillLoss):
    """Self-supervised distillation over a bank of embeddings that the loss owns and updates.

    The student embedding (projected into the teacher space) matches the teacher's softmax
    similarity distribution over ``[the teacher embedding itself, the bank]`` with temperatures
    ``tau_s`` (student) and ``tau_t`` (teacher). The bank is compared *before* this step's update,
    then ``bank.update(normalize(teacher))`` runs in training mode. The bank decides the method:

    * ``dict(type='EmbeddingQueue', size=65536, dim=128)`` — SEED: a FIFO queue of past teacher
      embeddings, gathered across ranks;
    * ``dict(type='VisualSemanticsBank', text_bank=...)`` — LGD's L_VIS: the class prototypes built
      by LGKA (SEED with the instance queue replaced by the Visual Semantics Bank);
    * ``dict(type='TextBank', path=...)`` with ``self_slot=False`` — LGD's L_TEX: the
      fixed class-name embeddings.

    LGD's total loss ``alpha · L_VIS + (1 - alpha) · L_TEX`` is two of these losses in a
    :class:`~mmkd.models.KnowledgeDistiller` with ``loss_weight`` alpha and 1 - alpha (see
    ``configs/lgd``). Banks are buffers of this module: checkpoints keep them and resume restores
    them.

    Args:
        bank: config of the bank (a module with ``embeddings`` and ``update``).
        tau_s: student temperature (SEED: 0.2; LGD: 0.2).
        tau_t: teacher temperature (SEED: 1e-4; LGD's ``train.sh``: 0.01).
        self_slot: prepend the similarity to the teacher's own embedding (SEED, L_VIS).
        loss_weight: multiplier of the loss.
        reduction: ``'mean'`` (SEED's ``soft_cross_entropy``: sum over the batch / B), ``'sum'``
            or ``'none'``.

    Example:
        >>> import torch
        >>> loss = SEEDLoss(dict(type='EmbeddingQueue', size=16, dim=8))
        >>> loss(torch.randn(4, 8), torch.randn(4, 8)).shape
        torch.Size([])
    """

    #: inputs whose shapes must match (checked by the distiller before training)
    paired_inputs = (('preds_S', 'preds_T'), )

    def __init__(self, bank: dict, tau_s: float = 0.2, tau_t: float = 1e-4,
                 self_slot: bool = True, loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__(loss_weight, reduction)
        self.tau_s = check_temperature(self.name, 'tau_s', tau_s)
        self.tau_t = check_temperature(self.name, 'tau_t', tau_t)
        self.bank = build_mmkd_module(bank)
        self.self_slot = self_slot

    def forward(self,
                preds_S: torch.Tensor,
                preds_T: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> torch.Tensor:
        """
        Args:
            preds_S: student embeddings [N, D] (in the teacher's space, not yet normalised).
            preds_T: teacher embeddings [N, D].
            weight, avg_factor, reduction_override: per sample, see
                :meth:`~mmkd.models.losses.base.BaseDistillLoss.reduce`.
        """
        bank = self.bank.embeddings.detach().clone()
        loss = similarity_distillation(preds_S, preds_T, bank, self.tau_s, self.tau_t,
                                       self.self_slot)
        if self.training:
            self.bank.update(F.normalize(preds_T.detach().float(), dim=1))
        return self.reduce(loss, weight, avg_factor, reduction_override)
