"""Key layouts of the lightweight backbones LGD pre-trains, and conversion between them.

A distilled student is an mmpretrain classifier, so its backbone keys are mmpretrain's
(``ResNet(depth=18)``, ``MobileNetV2``, ``EfficientNet('b0')``). Detection and segmentation load
them through ``init_cfg=dict(type='Pretrained', ...)``, which needs each framework's own names:

==================  =================  ==========================  ==========================
arch                torchvision        mmdet                       mmseg
==================  =================  ==========================  ==========================
``resnet18``        same names         same names (``ResNet``)     same names (``ResNet``)
``mobilenet_v2``    ``features.k.*``   ``expand_conv`` /           same names, no ``conv2``
                                       ``depthwise_conv`` /        (dropped, listed)
                                       ``linear_conv``
``efficientnet_b0`` ``features.k.j.*`` ``mmpretrain.EfficientNet`` ``mmpretrain.EfficientNet``
==================  =================  ==========================  ==========================

Every conversion is checked against a freshly built target backbone: keys no rule maps, target
keys nothing fills, and shape mismatches are all reported (see :func:`convert_backbone`).
"""
from collections import OrderedDict
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import torch
from torch import nn

ARCHS = ('resnet18', 'mobilenet_v2', 'efficientnet_b0')
LAYOUTS = ('mmpretrain', 'torchvision', 'mmdet', 'mmseg')

# MobileNetV2: (expand ratio, blocks) per stage, as in torchvision and mmpretrain.
MNV2_STAGES = ((1, 1), (6, 2), (6, 3), (6, 4), (6, 3), (6, 3), (6, 1))
# EfficientNet-B0: mmpretrain groups its 16 blocks by stride, torchvision by stage.
EFFNET_B0_MMPRETRAIN_LAYERS = (1, 2, 2, 6, 5)
EFFNET_B0_TORCHVISION_STAGES = (1, 2, 2, 3, 3, 4, 1)


def _block_positions(counts: Tuple[int, ...], first: int) -> List[Tuple[int, int]]:
    """``(stage, index)`` of every block in order; stages numbered from ``first``."""
    return [(stage, j) for stage, n in enumerate(counts, start=first) for j in range(n)]


# ----------------------------------------------------------------------------- MobileNetV2
def _mnv2_to_torchvision(key: str) -> Optional[str]:
    conv_bn = {'conv': '0', 'bn': '1'}
    parts = key.split('.')
    if parts[0] in ('conv1', 'conv2') and parts[1] in conv_bn:
        index = 0 if parts[0] == 'conv1' else 18
        return f'features.{index}.{conv_bn[parts[1]]}.{".".join(parts[2:])}'
    if not (parts[0].startswith('layer') and len(parts) >= 6 and parts[2] == 'conv'):
        return None
    stage, block = int(parts[0][len('layer'):]), int(parts[1])
    positions = _block_positions(tuple(n for _, n in MNV2_STAGES), first=1)
    if (stage, block) not in positions:
        return None
    feature = 1 + positions.index((stage, block))
    expands = MNV2_STAGES[stage - 1][0] != 1
    conv, kind, param = int(parts[3]), parts[4], '.'.join(parts[5:])
    last = 2 if expands else 1
    if conv < last:
        inner = f'{conv}.{conv_bn[kind]}'
    elif conv == last:
        inner = str(last + (kind == 'bn'))
    else:
        return None
    return f'features.{feature}.conv.{inner}.{param}'


def _mnv2_to_mmdet(key: str) -> Optional[str]:
    parts = key.split('.')
    if parts[0] in ('conv1', 'conv2'):
        return key
    if not (parts[0].startswith('layer') and len(parts) >= 6 and parts[2] == 'conv'):
        return None
    stage = int(parts[0][len('layer'):])
    if not 1 <= stage <= len(MNV2_STAGES):
        return None
    names = ('expand_conv', 'depthwise_conv', 'linear_conv')
    if MNV2_STAGES[stage - 1][0] == 1:
        names = names[1:]
    conv = int(parts[3])
    if conv >= len(names):
        return None
    return '.'.join([parts[0], parts[1], names[conv], *parts[4:]])


