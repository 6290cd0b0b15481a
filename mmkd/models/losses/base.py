"""The one scaffold of every mmkd loss: the OpenMMLab loss surface, fp32, checked hyper-parameters.

A loss subclasses :class:`BaseDistillLoss`, computes its unreduced value (per sample or per
element) in ``forward`` and ends with ``return self.reduce(loss, weight, avg_factor,
reduction_override)``; a loss whose value only exists for the whole batch (relations between
samples) returns ``self.loss_weight * value``. The scaffold gives every loss:

* ``loss_weight`` and ``reduction`` (``'none'`` | ``'mean'`` | ``'sum'`` unless the loss narrows or
  extends :attr:`~BaseDistillLoss.reductions`), a per-sample (or per-element) ``weight``,
  ``avg_factor`` and ``reduction_override``, with the semantics of mmpretrain's / mmdet's
  ``weight_reduce_loss``;
* full precision: ``forward`` runs with autocast off and every floating input (also inside tuples
  of FPN levels) promoted to at least fp32, so ``--amp`` (bf16 / fp16) never computes a softmax,
  a log or a reduction of a distillation loss in half precision;
* hyper-parameters checked when the loss is built (:func:`check_number`,
  :func:`check_temperature`, :func:`check_loss_weight`), with the loss's name in the message:
  ``tau=nan``, ``tau=1e-45`` or ``loss_weight=1e39`` never reach a training step.
"""
import math
from contextlib import ExitStack
from numbers import Real
from typing import Any, Optional, Tuple

import torch
from mmpretrain.models.losses.utils import weight_reduce_loss
from torch import nn

#: fp32 temperatures that keep ``softmax(x / tau)`` meaningful, see :func:`check_temperature`.
TAU_RANGE = (1e-6, 1e2)
#: The largest ``loss_weight`` accepted, see :func:`check_loss_weight`.
MAX_LOSS_WEIGHT = 1e25


def at_least_fp32(value: Any) -> Any:
    """fp16 / bf16 tensors as fp32, also inside lists, tuples and dicts; fp32, fp64, non-floating
    tensors and anything else unchanged.

    Example:
        >>> at_least_fp32(torch.zeros(2, dtype=torch.bfloat16)).dtype
        torch.float32
        >>> levels = at_least_fp32((torch.zeros(1, dtype=torch.float16), torch.zeros(1).double()))
        >>> [level.dtype for level in levels]
        [torch.float32, torch.float64]
    """
    if isinstance(value, torch.Tensor):
        if not value.is_floating_point():
            return value
        return value.to(torch.promote_types(value.dtype, torch.float32))
    if isinstance(value, (list, tuple)):
        items = [at_least_fp32(v) for v in value]
        # a namedtuple takes its fields as arguments, a list / tuple one iterable
        return type(value)(*items) if hasattr(value, '_fields') else type(value)(items)
    if isinstance(value, dict):
        return {k: at_least_fp32(v) for k, v in value.items()}
    return value


def check_number(owner: str, name: str, value: Any, low: Optional[float] = None,
                 high: Optional[float] = None, low_inclusive: bool = True,
                 high_inclusive: bool = True, integer: bool = False) -> Any:
    """``value`` if it is a finite real number (an int with ``integer``) in the given range.

    Otherwise a ``ValueError`` (``TypeError`` for a non-number) naming ``owner`` (the loss) and
    ``name`` (the argument), with the range.

    Example:
        >>> check_number('KDLoss', 'tau', 4.0, low=0, low_inclusive=False)
        4.0
        >>> check_number('KDLoss', 'tau', float('nan'), low=0, low_inclusive=False)
        Traceback (most recent call last):
        ...
        ValueError: KDLoss: tau must be a finite number in (0, inf), got nan
    """
    kind = 'an integer' if integer else 'a finite number'
    wanted = (int, ) if integer else (Real, )
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise TypeError(f'{owner}: {name} must be {kind}, got {value!r} '
                        f'({type(value).__name__})')
    lo = '-inf' if low is None else f'{low:g}'
    hi = 'inf' if high is None else f'{high:g}'
    interval = (f"{'[' if low is not None and low_inclusive else '('}{lo}, "
                f"{hi}{']' if high is not None and high_inclusive else ')'}")
    inside = math.isfinite(value)
    if inside and low is not None:
        inside = value >= low if low_inclusive else value > low
    if inside and high is not None:
        inside = value <= high if high_inclusive else value < high
    if not inside:
        raise ValueError(f'{owner}: {name} must be {kind} in {interval}, got {value!r}')
    return value


def check_temperature(owner: str, name: str, value: Any) -> float:
    """A softmax temperature: finite and in ``TAU_RANGE`` = [1e-6, 100].

    Why these bounds (fp32, where every mmkd loss computes): at the bottom, ``x / tau`` must stay
    finite and ``tau²`` (the Hinton factor of KD-style losses) a normal fp32 number: ``tau = 1e-6``
    keeps logits up to 1e32 finite and ``tau² = 1e-12``; ``tau = 1e-45`` is below the smallest fp32
    number (it rounds to 0, ``x / tau`` is inf and the loss NaN). At the top, ``softmax(x / tau)``
    flattens: the KL between two such softmaxes is about ``Δ² / (2 tau²)`` for logit gaps ``Δ``,
    while each log-softmax carries an fp32 rounding of ~1e-7, which ``tau²`` then multiplies back.
    For unit-variance logits the fp32 KD loss is off from fp64 by at most 0.13 % at ``tau = 100``,
    16 % at 1000 and is noise (even negative) at 1e6 (``tests/models/losses/test_loss_base.py``);
    ``tau = 1e30`` also overflows ``tau²``. SEED's teacher temperature 1e-4, contrastive 0.07 and
    every published KD temperature (1 to 20) lie well inside.

    Example:
        >>> check_temperature('KDLoss', 'tau', 1e-45)
        Traceback (most recent call last):
        ...
        ValueError: KDLoss: tau must be a finite number in [1e-06, 100], got 1e-45
    """
    return float(check_number(owner, name, value, *TAU_RANGE))


