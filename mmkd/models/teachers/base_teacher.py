"""The interface every mmkd teacher implements."""
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseModule
from mmengine.structures import BaseDataElement

from mmkd.utils import FrozenMixin
from .input_adapter import InputConvention, TeacherInputAdapter


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


class BaseTeacher(FrozenMixin, BaseModule):
    """A frozen teacher: ``forward(inputs, data_samples) -> {record name: tensor}``.

    * Frozen: no parameter requires grad, and the module stays in eval mode through ``train()``.
    * Not saved again: its weights come from its own files, so the distiller leaves them out of
      its checkpoints.
    * Its own preprocessing, declared once in :attr:`input_convention` (channel order, mean/std,
      size, resize mode): the distiller calls :meth:`adapt_inputs` with the student's convention;
      :meth:`forward` receives the student's preprocessed batch and converts it
      (:meth:`prepare_inputs`) before :meth:`extract` runs the model on it.

    Subclasses call :meth:`freeze` at the end of ``__init__``, set :attr:`output_names` (what :meth:`forward` returns; checked against the losses'
    wiring when the distiller is built) and :attr:`input_convention`, implement :meth:`extract` (or
    :meth:`forward`) and may extend :meth:`report`.
    """

    #: The record names :meth:`forward` returns.
    output_names: Sequence[str] = ()
    #: The model's input convention; the default takes the student's batch as it is.
    input_convention: InputConvention = InputConvention()

    def __init__(self, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.input_adapter: Optional[TeacherInputAdapter] = None
        self.load_report: List[str] = []

    def init_weights(self) -> None:
        """A teacher's weights come from its checkpoint; nothing to initialise."""

    def adapt_inputs(self, student: InputConvention) -> None:
        """Set up the conversion from the student's preprocessed batch to :attr:`input_convention`."""
        self.input_adapter = TeacherInputAdapter(student, self.input_convention)

    def prepare_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """The student's batch in the teacher's convention (unchanged before :meth:`adapt_inputs`)."""
        if self.input_adapter is None or self.input_adapter.is_identity:
            return inputs
        return self.input_adapter(inputs)

    def extract(self, images: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        """The records of a batch that is already in the teacher's convention."""
        raise NotImplementedError

    @torch.no_grad()
    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List[BaseDataElement]] = None) -> Dict[str, torch.Tensor]:
        return self.extract(self.prepare_inputs(inputs), data_samples)

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
        if self.input_adapter is None:
            view = 'the input as given (adapt_inputs was not called)'
        elif self.input_adapter.is_identity:
            view = 'same as the student'
        else:
            view = (f'student {self.input_adapter.student.describe()} -> teacher '
                    f'{self.input_convention.describe()}')
        return self.load_report + [f'preprocessing: {view}']
