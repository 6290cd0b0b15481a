"""Make small detection, segmentation and multi-label sets with exact ground truth from real
Fashion-MNIST images pasted on black canvases.

Each canvas holds 1..``max_items`` garments, each in its own cell of a grid of 32-pixel cells
(randomly jittered, never overlapping), so boxes, masks and labels are exact by construction::

    OUT/images/{train,val}/000000.png         RGB canvases (train from Fashion-MNIST train, val from test)
    OUT/annotations/instances_{split}.json    COCO boxes + instance masks (RLE), category ids 1..10
    OUT/seg/{split}/000000.png                mmseg label maps: 0 background, k + 1 garment class k
    OUT/annotations/multilabel_{split}.json   mmpretrain MultiLabelDataset: which classes appear

    python tools/dataset_converters/make_fashion_tiles.py --out data/fashion_tiles \
        --num-train 2000 --num-val 500 [--canvas 64] [--max-items 4] [--seed 0]
"""
import argparse
import os
import os.path as osp
from typing import Dict, List, Tuple

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
from tqdm import tqdm

from mmkd.datasets.fashion_mnist import FASHION_MNIST_ROOT, read_idx
from mmkd.utils.io import atomic_write_json

CLASSES = ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker',
           'Bag', 'Ankle boot')
SEG_CLASSES = ('background', *CLASSES)
TILE, CELL = 28, 32


def compose_canvas(rng: np.random.Generator, images: np.ndarray, labels: np.ndarray,
                   canvas: int, max_items: int) -> Tuple[np.ndarray, List[dict]]:
    """One canvas and its items: ``dict(label, bbox=[x, y, w, h], mask=HxW bool)``."""
    grid = canvas // CELL
    cells = rng.choice(grid * grid, size=rng.integers(1, min(max_items, grid * grid) + 1),
                       replace=False)
    picture = np.zeros((canvas, canvas), dtype=np.uint8)
    items = []
    for cell in cells:
        index = rng.integers(len(images))
        y0 = (cell // grid) * CELL + rng.integers(0, CELL - TILE + 1)
        x0 = (cell % grid) * CELL + rng.integers(0, CELL - TILE + 1)
        tile = images[index]
        mask = np.zeros((canvas, canvas), dtype=bool)
        mask[y0:y0 + TILE, x0:x0 + TILE] = tile > 0
        if not mask.any():
            continue
        picture[y0:y0 + TILE, x0:x0 + TILE] = tile
        ys, xs = np.nonzero(mask)
        bbox = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                int(ys.max() - ys.min() + 1)]
        items.append(dict(label=int(labels[index]), bbox=bbox, mask=mask))
    return np.repeat(picture[..., None], 3, axis=2), items


def make_split(out: str, split: str, images: np.ndarray, labels: np.ndarray, num: int,
               canvas: int, max_items: int, seed: int) -> Dict[str, int]:
    rng = np.random.default_rng(seed)
    for folder in (f'images/{split}', f'seg/{split}', 'annotations'):
        os.makedirs(osp.join(out, folder), exist_ok=True)
    coco_images, annotations, data_list = [], [], []
    for image_id in tqdm(range(num), desc=f'fashion tiles [{split}]'):
        picture, items = compose_canvas(rng, images, labels, canvas, max_items)
        name = f'{image_id:06d}.png'
        Image.fromarray(picture).save(osp.join(out, 'images', split, name))
        seg = np.zeros((canvas, canvas), dtype=np.uint8)
        for item in items:
            seg[item['mask']] = item['label'] + 1
            rle = mask_utils.encode(np.asfortranarray(item['mask'].astype(np.uint8)))
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id, category_id=item['label'] + 1,
                bbox=item['bbox'], area=int(item['mask'].sum()), iscrowd=0,
                segmentation=dict(size=rle['size'], counts=rle['counts'].decode('ascii'))))
        Image.fromarray(seg).save(osp.join(out, 'seg', split, name))
        coco_images.append(dict(id=image_id, file_name=f'{split}/{name}', width=canvas,
                                height=canvas))
        data_list.append(dict(img_path=f'images/{split}/{name}',
                              gt_label=sorted({item['label'] for item in items})))
    categories = [dict(id=k + 1, name=name) for k, name in enumerate(CLASSES)]
    atomic_write_json(osp.join(out, 'annotations', f'instances_{split}.json'),
                      dict(images=coco_images, annotations=annotations, categories=categories),
                      indent=None)
    atomic_write_json(osp.join(out, 'annotations', f'multilabel_{split}.json'),
                      dict(metainfo=dict(classes=list(CLASSES)), data_list=data_list), indent=None)
    return dict(images=num, instances=len(annotations))


def make_fashion_tiles(out: str, num_train: int, num_val: int, canvas: int = 64,
                       max_items: int = 4, seed: int = 0, src: str = FASHION_MNIST_ROOT) -> str:
    """Write the tile sets under ``out`` (see the module docstring) and return ``out``."""
    if canvas < CELL:
        raise ValueError(f'canvas must be at least {CELL} pixels, got {canvas}')
    for split, prefix, num, split_seed in (('train', 'train', num_train, seed),
                                           ('val', 't10k', num_val, seed + 1)):
        images = read_idx(osp.join(src, f'{prefix}-images-idx3-ubyte.gz'))
        labels = read_idx(osp.join(src, f'{prefix}-labels-idx1-ubyte.gz'))
        make_split(out, split, images, labels, num, canvas, max_items, split_seed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/fashion_tiles')
    parser.add_argument('--num-train', type=int, default=2000)
    parser.add_argument('--num-val', type=int, default=500)
    parser.add_argument('--canvas', type=int, default=64, help='canvas side in pixels')
    parser.add_argument('--max-items', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--src', default=FASHION_MNIST_ROOT, help='folder with the *-ubyte.gz files')
    args = parser.parse_args()
    make_fashion_tiles(args.out, args.num_train, args.num_val, args.canvas, args.max_items,
                       args.seed, args.src)
    print(f'Fashion tiles written to {args.out}')


if __name__ == '__main__':
    main()
