"""The mean of the last N validation results of an MMEngine run (e.g. the last 5 epochs).

    python tools/analysis/mean_of_last_evaluations.py WORK_DIR
    python tools/analysis/mean_of_last_evaluations.py WORK_DIR --last 5 --keys 'ood/.*' --out m.json

Li et al. report the mean of the last 5 epochs' ID and OOD accuracies (the original's
log_avg.txt); the VLM-OOD configs validate at each of the last 5 epochs for it. This reads every
``<timestamp>/vis_data/scalars.json`` MMEngine's LocalVisBackend wrote in ``WORK_DIR`` (a resumed
run adds a second one; a step validated twice keeps its latest value), takes the validation
records (those without a learning rate), and averages each metric over the last ``--last`` steps.
Fewer validations than asked for is an error that lists the steps found.
"""
import argparse
import glob
import json
import os.path as osp
import re
import sys
from typing import Dict, List, Optional

from mmkd.utils.io import atomic_write_json


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='the run\'s work dir (holds <timestamp>/vis_data/)')
    parser.add_argument('--last', type=int, default=5, help='how many validations to average')
    parser.add_argument('--keys', nargs='+', help='regular expressions of the metrics to keep '
                        '(default: every numeric metric)')
    parser.add_argument('--out', help='also write the result as JSON')
    return parser.parse_args()


def validation_records(work_dir: str) -> Dict[int, dict]:
    """``step -> metrics`` of every validation record of the run, later files winning."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'{work_dir}: no <timestamp>/vis_data/scalars.json (is it the '
                                'work dir of an MMEngine run with LocalVisBackend?)')
    records = {}
    for path in files:
        with open(path, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f'{path}:{number}: not JSON ({error})') from None
                if 'lr' not in record and 'step' in record:
                    records[int(record['step'])] = record
    return records


def mean_of_last(records: Dict[int, dict], last: int,
                 keys: Optional[List[str]] = None) -> dict:
    """``dict(steps, mean={metric: value}, values={metric: [per step]})`` of the last steps."""
    if len(records) < last:
        raise ValueError(f'asked for the mean of the last {last} validations, found '
                         f'{len(records)} (steps {sorted(records)})')
    steps = sorted(records)[-last:]
    names = sorted({name for step in steps for name, value in records[step].items()
                    if name != 'step' and isinstance(value, (int, float))})
    if keys:
        names = [name for name in names if any(re.fullmatch(key, name) for key in keys)]
        if not names:
            raise ValueError(f'no metric matches {keys}; metrics: {sorted(records[steps[-1]])}')
    values = {}
    for name in names:
        missing = [step for step in steps if name not in records[step]]
        if missing:
            raise ValueError(f'metric {name!r} is missing at steps {missing}')
        values[name] = [float(records[step][name]) for step in steps]
    return dict(steps=steps, mean={name: sum(v) / len(v) for name, v in values.items()},
                values=values)


def main() -> int:
    args = parse_args()
    result = mean_of_last(validation_records(args.work_dir), args.last, args.keys)
    print(f'mean of the validations at steps {result["steps"]}:')
    for name, value in result['mean'].items():
        print(f'  {name}: {value:.4f}   ({", ".join(f"{v:.4f}" for v in result["values"][name])})')
    if args.out:
        atomic_write_json(args.out, result)
    return 0


if __name__ == '__main__':
    sys.exit(main())
