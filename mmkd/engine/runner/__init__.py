from .distill_val_loop import DistillValLoop

__all__ = ['DistillValLoop']
