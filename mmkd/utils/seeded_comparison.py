"""Run configs over paired seeds, collect their metrics, write a table and figures.

One helper for every "method A vs method B" measurement in mmkd: each row is a config (plus
``--cfg-options``) trained by ``tools/train.py`` in a subprocess once per seed, so row *r* and the
baseline share seed *s* (same initialisation draw, same data order where the configs allow it) and
their difference is a paired sample. The result of a finished run is kept in
``WORK_DIR/<row>/seed_<s>/result.json`` and reused when the script is run again; a run that was
killed left no result file and restarts from scratch. A changed config or option is noticed (the
resolved config is fingerprinted) and refused rather than mixed with stale results.

    from mmkd.utils.seeded_comparison import Row, run_rows, paired_table, plot_seeds
    rows = [Row('CE only', 'configs/hinton_kd/resnet18-w4_fashion-mnist-1k_ce.py'),
            Row('KD', 'configs/hinton_kd/kd_...py', {'model.teachers.t.checkpoint': 'x.pth'})]
    results = run_rows(rows, seeds=[0, 1, 2, 3, 4], work_dir='work_dirs/cmp',
                       metric='accuracy/top1')
    table = paired_table(results, 'accuracy/top1', baseline='CE only')
    table.write('work_dirs/cmp/accuracy')          # accuracy.md + accuracy.json
    plot_seeds(results, 'accuracy/top1', 'work_dirs/cmp/accuracy.png', baseline='CE only')
    plot_curves(results, 'accuracy/top1', 'work_dirs/cmp/curves.png')

The interval is the paired t interval: ``mean(d) ± t(0.975, n-1) · std(d) / sqrt(n)`` over the
per-seed differences ``d = row - baseline``.
"""
import glob
import hashlib
import json
import math
import os
import os.path as osp
import re
import resource
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from .io import WriterLock, atomic_write, atomic_write_json, read_json

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TRAIN_TOOL = 'tools/train.py'
RESULT_FILE = 'result.json'
# keys of a validation record in MMEngine's scalars.json that are not metrics
_NOT_METRICS = {'data_time', 'time', 'step', 'epoch', 'iter'}


class Row(NamedTuple):
    """One row of a comparison: a name, a config file and its ``--cfg-options`` (``key: value``)."""
    name: str
    config: str
    cfg_options: Optional[Dict[str, Any]] = None


@dataclass
class RunResult:
    """What one (row, seed) run left behind.

    ``metrics`` are those of the last validation; ``curve`` holds every validation record
    (``step`` is the epoch for epoch-based loops, the iteration otherwise; ``iter`` is the training
    iteration at which it ran, when the log tells).
    """
    seed: int
    run_dir: str
    metrics: Dict[str, float]
    curve: List[Dict[str, float]] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: float = 0.0
    fingerprint: str = ''
    reused: bool = False


SeededResults = Dict[str, Dict[int, RunResult]]
MetricsReader = Callable[[str], Tuple[Dict[str, float], List[Dict[str, float]]]]


def slug(name: str) -> str:
    """A directory name for a row name.

    Example:
        >>> slug('MLD + LED (x64)')
        'mld-led-x64'
    """
    text = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
    if not text:
        raise ValueError(f'row name {name!r} has no letters or digits to name its directory')
    return text


def format_option(key: str, value: Any) -> str:
    """``key=value`` as ``--cfg-options`` parses it back to ``value`` (else a ValueError).

    MMEngine's ``DictAction`` turns ``'1'`` into an int, splits on commas and drops spaces; a value
    that would not survive that is refused here, naming the key, instead of training on a changed
    setting.

    Example:
        >>> format_option('train_cfg.max_epochs', 3), format_option('a.b', [1, 2])
        ('train_cfg.max_epochs=3', 'a.b=[1,2]')
    """
    from mmengine.config import DictAction

    def text(item: Any) -> str:
        if isinstance(item, (list, tuple)):
            inner = ','.join(text(element) for element in item)
            return f'[{inner}]' if isinstance(item, list) else f'({inner})'
        return str(item)

    formatted = text(value)
    if DictAction._parse_iterable(formatted) != value:
        raise ValueError(
            f'cfg option {key}={value!r} cannot be passed through --cfg-options (it would be read '
            f'back as {DictAction._parse_iterable(formatted)!r}); put it in a config file')
    return f'{key}={formatted}'


