"""Global-average-pool feature maps and map them linearly: an image-level head on any features."""
from typing import Optional, Sequence, Tuple, Union

import torch
from torch import nn

from mmkd.registry import MODELS


@MODELS.register_module()
class PoolLinearConnector(nn.Module):
    """``Linear(concat_l GAP(x_l))``: pooled image-level outputs from one or several feature maps.

    Attached to a detector's neck (FPN levels) or backbone stages through
    :class:`~mmkd.models.KnowledgeDistiller` connectors, it adds an image-level head (MaKD's aspect
    logits, for one) to any detector without editing it; it is trained by the loss it feeds and is
    not part of the exported student.

    Args:
        in_channels: channels of the pooled features, summed over the used levels.
        out_channels: outputs (e.g. Q aspect logits).
        levels: which entries of a tuple input to use (all by default).

    Example:
        >>> import torch
        >>> head = PoolLinearConnector(in_channels=2 * 8, out_channels=5)
        >>> head((torch.randn(2, 8, 16, 16), torch.randn(2, 8, 8, 8))).shape
        torch.Size([2, 5])
    """

    def __init__(self, in_channels: int, out_channels: int,
                 levels: Optional[Sequence[int]] = None):
        super().__init__()
        self.levels = None if levels is None else list(levels)
        self.in_channels = in_channels
        self.fc = nn.Linear(in_channels, out_channels)

    def forward(self, features: Union[torch.Tensor, Tuple[torch.Tensor, ...]]) -> torch.Tensor:
        if isinstance(features, torch.Tensor):
            features = (features, )
        if self.levels is not None:
            features = [features[i] for i in self.levels]
        pooled = torch.cat([f.flatten(2).mean(dim=2) for f in features], dim=1)
        if pooled.shape[1] != self.in_channels:
            raise ValueError(f'PoolLinearConnector: pooled features have {pooled.shape[1]} '
                             f'channels ({[tuple(f.shape) for f in features]}), in_channels is '
                             f'{self.in_channels}')
        return self.fc(pooled)
