from .aspect_bce_loss import AspectBCELoss, aspect_bce
from .channel_wise_divergence import ChannelWiseDivergence, channel_wise_divergence
from .dense_pairs import pair_dense_maps
from .feature_imitation_loss import FeatureImitationLoss, feature_imitation
from .feature_relation_loss import FeatureRelationLoss
from .kd_loss import KDLoss, kd_kl_div
from .led_loss import (LEDLoss, class_distance_loss, gather_global_batch, group_relation_loss,
                       instance_distance_loss, pairwise_distances)
from .mld_loss import MLDLoss, multi_label_binary_kl
from .seed_loss import SEEDLoss, similarity_distillation

__all__ = [
    'AspectBCELoss', 'aspect_bce', 'ChannelWiseDivergence', 'channel_wise_divergence',
    'FeatureImitationLoss', 'feature_imitation', 'FeatureRelationLoss', 'KDLoss', 'kd_kl_div',
    'pair_dense_maps', 'LEDLoss', 'class_distance_loss', 'gather_global_batch',
    'group_relation_loss', 'instance_distance_loss', 'pairwise_distances', 'MLDLoss',
    'multi_label_binary_kl', 'SEEDLoss', 'similarity_distillation'
]
