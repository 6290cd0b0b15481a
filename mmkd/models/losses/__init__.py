from .aspect_bce_loss import AspectBCELoss, aspect_bce
from .kd_loss import KDLoss, kd_kl_div

__all__ = ['AspectBCELoss', 'aspect_bce', 'KDLoss', 'kd_kl_div']
