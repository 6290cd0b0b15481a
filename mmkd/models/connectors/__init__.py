from .pool_linear_connector import PoolLinearConnector

__all__ = ['PoolLinearConnector']
