"""Compare every config's resolved values between a git revision and the working tree.

    python tools/analysis/diff_resolved_configs.py main                 # all of configs/
    python tools/analysis/diff_resolved_configs.py main configs/l2d     # one folder

A restructuring (new ``_base_`` files, shared blocks) should change no resolved value: this prints,
per config, every key whose value differs, and the configs that exist on one side only. Paths are
compared as files (``{{fileDirname}}/x.py`` and ``configs/m/x.py`` are the same file); helper
variables that only carry a shared block (top-level keys absent on the other side) are listed
apart, since no runner reads them. Exit status 1 when a value differs.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import tarfile
import tempfile
from typing import Any, Dict, List

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('rev', help='the git revision to compare against (e.g. main)')
    parser.add_argument('folder', nargs='?', default='configs', help='a folder under the repo')
    return parser.parse_args()


def normalise(value: Any, root: str) -> Any:
    """Plain containers, tuples as lists, paths under ``root`` made relative to it."""
    if isinstance(value, dict):
        return {key: normalise(item, root) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(item, root) for item in value]
    if isinstance(value, str) and osp.isabs(value) and value.startswith(root + os.sep):
        return osp.relpath(osp.normpath(value), root)
    if isinstance(value, str) and value.endswith('.py') and value.startswith('configs/'):
        return osp.normpath(value)
    return value


def resolve_all(root: str, folder: str) -> Dict[str, dict]:
    """``relative path -> resolved, normalised dict`` of every non-base config under ``folder``."""
    configs = {}
    for directory, _, names in os.walk(osp.join(root, folder)):
        if '_base_' in directory.split(os.sep):
            continue
        for name in sorted(names):
            if name.endswith('.py'):
                path = osp.join(directory, name)
                configs[osp.relpath(path, root)] = normalise(
                    Config.fromfile(path).to_dict(), root)
    return configs


def differences(old: Any, new: Any, prefix: str = '') -> List[str]:
    """Dotted keys whose values differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new), key=str):
            name = f'{prefix}.{key}' if prefix else str(key)
            if key not in old:
                lines.append(f'  + {name} = {new[key]!r}')
            elif key not in new:
                lines.append(f'  - {name} = {old[key]!r}')
            else:
                lines += differences(old[key], new[key], name)
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [line for index, (a, b) in enumerate(zip(old, new))
                for line in differences(a, b, f'{prefix}.{index}')]
    return [] if old == new else [f'  ~ {prefix}: {old!r} -> {new!r}']


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = osp.join(tmp, 'rev.tar')
        subprocess.run(['git', 'archive', '-o', archive, args.rev], cwd=REPO, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(osp.join(tmp, 'rev'), filter='data')
        old = resolve_all(osp.join(tmp, 'rev'), args.folder)
    new = resolve_all(REPO, args.folder)
    changed = False
    for path in sorted(set(old) | set(new)):
        if path not in new or path not in old:
            print(f'{path}: only in {"the working tree" if path in new else args.rev}')
            continue
        helpers = sorted(set(new[path]) - set(old[path]))
        lines = differences({k: v for k, v in old[path].items() if k in new[path]},
                            {k: v for k, v in new[path].items() if k in old[path]})
        lines += [f'  - {key} (top level)' for key in sorted(set(old[path]) - set(new[path]))]
        if lines:
            changed = True
            print(f'{path}: {len(lines)} difference(s)')
            print('\n'.join(lines))
        elif helpers:
            print(f'{path}: same values (+ helper variables {", ".join(helpers)})')
    print('no value changed' if not changed else 'values changed (see above)')
    return int(changed)


if __name__ == '__main__':
    sys.exit(main())
