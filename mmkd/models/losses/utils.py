"""Small helpers shared by the distillation losses."""
import torch


def at_least_fp32(tensor: torch.Tensor) -> torch.Tensor:
    """fp16 / bf16 (autocast outputs) -> fp32; fp32 and fp64 unchanged: losses run in full precision."""
    return tensor.to(torch.promote_types(tensor.dtype, torch.float32))
