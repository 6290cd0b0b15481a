"""Frozen modules: no gradients, eval mode for good, and never in the checkpoints of their owner."""
from typing import List

from torch import nn


class FrozenMixin:
    """For an ``nn.Module`` whose weights never change (a teacher, a text tower): :meth:`freeze` at
    the end of ``__init__`` stops gradients, and ``train()`` keeps eval mode (batch norm statistics
    and dropout stay off) even inside a module that trains.

    Example:
        >>> from torch import nn
        >>> class Tower(FrozenMixin, nn.Linear):
        ...     pass
        >>> tower = Tower(2, 2)
        >>> tower.freeze()
        >>> tower.train().training, tower.weight.requires_grad
        (False, False)
    """

    def freeze(self) -> None:
        for param in self.parameters():
            param.requires_grad_(False)
        self.train(False)

    def train(self, mode: bool = True):
        return super().train(False)


def hide_from_checkpoints(owner: nn.Module, *names: str) -> None:
    """Keep the submodules ``owner.<name>`` out of ``owner``'s state dict and its loading.

    They stay ordinary registered submodules — ``.to()``, ``.cuda()``, ``.half()`` move them and DDP
    sees them (frozen, so it syncs nothing for them) — but their tensors are dropped from every
    state dict taken through ``owner`` (however deep ``owner`` sits in the model) and not reported
    missing when a state dict is loaded. For frozen teachers and text towers whose weights come
    from their own files: the checkpoint stays the student's, and resuming does not need them.

    Example:
        >>> from torch import nn
        >>> model = nn.Module()
        >>> model.student, model.teacher = nn.Linear(2, 2), nn.Linear(2, 2)
        >>> hide_from_checkpoints(model, 'teacher')
        >>> sorted(model.state_dict())
        ['student.bias', 'student.weight']
        >>> model.load_state_dict(model.state_dict())
        <All keys matched successfully>
    """
    missing = [name for name in names if not isinstance(getattr(owner, name, None), nn.Module)]
    if missing:
        raise AttributeError(f'hide_from_checkpoints: {type(owner).__name__} has no submodules '
                             f'{missing}; register them first')
    children = tuple(f'{name}.' for name in names)
    load_prefix: List[str] = ['']

    def drop_hidden(module, state_dict, prefix, local_metadata):
        hidden = tuple(prefix + child for child in children)
        for key in [k for k in state_dict if k.startswith(hidden)]:
            del state_dict[key]

    def remember_prefix(module, state_dict, prefix, *args):
        load_prefix[0] = prefix

    def ignore_missing_hidden(module, incompatible_keys):
        hidden = tuple(load_prefix[0] + child for child in children)
        incompatible_keys.missing_keys[:] = [
            k for k in incompatible_keys.missing_keys if not k.startswith(hidden)]

    owner.register_state_dict_post_hook(drop_hidden)
    owner.register_load_state_dict_pre_hook(remember_prefix)
    owner.register_load_state_dict_post_hook(ignore_missing_hidden)
