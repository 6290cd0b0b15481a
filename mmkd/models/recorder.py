"""Record the tensors distillation needs from a model: module inputs/outputs, method and function
results."""
import difflib
import importlib
import inspect
import types
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from torch import nn

RecordSpec = Union[str, dict]
SPEC_KEYS = ('module', 'method', 'function', 'source', 'index', 'call')
#: Where a recorded callable is replaced while recording: ``(holder, attribute, parameters)``, the
#: holder a model instance (a method) or a Python module (a function).
Patch = Tuple[Any, str, List[str]]
_MISSING = object()


def find_function(path: str) -> Tuple[types.ModuleType, str]:
    """The Python module and the name of the function ``'package.module.function_name'``.

    A module that cannot be imported, or a name there that is not a Python function, is a
    ``KeyError`` naming the closest functions of that module.

    Example:
        >>> module, name = find_function('torch.nn.functional.relu')
        >>> module.__name__, name
        ('torch.nn.functional', 'relu')
    """
    module_name, _, function_name = path.rpartition('.')
    try:
        module = importlib.import_module(module_name)
    except (ImportError, ValueError) as error:  # ValueError: an empty module name
        raise KeyError(f'function {path!r}: cannot import {module_name!r} ({error}); give the '
                       'Python module that calls the function, then its name') from None
    function = vars(module).get(function_name)
    if not isinstance(function, types.FunctionType):
        functions = [k for k, v in vars(module).items() if isinstance(v, types.FunctionType)]
        close = difflib.get_close_matches(function_name, functions, n=5, cutoff=0.4)
        raise KeyError(f'function {path!r}: {module_name} has no function {function_name!r}'
                       + (f' (it is a {type(function).__name__})' if function is not None else '')
                       + f'. Closest functions there: {close or "none"}')
    return module, function_name


