"""Fail at dataset build time, not mid-epoch, when images an annotation lists are not there."""
import os.path as osp
from typing import List


def check_images_exist(data_list: List[dict], listed_in: str) -> None:
    """Raise ``FileNotFoundError`` naming the missing images (the first few and the count).

    Args:
        data_list: data infos with an ``img_path`` each (local paths).
        listed_in: the annotation file (or folder) that lists the images, for the message.

    Example:
        >>> check_images_exist([], 'train_anno.json')
    """
    missing = [info['img_path'] for info in data_list if not osp.isfile(info['img_path'])]
    if missing:
        shown = '\n  '.join(missing[:5])
        raise FileNotFoundError(
            f'{len(missing)} of {len(data_list)} images listed in {listed_in} are missing, e.g.:\n'
            f'  {shown}\nPlace them there, fix the annotation, or pass check_images=False to '
            'skip this check.')
