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


def save_init_checkpoint(config: str, path: str) -> str:
    """Build the model of a plain OpenMMLab config, initialise it, save its weights to ``path``.

    A stand-in for a trained teacher where a test is about plumbing: a real checkpoint file of the
    real architecture, loaded strictly, whose predictions are noise.
    """
    import torch
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict()), path)
    return path
