"""MMEngine's ``AmpOptimWrapper`` that also trains on CPU (bfloat16 autocast)."""
from typing import Optional, Union

import torch
from mmengine.device import (is_cuda_available, is_mlu_available, is_musa_available,
                             is_npu_available)
from mmengine.optim import AmpOptimWrapper as MMEngineAmpOptimWrapper
from mmengine.optim import OptimWrapper

from mmkd.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AmpOptimWrapper(MMEngineAmpOptimWrapper):
    """Mixed precision on any device: MMEngine's wrapper on accelerators, bfloat16 on CPU.

    MMEngine 0.10.7's ``AmpOptimWrapper`` refuses to be built without a GPU, NPU, MLU or MUSA
    (an ``assert`` in its ``__init__``), although its autocast context runs on CPU. With an
    accelerator this class *is* MMEngine's. On CPU it autocasts to bfloat16 — the one dtype CPU
    autocast takes — without loss scaling: bfloat16 has float32's exponent range, so gradients do
    not underflow (the scaler is a disabled ``torch.amp.GradScaler``; checkpoints keep their
    layout). ``tools/train.py --amp`` uses it.

    Args:
        loss_scale: as MMEngine's (ignored on CPU).
        dtype: as MMEngine's; on CPU ``None`` or ``'bfloat16'``.
        use_fsdp: as MMEngine's.
        **kwargs: the :class:`~mmengine.optim.OptimWrapper` arguments.

    Example:
        >>> optim_wrapper = dict(type='mmkd.AmpOptimWrapper',
        ...                      optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
    """

    def __init__(self, loss_scale: Union[str, float, dict] = 'dynamic',
                 dtype: Optional[Union[str, torch.dtype]] = None, use_fsdp: bool = False,
                 **kwargs):
        if (is_cuda_available() or is_npu_available() or is_mlu_available()
                or is_musa_available()):
            super().__init__(loss_scale=loss_scale, dtype=dtype, use_fsdp=use_fsdp, **kwargs)
            return
        if dtype not in (None, 'bfloat16', torch.bfloat16):
            raise ValueError(f'mixed precision on CPU autocasts to bfloat16 only; got dtype='
                             f'{dtype!r} (float16 needs a GPU)')
        OptimWrapper.__init__(self, **kwargs)
        self._scale_update_param = None
        self.loss_scaler = torch.amp.GradScaler('cpu', enabled=False)
        self.cast_dtype = torch.bfloat16
