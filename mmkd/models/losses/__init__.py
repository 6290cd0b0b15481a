from .activation_boundary_loss import ABLoss, activation_boundary
from .aspect_bce_loss import AspectBCELoss, aspect_bce
from .attention_transfer_loss import ATLoss, attention_map
from .base import BaseDistillLoss
from .caption_contrastive_loss import CaptionContrastiveLoss, caption_contrastive
from .channel_wise_divergence import ChannelWiseDivergence, channel_wise_divergence
from .decoupled_kd_loss import DKDLoss, decoupled_kd
from .dense_pairs import pair_dense_maps
from .dist_loss import DISTLoss
from .embedding_contrastive_loss import EmbeddingContrastiveLoss, embedding_contrastive
from .embedding_mse_loss import EmbeddingMSELoss, embedding_mse
from .feature_imitation_loss import FeatureImitationLoss, feature_imitation
from .fbkd_loss import FBKDLoss
from .feature_relation_loss import FeatureRelationLoss
from .kd_loss import KDLoss, kd_kl_div, soft_kl
from .kd_soft_ce_loss import KDSoftCELoss
from .kl_divergence import KLDivergence
from .l1_loss import L1Loss
from .l2_loss import L2Loss
from .led_loss import (LEDLoss, class_distance_loss, group_relation_loss,
                       instance_distance_loss, pairwise_distances)
from .mgd_loss import MGDLoss
from .mld_loss import MLDLoss, multi_label_binary_kl
from .pkd_loss import PKDLoss
from .relational_kd_loss import AngleWiseRKD, DistanceWiseRKD
from .seed_loss import SEEDLoss, similarity_distillation
from .vl_align_loss import VLAlignLoss, teacher_aligned, vl_align_kl
from .wsld_loss import WSLD

__all__ = [
    'AspectBCELoss', 'aspect_bce', 'ChannelWiseDivergence', 'channel_wise_divergence',
    'FeatureImitationLoss', 'feature_imitation', 'FeatureRelationLoss', 'KDLoss', 'kd_kl_div',
    'pair_dense_maps', 'LEDLoss', 'class_distance_loss',
    'group_relation_loss', 'instance_distance_loss', 'pairwise_distances', 'MLDLoss',
    'multi_label_binary_kl', 'SEEDLoss', 'similarity_distillation', 'EmbeddingMSELoss',
    'embedding_mse', 'EmbeddingContrastiveLoss', 'embedding_contrastive', 'VLAlignLoss',
    'vl_align_kl', 'teacher_aligned', 'CaptionContrastiveLoss', 'caption_contrastive',
    'BaseDistillLoss', 'soft_kl', 'KLDivergence', 'KDSoftCELoss', 'L1Loss', 'L2Loss', 'DKDLoss',
    'decoupled_kd', 'DISTLoss', 'WSLD', 'ATLoss', 'attention_map', 'ABLoss', 'activation_boundary',
    'DistanceWiseRKD', 'AngleWiseRKD', 'PKDLoss', 'MGDLoss', 'FBKDLoss'
]
