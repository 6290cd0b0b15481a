"""Gather a batch of embeddings from every rank, as MMEngine's DDP runs it."""
import torch
from mmengine import dist


@torch.no_grad()
def gather_embeddings(embeddings: torch.Tensor) -> torch.Tensor:
    """Concatenate ``[B_rank, D]`` embeddings of all ranks in rank order; no gradient.

    Ranks may hold different batch sizes (the last batch of an epoch without ``drop_last``): every
    rank pads to the largest size for :func:`mmengine.dist.all_gather` and the padding is removed,
    so all ranks get the same ``[sum B_rank, D]`` tensor. Outside distributed training it is the
    input itself (detached).

    Example:
        >>> import torch
        >>> gather_embeddings(torch.ones(4, 8)).shape
        torch.Size([4, 8])
    """
    embeddings = embeddings.detach()
    if dist.get_world_size() == 1:
        return embeddings
    size = torch.tensor([embeddings.shape[0]], device=embeddings.device)
    sizes = [int(s) for s in dist.all_gather(size)]
    padded = embeddings.new_zeros((max(sizes), *embeddings.shape[1:]))
    padded[:embeddings.shape[0]] = embeddings
    gathered = dist.all_gather(padded.contiguous())
    return torch.cat([part[:n] for part, n in zip(gathered, sizes)])
