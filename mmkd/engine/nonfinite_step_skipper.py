"""Skip optimiser steps whose gradients are not finite, as AMP's loss scaler does."""
import weakref
from typing import Optional, Set

import torch
from mmengine.logging import MessageHub, MMLogger
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

#: The message-hub runtime info that counts skipped steps (saved in checkpoints, so it survives
#: a resume).
SKIPPED_STEPS_KEY = 'mmkd/skipped_steps'

_SKIPPERS: 'weakref.WeakSet[NonFiniteStepSkipper]' = weakref.WeakSet()
_HOOK = None


def _before_any_optimizer_step(optimizer: torch.optim.Optimizer, args, kwargs) -> None:
    for skipper in list(_SKIPPERS):
        skipper.before_step(optimizer)


class NonFiniteStepSkipper:
    """Turn every optimiser step of ``model`` whose gradients hold NaN or inf into a no-op.

    Skipping means the weights and the optimiser state stay exactly as they were: every gradient
    is set to ``None`` before ``step()``, and torch's optimisers leave parameters without a gradient
    alone — no update, no momentum, no weight decay, no Adam moments or step count. (Zeroing the
    loss instead would still let momentum and weight decay move the weights.) The learning-rate
    schedule goes on, as with AMP's ``GradScaler``.

    The decision is made on the gradients the optimiser is about to apply — after DDP has averaged
    them, so every rank skips the same steps — through a torch optimiser step pre-hook that acts
    only on optimisers holding ``model``'s parameters. (Under FSDP the optimiser holds flattened
    parameters and is not recognised; fp16 AMP skips such steps in its ``GradScaler`` before this
    hook runs.) Each skipped step is logged as a warning with the running count, which is kept in
    the message hub as ``mmkd/skipped_steps`` and so survives a resume.

    Args:
        model: the module whose optimiser steps to guard.

    Example:
        >>> _ = MMLogger.get_instance('skipper_example', log_level='ERROR')  # quiet
        >>> net = torch.nn.Linear(2, 1)
        >>> skipper = NonFiniteStepSkipper(net)
        >>> optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        >>> net(torch.full((1, 2), float('nan'))).sum().backward()
        >>> before = net.weight.clone()
        >>> optimizer.step()
        >>> torch.equal(net.weight, before), skipper.skipped
        (True, 1)
    """

    def __init__(self, model: nn.Module):
        global _HOOK
        self.model = weakref.ref(model)
        self.skipped = 0
        #: why the last loss was not finite (set by the distiller), for the log line
        self.cause: Optional[str] = None
        self._param_ids: Optional[Set[int]] = None
        _SKIPPERS.add(self)
        if _HOOK is None:
            _HOOK = register_optimizer_step_pre_hook(_before_any_optimizer_step)

    def before_step(self, optimizer: torch.optim.Optimizer) -> None:
        model = self.model()
        if model is None:
            return
        if self._param_ids is None:
            self._param_ids = {id(p) for p in model.parameters()}
        params = [p for group in optimizer.param_groups for p in group['params']
                  if p.grad is not None]
        if not params or not any(id(p) in self._param_ids for p in params):
            return
        if bool(torch.stack([torch.isfinite(p.grad).all() for p in params]).all()):
            self.cause = None
            return
        for param in params:
            param.grad = None
        hub = MessageHub.get_current_instance()
        self.skipped = int(hub.get_info(SKIPPED_STEPS_KEY, 0) or 0) + 1
        hub.update_info(SKIPPED_STEPS_KEY, self.skipped)
        iteration = hub.get_info('iter')
        where = f'iteration {iteration + 1}: ' if iteration is not None else ''
        cause = f' ({self.cause})' if self.cause else ''
        MMLogger.get_current_instance().warning(
            f'mmkd: {where}optimiser step skipped, its gradients are not finite{cause}; '
            f'{self.skipped} steps skipped so far')
        self.cause = None
