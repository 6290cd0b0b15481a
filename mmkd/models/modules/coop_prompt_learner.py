"""CoOp (Zhou et al., 2022) prompt learning for the class prototypes of a student."""
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils import hide_from_checkpoints
from ..text import BaseTextEncoder, LabelSet, TextBank


@MODELS.register_module()
class CoOpPromptLearner(TextBank):
    """Class prototypes from ``"X X … X {class prompt}."`` where the ``num_context`` placeholder
    token embeddings are learned vectors shared by all classes, encoded by a frozen text tower (as
    in Li et al.'s ``--prompt-learner``: class-agnostic context, ``n_ctx=8``, init N(0, 0.02²),
    right after the start token, trained jointly with the student).

    While training, ``forward`` re-encodes the requested label set with the current context (the
    gradient reaches the context through the frozen tower) and keeps a detached copy in the saved
    buffer; the other label sets are re-encoded before evaluation and before the state dict is
    taken, so a student checkpoint holds prototypes of its own context and classifies without the
    teacher. The text tower is a registered submodule (``.to()`` and DDP see it) that never enters
    a checkpoint. Use templates without "a photo of" (``'{name}'``, or
    ``'{name} . {description}'``).

    Args:
        label_sets: ``name -> number of classes``.
        embed_dim: the teacher's embedding size D.
        context_width: the text tower's token-embedding width (768 for ViT-L/14, 384 for MiniLM).
        num_context: learned context vectors.
        init_std: std of their normal init.
        chunk_size: classes encoded per pass (the original: 128).

    Example:
        >>> head = dict(type='mmkd.TextPrototypeClsHead', in_channels=512, embed_dim=768,
        ...             label_sets=dict(id=100, ood=100),
        ...             prototypes=dict(type='CoOpPromptLearner', context_width=768))
    """

    def __init__(self, label_sets: Dict[str, int], embed_dim: int, context_width: int,
                 num_context: int = 8, init_std: float = 0.02, chunk_size: int = 128):
        super().__init__(label_sets, embed_dim)
        self.num_context = num_context
        self.chunk_size = chunk_size
        self.context = nn.Parameter(torch.randn(num_context, context_width) * init_std)
        self.text_encoder: Optional[BaseTextEncoder] = None
        self._tokens: Dict[str, Dict[str, torch.Tensor]] = {}
        self._stale = False
        self.register_state_dict_pre_hook(_refresh_before_saving)

    def load_texts(self, encoder: BaseTextEncoder, label_sets: Dict[str, LabelSet],
                   cache_dir: Optional[str] = None) -> None:
        """Bind to ``encoder`` and tokenise ``"X … X {prompt}."`` for every set (one prompt per
        class; nothing to cache: the prototypes depend on the learned context)."""
        placeholder = ' '.join(['X'] * self.num_context)
        for name, label_set in label_sets.items():
            self._buffer(name)  # unknown label sets fail here
            if any(len(prompts) != 1 for prompts in label_set.prompts):
                raise ValueError(f'CoOpPromptLearner: label set {name!r} has several templates '
                                 'per class; the learned context replaces them, give one')
            self._tokens[name] = encoder.tokenize(
                [f'{placeholder} {prompts[0]}.' for prompts in label_set.prompts])
        width = encoder.embed_tokens(
            {k: v[:1] for k, v in next(iter(self._tokens.values())).items()}).shape[-1]
        if width != self.context.shape[1]:
            raise ValueError(f'CoOpPromptLearner: context_width={self.context.shape[1]} but the '
                             f"text tower's token embeddings are {width}-d; set "
                             f'context_width={width}')
        self.text_encoder = encoder
        hide_from_checkpoints(self, 'text_encoder')
        self.refresh()

    def encode(self, label_set: str) -> torch.Tensor:
        """Text embeddings [C, D] of a label set with the current context (differentiable)."""
        tokens = {k: v.to(self.context.device) for k, v in self._tokens[label_set].items()}
        num_classes = len(tokens['input_ids'])
        chunks = []
        for start in range(0, num_classes, self.chunk_size):
            part = {k: v[start:start + self.chunk_size] for k, v in tokens.items()}
            with torch.no_grad():
                embeds = self.text_encoder.embed_tokens(part)
            context = self.context.to(embeds.dtype).expand(len(embeds), -1, -1)
            embeds = torch.cat([embeds[:, :1], context, embeds[:, 1 + self.num_context:]], dim=1)
            chunks.append(self.text_encoder.encode_token_embeddings(embeds, part))
        return torch.cat(chunks).float()

    @torch.no_grad()
    def refresh(self) -> None:
        """Re-encode every label set with the current context into the saved buffers."""
        for label_set in self._tokens:
            self.set_embeddings(label_set, self.encode(label_set))
        self._stale = False

    def forward(self, label_set: str) -> torch.Tensor:
        if self.text_encoder is None:  # a trained student on its own: the saved prototypes
            return super().forward(label_set)
        if self.training:
            embeddings = self.encode(label_set)
            self._buffer(label_set).copy_(embeddings.detach())
            self._stale = True
            return F.normalize(embeddings, dim=-1)
        if self._stale:
            self.refresh()
        return super().forward(label_set)


def _refresh_before_saving(module: CoOpPromptLearner, prefix: str, keep_vars: bool) -> None:
    if module.text_encoder is not None and module._stale:
        module.refresh()
