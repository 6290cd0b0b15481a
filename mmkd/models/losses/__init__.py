from .aspect_bce_loss import AspectBCELoss, aspect_bce
from .caption_contrastive_loss import CaptionContrastiveLoss, caption_contrastive
from .channel_wise_divergence import ChannelWiseDivergence, channel_wise_divergence
from .dense_pairs import pair_dense_maps
from .embedding_contrastive_loss import EmbeddingContrastiveLoss, embedding_contrastive
from .embedding_mse_loss import EmbeddingMSELoss, embedding_mse
from .feature_imitation_loss import FeatureImitationLoss, feature_imitation
from .feature_relation_loss import FeatureRelationLoss
from .kd_loss import KDLoss, kd_kl_div
from .led_loss import (LEDLoss, class_distance_loss, group_relation_loss,
                       instance_distance_loss, pairwise_distances)
from .mld_loss import MLDLoss, multi_label_binary_kl
from .seed_loss import SEEDLoss, similarity_distillation
from .vl_align_loss import VLAlignLoss, teacher_aligned, vl_align_kl

__all__ = [
    'AspectBCELoss', 'aspect_bce', 'ChannelWiseDivergence', 'channel_wise_divergence',
    'FeatureImitationLoss', 'feature_imitation', 'FeatureRelationLoss', 'KDLoss', 'kd_kl_div',
    'pair_dense_maps', 'LEDLoss', 'class_distance_loss',
    'group_relation_loss', 'instance_distance_loss', 'pairwise_distances', 'MLDLoss',
    'multi_label_binary_kl', 'SEEDLoss', 'similarity_distillation', 'EmbeddingMSELoss',
    'embedding_mse', 'EmbeddingContrastiveLoss', 'embedding_contrastive', 'VLAlignLoss',
    'vl_align_kl', 'teacher_aligned', 'CaptionContrastiveLoss', 'caption_contrastive'
]
