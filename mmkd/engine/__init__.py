from .fsdp_wrap_policy import distiller_wrap_policy
from .hooks import *  # noqa: F401,F403
from .nonfinite_step_skipper import NonFiniteStepSkipper
from .optimizers import AmpOptimWrapper
from .runner import *  # noqa: F401,F403

__all__ = ['distiller_wrap_policy', 'NonFiniteStepSkipper', 'AmpOptimWrapper']
