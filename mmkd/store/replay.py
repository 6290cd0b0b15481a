"""Replaying augmented views: seeds, the view hash, randomness by behaviour, per-sample mixing.

View ``v`` of sample ``i`` is the sample's pipeline run with Python's ``random``, NumPy's global
generator and torch's CPU generator all seeded from ``(base_seed, i, v)`` (:func:`view_seed`,
:func:`seeded`). The extraction stores the seed and a 32-bit hash of the view tensor the teacher
saw (:func:`view_hash`); the training side re-seeds the same way, runs the same pipeline and checks
the hash, so what the student sees is what the teacher saw, in any worker process, on any rank.

A transform that draws from anything else (its own ``np.random.default_rng()``, ``secrets``, the
clock) cannot be replayed: :func:`probe_pipeline` finds it before extraction starts, naming it, and
a replay that still differs fails on its hash. Mixup/CutMix (:class:`SampleMixing`) are drawn per
view at extraction from the view's seed and stored as parameters (kind, partner row, λ, box), as
ml-dr stores them; replay reads them back.
"""
import contextlib
import random
import zlib
from typing import Any, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import torch

MIX_NONE, MIX_MIXUP, MIX_CUTMIX = 0, 1, 2
#: The view hash function, recorded in a replay store's ``meta.json``.
VIEW_HASH = 'crc32'
_MIX_KINDS = {'Mixup': MIX_MIXUP, 'CutMix': MIX_CUTMIX}


class ReplayError(RuntimeError):
    """A view cannot be (or was not) replayed exactly; the message names the pipeline and sample."""


def view_seed(base_seed: int, row: int, view: int) -> int:
    """The 31-bit seed of view ``view`` of the sample in row ``row``.

    Example:
        >>> view_seed(0, 5, 1) == view_seed(0, 5, 1) != view_seed(0, 5, 2)
        True
    """
    return int(np.random.SeedSequence([base_seed, row, view]).generate_state(1)[0] >> 1)


def partner_seed(seed: int) -> int:
    """The seed of the mixing partner's view in the view seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0] >> 1)


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed ``random``, NumPy's global generator and torch's CPU generator for a block.

    After the block the code around continues with randomness that does not depend on ``seed``:
    each generator is re-seeded from a number drawn from its own stream before the block (saving
    and restoring their states costs far more: NumPy's alone 0.5 ms). The CUDA generators are left
    alone (pipelines run on the CPU), so the student's dropout on a GPU keeps its own randomness.

    Example:
        >>> with seeded(3):
        ...     a = np.random.rand(), random.random(), torch.rand(1).item()
        >>> with seeded(3):
        ...     a == (np.random.rand(), random.random(), torch.rand(1).item())
        True
    """
    after = (random.getrandbits(32), int(np.random.randint(0, 2**31 - 1)),
             int(torch.randint(0, 2**62, (1, ))))
    random.seed(seed)
    np.random.seed(seed)
    torch.random.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.seed(after[0])
        np.random.seed(after[1])
        torch.random.default_generator.manual_seed(after[2])


def view_hash(inputs: Any, crc: int = 0) -> int:
    """A 32-bit hash (CRC-32) of a view (a tensor, an array, or a list of them), dtype and shape
    included. It detects a different view, not an adversary; CRC-32 takes 1 µs a 32x32 image.

    Example:
        >>> x = torch.arange(6, dtype=torch.uint8).view(2, 3)
        >>> view_hash(x) == view_hash(x.clone()) != view_hash(x.flip(1))
        True
    """
    if isinstance(inputs, (list, tuple)):
        for item in inputs:
            crc = view_hash(item, crc)
        return crc
    if isinstance(inputs, torch.Tensor):
        inputs = inputs.detach().cpu().numpy()
    array = np.ascontiguousarray(inputs)
    crc = zlib.crc32(f'{array.dtype.str}{array.shape}'.encode(), crc)
    return zlib.crc32(array if array.ndim else array.reshape(1), crc)


