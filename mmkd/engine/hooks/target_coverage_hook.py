"""Before a run reads its data, check that every sample has the stored targets it will ask for."""
from typing import Iterator, Set

from mmengine.hooks import Hook

from mmkd.registry import HOOKS


def _leaf_datasets(dataset) -> Iterator:
    """The datasets that own pipelines inside wrappers (Concat / Repeat / ClassBalanced ...)."""
    if hasattr(dataset, 'datasets'):
        for inner in dataset.datasets:
            yield from _leaf_datasets(inner)
    elif hasattr(dataset, 'dataset') and not hasattr(dataset, 'pipeline'):
        yield from _leaf_datasets(dataset.dataset)
    else:
        yield dataset


@HOOKS.register_module()
class TargetCoverageHook(Hook):
    """Fail before the first iteration when a sample has no stored teacher targets.

    A pipeline transform that serves stored targets by sample id (e.g.
    :class:`~mmkd.datasets.transforms.LoadAspectTargets`) would otherwise find a missing id only
    when that sample is drawn — possibly hours into the first epoch. Before training, validation
    and testing this hook asks every such transform (any with a ``missing_samples(dataset)``
    method) for the samples of its dataset that it cannot serve, and names them.

    Example:
        >>> custom_hooks = [dict(type='mmkd.TargetCoverageHook')]
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        self._checked: Set[int] = set()

    def before_train(self, runner) -> None:
        self._check(runner.train_dataloader.dataset, 'train_dataloader')

    def before_val(self, runner) -> None:
        self._check(runner.val_loop.dataloader.dataset, 'val_dataloader')

    def before_test(self, runner) -> None:
        self._check(runner.test_loop.dataloader.dataset, 'test_dataloader')

    def _check(self, dataset, split: str) -> None:
        if id(dataset) in self._checked:
            return
        self._checked.add(id(dataset))
        for leaf in _leaf_datasets(dataset):
            for transform in getattr(getattr(leaf, 'pipeline', None), 'transforms', []):
                if not hasattr(transform, 'missing_samples'):
                    continue
                missing = transform.missing_samples(leaf)
                if missing:
                    raise KeyError(
                        f'{len(missing)} of the {len(leaf)} samples of {split} have no targets in '
                        f'{transform!r}, e.g. {missing[:5]}. Extract targets for this dataset '
                        '(or fix data_root / key of the transform).')
