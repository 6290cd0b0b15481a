"""Answer MaKD's yes/no aspect questions with an image-text embedding model instead of an MLLM.

Not the paper's teacher: MaKD asks a multimodal LLM (InternVL2-8B) and reads the probability of its
"Yes" token. Where no such model fits, any CLIP-style teacher of mmkd (``OpenCLIPTeacher`` with
local weights, the offline two-tower teacher) can answer instead: each question ``q`` is written as
an affirmative and a negative statement (``"The item has sleeves."`` / ``"The item does not have
sleeves."``), both are embedded once, and for an image embedding ``v``

    p(yes | v, q) = softmax(s · [cos(v, t_yes), cos(v, t_no)])[0]

with ``s`` the teacher's logit scale (1 / temperature). One image embedding per image, ``2Q`` text
embeddings in all: cheap, and real wherever the teacher's embeddings are. Its answers are only as
good as the teacher's image-text space — a two-tower teacher aligned on class prompts answers
through what it knows of the classes — so check the per-aspect agreement it reports.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from mmkd.models.teachers.input_adapter import InputConvention
from mmkd.models.text import tensors_fingerprint

from .aspect_scorer import AspectScores
from .question_generation import StatementPair

#: What the two "answer tokens" of this backend are, in the extraction's records.
ANSWER_NAMES = ('affirmative', 'negative')


def build_image_text_teacher(config: str, name: Optional[str] = None):
    """The image-text teacher of a config, built with its weights: ``model.teachers[name]``, else
    ``model.text_teacher`` (a ``StoreTeacher``'s live teacher), as the VLM-OOD tools read it."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmkd.models.algorithms.vision_language_distiller import text_teacher_config
    from mmkd.registry import build_mmkd_module
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return build_mmkd_module(text_teacher_config(cfg.get('model', {}), name))


class ContrastiveAspectScorer:
    """Yes/no answers of an image-text embedding teacher, for ``extract_shard``.

    Same interface as :class:`~mmkd.makd.AspectScorer` (``questions``, :meth:`describe`,
    :meth:`score`, :meth:`top_answers`), so the extraction loop, its resume, shards, merge, store
    and summary are shared. ``yes_logits``/``no_logits`` are ``s · cos`` with the two statements,
    so the stored target ``sigmoid(yes - no)`` is the two-way softmax above.

    Args:
        teacher: an mmkd image-text teacher (``encode_image``, ``encode_text``,
            ``prepare_inputs``, ``adapt_inputs``, ``input_convention``, ``logit_scale``).
        statements: one :class:`StatementPair` per question.
        logit_scale: ``s`` = 1 / temperature; default: the teacher's ``logit_scale``.
        device: where the teacher runs.

    Example:
        >>> from mmkd.makd import template_statements
        >>> from mmkd.models.teachers import OpenCLIPTeacher
        >>> tiny = dict(embed_dim=32, vision_cfg=dict(image_size=32, layers=1, width=32,
        ...             head_width=16, patch_size=16), text_cfg=dict(context_length=16,
        ...             vocab_size=49408, width=32, heads=2, layers=1))
        >>> teacher = OpenCLIPTeacher('ViT-B-32', model_overrides=tiny, allow_random_init=True)
        >>> scorer = ContrastiveAspectScorer(
        ...     teacher, [template_statements('Is it red?')], logit_scale=100.0)
        >>> scores = scorer.score([Image.new('RGB', (40, 30), 'red')])
        >>> scores.probs.shape, bool(0 < scores.probs.item() < 1)
        (torch.Size([1, 1]), True)
    """

    def __init__(self, teacher, statements: Sequence[StatementPair],
                 logit_scale: Optional[float] = None, device: str = 'cpu'):
        if not statements:
            raise ValueError('ContrastiveAspectScorer needs at least one statement pair')
        missing = [name for name in ('encode_image', 'encode_text', 'prepare_inputs',
                                     'adapt_inputs', 'input_convention')
                   if not hasattr(teacher, name)]
        if missing:
            raise TypeError(f'{type(teacher).__name__} is not an image-text teacher (no '
                            f'{missing}); use OpenCLIPTeacher or the two-tower teacher')
        if logit_scale is None:
            logit_scale = getattr(teacher, 'logit_scale', None)
        if logit_scale is None:
            raise ValueError(f'{type(teacher).__name__} has no logit_scale (e.g. a projection '
                             'fitted before it was recorded); give the temperature it was trained /'
                             ' aligned with (--temperature, e.g. 0.07)')
        logit_scale = float(logit_scale)
        if not np.isfinite(logit_scale) or logit_scale <= 0:
            raise ValueError(f'logit scale must be finite and > 0, got {logit_scale}')
        self.teacher = teacher.to(device).eval()
        self.device = device
        self.statements = list(statements)
        self.questions = [pair.question for pair in self.statements]
        self.logit_scale = logit_scale
        if teacher.input_convention.size is None:
            raise ValueError(f'{type(teacher).__name__} declares no input size: the contrastive '
                             'scorer resizes each whole image to it')
        self.input_size = teacher.input_convention.size
        teacher.adapt_inputs(InputConvention('rgb'))  # inputs: RGB pixels in [0, 255]
        texts = [text for pair in self.statements for text in (pair.affirmative, pair.negative)]
        with torch.no_grad():
            embeds = F.normalize(teacher.encode_text(texts).float(), dim=-1)
        self.text_embeds = embeds.view(len(self.statements), 2, -1).to(device)
        self.teacher_digest = tensors_fingerprint(type(teacher).__name__, (
            (f'{key}{tuple(tensor.shape)}', tensor)
            for key, tensor in teacher.state_dict().items()))

    def describe(self) -> Dict:
        """What identifies these answers (the extraction's fingerprint and metadata)."""
        return dict(
            questions=self.questions, prompt_suffix='', system_prompt=None,
            answer_tokens=dict(backend='contrastive', teacher=type(self.teacher).__name__,
                               teacher_weights_sha1=self.teacher_digest,
                               logit_scale=self.logit_scale,
                               input_size=list(self.input_size),
                               statements=[[p.affirmative, p.negative] for p in self.statements]),
            example_prompt=f'{self.statements[0].affirmative} | {self.statements[0].negative}',
            target='softmax(logit_scale * [cos(image, affirmative), cos(image, negative)])[0] of '
                   'an image-text embedding teacher (contrastive backend, not an MLLM)')

    def top_answers(self, top: torch.Tensor) -> List[str]:
        """Which statement was closer, per question."""
        return [ANSWER_NAMES[int(index)] for index in top]

    def teacher_inputs(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """RGB images → ``[B, 3, h, w]`` in the teacher's input convention: each whole image
        resized to its input size the way it declares (MaKD's answers are about the whole image),
        normalised its way."""
        batch = []
        for image in images:
            array = np.asarray(image.convert('RGB'), dtype=np.float32)
            pixels = torch.from_numpy(array).permute(2, 0, 1)[None].to(self.device)
            batch.append(self.teacher.prepare_inputs(pixels))
        return torch.cat(batch)

    @torch.no_grad()
    def image_embeds(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """Normalised image embeddings ``[B, D]``."""
        return F.normalize(self.teacher.encode_image(self.teacher_inputs(images)).float(), dim=-1)

    @torch.no_grad()
    def score(self, images: Sequence[Image.Image]) -> AspectScores:
        """Scores ``[B, Q]`` of every image × question."""
        cosine = torch.einsum('bd,qkd->bqk', self.image_embeds(images), self.text_embeds)
        logits = (self.logit_scale * cosine).cpu()
        return AspectScores(yes_logits=logits[..., 0], no_logits=logits[..., 1],
                            answer_mass=torch.ones(logits.shape[:2]),
                            top_token=(logits[..., 1] > logits[..., 0]).long())
