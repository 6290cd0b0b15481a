from .kd_loss import KDLoss, kd_kl_div
from .seed_loss import SEEDLoss, similarity_distillation

__all__ = ['KDLoss', 'kd_kl_div', 'SEEDLoss', 'similarity_distillation']
