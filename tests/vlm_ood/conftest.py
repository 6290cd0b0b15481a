"""Fixtures of the VLM OOD tests: the split tool on the path, and a small real Fashion-MNIST
class-per-folder set split into 5 ID / 5 OOD classes."""
import os.path as osp
import sys

import pytest

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'vlm_ood')
sys.path.insert(0, osp.abspath(TOOLS))


@pytest.fixture(scope='session')
def fashion_id_ood_root(tmp_path_factory) -> str:
    """20 real images per Fashion-MNIST class, split by seed 0 (ID: 14 train + 6 val each)."""
    from fashion_mnist_to_folders import fashion_mnist_to_folders
    from split_dataset import list_classes, materialise, split_by_seed
    folders = fashion_mnist_to_folders(str(tmp_path_factory.mktemp('fashion_folders')), 20)
    out = str(tmp_path_factory.mktemp('fashion_id_ood'))
    materialise(folders, out, split_by_seed(list_classes(folders), seed=0))
    return out
