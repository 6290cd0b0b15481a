from .checkpoint import (allow_mmengine_globals, load_state_dict_file,
                         load_strictly)
from .frozen_modules import FrozenMixin, hide_from_checkpoints

__all__ = ['allow_mmengine_globals', 'load_state_dict_file', 'load_strictly', 'FrozenMixin',
           'hide_from_checkpoints']
