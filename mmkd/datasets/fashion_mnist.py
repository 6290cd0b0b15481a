"""Fashion-MNIST from the local Debian copy (``dataset-fashion-mnist``), no download: the files
where mmpretrain's ``FashionMNIST`` reads them, an IDX reader, and a class-per-folder export (the
layout of Li et al.'s datasets)."""
import gzip
import os
import os.path as osp
import shutil

import numpy as np

from mmkd.utils.io import atomic_write

#: Where Debian's ``dataset-fashion-mnist`` puts the four ``*-ubyte.gz`` files.
FASHION_MNIST_ROOT = os.environ.get('MMKD_FASHION_MNIST_ROOT', '/usr/share/datasets/fashion-mnist')
#: Class folder names: the class names with ``_`` for spaces and ``/``, as in
#: ``projects/vlm_ood/data/fashion_mnist/label2text.txt``.
CLASS_FOLDERS = ('T-shirt_top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                 'Sneaker', 'Bag', 'Ankle_boot')
IDX_FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte',
             't10k-labels-idx1-ubyte')


def prepare_fashion_mnist(src: str = FASHION_MNIST_ROOT, out: str = 'data/fashion_mnist') -> str:
    """Decompress the four IDX files of ``src`` into ``out`` (skipping files already there), where
    mmpretrain's ``FashionMNIST(data_root=out)`` reads them."""
    os.makedirs(out, exist_ok=True)
    for name in IDX_FILES:
        target = osp.join(out, name)
        if osp.isfile(target):
            continue
        source = osp.join(src, name + '.gz')
        if not osp.isfile(source):
            raise FileNotFoundError(
                f'{source} is missing. Install Debian\'s dataset-fashion-mnist package '
                '(tools/install.sh does), or point --src / MMKD_FASHION_MNIST_ROOT at the folder '
                'holding the four *-ubyte.gz files.')
        with gzip.open(source, 'rb') as fin, atomic_write(target, 'wb') as fout:
            shutil.copyfileobj(fin, fout)
    return out


def read_idx(path: str) -> np.ndarray:
    """Read a (gzipped) IDX file of Fashion-MNIST into a uint8 array of its shape."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} is missing: install Debian\'s dataset-fashion-mnist '
                                '(tools/install.sh does), or point --src / MMKD_FASHION_MNIST_ROOT '
                                'at the folder with the *-ubyte.gz files')
    with (gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb')) as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist_to_folders(out: str, per_class: int = 500, src: str = FASHION_MNIST_ROOT) -> str:
    """Write the first ``per_class`` training images of every class as
    ``out/<class folder>/<training index>.png``; files already there are kept (resumable).

    Example:
        >>> import tempfile, os
        >>> out = fashion_mnist_to_folders(tempfile.mkdtemp(), per_class=2)
        >>> sorted(os.listdir(os.path.join(out, 'Bag')))
        ['00023.png', '00035.png']
    """
    from PIL import Image
    images = read_idx(osp.join(src, 'train-images-idx3-ubyte.gz'))
    labels = read_idx(osp.join(src, 'train-labels-idx1-ubyte.gz'))
    for label, folder in enumerate(CLASS_FOLDERS):
        os.makedirs(osp.join(out, folder), exist_ok=True)
        for index in np.flatnonzero(labels == label)[:per_class]:
            path = osp.join(out, folder, f'{index:05d}.png')
            if not osp.isfile(path):
                with atomic_write(path, 'wb') as f:
                    Image.fromarray(images[index]).save(f, format='PNG')
    return out
