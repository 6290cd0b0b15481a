"""Convert an MMRazor distillation config into an mmkd config.

    python tools/misc/convert_mmrazor_config.py MMRAZOR_CONFIG OUT_CONFIG [--checkpoint-dir DIR]

The mmkd config trains with mmpretrain's / mmdet's / mmseg's own tools/train.py (it imports mmkd).
Notes on what changed, and the checkpoints MMRazor would have downloaded (with where to put them),
are printed and written at the top of OUT_CONFIG. A recipe mmkd cannot run as MMRazor did is
refused (exit code 2) with the reason. See docs/migrating_from_mmrazor.md.
"""
import argparse
import os.path as osp
import sys

from mmkd.mmrazor_compat import MMRazorConversionError, convert_mmrazor_config
from mmkd.utils.io import atomic_write


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='the MMRazor config')
    parser.add_argument('out', help='where to write the mmkd config')
    parser.add_argument('--checkpoint-dir', default='checkpoints',
                        help='folder the converted config expects downloaded checkpoints in')
    args = parser.parse_args()
    try:
        conversion = convert_mmrazor_config(args.config, args.checkpoint_dir)
    except MMRazorConversionError as error:
        print(f'refused: {error}', file=sys.stderr)
        return 2
    with atomic_write(args.out) as f:
        f.write(conversion.text)
    print(f'wrote {args.out}')
    for note in conversion.notes:
        print(f'  - {note}')
    missing = [(local, url) for local, url in conversion.checkpoints if not osp.isfile(local)]
    if missing:
        print('checkpoints to put in place (nothing downloads at run time):')
        for local, url in missing:
            print(f'  {local}  <-  {url}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
