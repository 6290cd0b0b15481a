"""Put Fashion-MNIST where mmpretrain's ``FashionMNIST`` dataset reads it, from the local copy that
Debian's ``dataset-fashion-mnist`` package installs (no download).

    python tools/dataset_converters/prepare_fashion_mnist.py [--src DIR] [--out data/fashion_mnist]
"""
import argparse
import gzip
import os
import os.path as osp
import shutil

FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
         't10k-labels-idx1-ubyte')
DEFAULT_SRC = os.environ.get('MMKD_FASHION_MNIST_ROOT', '/usr/share/datasets/fashion-mnist')


def prepare_fashion_mnist(src: str = DEFAULT_SRC, out: str = 'data/fashion_mnist') -> str:
    """Decompress the four IDX files of ``src`` into ``out`` (skipping files already there)."""
    os.makedirs(out, exist_ok=True)
    for name in FILES:
        target = osp.join(out, name)
        if osp.isfile(target):
            continue
        source = osp.join(src, name + '.gz')
        if not osp.isfile(source):
            raise FileNotFoundError(
                f'{source} is missing. Install Debian\'s dataset-fashion-mnist package '
                '(tools/install.sh does), or point --src / MMKD_FASHION_MNIST_ROOT at the folder '
                'holding the four *-ubyte.gz files.')
        with gzip.open(source, 'rb') as fin, open(target + '.tmp', 'wb') as fout:
            shutil.copyfileobj(fin, fout)
        os.replace(target + '.tmp', target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--src', default=DEFAULT_SRC, help='folder with the *-ubyte.gz files')
    parser.add_argument('--out', default='data/fashion_mnist', help='output folder')
    args = parser.parse_args()
    print(f'Fashion-MNIST ready in {prepare_fashion_mnist(args.src, args.out)}')


if __name__ == '__main__':
    main()
