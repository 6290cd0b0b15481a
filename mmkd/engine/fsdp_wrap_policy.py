"""An FSDP auto-wrap policy for distillers: every teacher is a sharding unit of its own."""
from torch import nn
from torch.distributed.fsdp.wrap import size_based_auto_wrap_policy

from mmkd.models.teachers import BaseTeacher
from mmkd.registry import FUNCTIONS


@FUNCTIONS.register_module()
def distiller_wrap_policy(module: nn.Module, recurse: bool, nonwrapped_numel: int,
                          min_num_params: int = int(1e8)) -> bool:
    """Wrap each teacher in its own FSDP unit; wrap the rest by size (torch's size-based policy).

    A frozen teacher then never shares a flat parameter with trainable student weights: its
    shards are gathered for its no-grad forward and freed again, and no gradient is reduced for
    it. Inside a teacher, blocks of at least ``min_num_params`` become nested units, so a teacher
    larger than one GPU is never gathered whole. Use it from a ``FlexibleRunner`` config::

        strategy = dict(type='FSDPStrategy', model_wrapper=dict(
            auto_wrap_policy=dict(type='mmkd.distiller_wrap_policy', min_num_params=int(1e7))))

    Args:
        module: the module FSDP asks about.
        recurse: ``True``: may FSDP look into its children? ``False``: wrap this module?
        nonwrapped_numel: its parameters not yet in a nested unit.
        min_num_params: the size from which a student or teacher block is its own unit.

    Example:
        >>> from torch import nn
        >>> distiller_wrap_policy(nn.Linear(4, 4), recurse=False, nonwrapped_numel=20)
        False
    """
    if isinstance(module, BaseTeacher):
        return True
    return size_based_auto_wrap_policy(module, recurse, nonwrapped_numel, min_num_params)
