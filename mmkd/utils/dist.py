"""Gather tensors across ranks, as MMEngine's DDP runs them."""
import torch
from mmengine import dist


def all_gather_cat(tensor: torch.Tensor, keep_local_grad: bool = False) -> torch.Tensor:
    """Concatenate ``tensor`` of every rank along dim 0, in rank order.

    Ranks may hold different batch sizes (the last batch of an epoch without ``drop_last``): each
    pads to the largest size for :func:`mmengine.dist.all_gather` and the padding is removed, so
    every rank gets the same ``[sum B_rank, ...]`` tensor. The gathered parts carry no gradient;
    with ``keep_local_grad`` this rank's own part is the input tensor itself, so gradients reach
    the local shard (DDP then averages them over ranks). Outside distributed training the input
    comes back (detached unless ``keep_local_grad``).

    Example:
        >>> import torch
        >>> all_gather_cat(torch.ones(4, 8)).shape
        torch.Size([4, 8])
        >>> x = torch.ones(2, 3, requires_grad=True)
        >>> all_gather_cat(x, keep_local_grad=True) is x
        True
    """
    if dist.get_world_size() == 1:
        return tensor if keep_local_grad else tensor.detach()
    size = torch.tensor([tensor.shape[0]], device=tensor.device)
    sizes = [int(s) for s in dist.all_gather(size)]
    padded = tensor.detach().new_zeros((max(sizes), *tensor.shape[1:]))
    padded[:tensor.shape[0]] = tensor.detach()
    parts = [part[:n] for part, n in zip(dist.all_gather(padded.contiguous()), sizes)]
    if keep_local_grad:
        parts[dist.get_rank()] = tensor
    return torch.cat(parts)