def check_loss_weight(owner: str, value: Any, name: str = 'loss_weight') -> float:
    """A loss multiplier: finite, ``>= 0`` and at most ``MAX_LOSS_WEIGHT`` = 1e25.

    0 switches a loss off (it still computes, so its graph and log key stay). The bound: a summed
    dense loss reaches 1e8 (MGD sums squared errors over C·H·W before its 2e-5 weight), and fp16
    AMP multiplies the total by up to 65536 before backward; 1e25 · 1e8 · 65536 ≈ 6.6e37 still
    fits fp32 (3.4e38), a larger weight can overflow to inf. ``1e39`` is not even an fp32 number.
    A negative weight would maximise the divergence: no distillation method here wants that.

    Example:
        >>> check_loss_weight('KDLoss', 1e39)
        Traceback (most recent call last):
        ...
        ValueError: KDLoss: loss_weight must be a finite number in [0, 1e+25], got 1e+39
    """
    return float(check_number(owner, name, value, 0, MAX_LOSS_WEIGHT))


class BaseDistillLoss(nn.Module):
    """Base of every mmkd loss: ``loss_weight``, ``reduction``, fp32 and checked arguments.

    Subclasses call ``super().__init__(loss_weight, reduction)``, check their own
    hyper-parameters with :func:`check_number` / :func:`check_temperature`, and end ``forward``
    with :meth:`reduce` (per-sample or per-element losses) or ``self.loss_weight * value``
    (batch-level losses). :attr:`reductions` lists what ``reduction`` may be.

    Example:
        >>> class AbsError(BaseDistillLoss):
        ...     def forward(self, preds_S, preds_T, weight=None, avg_factor=None,
        ...                 reduction_override=None):
        ...         loss = (preds_S - preds_T).abs().flatten(1).mean(1)  # per sample
        ...         return self.reduce(loss, weight, avg_factor, reduction_override)
        >>> loss = AbsError(loss_weight=2.0)
        >>> loss(torch.ones(4, 3, dtype=torch.bfloat16), torch.zeros(4, 3)).dtype
        torch.float32
        >>> float(loss(torch.ones(4, 3), torch.zeros(4, 3), weight=torch.tensor([1., 0, 0, 0])))
        0.5
        >>> AbsError(reduction='batchmean')
        Traceback (most recent call last):
        ...
        ValueError: AbsError: reduction must be one of ('none', 'mean', 'sum'), got 'batchmean'
    """

    #: The values ``reduction`` (and ``reduction_override``) may take.
    reductions: Tuple[str, ...] = ('none', 'mean', 'sum')
    #: Argument pairs whose per-sample shapes must match (leading channel size, levels and dims;
    #: spatial sizes may differ): the distiller checks them before training. None by default:
    #: losses whose student and teacher sizes may differ (relations, attention) declare nothing.
    paired_inputs: Tuple[Tuple[str, str], ...] = ()

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__()
        self.loss_weight = check_loss_weight(self.name, loss_weight)
        self.reduction = self._check_reduction(reduction)

    @property
    def name(self) -> str:
        return type(self).__name__

    def _check_reduction(self, reduction: str) -> str:
        if reduction not in self.reductions:
            raise ValueError(f'{self.name}: reduction must be one of {self.reductions}, '
                             f'got {reduction!r}')
        return reduction

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` in full precision, whatever autocast region the caller is in."""
        args, kwargs = at_least_fp32(args), at_least_fp32(kwargs)
        with ExitStack() as stack:
            for device in ('cpu', 'cuda'):
                if torch.is_autocast_enabled(device):
                    stack.enter_context(torch.autocast(device, enabled=False))
            return super().__call__(*args, **kwargs)

    def reduce(self,
               loss: torch.Tensor,
               weight: Optional[torch.Tensor] = None,
               avg_factor: Optional[float] = None,
               reduction_override: Optional[str] = None) -> torch.Tensor:
        """``loss_weight · reduce(weight · loss)``.

        Args:
            loss: the unreduced loss, ``[N]`` or ``[N, ...]`` (per element).
            weight: ``[N]`` per-sample weights (broadcast over the other dims of ``loss``) or
                weights with ``loss``'s dims (each of size 1 or the loss's).
            avg_factor: with ``'mean'``, divide the weighted sum by this instead of the number of
                elements (``'none'`` ignores it; ``'sum'`` refuses it).
            reduction_override: one of :attr:`reductions`, instead of ``reduction``.
                ``'batchmean'`` (for losses that list it) is the sum divided by N.
        """
        if reduction_override is not None:
            self._check_reduction(reduction_override)
        reduction = reduction_override or self.reduction
        if reduction == 'batchmean':  # the sum over everything divided by the batch size
            reduction = 'mean'
            avg_factor = loss.shape[0] if avg_factor is None else avg_factor
        loss = at_least_fp32(loss)
        if weight is not None:
            weight = at_least_fp32(weight.to(loss.device))
            per_sample = weight.dim() == 1 and weight.shape[0] == loss.shape[0]
            if per_sample:
                weight = weight.view(-1, *[1] * (loss.dim() - 1))
            if not (per_sample or weight.dim() == loss.dim()
                    and all(w in (1, n) for w, n in zip(weight.shape, loss.shape))):
                raise ValueError(f'{self.name}: weight of shape {tuple(weight.shape)} does not '
                                 f'fit the loss of shape {tuple(loss.shape)} (give one weight '
                                 'per sample, [N], or one per element)')
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)