def _mnv2_to_mmseg(key: str) -> Optional[str]:
    return key if key.split('.')[0] != 'conv2' else None


# ------------------------------------------------------------------------- EfficientNet-B0
def _effnet_b0_to_torchvision(key: str) -> Optional[str]:
    parts = key.split('.')
    if parts[0] != 'layers' or len(parts) < 3:
        return None
    layer = int(parts[1])
    if layer in (0, 6) and parts[2] in ('conv', 'bn'):
        index = 0 if layer == 0 else 8
        return f'features.{index}.{0 if parts[2] == "conv" else 1}.{".".join(parts[3:])}'
    mm_positions = _block_positions(EFFNET_B0_MMPRETRAIN_LAYERS, first=1)
    tv_positions = _block_positions(EFFNET_B0_TORCHVISION_STAGES, first=1)
    if (layer, int(parts[2])) not in mm_positions:
        return None
    stage, block = tv_positions[mm_positions.index((layer, int(parts[2])))]
    expands = stage != 1
    module, rest = parts[3], parts[4:]
    offset = 1 if expands else 0
    if module == 'se' and rest[:2] in (['conv1', 'conv'], ['conv2', 'conv']):
        inner = f'{offset + 1}.fc{rest[0][-1]}.{".".join(rest[2:])}'
    elif module in ('expand_conv', 'depthwise_conv', 'linear_conv') and rest[0] in ('conv', 'bn'):
        if module == 'expand_conv' and not expands:
            return None
        index = {'expand_conv': 0, 'depthwise_conv': offset, 'linear_conv': offset + 2}[module]
        inner = f'{index}.{0 if rest[0] == "conv" else 1}.{".".join(rest[1:])}'
    else:
        return None
    return f'features.{stage}.{block}.block.{inner}'


def _same(key: str) -> Optional[str]:
    return key


#: ``(arch, layout) -> rename(mmpretrain key) -> target key | None``.
RENAMERS: Dict[Tuple[str, str], Callable[[str], Optional[str]]] = {
    ('resnet18', 'mmpretrain'): _same,
    ('resnet18', 'torchvision'): _same,
    ('resnet18', 'mmdet'): _same,
    ('resnet18', 'mmseg'): _same,
    ('mobilenet_v2', 'mmpretrain'): _same,
    ('mobilenet_v2', 'torchvision'): _mnv2_to_torchvision,
    ('mobilenet_v2', 'mmdet'): _mnv2_to_mmdet,
    ('mobilenet_v2', 'mmseg'): _mnv2_to_mmseg,
    ('efficientnet_b0', 'mmpretrain'): _same,
    ('efficientnet_b0', 'torchvision'): _effnet_b0_to_torchvision,
    ('efficientnet_b0', 'mmdet'): _same,
    ('efficientnet_b0', 'mmseg'): _same,
}
#: mmpretrain keys with no place in a target layout (dropped, and listed in the report).
NO_DESTINATION = {('mobilenet_v2', 'mmseg'): ('conv2.', )}


def build_reference_backbone(arch: str, layout: str) -> nn.Module:
    """The target backbone with default arguments (torchvision: without its classifier)."""
    _check(arch, layout)
    if layout == 'torchvision':
        import torchvision
        model = getattr(torchvision.models, arch)(weights=None)
        for head in ('fc', 'classifier'):
            if hasattr(model, head):
                delattr(model, head)
        return model
    if layout == 'mmdet' and arch != 'efficientnet_b0':
        from mmdet.models.backbones import MobileNetV2, ResNet
    elif layout == 'mmseg' and arch != 'efficientnet_b0':
        from mmseg.models.backbones import MobileNetV2, ResNet
    else:
        from mmpretrain.models.backbones import EfficientNet, MobileNetV2, ResNet
        if arch == 'efficientnet_b0':
            return EfficientNet(arch='b0')
    return ResNet(depth=18) if arch == 'resnet18' else MobileNetV2()


