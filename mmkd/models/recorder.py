"""Record the tensors distillation needs from named submodules with forward hooks."""
import difflib
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Union

from torch import nn

RecordSpec = Union[str, dict]


class ModuleRecorder:
    """Collects inputs or outputs of named submodules of ``model`` during a forward pass.

    Each record is ``name -> spec``; a spec is a module path (``'head'``, ``'backbone.layer4'``) or a
    dict ``dict(module=path, source='output' | 'input', index=None)``; ``index`` picks one element
    of a tuple output (``dict(module='backbone', index=-1)`` is the last stage). A module called
    several times in one forward (a head shared over FPN levels) records a tuple, one entry per call.

    Hooks only store while :meth:`recording` is active, and :meth:`recording` hands the records over
    and forgets them, so no tensor outlives its training step. Wrong module paths fail here, at
    build time, with the closest valid names.

    Example:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
        >>> recorder = ModuleRecorder(net, dict(logits='0'))
        >>> with recorder.recording() as records:
        ...     _ = net(torch.zeros(2, 4))
        >>> records['logits'].shape
        torch.Size([2, 3])
    """

    def __init__(self, model: nn.Module, records: Dict[str, RecordSpec], owner: str = 'model'):
        self.specs = {name: self._parse(name, spec) for name, spec in records.items()}
        modules = dict(model.named_modules())
        for name, spec in self.specs.items():
            if spec['module'] not in modules:
                close = difflib.get_close_matches(spec['module'], modules.keys(), n=5, cutoff=0.4)
                top = sorted({k.split('.')[0] for k in modules if k})
                raise KeyError(
                    f"record {name!r} of {owner}: no submodule named {spec['module']!r}. "
                    f'Closest: {close or "none"}; top-level submodules: {top}')
        self._calls: Optional[Dict[str, List[Any]]] = None
        self._handles = [modules[spec['module']].register_forward_hook(self._hook(name))
                         for name, spec in self.specs.items()]

    @staticmethod
    def _parse(name: str, spec: RecordSpec) -> dict:
        if isinstance(spec, str):
            spec = dict(module=spec)
        unknown = set(spec) - {'module', 'source', 'index'}
        if 'module' not in spec or unknown:
            raise ValueError(f'record {name!r}: a spec is a module path or dict(module=..., '
                             f'source="output"|"input", index=None); got {spec}')
        spec = dict(dict(source='output', index=None), **spec)
        if spec['source'] not in ('output', 'input'):
            raise ValueError(f"record {name!r}: source must be 'output' or 'input', "
                             f"got {spec['source']!r}")
        return spec

    def _hook(self, name: str):
        spec = self.specs[name]

        def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
            if self._calls is None:
                return
            value = inputs[0] if spec['source'] == 'input' else output
            if spec['index'] is not None:
                value = value[spec['index']]
            self._calls.setdefault(name, []).append(value)

        return hook

    @contextmanager
    def recording(self) -> Iterator[Dict[str, Any]]:
        """Record during the ``with`` block; the yielded dict is filled when the block ends."""
        records: Dict[str, Any] = {}
        self._calls = {}
        try:
            yield records
            missing = [name for name in self.specs if name not in self._calls]
            if missing:
                raise RuntimeError(
                    f'records {missing} were not produced: their modules '
                    f"{[self.specs[n]['module'] for n in missing]} did not run in this forward")
            records.update({name: calls[0] if len(calls) == 1 else tuple(calls)
                            for name, calls in self._calls.items()})
        finally:
            self._calls = None

    def remove(self) -> None:
        """Remove the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
