"""Shared fixtures: real data prepared once per test session, and the repository's paths."""
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, osp.join(REPO, 'tools', 'dataset_converters'))


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


def run_tool(args, cwd=REPO, timeout=600, env=None) -> subprocess.CompletedProcess:
    """Run a command-line tool in a fresh Python process; fail the test with its output."""
    full_env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=full_env, timeout=timeout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f'{" ".join(map(str, args))} failed ({proc.returncode}):\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}')
    return proc
