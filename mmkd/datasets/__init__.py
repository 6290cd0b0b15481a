from .transfer_set import TransferSetDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['TransferSetDataset']
