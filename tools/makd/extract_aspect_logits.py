"""Answer every aspect question for every image with a multimodal LLM: MaKD's soft targets.

    # one process
    python tools/makd/extract_aspect_logits.py MODEL_DIR questions.txt work_dirs/makd/pets \\
        --images data/pets/train
    # 4 GPUs: one shard each (or: torchrun --nproc-per-node 4 tools/makd/extract_...), then merge
    CUDA_VISIBLE_DEVICES=0 python tools/makd/extract_aspect_logits.py ... --shard 0/4 &  ...
    python tools/makd/extract_aspect_logits.py --merge 4 work_dirs/makd/pets

MODEL_DIR is a local Hugging Face image-text-to-text model (LLaVA, Qwen2-VL, Qwen2.5-VL, ...) or
an InternVL 2 / 2.5 chat model (its remote code: only with --trust-remote-code). Writes the
seed's multi-aspect-logits.json ({image stem: [Q yes-probabilities]}), its .meta.json, an mmkd
teacher store and a summary.
Rerun the same command after a kill to continue.

Without an MLLM (--backend contrastive; not the paper's teacher): MODEL is a config whose
model.teachers[--teacher] is an image-text teacher (OpenCLIPTeacher, the two-tower teacher), and
QUESTIONS a statements.tsv of generate_aspect_questions.py (question, affirmative, negative) or a
question list (statements then made by a template). p(yes) = softmax of the teacher's cosine
similarities of the image to the two statements, times its logit scale (--temperature: 1 / it):

    python tools/makd/extract_aspect_logits.py \
        configs/makd/aspect-teacher_two-tower-lite0-minilm_fashion-mnist-10k.py \
        configs/makd/questions/fashion-mnist_q16_statements.tsv work_dirs/makd/fashion_train \
        --backend contrastive --teacher two_tower --images data/fashion_mnist_makd/train
"""
import argparse
import json
import os

import torch
from mmengine.config import Config, DictAction


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('model', nargs='?', help='local model directory (mllm) or teacher '
                        'config (contrastive)')
    parser.add_argument('questions', nargs='?', help='question file, one a line (contrastive: '
                        'or statements.tsv)')
    parser.add_argument('work_dir', help='output / work directory')
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--images', help='image folder (recursive; class = first sub-folder)')
    source.add_argument('--dataset-config', help='OpenMMLab config whose dataset to score')
    parser.add_argument('--split', default='train_dataloader',
                        help='dataloader of --dataset-config to read (default train_dataloader)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='override settings of --dataset-config, e.g. '
                        'train_dataloader.dataset.data_root=data/pets')
    parser.add_argument('--backend', choices=['mllm', 'contrastive'], default='mllm',
                        help='mllm: an image-text-to-text model answers (the paper); '
                        'contrastive: an image-text embedding teacher compares statements')
    parser.add_argument('--teacher', help='contrastive: name in the config\'s model.teachers '
                        '(default: its only teacher)')
    parser.add_argument('--temperature', type=float,
                        help='contrastive: the teacher\'s temperature (default: its logit_scale)')
    parser.add_argument('--key', choices=['stem', 'relpath'], default='stem',
                        help='json key of a folder image: file stem (seed layout) or path')
    parser.add_argument('--num-questions', type=int, help='fail unless the file has this many')
    parser.add_argument('--suffix', help='text after each question (default: the paper\'s '
                        '"The answer must always be either Yes or No ...")')
    parser.add_argument('--system-prompt', help='system message (default: none)')
    parser.add_argument('--yes-words', nargs='+', default=['Yes', 'yes'])
    parser.add_argument('--no-words', nargs='+', default=['No', 'no'])
    parser.add_argument('--batch-size', type=int, default=64,
                        help='(image, question) pairs per forward')
    parser.add_argument('--image-batch', type=int, default=8, help='images per prefix forward')
    parser.add_argument('--dtype', choices=['auto', 'float32', 'float16', 'bfloat16'],
                        default='auto', help='auto: bfloat16 (or float16) on GPU, float32 on CPU')
    parser.add_argument('--device', help='default: cuda:LOCAL_RANK if a GPU is there, else cpu')
    parser.add_argument('--trust-remote-code', action='store_true',
                        help='run Python code shipped with the model (only for models you trust)')
    parser.add_argument('--shard', help='i/n: score every n-th image from the i-th (default: '
                        'RANK/WORLD_SIZE under torchrun, else 0/1)')
    parser.add_argument('--merge', type=int, metavar='N',
                        help='only merge N finished shards of work_dir')
    parser.add_argument('--no-progress', action='store_true')
    args = parser.parse_args()
    if args.merge is None and not (args.model and args.questions and
                                   (args.images or args.dataset_config)):
        parser.error('give MODEL QUESTIONS WORK_DIR and --images or --dataset-config '
                     '(or --merge N WORK_DIR)')
    return args


