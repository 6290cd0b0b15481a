from .transfer_set import TransferSetDataset

__all__ = ['TransferSetDataset']
