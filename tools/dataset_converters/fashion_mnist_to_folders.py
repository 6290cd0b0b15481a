"""Write Fashion-MNIST as a class-per-folder image dataset (PNG), the layout of Li et al.'s
datasets, from the local Debian copy (no download).

    python tools/dataset_converters/fashion_mnist_to_folders.py data/fashion_mnist_folders \
        [--per-class 500] [--src /usr/share/datasets/fashion-mnist]

Images ``<class folder>/<training index>.png`` are the first ``--per-class`` training images of
every class. Folder names are the class names with ``_`` for spaces and ``/`` (``T-shirt_top``), as
in ``projects/vlm_ood/data/fashion_mnist/label2text.txt``.
"""
import argparse
import gzip
import os
import os.path as osp

import numpy as np
from PIL import Image

from prepare_fashion_mnist import DEFAULT_SRC

CLASS_FOLDERS = ('T-shirt_top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                 'Sneaker', 'Bag', 'Ankle_boot')


def _read_idx(path: str, offset: int) -> np.ndarray:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} is missing: install Debian\'s dataset-fashion-mnist or '
                                'point --src at the folder with the *-ubyte.gz files')
    with gzip.open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion_mnist_to_folders(out: str, per_class: int = 500, src: str = DEFAULT_SRC) -> str:
    """Write ``per_class`` training images of each class under ``out/<class folder>/``."""
    images = _read_idx(osp.join(src, 'train-images-idx3-ubyte.gz'), 16).reshape(-1, 28, 28)
    labels = _read_idx(osp.join(src, 'train-labels-idx1-ubyte.gz'), 8)
    for label, folder in enumerate(CLASS_FOLDERS):
        os.makedirs(osp.join(out, folder), exist_ok=True)
        for index in np.flatnonzero(labels == label)[:per_class]:
            path = osp.join(out, folder, f'{index:05d}.png')
            if not osp.isfile(path):
                Image.fromarray(images[index]).save(path + '.tmp', format='PNG')
                os.replace(path + '.tmp', path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out', help='output folder')
    parser.add_argument('--per-class', type=int, default=500)
    parser.add_argument('--src', default=DEFAULT_SRC, help='folder with the *-ubyte.gz files')
    args = parser.parse_args()
    print(f'wrote {fashion_mnist_to_folders(args.out, args.per_class, args.src)}')


if __name__ == '__main__':
    main()
