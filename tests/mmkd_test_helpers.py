"""Helpers the tests import by name (``from mmkd_test_helpers import REPO, run_tool``).

They live here rather than in ``conftest.py``: several test folders have a ``conftest.py`` of their
own, and ``from conftest import ...`` would then find whichever was imported last.
"""
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


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


def run_script(path: str, args) -> None:
    """Run a command-line script in this process (``sys.argv`` patched, no interpreter start-up:
    mmkd is already imported); an exit status other than 0 fails with the script's error."""
    import runpy
    from unittest import mock
    with mock.patch.object(sys, 'argv', [path, *map(str, args)]):
        try:
            runpy.run_path(osp.join(REPO, path), run_name='__main__')
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                raise AssertionError(f'{path} exited with {exit_.code}') from exit_


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


def write_text_bank(path, embeddings, names=None) -> str:
    """A text-bank file in the format build_text_bank writes (for constructed examples)."""
    import torch
    import torch.nn.functional as F
    names = names or [f'class {i}' for i in range(len(embeddings))]
    torch.save(dict(embeddings=F.normalize(embeddings.float(), dim=1), class_names=names,
                    prompts=[[n] for n in names], encoder='constructed',
                    fingerprint='constructed'), path)
    return str(path)
