from .caption_contrastive_loss import CaptionContrastiveLoss, caption_contrastive
from .embedding_contrastive_loss import EmbeddingContrastiveLoss, embedding_contrastive
from .embedding_mse_loss import EmbeddingMSELoss, embedding_mse
from .kd_loss import KDLoss, kd_kl_div
from .vl_align_loss import VLAlignLoss, teacher_aligned, vl_align_kl

__all__ = [
    'KDLoss', 'kd_kl_div', 'EmbeddingMSELoss', 'embedding_mse', 'EmbeddingContrastiveLoss',
    'embedding_contrastive', 'VLAlignLoss', 'vl_align_kl', 'teacher_aligned',
    'CaptionContrastiveLoss', 'caption_contrastive'
]