def run_view(dataset: Any, index: int, seed: int) -> dict:
    """``dataset[index]`` (its pipeline) with every generator seeded from ``seed``."""
    with seeded(seed):
        return dataset[index]


# ------------------------------------------------------------------------ behaviour probe
def pipeline_owner(dataset: Any, index: int) -> Tuple[Optional[Any], int]:
    """The dataset that owns the pipeline for ``index`` of a (possibly wrapped) dataset."""
    while not hasattr(dataset, 'pipeline'):
        if hasattr(dataset, 'cumulative_sizes'):  # ConcatDataset
            part, index = dataset._get_ori_dataset_idx(index)
            dataset = dataset.datasets[part]
        elif hasattr(dataset, 'dataset') and hasattr(dataset, '_get_ori_dataset_idx'):
            index = dataset._get_ori_dataset_idx(index)
            dataset = dataset.dataset
        else:
            return None, index
    return dataset, index


def _results_hash(results: Any) -> int:
    """A hash of the arrays and tensors of a transform's results dict."""
    if not isinstance(results, dict):
        return view_hash(np.zeros(0)) if results is None else view_hash(results)
    arrays = [value for _, value in sorted(results.items(), key=lambda kv: str(kv[0]))
              if isinstance(value, (np.ndarray, torch.Tensor))]
    return view_hash(arrays)


def _first_unseeded_transform(dataset: Any, index: int, seed: int) -> str:
    """Run the pipeline of ``index`` step by step twice under ``seed``; name the first transform
    whose results differ."""
    base, local = pipeline_owner(dataset, index)
    transforms = getattr(getattr(base, 'pipeline', None), 'transforms', None)
    if transforms is None:
        return 'one of its transforms (the pipeline could not be run step by step)'
    runs = []
    for _ in range(2):
        hashes, results = [], base.get_data_info(local)
        with seeded(seed):
            for transform in transforms:
                results = transform(results)
                hashes.append(_results_hash(results))
                if results is None:
                    break
        runs.append(hashes)
    for step, (a, b) in enumerate(zip(*runs)):
        if a != b:
            return f'transform #{step} {type(transforms[step]).__name__}'
    return 'the dataset itself (its pipeline gives the same results step by step)'


def probe_pipeline(dataset: Any, indices: Sequence[int], num_seeds: int = 6) -> bool:
    """Whether the pipeline of ``dataset`` is random, decided by running it.

    Each sample of ``indices`` goes through the pipeline under ``num_seeds`` different seeds
    (random: some outputs differ) and twice under one seed (replayable: both equal). Names do not
    enter: ``Cutout``, ``Rotate``, ``EfficientNetRandomCrop`` and users' own transforms are found
    as well as ``RandomResizedCrop``.

    Raises:
        ReplayError: the same seed gave different views, naming the transform that draws from a
            source the seeds do not reach.

    Example:
        >>> from mmengine.dataset import BaseDataset
        >>> data = BaseDataset(serialize_data=False, lazy_init=True,
        ...                    pipeline=[dict(type='mmpretrain.RandomFlip', prob=0.5),
        ...                              dict(type='mmpretrain.PackInputs')])
        >>> data.data_list = [dict(img=np.arange(48, dtype=np.uint8).reshape(4, 4, 3))]
        >>> data._fully_initialized = True
        >>> probe_pipeline(data, [0])
        True
    """
    is_random = False
    for index in indices:
        first = view_hash(run_view(dataset, index, 1)['inputs'])
        if view_hash(run_view(dataset, index, 1)['inputs']) != first:
            raise ReplayError(
                f'the pipeline of sample {index} gives different views under one seed: '
                f'{_first_unseeded_transform(dataset, index, 1)} draws from a source that '
                'Python `random`, NumPy and torch seeding does not reach (its own generator, the '
                'clock, the OS). Such a view cannot be replayed: make the transform draw from '
                'np.random / random / torch, or extract with --view-independent knowingly.')
        is_random = is_random or any(
            view_hash(run_view(dataset, index, seed)['inputs']) != first
            for seed in range(2, num_seeds + 1))
    return is_random


