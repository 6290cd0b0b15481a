"""Write a labelled subset of an mmpretrain annotation list: N random images per class.

    python tools/dataset_converters/imagenet_subset.py data/imagenet/meta/train.txt \
        data/imagenet/meta/train_1pct.txt --per-class 13 --seed 0

LGD's 1 % / 10 % linear-probe columns train on 13 / 128 random images of every ImageNet class
(its tools/make-imgnet-subset.py), not on the SimCLR split files. The input and output are
mmpretrain's ``<relative path> <label>`` lines; the kept lines stay in input order, and the same
seed gives the same subset. A class with fewer images than ``--per-class`` is an error naming it.
"""
import argparse
import random
from collections import defaultdict
from typing import List, Sequence

from mmkd.utils.io import atomic_write


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ann_file', help='the full list, e.g. data/imagenet/meta/train.txt')
    parser.add_argument('out', help='the subset list to write')
    parser.add_argument('--per-class', type=int, required=True, help='images kept per class')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def subset(lines: Sequence[str], per_class: int, seed: int, source: str) -> List[str]:
    """The lines of ``per_class`` random images of every label, in their input order."""
    by_label = defaultdict(list)
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if len(fields) != 2 or not fields[1].lstrip('-').isdigit():
            raise ValueError(f'{source}:{number}: expected "<path> <label>", got {line!r}')
        by_label[int(fields[1])].append(number - 1)
    rng = random.Random(seed)
    keep = set()
    for label in sorted(by_label):
        indices = by_label[label]
        if len(indices) < per_class:
            raise ValueError(f'{source}: label {label} has {len(indices)} images, fewer than '
                             f'--per-class {per_class}')
        keep.update(rng.sample(indices, per_class))
    return [line for index, line in enumerate(lines) if index in keep]


def main() -> None:
    args = parse_args()
    with open(args.ann_file, encoding='utf-8') as f:
        lines = [line.rstrip('\n') for line in f if line.strip()]
    kept = subset(lines, args.per_class, args.seed, args.ann_file)
    with atomic_write(args.out) as f:
        f.write('\n'.join(kept) + '\n')
    print(f'{args.out}: {len(kept)} of {len(lines)} images '
          f'({args.per_class} per class, seed {args.seed})')


if __name__ == '__main__':
    main()
