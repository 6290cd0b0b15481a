"""Tiny random-init models for tests and benchmarks (no weights can be downloaded here)."""
from .tiny_models import build_tiny_causal_lm, build_tiny_llava, build_tiny_qwen2_vl

__all__ = ['build_tiny_causal_lm', 'build_tiny_llava', 'build_tiny_qwen2_vl']
