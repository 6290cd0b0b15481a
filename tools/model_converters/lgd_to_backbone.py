"""Convert an LGD / SEED distilled checkpoint into a plain backbone for torchvision, mmdet or mmseg.

    # mmkd distiller or student-only checkpoint → mmdet MobileNetV2 backbone
    python tools/model_converters/lgd_to_backbone.py work_dirs/lgd/student_epoch_200.pth \
        checkpoints/lgd_mnv2_mmdet.pth --arch mobilenet_v2 --layout mmdet
    # → torchvision layout (torchvision.models.mobilenet_v2().load_state_dict(sd, strict=False):
    #   only the classifier is missing)
    python tools/model_converters/lgd_to_backbone.py ... --arch mobilenet_v2 --layout torchvision
    # the authors' released torchvision-layout weights (module.student.* …) → mmseg
    python tools/model_converters/lgd_to_backbone.py lgd_r18.pth r18_mmseg.pth \
        --arch resnet18 --layout mmseg --src-layout torchvision
    # check against the backbone of the very config that will load it
    python tools/model_converters/lgd_to_backbone.py ... --target-config configs/lgd/transfer/...py

Input: a distiller checkpoint (``student.backbone.*``), a student-only checkpoint
(``backbone.*``, from ``StudentCheckpointHook``), or a bare backbone; ``--src-layout torchvision``
reads torchvision names (``module.``/``student.`` prefixes are stripped). Non-backbone keys (neck,
projection MLP, queues, classifier) are listed and left out. The output holds only the backbone, in
the target's own names, for ``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` on the backbone.

The converted keys are checked against a freshly built target backbone (``--target-config``'s
``model.backbone``, else the default one): keys no rule maps, target keys left empty and shape
mismatches are printed and NOTHING is written (exit code 1) unless ``--allow-partial``.
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch

from mmkd.utils import load_state_dict_file
from mmkd.utils.io import atomic_torch_save
from mmkd.utils.backbone_layouts import (ARCHS, LAYOUTS, build_reference_backbone,
                                         convert_backbone, torchvision_to_mmpretrain)

BACKBONE_PREFIXES = ('student.backbone.', 'backbone.')


def split_backbone(state_dict: Dict[str, torch.Tensor]) -> Tuple[OrderedDict, List[str]]:
    """The mmpretrain backbone of a distiller / student checkpoint, and the keys left out."""
    for prefix in BACKBONE_PREFIXES:
        if any(k.startswith(prefix) for k in state_dict):
            backbone = OrderedDict((k[len(prefix):], v) for k, v in state_dict.items()
                                   if k.startswith(prefix))
            return backbone, [k for k in state_dict if not k.startswith(prefix)]
    return OrderedDict(state_dict), []


def build_target_backbone(config: str):
    """``model.backbone`` of an mmdet / mmseg / mmpretrain config, without its init weights."""
    from mmengine.config import Config
    from mmengine.registry import MODELS, DefaultScope
    cfg = Config.fromfile(config)
    backbone = cfg.model.backbone.to_dict()
    backbone.pop('init_cfg', None)
    scope = cfg.get('default_scope', 'mmengine')
    __import__(f'{scope}.models' if scope != 'mmengine' else 'mmengine.model')
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(backbone)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Distilled checkpoint → plain backbone')
    parser.add_argument('src', help='distiller / student-only / backbone checkpoint')
    parser.add_argument('dst', help='output .pth (backbone keys only)')
    parser.add_argument('--arch', choices=ARCHS, required=True)
    parser.add_argument('--layout', choices=LAYOUTS, required=True, help='target layout')
    parser.add_argument('--src-layout', choices=['mmkd', 'torchvision'], default='mmkd',
                        help='mmkd (mmpretrain keys) or torchvision names (SEED / LGD releases)')
    parser.add_argument('--target-config', help='check against model.backbone of this config')
    parser.add_argument('--allow-partial', action='store_true',
                        help='write even if keys are unmapped, missing or mis-shaped')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    state_dict = load_state_dict_file(args.src, 'distilled checkpoint')
    if args.src_layout == 'torchvision':
        state_dict = OrderedDict((k[len('student.'):] if k.startswith('student.') else k, v)
                                 for k, v in state_dict.items())
        backbone, left_out = torchvision_to_mmpretrain(state_dict, args.arch)
    else:
        backbone, left_out = split_backbone(state_dict)
    if not backbone:
        print(f'{args.src}: no backbone keys found', file=sys.stderr)
        return 1
    target = (build_target_backbone(args.target_config) if args.target_config
              else build_reference_backbone(args.arch, args.layout))
    conversion = convert_backbone(backbone, args.arch, args.layout, target)
    print(f'{args.src} → {args.layout} {args.arch}: {conversion.report()}')
    if left_out:
        print(f'{len(left_out)} non-backbone keys left out: {", ".join(left_out[:8])}'
              + (' …' if len(left_out) > 8 else ''))
    if not conversion.complete and not args.allow_partial:
        print(f'NOT written: the conversion is partial (see above). Fix --arch / --layout / '
              f'--src-layout, or pass --allow-partial to write {args.dst} anyway.',
              file=sys.stderr)
        return 1
    if not conversion.complete:
        print(f'WARNING: writing a PARTIAL backbone to {args.dst} (--allow-partial)',
              file=sys.stderr)
    meta = dict(arch=args.arch, layout=args.layout, source=osp.abspath(args.src),
                complete=conversion.complete)
    atomic_torch_save(dict(state_dict=conversion.state_dict, meta=meta), args.dst)
    print(f'saved {len(conversion.state_dict)} tensors to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
