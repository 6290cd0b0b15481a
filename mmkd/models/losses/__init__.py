from .feature_relation_loss import FeatureRelationLoss
from .kd_loss import KDLoss, kd_kl_div
from .led_loss import (LEDLoss, class_distance_loss, gather_global_batch, group_relation_loss,
                       instance_distance_loss, pairwise_distances)
from .mld_loss import MLDLoss, multi_label_binary_kl

__all__ = [
    'FeatureRelationLoss', 'KDLoss', 'kd_kl_div', 'LEDLoss', 'class_distance_loss', 'gather_global_batch',
    'group_relation_loss', 'instance_distance_loss', 'pairwise_distances', 'MLDLoss',
    'multi_label_binary_kl'
]
