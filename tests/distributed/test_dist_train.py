"""tools/dist_train.sh: two CPU processes (torchrun, gloo, MMEngine DDP) train a FitNet distiller
(student + trainable connector, frozen teacher) without find_unused_parameters; the ranks see
different images and end with identical weights."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from conftest import REPO, save_init_checkpoint

CONFIG = osp.join(
    REPO, 'configs/fitnet/fitnet_fpn_retinanet-r18_retinanet-r18-fpn64_fashion-tiles.py')
TEACHER = osp.join(REPO, 'configs/fashion_tiles/retinanet_r18_fpn_1500it_fashion-tiles.py')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def ranks(tiles_workdir, tmp_path_factory):
    out = tmp_path_factory.mktemp('dist_train')
    teacher_ckpt = save_init_checkpoint(TEACHER, str(out / 'teacher.pth'))
    config = out / 'with_rank_hook.py'
    config.write_text(
        f'_base_ = [{CONFIG!r}]\n'
        "custom_imports = dict(imports=['mmkd', 'rank_state_hook'], allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='mmkd.StudentCheckpointHook'), dict(type='RankStateHook')]\n")
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(free_port()),
               PATH=osp.dirname(sys.executable) + os.pathsep + os.environ['PATH'],
               PYTHONPATH=os.pathsep.join([REPO, osp.dirname(__file__)]))
    proc = subprocess.run(
        ['bash', osp.join(REPO, 'tools', 'dist_train.sh'), str(config), '2',
         '--work-dir', str(out / 'work'), '--no-validate', '--cfg-options',
         f'model.teachers.teacher.checkpoint={teacher_ckpt}', 'env_cfg.dist_cfg.backend=gloo',
         'train_cfg.max_iters=2', 'train_dataloader.batch_size=2',
         'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1'],
        cwd=tiles_workdir, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, \
        f'dist_train.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}'
    load = lambda name: torch.load(str(out / 'work' / name), map_location='cpu')  # noqa: E731
    return dict(out=out, before=[load(f'rank{r}_before.pth') for r in (0, 1)],
                after=[load(f'rank{r}_after.pth') for r in (0, 1)])


def test_runs_under_ddp_with_a_frozen_teacher_outside_gradient_sync(ranks):
    assert ranks['after'][0]['wrapper'] == 'MMDistributedDataParallel'
    # DDP synchronises exactly the parameters that require grad: student and connector, no teacher
    names = list(ranks['after'][0]['weights'])
    assert not [n for n in names if n.startswith('teachers.')]
    assert [n for n in names if n.startswith('connectors.')]
    assert [n for n in names if n.startswith('student.')]


def test_ranks_see_different_data_and_end_identical(ranks):
    images = [set(r['images']) for r in ranks['after']]
    assert images[0] and images[1] and images[0] != images[1]
    weights = [r['weights'] for r in ranks['after']]
    for name, value in weights[0].items():
        assert torch.equal(value, weights[1][name]), f'{name} differs between ranks'
    trained = [n for n, v in weights[0].items()
               if not torch.equal(v, ranks['before'][0]['weights'][n])]
    assert any(n.startswith('connectors.') for n in trained)
    assert any(n.startswith('student.') for n in trained)
    assert (ranks['out'] / 'work' / 'student_iter_2.pth').is_file()
