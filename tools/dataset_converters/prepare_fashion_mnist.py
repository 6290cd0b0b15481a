"""Put Fashion-MNIST where mmpretrain's ``FashionMNIST`` dataset reads it, from the local copy that
Debian's ``dataset-fashion-mnist`` package installs (no download; see
:func:`mmkd.datasets.fashion_mnist.prepare_fashion_mnist`).

    python tools/dataset_converters/prepare_fashion_mnist.py [--src DIR] [--out data/fashion_mnist]
"""
import argparse

from mmkd.datasets.fashion_mnist import FASHION_MNIST_ROOT, prepare_fashion_mnist


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--src', default=FASHION_MNIST_ROOT, help='folder with the *-ubyte.gz files')
    parser.add_argument('--out', default='data/fashion_mnist', help='output folder')
    args = parser.parse_args()
    print(f'Fashion-MNIST ready in {prepare_fashion_mnist(args.src, args.out)}')


if __name__ == '__main__':
    main()
