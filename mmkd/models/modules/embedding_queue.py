"""SEED's FIFO queue of teacher embeddings."""
import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils.dist import all_gather_cat


@MODELS.register_module()
class EmbeddingQueue(nn.Module):
    """A first-in-first-out bank of the ``size`` most recent teacher embeddings (SEED, §3).

    The queue starts as random unit vectors (as in SEED's code) and :meth:`update` writes the
    teacher embeddings of the step — gathered from every rank, so all ranks keep the same queue
    without broadcasting buffers — over the oldest rows. Unlike SEED's code, ``size`` need not be a
    multiple of the global batch: writes wrap around, and a batch larger than the queue keeps its
    last ``size`` rows. The queue is a persistent buffer, so resuming a run restores it.

    Args:
        size: number of embeddings kept (SEED: 65536).
        dim: embedding dimension (SEED: 128; LGD: the teacher's, e.g. 1024 for CLIP RN50).

    Example:
        >>> import torch
        >>> queue = EmbeddingQueue(size=4, dim=2)
        >>> queue.update(torch.tensor([[1., 0.], [0., 1.], [1., 1.]]))
        >>> queue.ptr.item(), queue.embeddings.shape
        (3, torch.Size([4, 2]))
    """

    def __init__(self, size: int, dim: int):
        super().__init__()
        if size <= 0 or dim <= 0:
            raise ValueError(f'EmbeddingQueue: size and dim must be > 0, got {size} and {dim}')
        self.register_buffer('queue', F.normalize(torch.randn(size, dim), dim=1))
        self.register_buffer('ptr', torch.zeros((), dtype=torch.long))

    @property
    def embeddings(self) -> torch.Tensor:
        """The bank the loss compares against, ``[size, dim]``."""
        return self.queue

    @torch.no_grad()
    def update(self, teacher_embeddings: torch.Tensor) -> None:
        """Enqueue this step's (normalised) teacher embeddings ``[B, dim]`` of all ranks."""
        keys = all_gather_cat(teacher_embeddings).to(self.queue.dtype)
        size = self.queue.shape[0]
        if keys.shape[1] != self.queue.shape[1]:
            raise ValueError(f'EmbeddingQueue of dim {self.queue.shape[1]} got embeddings of dim '
                             f'{keys.shape[1]}')
        keys = keys[-size:]
        rows = (self.ptr + torch.arange(keys.shape[0], device=keys.device)) % size
        self.queue[rows] = keys
        self.ptr.fill_((int(self.ptr) + keys.shape[0]) % size)