def load_model(path: str, dtype: str, device: str, trust_remote_code: bool):
    """``(model, processor)``: an image-text-to-text model, or InternVL through its remote code."""
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from mmkd.makd.internvl import is_internvl, load_internvl
    if dtype == 'auto':
        dtype = 'float32' if device == 'cpu' else (
            'bfloat16' if torch.cuda.is_bf16_supported() else 'float16')
    if is_internvl(path):
        return load_internvl(path, getattr(torch, dtype), device, trust_remote_code)
    kwargs = dict(local_files_only=True, trust_remote_code=trust_remote_code)
    processor = AutoProcessor.from_pretrained(path, **kwargs)
    model = AutoModelForImageTextToText.from_pretrained(
        path, torch_dtype=getattr(torch, dtype), **kwargs)
    return model.to(device).eval(), processor


def main():
    args = parse_args()
    from mmkd.makd import (DEFAULT_SUFFIX, AspectScorer, ContrastiveAspectScorer,
                           build_image_text_teacher, dataset_records, extract_shard,
                           folder_records, merge_shards, parse_shard, read_questions,
                           read_statements, resolve_answer_tokens)
    from mmkd.utils.checkpoint import check_hf_folder
    if args.merge is not None:
        outputs = merge_shards(args.work_dir, args.merge)
    else:
        rank, world = int(os.environ.get('RANK', 0)), int(os.environ.get('WORLD_SIZE', 1))
        shard = parse_shard(args.shard or f'{rank}/{world}')
        device = args.device or (f'cuda:{os.environ.get("LOCAL_RANK", 0)}'
                                 if torch.cuda.is_available() else 'cpu')
        # the inputs are checked before the images are listed
        if args.backend == 'contrastive':
            statements = read_statements(args.questions, args.num_questions)
        else:
            check_hf_folder(args.model, 'the MLLM (MODEL_DIR)')
            questions = read_questions(args.questions, args.num_questions)
        if args.images:
            records, data_root = folder_records(args.images, args.key)
        else:
            cfg = Config.fromfile(args.dataset_config)
            cfg.merge_from_dict(args.cfg_options)
            records, data_root = dataset_records(cfg, args.split)
        if args.backend == 'contrastive':
            scorer = ContrastiveAspectScorer(
                build_image_text_teacher(args.model, args.teacher), statements,
                logit_scale=None if args.temperature is None else 1 / args.temperature,
                device=device)
            print('statements (affirmative | negative): ' + json.dumps(
                scorer.describe()['answer_tokens']['statements'][:3]) + ' ...')
        else:
            model, processor = load_model(args.model, args.dtype, device,
                                          args.trust_remote_code)
            answers = resolve_answer_tokens(processor.tokenizer, args.yes_words, args.no_words)
            print(f'answer tokens (pooled): {json.dumps(answers.describe())}')
            scorer = AspectScorer(
                model, processor, questions, answers,
                prompt_suffix=DEFAULT_SUFFIX if args.suffix is None else args.suffix,
                system_prompt=args.system_prompt, batch_size=args.batch_size)
        extract_shard(scorer, records, data_root, args.work_dir, model_name=args.model,
                      shard=shard, image_batch=args.image_batch, progress=not args.no_progress)
        if shard[1] > 1:
            print(f'shard {args.shard} done; merge with --merge {shard[1]} {args.work_dir}')
            return
        outputs = merge_shards(args.work_dir, 1)
    with open(outputs['multi-aspect-logits.meta.json']) as f:
        meta = json.load(f)
    print(f'{meta["num_images"]} images x {meta["num_questions"]} questions; '
          f'mean p(yes)+p(no) over the vocabulary: {meta["mean_answer_mass"]:.3f}; '
          f'most common first tokens: {meta["most_common_first_tokens"]}')
    if meta['failed_images']:
        print(f'{len(meta["failed_images"])} unreadable images skipped: '
              f'{dict(list(meta["failed_images"].items())[:5])}')
    for name, path in outputs.items():
        print(f'{name}: {path}')


if __name__ == '__main__':
    main()