class ModuleRecorder:
    """Collects inputs or outputs of named submodules (or of methods, functions) during a forward.

    Each record is ``name -> spec``. A spec is a module path (``'head'``, ``'backbone.layer4'``) or a
    dict with these keys:

    * ``module``: the submodule path; with ``source='output'`` (default) its forward output is
      recorded by a forward hook, with ``source='input'`` its positional arguments;
    * ``method``: ``'ClassName.method_name'`` records a method's output (or arguments) instead, on
      every submodule of ``model`` (the model itself included) that is a ``ClassName`` using that
      ``method_name`` — or on the one submodule named by ``module``. The method is wrapped on those
      instances only, and only while :meth:`recording` runs; the class is never touched. Calls that
      bypass the instance (``ClassName.method_name(obj)``, ``super()``) are not seen;
    * ``function``: ``'package.module.function'`` records a module-level function's output (or
      arguments): the name is replaced in that Python module while :meth:`recording` runs and
      restored after, so every call through that module's name is seen, from any caller, in that
      time (MMRazor's ``FunctionOutputs``). Give the module that *calls* it:
      ``mmdet.models.dense_heads.anchor_head.multi_apply``, not where it is defined;
    * ``index``: for an output, one element of a tuple/list output (``dict(module='backbone',
      index=-1)`` is the last stage); for inputs, which positional argument (default 0, the first;
      ``None`` keeps the tuple of all of them);
    * ``call``: which call of a module, method or function that runs several times in one forward
      (0 is the first). Without ``call``, one call gives its value and several give a tuple of
      them, one per call (a head shared over FPN levels records its levels).

    Hooks only store while :meth:`recording` is active, and :meth:`recording` hands the records over
    and forgets them, so no tensor outlives its training step. Wrong module paths, unknown methods
    or functions and unknown spec keys fail here, at build time, with the closest valid names.

    Example:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
        >>> recorder = ModuleRecorder(net, dict(
        ...     logits='0', relu_in=dict(module='1', source='input'),
        ...     forward=dict(method='Sequential.forward'),
        ...     relu=dict(function='torch.nn.functional.relu')))  # nn.ReLU calls F.relu
        >>> with recorder.recording() as records:
        ...     out = net(torch.zeros(2, 4))
        >>> records['logits'].shape, torch.equal(records['relu_in'], records['logits'])
        (torch.Size([2, 3]), True)
        >>> torch.equal(records['forward'], out), torch.equal(records['relu'], out)
        (True, True)
    """

    def __init__(self, model: nn.Module, records: Dict[str, RecordSpec], owner: str = 'model'):
        self.owner = owner
        self.specs = {name: self._parse(name, spec) for name, spec in records.items()}
        modules = dict(model.named_modules())
        self._patches: Dict[str, List[Patch]] = {}
        for name, spec in self.specs.items():
            if spec['module'] is not None and spec['module'] not in modules:
                close = difflib.get_close_matches(spec['module'], modules.keys(), n=5, cutoff=0.4)
                top = sorted({k.split('.')[0] for k in modules if k})
                raise KeyError(
                    f"record {name!r} of {owner}: no submodule named {spec['module']!r}. "
                    f'Closest: {close or "none"}; top-level submodules: {top}')
            if spec['function'] is not None:
                self._patches[name] = [self._function_patch(name, spec['function'])]
            elif spec['method'] is not None:
                method_name = spec['method'].split('.')[1]
                self._patches[name] = [
                    (module, method_name,
                     list(inspect.signature(getattr(type(module), method_name)).parameters)[1:])
                    for module in self._method_owners(name, spec, modules)]
            else:
                modules[spec['module']].register_forward_hook(self._hook(name))
        self._calls: Optional[Dict[str, List[Any]]] = None

    def _parse(self, name: str, spec: RecordSpec) -> dict:
        if isinstance(spec, str):
            spec = dict(module=spec)
        unknown = set(spec) - set(SPEC_KEYS)
        function = spec.get('function')
        if unknown or (function is None) == ('module' not in spec and 'method' not in spec):
            raise ValueError(f'record {name!r} of {self.owner}: a spec is a module path or a dict '
                             f'with keys {SPEC_KEYS} (module and/or method, or function alone); '
                             f'got {spec}' + (f' (unknown: {sorted(unknown)})' if unknown else ''))
        if function is not None and (not isinstance(function, str) or '.' not in function):
            raise ValueError(f"record {name!r} of {self.owner}: function must be "
                             f"'package.module.function_name', got {function!r}")
        source = spec.get('source', 'output')
        if source not in ('output', 'input'):
            raise ValueError(f"record {name!r} of {self.owner}: source must be 'output' or "
                             f"'input', got {source!r}")
        method = spec.get('method')
        if method is not None and (not isinstance(method, str) or method.count('.') != 1):
            raise ValueError(f"record {name!r} of {self.owner}: method must be "
                             f"'ClassName.method_name', got {method!r}")
        return dict(module=spec.get('module'), method=method, function=function, source=source,
                    index=spec.get('index', 0 if source == 'input' else None),
                    call=spec.get('call'))

    def _function_patch(self, name: str, path: str) -> Patch:
        """Where the function ``path`` is looked up by its callers, with its parameters."""
        try:
            module, function_name = find_function(path)
        except KeyError as error:
            raise KeyError(f'record {name!r} of {self.owner}: {error.args[0]}') from None
        function = vars(module)[function_name]
        return module, function_name, list(inspect.signature(function).parameters)

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

    def _wrapped(self, name: str, original: Callable, parameters: List[str]) -> Callable:
        source = self.specs[name]['source']

        def recorded(*args: Any, **kwargs: Any) -> Any:
            output = original(*args, **kwargs)
            # the arguments as MMRazor's MethodInputs / FunctionInputs give them: positional, then
            # keywords in the signature's order
            inputs = args + tuple(kwargs[p] for p in parameters if p in kwargs)
            self._store(name, inputs if source == 'input' else output)
            return output

        return recorded

    @contextmanager
    def _patched(self) -> Iterator[None]:
        """Replace each recorded method (on its instances) or function (in its Python module) by
        a recording wrapper; always restore them."""
        replaced = []
        try:
            for name, patches in self._patches.items():
                for holder, attribute, parameters in patches:
                    namespace = vars(holder)
                    original = getattr(holder, attribute)  # may be another record's wrapper
                    replaced.append((namespace, attribute, namespace.get(attribute, _MISSING)))
                    namespace[attribute] = self._wrapped(name, original, parameters)
            yield
        finally:
            for namespace, attribute, previous in reversed(replaced):
                if previous is _MISSING:
                    del namespace[attribute]
                else:
                    namespace[attribute] = previous

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
            with self._patched():
                yield records
            missing = [name for name in self.specs if name not in self._calls]
            if missing:
                what = [self.specs[n]['function'] or self.specs[n]['method']
                        or self.specs[n]['module'] for n in missing]
                hint = ('; a function is seen only when called through the name of the Python '
                        'module given (the module that calls it, not where it is defined)'
                        if any(self.specs[n]['function'] for n in missing) else '')
                raise RuntimeError(f'records {missing} of {self.owner} were not produced: '
                                   f'{what} did not run in this forward{hint}')
            records.update({name: self._value(name, calls)
                            for name, calls in self._calls.items()})
        finally:
            self._calls = None
