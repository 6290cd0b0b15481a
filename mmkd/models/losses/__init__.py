from .kd_loss import KDLoss, kd_kl_div

__all__ = ['KDLoss', 'kd_kl_div']
