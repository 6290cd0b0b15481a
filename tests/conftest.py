"""Shared fixtures: real data prepared once per test session, and the repository's path.

``pytest.ini`` puts the repository, ``tests/`` and ``tools/dataset_converters/`` on ``sys.path``.
"""
import pytest
from mmkd_test_helpers import REPO

# MMRazor-format config files, read with Config.fromfile; not modules to import (--doctest-modules)
collect_ignore_glob = ['mmrazor/fixtures/*.py']


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO


@pytest.fixture(scope='session')
def fashion_mnist_root(tmp_path_factory) -> str:
    """The real Fashion-MNIST (Debian package), decompressed where mmpretrain reads it."""
    from prepare_fashion_mnist import prepare_fashion_mnist
    return prepare_fashion_mnist(out=str(tmp_path_factory.mktemp('fashion_mnist')))


@pytest.fixture(scope='session')
def fashion_tiles_root(tmp_path_factory) -> str:
    """Small Fashion-tile sets (COCO det/instance, mmseg semantic, multi-label), made once."""
    from make_fashion_tiles import make_fashion_tiles
    return make_fashion_tiles(str(tmp_path_factory.mktemp('fashion_tiles')), num_train=96,
                              num_val=48)


@pytest.fixture(scope='session')
def tiles_workdir(tmp_path_factory) -> str:
    """A working directory whose ``data/fashion_tiles`` holds a tiny tile set (16 train / 4 val).

    mmdet / mmseg configs name ``data/fashion_tiles/`` relative to where the tool runs, as upstream
    configs do: run the stock tools with ``cwd`` set to this folder.
    """
    from make_fashion_tiles import make_fashion_tiles
    workdir = tmp_path_factory.mktemp('tiles_workdir')
    make_fashion_tiles(str(workdir / 'data' / 'fashion_tiles'), num_train=16, num_val=4)
    return str(workdir)
