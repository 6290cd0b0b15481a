from .channel_wise_divergence import ChannelWiseDivergence, channel_wise_divergence
from .dense_pairs import pair_dense_maps
from .feature_imitation_loss import FeatureImitationLoss, feature_imitation
from .kd_loss import KDLoss, kd_kl_div

__all__ = [
    'ChannelWiseDivergence', 'channel_wise_divergence', 'FeatureImitationLoss',
    'feature_imitation', 'KDLoss', 'kd_kl_div', 'pair_dense_maps'
]
