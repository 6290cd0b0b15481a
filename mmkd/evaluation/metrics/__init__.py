from .aspect_agreement import AspectAgreement

__all__ = ['AspectAgreement']
