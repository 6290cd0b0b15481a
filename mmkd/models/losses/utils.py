"""Small helpers shared by the distillation losses."""
from typing import Sequence

import torch


def at_least_fp32(tensor: torch.Tensor) -> torch.Tensor:
    """fp16 / bf16 (autocast outputs) -> fp32; fp32 and fp64 unchanged: losses run in full precision."""
    return tensor.to(torch.promote_types(tensor.dtype, torch.float32))


def gt_labels(data_samples: Sequence, device: torch.device) -> torch.Tensor:
    """Single-label ``gt_label`` of every data sample as a [B] long tensor; a sample without one is
    an error naming its index and image."""
    labels = []
    for index, sample in enumerate(data_samples):
        if 'gt_label' not in sample or sample.gt_label.numel() != 1:
            where = sample.metainfo.get('img_path', sample.metainfo.get('sample_idx', index))
            raise ValueError(f'sample {index} ({where}) has no single gt_label; this loss needs '
                             'the class label of every sample in the batch')
        labels.append(sample.gt_label.view(1))
    return torch.cat(labels).to(device=device, dtype=torch.long)
