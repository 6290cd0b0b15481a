"""Split a class-per-folder dataset into ID training, ID validation and unseen-class (OOD)
validation sets, like Li et al.'s ``scripts/split_dataset.py``, deterministically by seed
(see :mod:`mmkd.datasets.id_ood_split`).

    python tools/vlm_ood/split_dataset.py SRC OUT [--id-ratio 0.5] [--train-ratio 0.7] [--seed 0]
    python tools/vlm_ood/split_dataset.py SRC OUT --split-lists large_vlm_distillation_ood/data/CUB
"""
import argparse

from mmkd.datasets.id_ood_split import (list_classes, materialise, read_split_lists,
                                        split_by_seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='class-per-folder dataset')
    parser.add_argument('out', help='output root (gets train/, val_on_train/, val/)')
    parser.add_argument('--id-ratio', type=float, default=0.5, help='share of ID classes')
    parser.add_argument('--train-ratio', type=float, default=0.7,
                        help='share of training images per ID class')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--split-lists', help="replay the original's released lists from here")
    args = parser.parse_args()
    if args.split_lists:
        lists = read_split_lists(args.split_lists)
    else:
        lists = split_by_seed(list_classes(args.src), args.id_ratio, args.train_ratio, args.seed)
    materialise(args.src, args.out, lists)
    classes = {split: len({e.split('/')[1] for e in entries}) for split, entries in lists.items()}
    print(' '.join(f'{split}: {len(entries)} images / {classes[split]} classes;'
                   for split, entries in lists.items()))


if __name__ == '__main__':
    main()
