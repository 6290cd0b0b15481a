"""Record the tensors distillation needs from a model: module inputs/outputs and method results."""
import difflib
import inspect
import types
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

from torch import nn

RecordSpec = Union[str, dict]
SPEC_KEYS = ('module', 'method', 'source', 'index', 'call')


class ModuleRecorder:
    """Collects inputs or outputs of named submodules (or of their methods) during a forward pass.

    Each record is ``name -> spec``. A spec is a module path (``'head'``, ``'backbone.layer4'``) or a
    dict with these keys:

    * ``module``: the submodule path; with ``source='output'`` (default) its forward output is
      recorded by a forward hook, with ``source='input'`` its positional arguments;
    * ``method``: ``'ClassName.method_name'`` records a method's output (or arguments) instead, on
      every submodule of ``model`` (the model itself included) that is a ``ClassName`` using that
      ``method_name`` — or on the one submodule named by ``module``. The method is wrapped on those
      instances only, and only while :meth:`recording` runs; the class is never touched. Calls that
      bypass the instance (``ClassName.method_name(obj)``, ``super()``) are not seen;
    * ``index``: for an output, one element of a tuple/list output (``dict(module='backbone',
      index=-1)`` is the last stage); for inputs, which positional argument (default 0, the first;
      ``None`` keeps the tuple of all of them);
    * ``call``: which call of a module or method that runs several times in one forward (0 is the
      first). Without ``call``, one call gives its value and several give a tuple of them, one per
      call (a head shared over FPN levels records its levels).

    Hooks only store while :meth:`recording` is active, and :meth:`recording` hands the records over
    and forgets them, so no tensor outlives its training step. Wrong module paths, unknown methods
    and unknown spec keys fail here, at build time, with the closest valid names.

    Example:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
        >>> recorder = ModuleRecorder(net, dict(logits='0', relu_in=dict(module='1', source='input'),
        ...                                     forward=dict(method='Sequential.forward')))
        >>> with recorder.recording() as records:
        ...     out = net(torch.zeros(2, 4))
        >>> records['logits'].shape, torch.equal(records['relu_in'], records['logits'])
        (torch.Size([2, 3]), True)
        >>> torch.equal(records['forward'], out)
        True
    """

    def __init__(self, model: nn.Module, records: Dict[str, RecordSpec], owner: str = 'model'):
        self.owner = owner
        self.specs = {name: self._parse(name, spec) for name, spec in records.items()}
        modules = dict(model.named_modules())
        self._methods: Dict[str, List[nn.Module]] = {}
        for name, spec in self.specs.items():
            if spec['module'] is not None and spec['module'] not in modules:
                close = difflib.get_close_matches(spec['module'], modules.keys(), n=5, cutoff=0.4)
                top = sorted({k.split('.')[0] for k in modules if k})
                raise KeyError(
                    f"record {name!r} of {owner}: no submodule named {spec['module']!r}. "
                    f'Closest: {close or "none"}; top-level submodules: {top}')
            if spec['method'] is not None:
                self._methods[name] = self._method_owners(name, spec, modules)
            else:
                modules[spec['module']].register_forward_hook(self._hook(name))
        self._calls: Optional[Dict[str, List[Any]]] = None

    def _parse(self, name: str, spec: RecordSpec) -> dict:
        if isinstance(spec, str):
            spec = dict(module=spec)
        unknown = set(spec) - set(SPEC_KEYS)
        if unknown or ('module' not in spec and 'method' not in spec):
            raise ValueError(f'record {name!r} of {self.owner}: a spec is a module path or a dict '
                             f'with keys {SPEC_KEYS} (module and/or method); got {spec}'
                             + (f' (unknown: {sorted(unknown)})' if unknown else ''))
        source = spec.get('source', 'output')
        if source not in ('output', 'input'):
            raise ValueError(f"record {name!r} of {self.owner}: source must be 'output' or "
                             f"'input', got {source!r}")
        method = spec.get('method')
        if method is not None and (not isinstance(method, str) or method.count('.') != 1):
            raise ValueError(f"record {name!r} of {self.owner}: method must be "
                             f"'ClassName.method_name', got {method!r}")
        return dict(module=spec.get('module'), method=method, source=source,
                    index=spec.get('index', 0 if source == 'input' else None),
                    call=spec.get('call'))

    def _method_owners(self, name: str, spec: dict,
                       modules: Dict[str, nn.Module]) -> List[nn.Module]:
        """The submodules whose ``method`` is ``ClassName.method_name``'s own function."""
        class_name, method_name = spec['method'].split('.')
        candidates = ({spec['module']: modules[spec['module']]}
                      if spec['module'] is not None else modules)
        owners = []
        for module in candidates.values():
            for klass in type(module).__mro__:
                function = klass.__dict__.get(method_name)
                if (klass.__name__ == class_name and isinstance(function, types.FunctionType)
                        and getattr(type(module), method_name) is function):
                    owners.append(module)
                    break
        if not owners:
            classes = sorted({type(m).__name__ for m in candidates.values()})
            where = f"submodule {spec['module']!r}" if spec['module'] is not None else 'submodule'
            raise KeyError(f"record {name!r} of {self.owner}: no {where} is a {class_name} with "
                           f"its own {method_name!r} method. Classes here: {classes}")
        return owners

    def _store(self, name: str, value: Any) -> None:
        if self._calls is None:
            return
        index = self.specs[name]['index']
        if index is not None:
            value = value[index]
        self._calls.setdefault(name, []).append(value)

    def _hook(self, name: str) -> Callable:
        source = self.specs[name]['source']

        def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
            self._store(name, inputs if source == 'input' else output)

        return hook

    def _wrapped(self, name: str, bound: Callable, parameters: List[str]) -> Callable:
        source = self.specs[name]['source']

        def method(*args: Any, **kwargs: Any) -> Any:
            output = bound(*args, **kwargs)
            # the arguments as MMRazor's MethodInputs gives them: positional, then keywords in
            # the signature's order
            inputs = args + tuple(kwargs[p] for p in parameters if p in kwargs)
            self._store(name, inputs if source == 'input' else output)
            return output

        return method

    @contextmanager
    def _methods_wrapped(self) -> Iterator[None]:
        """Wrap each recorded method on its instances; always restore them."""
        wrapped = []
        try:
            for name, owners in self._methods.items():
                method_name = self.specs[name]['method'].split('.')[1]
                for module in owners:
                    bound = getattr(module, method_name)  # may be another record's wrapper
                    parameters = list(inspect.signature(
                        getattr(type(module), method_name)).parameters)[1:]
                    previous = module.__dict__.get(method_name)
                    module.__dict__[method_name] = self._wrapped(name, bound, parameters)
                    wrapped.append((module, method_name, previous))
            yield
        finally:
            for module, method_name, previous in reversed(wrapped):
                if previous is None:
                    del module.__dict__[method_name]
                else:
                    module.__dict__[method_name] = previous

    def _value(self, name: str, calls: List[Any]) -> Any:
        call = self.specs[name]['call']
        if call is None:
            return calls[0] if len(calls) == 1 else tuple(calls)
        if not -len(calls) <= call < len(calls):
            raise RuntimeError(f'record {name!r} of {self.owner}: call={call} asked, but it ran '
                               f'{len(calls)} time(s) in this forward')
        return calls[call]

    @contextmanager
    def recording(self) -> Iterator[Dict[str, Any]]:
        """Record during the ``with`` block; the yielded dict is filled when the block ends."""
        records: Dict[str, Any] = {}
        self._calls = {}
        try:
            with self._methods_wrapped():
                yield records
            missing = [name for name in self.specs if name not in self._calls]
            if missing:
                what = [self.specs[n]['method'] or self.specs[n]['module'] for n in missing]
                raise RuntimeError(f'records {missing} of {self.owner} were not produced: '
                                   f'{what} did not run in this forward')
            records.update({name: self._value(name, calls)
                            for name, calls in self._calls.items()})
        finally:
            self._calls = None
