"""The interface every mmkd teacher implements."""
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule
from mmengine.structures import BaseDataElement

from .input_adapter import Normalization, TeacherInputAdapter


def per_sample_shape(value: Any) -> Optional[tuple]:
    """The shape of a batched record without its batch dim; a tuple of them for a tuple of
    tensors (FPN levels); ``None`` for anything else.

    Example:
        >>> per_sample_shape(torch.zeros(8, 10)), per_sample_shape((torch.zeros(8, 4, 2, 2), ))
        ((10,), ((4, 2, 2),))
    """
    if isinstance(value, torch.Tensor):
        return tuple(value.shape[1:])
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, torch.Tensor) for v in value):
        return tuple(tuple(v.shape[1:]) for v in value)
    return None


class BaseTeacher(BaseModule):
    """A frozen teacher: ``forward(inputs, data_samples) -> {record name: tensor}``.

    * Frozen: no parameter requires grad, and the module stays in eval mode through ``train()``.
    * Not saved again: its weights come from its own files, so the distiller leaves them out of
      its checkpoints.
    * Its own preprocessing: the distiller calls :meth:`adapt_inputs` with the student's
      normalisation; :meth:`forward` receives the student's preprocessed batch and converts it.

    Subclasses set :attr:`output_names` (what :meth:`forward` returns; checked against the losses'
    wiring when the distiller is built), implement :meth:`forward` and may extend :meth:`report`.
    """

    #: The record names :meth:`forward` returns.
    output_names: Sequence[str] = ()

    def __init__(self, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.input_adapter: Optional[TeacherInputAdapter] = None
        self.load_report: List[str] = []

    def freeze(self) -> None:
        """Stop gradients and lock eval mode; call at the end of a subclass ``__init__``."""
        for param in self.parameters():
            param.requires_grad_(False)
        self.train(False)

    def train(self, mode: bool = True) -> 'BaseTeacher':
        """Always eval: batch norm statistics and dropout of a teacher never change."""
        return super().train(False)

    def init_weights(self) -> None:
        """A teacher's weights come from its checkpoint; nothing to initialise."""

    @property
    def teacher_normalization(self) -> Normalization:
        """``(mean, std, swaps_channels)`` the teacher expects; ``(None, None, False)`` = raw."""
        return None, None, False

    @property
    def input_size(self) -> Optional[Sequence[int]]:
        """``(h, w)`` the teacher wants, or ``None`` for the student's size."""
        return None

    def adapt_inputs(self, student_normalization: Normalization) -> None:
        """Set up the conversion from the student's preprocessed batch to the teacher's input."""
        self.input_adapter = TeacherInputAdapter(
            student_normalization, self.teacher_normalization, self.input_size)

    def prepare_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.input_adapter is None or self.input_adapter.is_identity:
            return inputs
        return self.input_adapter(inputs)

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def record_shapes(self, inputs: torch.Tensor) -> Dict[str, Optional[tuple]]:
        """The per-sample shape (no batch dim) of each record for a batch like ``inputs``.

        The distiller checks them against its losses when it is built. This default runs one
        no-grad forward on ``inputs`` (a dummy batch in the student's convention); teachers that
        know their shapes without a forward (a store) override it.
        """
        with torch.no_grad():
            records = self(inputs)
        return {name: per_sample_shape(records.get(name)) for name in self.output_names}

    def report(self) -> List[str]:
        """Lines for the start-of-training teacher report."""
        adapter = 'same as the student' if (
            self.input_adapter is None or self.input_adapter.is_identity) else (
            f'converted from the student\'s (input size {self.input_size or "unchanged"})')
        return self.load_report + [f'preprocessing: {adapter}']
