from .algorithms import *  # noqa: F401,F403
from .classifiers import *  # noqa: F401,F403
from .connectors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from .recorder import ModuleRecorder
from .teachers import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403

__all__ = ['ModuleRecorder']