class Conversion(NamedTuple):
    """The converted ``state_dict`` and what did not fit."""
    state_dict: 'OrderedDict[str, torch.Tensor]'
    unmapped: List[str]  # source keys no rule maps: a partial conversion
    unexpected: List[str]  # converted keys the target backbone does not have
    dropped: List[str]  # source keys with no place in the target layout by design
    missing: List[str]  # target keys nothing filled
    wrong_shape: List[str]  # 'key: source shape vs target shape'

    @property
    def complete(self) -> bool:
        return not (self.unmapped or self.unexpected or self.missing or self.wrong_shape)

    def report(self) -> str:
        lines = [f'{len(self.state_dict)} tensors converted']
        for name, keys in (('unmapped source keys', self.unmapped),
                           ('converted keys the target lacks', self.unexpected),
                           ('target keys not filled', self.missing),
                           ('shape mismatches', self.wrong_shape),
                           ('dropped (no such module in the target layout)', self.dropped)):
            if keys:
                lines.append(f'{len(keys)} {name}: {", ".join(keys[:10])}'
                             + (f' … (+{len(keys) - 10})' if len(keys) > 10 else ''))
        return '\n'.join(lines)


def convert_backbone(backbone: Dict[str, torch.Tensor], arch: str, layout: str,
                     target: Optional[nn.Module] = None) -> Conversion:
    """Rename mmpretrain backbone keys into ``layout`` and check them against ``target``.

    Args:
        backbone: mmpretrain backbone ``state_dict`` (no ``backbone.`` prefix).
        arch: one of :data:`ARCHS`.
        layout: one of :data:`LAYOUTS`.
        target: the backbone to check against (e.g. built from the transfer config);
            default :func:`build_reference_backbone`.

    Example:
        >>> from mmpretrain.models.backbones import MobileNetV2
        >>> conversion = convert_backbone(MobileNetV2().state_dict(), 'mobilenet_v2', 'mmdet')
        >>> conversion.complete
        True
    """
    _check(arch, layout)
    rename = RENAMERS[(arch, layout)]
    no_destination = NO_DESTINATION.get((arch, layout), ())
    converted: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    unmapped, dropped = [], []
    for key, value in backbone.items():
        if key.startswith(no_destination):
            dropped.append(key)
            continue
        new_key = rename(key)
        if new_key is None:
            unmapped.append(key)
        else:
            converted[new_key] = value
    expected = (target if target is not None else build_reference_backbone(arch, layout))
    expected = expected.state_dict()
    missing = [k for k in expected if k not in converted]
    extra = [k for k in converted if k not in expected]
    wrong = [f'{k}: {tuple(v.shape)} vs {tuple(expected[k].shape)}'
             for k, v in converted.items() if k in expected and v.shape != expected[k].shape]
    return Conversion(converted, unmapped, extra, dropped, missing, wrong)


def torchvision_to_mmpretrain(state_dict: Dict[str, torch.Tensor],
                              arch: str) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """Read a torchvision-layout backbone (SEED / LGD releases) as mmpretrain keys.

    Returns the mmpretrain ``state_dict`` and the torchvision keys that map to nothing (the
    classifier, projection MLPs …).
    """
    _check(arch, 'torchvision')
    rename = RENAMERS[(arch, 'torchvision')]
    inverse = {rename(k): k for k in build_reference_backbone(arch, 'mmpretrain').state_dict()}
    converted = OrderedDict((inverse[k], v) for k, v in state_dict.items() if k in inverse)
    return converted, [k for k in state_dict if k not in inverse]


def _check(arch: str, layout: str) -> None:
    if arch not in ARCHS:
        raise ValueError(f'unknown arch {arch!r}; supported: {ARCHS}')
    if layout not in LAYOUTS:
        raise ValueError(f'unknown layout {layout!r}; supported: {LAYOUTS}')
