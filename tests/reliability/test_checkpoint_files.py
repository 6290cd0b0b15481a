"""Fault table, checkpoints: an empty, garbage or truncated file and a pickle that weights-only
loading refuses are each named with the file, its role and what to do — for a teacher checkpoint,
and for the checkpoint a run resumes from (mmkd's tools/train.py checks it before building)."""
import argparse
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmkd_test_helpers import run_tool
from reliability_helpers import classifier, distiller, runner_cfg, save_teacher, train_tool

from mmkd.registry import build_mmkd_module
from mmkd.utils.checkpoint import load_state_dict_file


class RunsCode:
    def __reduce__(self):
        import os
        return os.system, ('echo unpickled',)


def make(kind: str, path: str, good: str) -> str:
    if kind == 'empty':
        open(path, 'wb').close()
    elif kind == 'garbage':
        open(path, 'wb').write(b'<html>404 Not Found</html>')
    elif kind == 'truncated':
        data = open(good, 'rb').read()
        open(path, 'wb').write(data[:len(data) // 2])
    elif kind == 'code':
        torch.save(dict(state_dict=torch.load(good)['state_dict'], hook=RunsCode()), path)
    elif kind == 'object':  # a trusted but non-weights object, as older training scripts saved
        torch.save(dict(state_dict=torch.load(good)['state_dict'],
                        args=argparse.Namespace(lr=0.1)), path)
    return path


PROBLEMS = {
    'empty': r'is empty \(0 bytes\): it was not written completely\. Copy or save it again',
    'garbage': r"\(26 bytes\) is not a PyTorch checkpoint \(it starts with b'<htm'\)",
    'truncated': r'\(\d+ bytes\) is truncated or corrupt \(its zip archive cannot be read\)',
    'code': r'holds a pickled posix\.system, which mmkd does not unpickle: unpickling runs code',
    'object': r'holds a pickled argparse\.Namespace, which mmkd does not unpickle',
}


@pytest.fixture(scope='module')
def good(tmp_path_factory) -> str:
    return save_teacher(str(tmp_path_factory.mktemp('good') / 'teacher.pth'))


@pytest.mark.parametrize('kind', sorted(PROBLEMS))
def test_a_broken_teacher_checkpoint_is_named_with_its_role(kind, good, tmp_path):
    path = make(kind, str(tmp_path / f'{kind}.pth'), good)
    with pytest.raises(Exception) as refused:
        build_mmkd_module(distiller(path))
    message = str(refused.value)
    assert re.search(rf"teacher checkpoint '{re.escape(path)}' {PROBLEMS[kind]}", message), message
    assert 'Re-running `torch.load` with `weights_only` set to `False`' not in message


def test_the_conversion_the_refusal_suggests_works_on_a_trusted_file(good, tmp_path):
    path = make('object', str(tmp_path / 'trusted.pth'), good)
    with pytest.raises(Exception) as refused:
        load_state_dict_file(path, 'teacher checkpoint')
    command = re.search(r'python -c "(.*)"', str(refused.value)).group(1)
    subprocess.run([sys.executable, '-c', command], cwd=str(tmp_path), check=True)
    converted = load_state_dict_file(str(tmp_path / 'converted.pth'), 'teacher checkpoint')
    assert converted.keys() == torch.load(good)['state_dict'].keys()
    build_mmkd_module(distiller(str(tmp_path / 'converted.pth')))  # the teacher loads now


def test_resume_checkpoints_are_checked_before_the_run(good, tmp_path, fashion_mnist_root):
    """A real MMEngine checkpoint passes (HistoryBuffer, numpy: allow-listed); the latest one cut
    in half by a full disk is named as the resume checkpoint."""
    work_dir = str(tmp_path / 'work')
    cfg = runner_cfg(work_dir, fashion_mnist_root, distiller(good), max_iters=1)
    Runner.from_cfg(cfg).train()
    tool = train_tool()
    resume = Config(dict(cfg.to_dict(), resume=True, load_from=None))
    tool.check_checkpoints_to_load(resume)  # the real checkpoint is fine
    latest = osp.join(work_dir, 'iter_1.pth')
    shutil.copy(latest, str(tmp_path / 'backup.pth'))
    make('truncated', latest, str(tmp_path / 'backup.pth'))
    with pytest.raises(ValueError, match=rf"resume checkpoint \(the latest in {work_dir}\) "
                                         rf"'{latest}' \(\d+ bytes\) is truncated or corrupt"):
        tool.check_checkpoints_to_load(resume)


def test_train_tool_names_a_broken_resume_file(good, tmp_path):
    config = tmp_path / 'student.py'
    config.write_text(f'model = {classifier(4)!r}\n')
    broken = make('empty', str(tmp_path / 'epoch_3.pth'), good)
    with pytest.raises(AssertionError, match=rf"ValueError: resume checkpoint '{broken}' is empty"):
        run_tool(['tools/train.py', str(config), '--resume', broken, '--work-dir',
                  str(tmp_path / 'work')])
