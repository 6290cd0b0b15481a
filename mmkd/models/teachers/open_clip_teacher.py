"""Any open_clip model as a frozen teacher: OpenAI CLIP ViT-L/14 for VLM-OOD, RN50's image tower
for LGD."""
from typing import Optional, Sequence

import torch

from mmkd.registry import MODELS
from ..text import OpenCLIPTextEncoder, create_open_clip
from .input_adapter import InputConvention
from .vision_language_teacher import VisionLanguageTeacher


@MODELS.register_module()
class OpenCLIPTeacher(VisionLanguageTeacher):
    """A frozen open_clip model: image embeddings of the batch and, unless ``text_tower=False``, a
    text tower (:class:`~mmkd.models.text.OpenCLIPTextEncoder`) for class banks and prompts.

    The input convention is open_clip's own preprocessing of the model (``preprocess_cfg``): RGB,
    its mean/std, its size, its interpolation (bicubic for OpenAI CLIP) with antialiasing as PIL's
    resize does. The student's batch is converted to it, so one data pipeline serves both. Weights
    come only from a local file; open_clip loads them strictly and weights-only.

    Args:
        arch: an open_clip model name (``open_clip.list_models()``), e.g. ``'ViT-L-14'``, ``'RN50'``.
        checkpoint: a local weights file of the whole model (open_clip's
            ``open_clip_pytorch_model.bin`` or ``.safetensors`` of that architecture). ``None``
            only with ``allow_random_init``.
        text_tower: keep the text tower (``False``: an image-only teacher, e.g. LGD's).
        model_overrides: keyword overrides of the architecture's config (``embed_dim``,
            ``vision_cfg``, ``text_cfg``): tests build tiny random-init models this way.
        input_size: ``(h, w)`` instead of the model's own size (CLIP ResNets' attention pool only
            takes their own).
        allow_random_init: build without weights (tests); the teacher's signal is then noise.

    Example:
        >>> tiny = dict(embed_dim=32,
        ...             vision_cfg=dict(image_size=32, layers=1, width=32, head_width=16,
        ...                             patch_size=16),
        ...             text_cfg=dict(context_length=16, vocab_size=49408, width=32, heads=2,
        ...                           layers=1))
        >>> teacher = OpenCLIPTeacher('ViT-B-32', model_overrides=tiny, allow_random_init=True)
        >>> teacher(torch.zeros(2, 3, 32, 32))['image_embeds'].shape
        torch.Size([2, 32])
        >>> teacher.encode_text(['a photo of a cat']).shape
        torch.Size([1, 32])
    """

    def __init__(self,
                 arch: str = 'ViT-L-14',
                 checkpoint: Optional[str] = None,
                 text_tower: bool = True,
                 model_overrides: Optional[dict] = None,
                 input_size: Optional[Sequence[int]] = None,
                 allow_random_init: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        import open_clip
        model, report = create_open_clip(arch, checkpoint, model_overrides, allow_random_init,
                                         'OpenCLIPTeacher')
        preprocess = open_clip.get_model_preprocess_cfg(model)
        size = input_size or preprocess['size']
        # open_clip gives mean/std of [0, 1] images; mmkd's conventions use [0, 255] pixels
        self.input_convention = InputConvention(
            'rgb', mean=[255 * m for m in preprocess['mean']],
            std=[255 * s for s in preprocess['std']],
            size=(size, size) if isinstance(size, int) else tuple(size),
            resize=preprocess.get('interpolation', 'bicubic'), antialias=True)
        self.arch = arch
        self.logit_scale = float(model.logit_scale.detach().exp())
        self.visual = model.visual
        self.text_encoder = OpenCLIPTextEncoder(arch, model=model) if text_tower else None
        self.load_report = [report + ('' if text_tower else ' (image tower only)')]
        self.freeze()

    @property
    def embed_dim(self) -> int:
        return int(self.visual.output_dim)

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return self.visual(images)