def resolved_config_fingerprint(config: str, options: Dict[str, Any]) -> str:
    """sha256 of the config as the run sees it (``_base_`` files resolved, options merged)."""
    from mmengine.config import Config
    cfg = Config.fromfile(config, import_custom_modules=False)
    cfg.merge_from_dict(options)
    text = json.dumps(cfg.to_dict(), sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_scalars(run_dir: str) -> Tuple[Dict[str, float], List[Dict[str, float]]]:
    """The last validation metrics and all validation records of an MMEngine run.

    Reads ``run_dir/<timestamp>/vis_data/scalars.json`` (the newest one); records without an
    ``iter`` key are validations. Each curve point gets ``iter``: the training iteration at the end
    of that epoch (epoch-based loops) or its step (iteration-based loops).
    """
    files = sorted(glob.glob(osp.join(run_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {run_dir!r}: the run did not '
                                'log (see its train.log)')
    train_iter_at_epoch: Dict[int, int] = {}
    by_epoch = False
    curve = []
    with open(files[-1], encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f'{files[-1]}:{number} is not JSON ({error})') from None
            if 'iter' in record:
                if 'epoch' in record:
                    by_epoch = True
                    epoch = int(record['epoch'])
                    train_iter_at_epoch[epoch] = max(train_iter_at_epoch.get(epoch, 0),
                                                     int(record['iter']))
                continue
            point = {key: value for key, value in record.items() if key not in _NOT_METRICS}
            if point:
                point['step'] = record['step']
                curve.append(point)
    for point in curve:
        if by_epoch:
            if point['step'] in train_iter_at_epoch:
                point['iter'] = train_iter_at_epoch[point['step']]
        else:
            point['iter'] = point['step']
    if not curve:
        raise ValueError(f'{files[-1]} holds no validation record: the run never validated '
                         '(check train_cfg.val_interval and val_dataloader)')
    metrics = {key: value for key, value in curve[-1].items() if key not in ('step', 'iter')}
    return metrics, curve


def _tool_env(repo: str, env: Optional[Dict[str, str]]) -> Dict[str, str]:
    """This process's environment plus ``env``, with ``repo`` first on ``PYTHONPATH``."""
    full_env = dict(os.environ, **(env or {}))
    full_env['PYTHONPATH'] = repo + os.pathsep + full_env.get('PYTHONPATH', '')
    return full_env


def run_tool(args: Sequence[str], repo: str = REPO, env: Optional[Dict[str, str]] = None,
             log: Optional[str] = None) -> Tuple[str, float, float]:
    """Run ``python ARGS`` (a repository tool) in ``repo``; return (stdout, wall s, CPU s).

    The data-preparation steps of a comparison script (datasets, alignment, extraction) go through
    here; a failure raises with the end of the tool's output (also kept in ``log``, if given).
    """
    print('$ python ' + ' '.join(args), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    proc = subprocess.run([sys.executable, *args], cwd=repo, env=_tool_env(repo, env),
                          capture_output=True, text=True)
    wall = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if log is not None:
        with atomic_write(log) as f:
            f.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise RuntimeError(f'python {" ".join(args)} failed (exit {proc.returncode}):\n'
                           f'{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}')
    print(f'  ({wall:.0f} s wall, {cpu:.0f} s CPU)', flush=True)
    return proc.stdout, wall, cpu


def _train(config: str, options: List[str], run_dir: str, repo: str, tool: str,
           env: Optional[Dict[str, str]], label: str, show_progress: bool) -> Tuple[float, float]:
    """Run ``tool`` once into ``run_dir``; return (wall, CPU) seconds; fail naming the log."""
    os.makedirs(run_dir)
    log_path = osp.join(run_dir, 'train.log')
    command = [sys.executable, osp.join(repo, tool), osp.abspath(config), '--work-dir', run_dir,
               '--cfg-options', *options]
    start = time.time()
    with open(log_path, 'w', encoding='utf-8') as log:
        log.write('$ ' + ' '.join(command) + '\n')
        log.flush()
        proc = subprocess.Popen(command, cwd=repo, env=_tool_env(repo, env), stdout=log,
                                stderr=subprocess.STDOUT)
        while True:  # wait4: this run's own CPU time, also while others run beside it
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(1.0)
            if show_progress:
                print(f'\r{label}  {_last_progress(log_path)}  {time.time() - start:5.0f} s',
                      end='', flush=True)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.time() - start
    if show_progress:
        print('\r' + ' ' * 100 + '\r', end='')
    if proc.returncode != 0:
        with open(log_path, encoding='utf-8', errors='replace') as f:
            tail = ''.join(f.readlines()[-25:])
        raise RuntimeError(f'{label} failed (exit {proc.returncode}); log {log_path}:\n{tail}')
    return wall, usage.ru_utime + usage.ru_stime


def _last_progress(log_path: str) -> str:
    """The newest ``Epoch(train) [e][i/n]`` / ``Iter(train) [i/n]`` marker of a running log."""
    try:
        with open(log_path, encoding='utf-8', errors='replace') as f:
            f.seek(max(0, osp.getsize(log_path) - 4000))
            markers = re.findall(r'(?:Epoch|Iter)\((?:train|val)\)\s*\[[^\]]*\](?:\[[^\]]*\])?',
                                 f.read())
    except OSError:
        return ''
    return markers[-1] if markers else 'starting'


def run_rows(rows: Sequence[Row], seeds: Sequence[int], work_dir: str, metric: str,
             repo: str = REPO, tool: str = TRAIN_TOOL, env: Optional[Dict[str, str]] = None,
             read_metrics: MetricsReader = read_scalars, jobs: int = 1) -> SeededResults:
    """Train every row with every seed (reusing finished runs) and return their results.

    Args:
        rows: :class:`Row` s (or ``(name, config, cfg_options)`` tuples); names must be unique.
        seeds: the seeds; each is passed as ``randomness.seed=S``.
        work_dir: one folder for the whole comparison (locked against a second writer).
        metric: the key the runs must log (e.g. ``'accuracy/top1'``), printed as they finish.
        repo: the repository whose ``tool`` runs (it is put first on ``PYTHONPATH``).
        tool: the training script, relative to ``repo``.
        env: extra environment variables for the runs (e.g. ``OMP_NUM_THREADS``).
        read_metrics: ``run_dir -> (last metrics, validation curve)``; MMEngine's scalars default.
        jobs: runs at a time (e.g. one per core, each with ``OMP_NUM_THREADS=1`` in ``env``);
            each run's CPU time is its own either way.

    Returns:
        ``{row name: {seed: RunResult}}`` in the order of ``rows`` and ``seeds``.
    """
    rows = [Row(*row) for row in rows]
    names = [slug(row.name) for row in rows]
    if len(set(names)) != len(names):
        raise ValueError(f'row names must differ (as directory names): {[r.name for r in rows]}')
    if len(set(seeds)) != len(seeds) or not seeds:
        raise ValueError(f'seeds must be distinct and not empty, got {list(seeds)}')
    if jobs < 1:
        raise ValueError(f'jobs must be >= 1, got {jobs}')
    runs: List[_Run] = []
    total = len(rows) * len(seeds)
    for row, directory in zip(rows, names):
        options = dict(row.cfg_options or {})
        if 'randomness.seed' in options:
            raise ValueError(f'row {row.name!r}: randomness.seed is set per run; drop it from '
                             'cfg_options')
        formatted = [format_option(key, value) for key, value in options.items()]
        for seed in seeds:
            runs.append(_Run(
                row.name, seed, f'[{len(runs) + 1:>{len(str(total))}}/{total}] {row.name}, '
                f'seed {seed}', row.config, [*formatted, f'randomness.seed={seed}'],
                osp.abspath(osp.join(work_dir, directory, f'seed_{seed}')),
                resolved_config_fingerprint(row.config,
                                            dict(options, **{'randomness.seed': seed}))))

    def finish(run: _Run) -> RunResult:
        result = _reuse(run.run_dir, run.fingerprint, run.label)
        if result is None:
            if osp.isdir(run.run_dir):
                print(f'{run.label}: an unfinished run is in {run.run_dir}; restarting it')
                shutil.rmtree(run.run_dir)
            wall, cpu = _train(run.config, run.options, run.run_dir, repo, tool, env, run.label,
                               show_progress=jobs == 1 and sys.stdout.isatty())
            metrics, curve = read_metrics(run.run_dir)
            result = RunResult(run.seed, run.run_dir, metrics, curve, wall, cpu, run.fingerprint)
            if metric not in metrics:
                raise KeyError(f'{run.label}: the run logged no {metric!r} (its last '
                               f'validation has {sorted(metrics)}); see {run.run_dir}')
            atomic_write_json(osp.join(run.run_dir, RESULT_FILE), asdict(result))
        if metric not in result.metrics:
            raise KeyError(f'{run.label}: {osp.join(run.run_dir, RESULT_FILE)} has no '
                           f'{metric!r} (it has {sorted(result.metrics)})')
        state = 'reused' if result.reused else \
            f'{result.wall_s:.0f} s wall, {result.cpu_s:.0f} s CPU'
        print(f'{run.label}: {metric} {result.metrics[metric]:.2f}  ({state})', flush=True)
        return result

    with WriterLock(work_dir, 'seeded comparison'):
        if jobs == 1:
            finished = [finish(run) for run in runs]
        else:
            with ThreadPoolExecutor(jobs) as pool:
                futures = [pool.submit(finish, run) for run in runs]
                try:
                    finished = [future.result() for future in futures]
                except BaseException:
                    for future in futures:  # the runs not started yet are dropped
                        future.cancel()
                    raise
    results: SeededResults = {row.name: {} for row in rows}
    for run, result in zip(runs, finished):
        results[run.name][run.seed] = result
    return results


class _Run(NamedTuple):
    """One (row, seed) training of :func:`run_rows`."""
    name: str
    seed: int
    label: str
    config: str
    options: List[str]
    run_dir: str
    fingerprint: str


def _reuse(run_dir: str, fingerprint: str, label: str) -> Optional[RunResult]:
    """The stored result of a finished run with this fingerprint, None if it has not finished."""
    path = osp.join(run_dir, RESULT_FILE)
    if not osp.isfile(path):
        return None
    stored = read_json(path, f'result of {label}')
    if stored.get('fingerprint') != fingerprint:
        raise ValueError(
            f'{label}: {path} was made from a different config or cfg options (fingerprint '
            f'{stored.get("fingerprint")} vs {fingerprint} now). Delete {run_dir} to rerun it, or '
            'give the comparison another work_dir.')
    stored.update(reused=True, run_dir=run_dir)
    return RunResult(**stored)


@dataclass
class PairedTable:
    """A comparison of rows against a baseline over paired seeds (see :func:`paired_table`)."""
    markdown: str
    data: Dict[str, Any]

    def write(self, prefix: str) -> Tuple[str, str]:
        """Write ``prefix.md`` and ``prefix.json`` atomically; return both paths."""
        with atomic_write(prefix + '.md') as f:
            f.write(self.markdown + '\n')
        atomic_write_json(prefix + '.json', self.data)
        return prefix + '.md', prefix + '.json'


def t_quantile_975(dof: int) -> float:
    """The 97.5 % quantile of Student's t with ``dof`` degrees of freedom.

    Example:
        >>> round(t_quantile_975(4), 3)
        2.776
    """
    from scipy.stats import t
    return float(t.ppf(0.975, dof))


def paired_difference(values: Sequence[float], baseline: Sequence[float]) -> Dict[str, Any]:
    """Mean, sample std and t-based 95 % interval of the paired differences ``values - baseline``.

    Example:
        >>> d = paired_difference([3.0, 4.0, 5.0], [1.0, 1.0, 1.0])
        >>> d['mean'], d['std'], [round(x, 3) for x in d['ci95']]
        (3.0, 1.0, [0.516, 5.484])
    """
    if len(values) != len(baseline):
        raise ValueError(f'paired samples differ in length: {len(values)} vs {len(baseline)}')
    diffs = [a - b for a, b in zip(values, baseline)]
    mean = statistics.mean(diffs)
    if len(diffs) < 2:
        return dict(per_seed=diffs, mean=mean, std=None, ci95=None, t=None)
    std = statistics.stdev(diffs)
    t = t_quantile_975(len(diffs) - 1)
    half = t * std / math.sqrt(len(diffs))
    return dict(per_seed=diffs, mean=mean, std=std, ci95=[mean - half, mean + half], t=t)


def paired_table(results: SeededResults, metric: str, baseline: str,
                 label: Optional[str] = None, scale: float = 1.0,
                 digits: int = 2) -> PairedTable:
    """Mean ± std of ``metric`` per row, and each row's paired difference to ``baseline``.

    Args:
        results: from :func:`run_rows`; every row must have the baseline's seeds.
        metric: the metric key.
        baseline: the row the others are compared with.
        label: the metric's name in the table (default: the key).
        scale: multiply values by this (e.g. 100 for fractions shown as %).
        digits: decimals in the table.

    Returns:
        :class:`PairedTable` with the Markdown table and its data (also per seed, wall and CPU
        seconds).
    """
    if baseline not in results:
        raise KeyError(f'baseline row {baseline!r} is not among {list(results)}')
    seeds = sorted(results[baseline])
    base_values = [scale * results[baseline][s].metrics[metric] for s in seeds]
    label = label or metric
    fmt = f'{{:.{digits}f}}'
    signed = f'{{:+.{digits}f}}'
    lines = [f'| row | {label}: mean ± std | per-seed Δ vs {baseline} (seeds '
             f'{", ".join(map(str, seeds))}) | mean Δ [95 % CI] |', '|---|---|---|---|']
    data: Dict[str, Any] = dict(metric=metric, scale=scale, baseline=baseline, seeds=seeds,
                                rows=[])
    for name, runs in results.items():
        if sorted(runs) != seeds:
            raise ValueError(f'row {name!r} has seeds {sorted(runs)}, the baseline '
                             f'{baseline!r} has {seeds}: the comparison must be paired')
        values = [scale * runs[s].metrics[metric] for s in seeds]
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        row = dict(name=name, per_seed=dict(zip(seeds, values)), mean=statistics.mean(values),
                   std=std, wall_s=sum(r.wall_s for r in runs.values()),
                   cpu_s=sum(r.cpu_s for r in runs.values()))
        cells = [f'{fmt.format(row["mean"])} ± {fmt.format(std)}']
        if name == baseline:
            cells += ['(baseline)', '']
        else:
            diff = paired_difference(values, base_values)
            row['difference'] = diff
            interval = ('' if diff['ci95'] is None else
                        ' [' + ', '.join(signed.format(x) for x in diff['ci95']) + ']')
            cells += [', '.join(signed.format(d) for d in diff['per_seed']),
                      signed.format(diff['mean']) + interval]
        lines.append(f'| {name} | ' + ' | '.join(cells) + ' |')
        data['rows'].append(row)
    wall = sum(row['wall_s'] for row in data['rows'])
    cpu = sum(row['cpu_s'] for row in data['rows'])
    data.update(wall_s=wall, cpu_s=cpu)
    return PairedTable('\n'.join(lines), data)


def _pyplot():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _set_title(axes: Any, title: str) -> None:
    """A 9-point title, wrapped to the figure's width (about 7 pixels a character)."""
    figure = axes.get_figure()
    width = figure.get_figwidth() * figure.get_dpi()
    axes.set_title(textwrap.fill(title, max(20, int(width / 7))), fontsize=9)


def plot_seeds(results: SeededResults, metric: str, out: str, baseline: Optional[str] = None,
               label: Optional[str] = None, scale: float = 1.0, title: str = '') -> str:
    """A PNG of every run's ``metric``: one column per row, seeds as points joined across rows.

    The mean of each row is a black bar; with ``baseline`` the x labels also give the mean paired
    difference and its 95 % interval.
    """
    plt = _pyplot()
    names = list(results)
    seeds = sorted({seed for runs in results.values() for seed in runs})
    figure, axes = plt.subplots(figsize=(1.0 + 1.7 * len(names), 3.6), dpi=90)
    colours = plt.get_cmap('tab10')
    for index, seed in enumerate(seeds):
        xs = [i for i, name in enumerate(names) if seed in results[name]]
        ys = [scale * results[names[i]][seed].metrics[metric] for i in xs]
        axes.plot(xs, ys, '-', color=colours(index % 10), alpha=0.35, linewidth=1)
        axes.plot(xs, ys, 'o', color=colours(index % 10), markersize=5, label=f'seed {seed}')
    ticks = []
    for i, name in enumerate(names):
        values = [scale * run.metrics[metric] for run in results[name].values()]
        axes.plot([i - 0.25, i + 0.25], [statistics.mean(values)] * 2, 'k-', linewidth=2.5)
        tick = name
        if baseline is not None and name != baseline:
            common = sorted(set(results[name]) & set(results[baseline]))
            diff = paired_difference(
                [scale * results[name][s].metrics[metric] for s in common],
                [scale * results[baseline][s].metrics[metric] for s in common])
            tick += f'\nΔ {diff["mean"]:+.2f}'
            if diff['ci95'] is not None:
                tick += f' [{diff["ci95"][0]:+.2f}, {diff["ci95"][1]:+.2f}]'
        ticks.append(tick)
    axes.set_xticks(range(len(names)), ticks, fontsize=8)
    axes.set_xlim(-0.6, len(names) - 0.4)
    axes.set_ylabel(label or metric)
    _set_title(axes, title or f'{label or metric}: per seed (points) and mean (bar)')
    axes.grid(axis='y', alpha=0.3)
    if len(seeds) <= 10:
        axes.legend(fontsize=7, loc='best', ncol=2)
    figure.tight_layout()
    return _save(figure, out)


def plot_curves(results: SeededResults, metric: str, out: str, label: Optional[str] = None,
                scale: float = 1.0, title: str = '') -> str:
    """A PNG of ``metric`` at every validation against the training iteration, one colour per row.

    Thin lines are single seeds, the thick line the mean over seeds (where their validation
    iterations coincide).
    """
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.0, 3.6), dpi=90)
    colours = plt.get_cmap('tab10')
    for index, (name, runs) in enumerate(results.items()):
        colour = colours(index % 10)
        by_iter: Dict[float, List[float]] = {}
        for run in runs.values():
            points = [(p.get('iter', p['step']), scale * p[metric]) for p in run.curve
                      if metric in p]
            axes.plot(*zip(*points), '-', color=colour, alpha=0.3, linewidth=0.8)
            for x, y in points:
                by_iter.setdefault(x, []).append(y)
        xs = sorted(x for x, ys in by_iter.items() if len(ys) == len(runs))
        axes.plot(xs, [statistics.mean(by_iter[x]) for x in xs], 'o-', color=colour,
                  linewidth=2, markersize=3, label=f'{name} (mean of {len(runs)})')
    axes.set_xlabel('training iteration')
    axes.set_ylabel(label or metric)
    _set_title(axes, title or f'validation {label or metric} during training')
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc='lower right')
    figure.tight_layout()
    return _save(figure, out)


def _save(figure, out: str) -> str:
    with atomic_write(out, 'wb') as f:
        figure.savefig(f, format='png')
    _pyplot().close(figure)
    return out