# ------------------------------------------------------------------------ mixing
class MixParams(NamedTuple):
    """One view's mixing: ``kind`` (:data:`MIX_NONE`, :data:`MIX_MIXUP`, :data:`MIX_CUTMIX`), the
    partner's store row, λ (the sample's share) and the CutMix box ``(y1, y2, x1, x2)``."""
    kind: int
    partner: int
    lam: float
    box: Tuple[int, int, int, int]


NO_MIX = MixParams(MIX_NONE, -1, 1.0, (-1, -1, -1, -1))


class SampleMixing:
    """mmpretrain's ``batch_augments`` (``Mixup``, ``CutMix``, their ``probs``), drawn per view.

    mmpretrain draws one λ per batch and partners by permuting the batch; a replay store draws per
    view of each sample: the augment (by ``probs``; none with the remaining probability), a partner
    row uniformly from the whole dataset, λ from Beta(α, α), and for CutMix the box as mmpretrain
    does (side ``sqrt(1 - λ)`` of the image at a uniform centre, clipped; or ``cutmix_minmax``),
    with λ corrected to the pasted area (``correct_lam``).

    Args:
        augments: mmpretrain batch augment configs, e.g. ``[dict(type='Mixup', alpha=0.8),
            dict(type='CutMix', alpha=1.0)]``.
        probs: the probability of each augment (the rest: no mixing); ``None`` picks one evenly.

    Example:
        >>> mixing = SampleMixing([dict(type='CutMix', alpha=1.0)])
        >>> params = mixing.draw(np.random.default_rng(0), num_rows=10, image_hw=(32, 32))
        >>> params.kind == MIX_CUTMIX and 0 <= params.partner < 10
        True
    """

    def __init__(self, augments: Union[dict, Sequence[dict]],
                 probs: Union[None, float, Sequence[float]] = None):
        augments = [augments] if isinstance(augments, dict) else list(augments)
        self.augments = []
        for augment in augments:
            augment = dict(augment)
            kind = str(augment.pop('type', '')).split('.')[-1]
            if kind not in _MIX_KINDS:
                raise ValueError(f'replayed batch augments: {kind!r} is not supported (only '
                                 f'{sorted(_MIX_KINDS)}; see docs/teacher_store.md)')
            alpha = augment.pop('alpha', None)
            if not isinstance(alpha, (int, float)) or alpha <= 0:
                raise ValueError(f'{kind}: alpha must be a positive number, got {alpha!r}')
            options = dict(cutmix_minmax=augment.pop('cutmix_minmax', None),
                           correct_lam=augment.pop('correct_lam', True)) if kind == 'CutMix' else {}
            if augment:
                raise ValueError(f'{kind}: unknown arguments {sorted(augment)}')
            self.augments.append(dict(type=kind, alpha=float(alpha), **options))
        if probs is None:
            self.probs = [1.0 / len(self.augments)] * len(self.augments)
        else:
            self.probs = ([float(probs)] if isinstance(probs, (int, float))
                          else [float(p) for p in probs])
            if len(self.probs) != len(self.augments) or sum(self.probs) > 1 + 1e-9:
                raise ValueError(f'batch augment probs {self.probs} must give one probability per '
                                 f'augment ({len(self.augments)}) and sum to at most 1')

    def spec(self) -> dict:
        """What is stored in ``meta.json`` (and compared at training)."""
        return dict(augments=self.augments, probs=self.probs)

    def draw(self, rng: np.random.Generator, num_rows: int, image_hw: Tuple[int, int]) -> MixParams:
        """The mixing of one view (its own generator: the replay reads it back, never redraws)."""
        choice = rng.choice(len(self.probs) + 1, p=[*self.probs, max(0.0, 1 - sum(self.probs))])
        if choice == len(self.augments):
            return NO_MIX
        augment = self.augments[choice]
        partner = int(rng.integers(num_rows))
        # as stored (float32), so that the replayed mix is bit-identical to the extracted one
        lam = float(np.float32(rng.beta(augment['alpha'], augment['alpha'])))
        if augment['type'] == 'Mixup':
            return MixParams(MIX_MIXUP, partner, lam, (-1, -1, -1, -1))
        height, width = image_hw
        if augment['cutmix_minmax'] is not None:
            low, high = augment['cutmix_minmax']
            cut_h = int(rng.integers(int(height * low), int(height * high)))
            cut_w = int(rng.integers(int(width * low), int(width * high)))
            y1, x1 = int(rng.integers(0, height - cut_h)), int(rng.integers(0, width - cut_w))
            y2, x2 = y1 + cut_h, x1 + cut_w
        else:
            ratio = np.sqrt(1 - lam)
            cut_h, cut_w = int(height * ratio), int(width * ratio)
            cy, cx = int(rng.integers(height)), int(rng.integers(width))
            y1, y2 = max(cy - cut_h // 2, 0), min(cy + cut_h // 2, height)
            x1, x2 = max(cx - cut_w // 2, 0), min(cx + cut_w // 2, width)
        if augment['correct_lam'] or augment['cutmix_minmax'] is not None:
            lam = float(np.float32(1.0 - (y2 - y1) * (x2 - x1) / float(height * width)))
        return MixParams(MIX_CUTMIX, partner, lam, (y1, y2, x1, x2))


def mix_inputs(inputs: torch.Tensor, partner: Optional[torch.Tensor],
               params: MixParams) -> torch.Tensor:
    """The mixed view ``[C, H, W]`` as float32 (float32 also without mixing, so batches collate).

    Example:
        >>> a, b = torch.zeros(1, 2, 2, dtype=torch.uint8), torch.full((1, 2, 2), 10)
        >>> mix_inputs(a, b, MixParams(MIX_MIXUP, 0, 0.25, (-1, -1, -1, -1)))[0, 0].tolist()
        [7.5, 7.5]
        >>> mix_inputs(a, b, MixParams(MIX_CUTMIX, 0, 0.75, (0, 1, 0, 1)))[0].tolist()
        [[10.0, 0.0], [0.0, 0.0]]
    """
    mixed = inputs.float()
    if params.kind == MIX_NONE:
        return mixed
    if partner is None or partner.shape != inputs.shape:
        raise ReplayError(f'mixing needs views of one shape: the view is {tuple(inputs.shape)}, '
                          f'its partner (row {params.partner}) '
                          f'{None if partner is None else tuple(partner.shape)}; put a fixed-size '
                          'crop or resize in the pipeline')
    if params.kind == MIX_MIXUP:
        return params.lam * mixed + (1 - params.lam) * partner.float()
    y1, y2, x1, x2 = params.box
    mixed[..., y1:y2, x1:x2] = partner[..., y1:y2, x1:x2].float()
    return mixed


def mixed_score(label: torch.Tensor, partner_label: Optional[torch.Tensor], params: MixParams,
                num_classes: int) -> torch.Tensor:
    """``λ · onehot(label) + (1 - λ) · onehot(partner's)`` (multi-hot for multi-label samples),
    the ``gt_score`` mmpretrain's batch augments give."""

    def one_hot(indices: torch.Tensor) -> torch.Tensor:
        score = torch.zeros(num_classes)
        score[indices.long().view(-1)] = 1.0
        return score

    score = one_hot(label)
    if params.kind == MIX_NONE:
        return score
    return params.lam * score + (1 - params.lam) * one_hot(partner_label)


def mix_arrays(params: List[MixParams]) -> dict:
    """Stored arrays of one sample's views' mixing (``[views]`` each, ``box`` ``[views, 4]``)."""
    return {'mix.kind': np.array([p.kind for p in params], dtype=np.int8),
            'mix.partner': np.array([p.partner for p in params], dtype=np.int32),
            'mix.lam': np.array([p.lam for p in params], dtype=np.float32),
            'mix.box': np.array([p.box for p in params], dtype=np.int16)}
