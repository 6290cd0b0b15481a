"""Write Fashion-MNIST as a class-per-folder image dataset (PNG), the layout of Li et al.'s
datasets, from the local Debian copy (see :func:`mmkd.datasets.fashion_mnist.fashion_mnist_to_folders`).

    python tools/dataset_converters/fashion_mnist_to_folders.py data/fashion_mnist_folders \
        [--per-class 500] [--src /usr/share/datasets/fashion-mnist]
"""
import argparse

from mmkd.datasets.fashion_mnist import FASHION_MNIST_ROOT, fashion_mnist_to_folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out', help='output folder')
    parser.add_argument('--per-class', type=int, default=500)
    parser.add_argument('--src', default=FASHION_MNIST_ROOT,
                        help='folder with the *-ubyte.gz files')
    args = parser.parse_args()
    print(f'wrote {fashion_mnist_to_folders(args.out, args.per_class, args.src)}')


if __name__ == '__main__':
    main()
