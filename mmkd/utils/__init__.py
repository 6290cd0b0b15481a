from .checkpoint import (allow_mmengine_globals, load_state_dict_file,
                         load_strictly)
from .hidden_modules import hide_from_checkpoints

__all__ = ['allow_mmengine_globals', 'load_state_dict_file', 'load_strictly',
           'hide_from_checkpoints']
