from .conv_connector import ConvConnector, ConvModuleConnector
from .fbkd_connector import FBKDStudentConnector, FBKDTeacherConnector
from .mgd_connector import MGDConnector
from .pool_linear_connector import PoolLinearConnector

__all__ = [
    'ConvConnector', 'ConvModuleConnector', 'FBKDStudentConnector', 'FBKDTeacherConnector',
    'MGDConnector', 'PoolLinearConnector'
]
