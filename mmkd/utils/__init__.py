from .checkpoint import (allow_mmengine_globals, load_state_dict_file,
                         load_strictly)

__all__ = ['allow_mmengine_globals', 'load_state_dict_file', 'load_strictly']
