"""Labels of a batch, for the losses that need them."""
from typing import Sequence

import torch


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
