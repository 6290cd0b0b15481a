"""The seeded-comparison helper: real tools/train.py runs, reuse, restart, paired stats, plots."""
import json
import os
import os.path as osp

import matplotlib.image
import pytest
from scipy import stats

from mmkd.utils.seeded_comparison import (Row, RunResult, format_option, paired_difference,
                                          paired_table, plot_curves, plot_seeds, read_scalars,
                                          run_rows)
from mmkd_test_helpers import REPO

CONFIG = osp.join(REPO, 'configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py')


def tiny_options(root: str) -> dict:
    """Two epochs of 2 iterations on 64 real images, validation on 100 after each epoch."""
    return {'train_dataloader.dataset.data_root': root, 'train_dataloader.dataset.indices': 64,
            'train_dataloader.batch_size': 32, 'val_dataloader.dataset.data_root': root,
            'val_dataloader.dataset.indices': 100, 'test_dataloader.dataset.data_root': root,
            'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 1,
            'param_scheduler.T_max': 2, 'default_hooks.checkpoint.interval': 2}


def test_runs_reuses_and_restarts(tmp_path, fashion_mnist_root):
    options = tiny_options(fashion_mnist_root)
    rows = [Row('lr 0.1', CONFIG, options),
            ('lr 0.01', CONFIG, dict(options, **{'optim_wrapper.optimizer.lr': 0.01}))]
    work_dir = str(tmp_path / 'cmp')
    results = run_rows(rows, [0, 1], work_dir, 'accuracy/top1', env={'OMP_NUM_THREADS': '1'})
    assert list(results) == ['lr 0.1', 'lr 0.01'] and sorted(results['lr 0.1']) == [0, 1]
    run = results['lr 0.01'][1]
    assert run.run_dir == osp.join(work_dir, 'lr-0-01', 'seed_1') and not run.reused
    assert run.wall_s > 0 and run.cpu_s > 0
    # the metric is MMEngine's own last validation record, and the curve has one point an epoch
    scalars = [json.loads(line) for line in open(next(
        osp.join(dirpath, name) for dirpath, _, names in os.walk(run.run_dir)
        for name in names if name == 'scalars.json'))]
    validations = [r for r in scalars if 'accuracy/top1' in r]
    assert run.metrics['accuracy/top1'] == validations[-1]['accuracy/top1']
    assert [p['step'] for p in run.curve] == [1, 2] and [p['iter'] for p in run.curve] == [2, 4]
    log = open(osp.join(run.run_dir, 'train.log')).read()
    assert 'randomness.seed=1' in log and 'optim_wrapper.optimizer.lr=0.01' in log
    # seeds differ, same seed same row is one run: the two rows' seed-0 runs differ only by lr
    assert results['lr 0.1'][0].fingerprint != results['lr 0.1'][1].fingerprint

    # a killed run (no result file, partial output) restarts from scratch; finished ones are reused
    killed = results['lr 0.1'][1].run_dir
    os.remove(osp.join(killed, 'result.json'))
    open(osp.join(killed, 'partial_marker'), 'w').close()
    again = run_rows(rows, [0, 1], work_dir, 'accuracy/top1', env={'OMP_NUM_THREADS': '1'}, jobs=2)
    assert again['lr 0.1'][0].reused and again['lr 0.01'][1].reused
    assert not again['lr 0.1'][1].reused and not osp.exists(osp.join(killed, 'partial_marker'))
    assert again['lr 0.01'][1].metrics == run.metrics

    # a changed setting is refused instead of mixing stale results in
    changed = [Row('lr 0.1', CONFIG, dict(options, **{'train_cfg.max_epochs': 1}))]
    with pytest.raises(ValueError, match='different config or cfg options'):
        run_rows(changed, [0], work_dir, 'accuracy/top1')
    with pytest.raises(KeyError, match="no 'accuracy/top5'"):
        run_rows(rows[:1], [0], work_dir, 'accuracy/top5')

    # the figures are real PNGs, small enough to commit
    for plot in (plot_seeds(again, 'accuracy/top1', str(tmp_path / 'seeds.png'),
                            baseline='lr 0.1'),
                 plot_curves(again, 'accuracy/top1', str(tmp_path / 'curves.png'))):
        assert matplotlib.image.imread(plot).ndim == 3 and osp.getsize(plot) < 200_000


def fake(values: dict) -> dict:
    return {name: {seed: RunResult(seed, '', {'acc': value}) for seed, value in runs.items()}
            for name, runs in values.items()}


def test_paired_statistics_match_scipy_and_hand_formulas(tmp_path):
    base = [80.1, 79.0, 81.3, 78.2, 80.6]
    kd = [83.0, 83.4, 82.9, 82.1, 84.2]
    results = fake({'CE': dict(enumerate(base)), 'KD': dict(enumerate(kd))})
    table = paired_table(results, 'acc', baseline='CE', label='top-1 %')
    row = table.data['rows'][1]
    diffs = [a - b for a, b in zip(kd, base)]
    reference = stats.ttest_rel(kd, base).confidence_interval(0.95)
    assert row['difference']['ci95'] == pytest.approx([reference.low, reference.high], abs=1e-9)
    # by hand: mean ± t(0.975, 4) · s / sqrt(5), t(0.975, 4) = 2.7764 (tables)
    mean = sum(diffs) / 5
    s = (sum((d - mean) ** 2 for d in diffs) / 4) ** 0.5
    assert row['difference']['mean'] == pytest.approx(mean)
    assert row['difference']['ci95'][0] == pytest.approx(mean - 2.7764 * s / 5 ** 0.5, abs=1e-3)
    assert row['mean'] == pytest.approx(sum(kd) / 5)
    assert row['std'] == pytest.approx(stats.tstd(kd))
    assert ('| KD | 83.12 ± 0.77 | +2.90, +4.40, +1.60, +3.90, +3.60 | +3.28 [+1.93, +4.63] |'
            in table.markdown)
    md, js = table.write(str(tmp_path / 'table'))
    assert open(md).read().startswith('| row | top-1 %: mean ± std |')
    assert json.load(open(js))['rows'][1]['difference']['per_seed'] == pytest.approx(diffs)
    # pairing: the baseline's seeds must all be there
    with pytest.raises(ValueError, match='must be paired'):
        paired_table(fake({'CE': {0: 1.0, 1: 2.0}, 'KD': {0: 1.0}}), 'acc', baseline='CE')
    assert paired_difference([2.0], [1.0])['ci95'] is None


def test_options_must_survive_cfg_options_parsing():
    assert format_option('a', 'work_dirs/x/epoch_8.pth') == 'a=work_dirs/x/epoch_8.pth'
    assert format_option('a', (1, 2)) == 'a=(1,2)' and format_option('a', True) == 'a=True'
    for bad in ('1', 'a b', 'x,y'):
        with pytest.raises(ValueError, match='cannot be passed through --cfg-options'):
            format_option('model.name', bad)


def test_read_scalars_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        read_scalars(str(tmp_path))
