from .conv_connector import ConvConnector
from .pool_linear_connector import PoolLinearConnector

__all__ = ['ConvConnector', 'PoolLinearConnector']
