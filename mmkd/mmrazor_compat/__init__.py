"""Run MMRazor's knowledge-distillation configs on mmkd: ``convert_mmrazor_config`` writes an mmkd
config (``tools/misc/convert_mmrazor_config.py IN OUT``); see ``docs/migrating_from_mmrazor.md``."""
from .convert import Conversion, convert_mmrazor_config
from .package_configs import MMRazorConversionError, local_checkpoint, resolve_package_config

__all__ = ['Conversion', 'MMRazorConversionError', 'convert_mmrazor_config',
           'local_checkpoint', 'resolve_package_config']
