"""Write MaKD's aspect questions for a dataset with an LLM: N candidates, then the best Q.

    # a local chat model
    python tools/makd/generate_aspect_questions.py work_dirs/makd_questions/pets \\
        --dataset-config configs/makd/makd_qwen2.5-vl-7b_resnet18_1xb16-240e_oxford-pets.py \\
        --backend hf --model checkpoints/Qwen2.5-7B-Instruct -N 100 -Q 50
    # an OpenAI-compatible endpoint (key from $OPENAI_API_KEY)
    python tools/makd/generate_aspect_questions.py OUT --classes-file classes.txt \\
        --num-images 3680 --backend openai --base-url https://api.openai.com/v1 --model gpt-4o \\
        -N 100 -Q 50

Writes OUT/questions.txt (Q lines, the file extract_aspect_logits.py reads), OUT/candidates.txt
(step 1), OUT/rejected.txt (lines that were not usable yes/no questions, with the reason) and
OUT/generation.json (prompts and raw answers). Review questions.txt before extracting.
"""
import argparse
import json
import os
import os.path as osp
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('out_dir')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--classes-file', help='class names, one a line')
    source.add_argument('--dataset-config', help='OpenMMLab config: classes of its dataset')
    parser.add_argument('--split', default='train_dataloader')
    parser.add_argument('--num-images', '-M', type=int,
                        help='M in the prompt (default: the size of the config\'s dataset)')
    parser.add_argument('--num-candidates', '-N', type=int, default=100)
    parser.add_argument('--num-questions', '-Q', type=int, default=50)
    parser.add_argument('--backend', choices=['hf', 'openai'], required=True)
    parser.add_argument('--model', required=True, help='local model dir (hf) or model name')
    parser.add_argument('--base-url', default=os.environ.get('OPENAI_BASE_URL',
                                                             'https://api.openai.com/v1'))
    parser.add_argument('--api-key-env', default='OPENAI_API_KEY',
                        help='environment variable holding the API key')
    parser.add_argument('--generate-prompt', help='file with the step-1 template (fields: '
                        '{num_classes} {num_images} {classes} {num_candidates})')
    parser.add_argument('--select-prompt', help='file with the step-2 template (adds '
                        '{questions} {num_questions})')
    parser.add_argument('--max-new-tokens', type=int, default=2048)
    parser.add_argument('--trust-remote-code', action='store_true')
    return parser.parse_args()


def dataset_classes(config: str, split: str):
    """``(classes, number of images)`` of the dataset of ``cfg[split]``."""
    from mmengine.config import Config
    from mmengine.registry import DATASETS, init_default_scope
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = DATASETS.build(dict(cfg[split]['dataset'], pipeline=[]))
    return list(dataset.metainfo['classes']), len(dataset)


def main():
    args = parse_args()
    from mmkd.makd.question_generation import (GENERATE_PROMPT, SELECT_PROMPT, HFChatBackend,
                                               OpenAIChatBackend, generate_aspect_questions)
    if args.classes_file:
        with open(args.classes_file, encoding='utf-8') as f:
            classes = [line.strip() for line in f if line.strip()]
        num_images = args.num_images
        if num_images is None:
            sys.exit('--num-images (M) is needed with --classes-file')
    else:
        classes, size = dataset_classes(args.dataset_config, args.split)
        num_images = args.num_images or size
    templates = []
    for path, default in ((args.generate_prompt, GENERATE_PROMPT),
                          (args.select_prompt, SELECT_PROMPT)):
        templates.append(open(path, encoding='utf-8').read() if path else default)
    backend = (HFChatBackend(args.model, args.max_new_tokens,
                             trust_remote_code=args.trust_remote_code)
               if args.backend == 'hf' else
               OpenAIChatBackend(args.base_url, args.model, args.api_key_env))
    print(f'{len(classes)} classes, M={num_images}, N={args.num_candidates}, '
          f'Q={args.num_questions}; asking {backend.name}')
    result = generate_aspect_questions(backend, classes, num_images, args.num_candidates,
                                       args.num_questions, *templates)

    os.makedirs(args.out_dir, exist_ok=True)
    rejected = result.candidates.rejected + result.selected.rejected
    outputs = dict(candidates=result.candidates.questions, questions=result.selected.questions,
                   rejected=[f'{reason}\t{line}' for line, reason in rejected])
    for name, lines in outputs.items():
        path = osp.join(args.out_dir, f'{name}.txt')
        with open(path + '.tmp', 'w', encoding='utf-8') as f:
            f.writelines(line + '\n' for line in lines)
        os.replace(path + '.tmp', path)
    with open(osp.join(args.out_dir, 'generation.json'), 'w', encoding='utf-8') as f:
        json.dump(dict(backend=backend.name, classes=classes, num_images=num_images,
                       prompts=result.prompts, responses=result.responses), f, indent=2)
    for line, reason in rejected:
        print(f'rejected ({reason}): {line}')
    print(f'step 1: {len(result.candidates.questions)} usable questions of '
          f'N={args.num_candidates}; step 2: {len(result.selected.questions)} of '
          f'Q={args.num_questions}; written to {args.out_dir}')
    if len(result.selected.questions) < args.num_questions:
        step = 1 if len(result.prompts) == 1 else 2
        sys.exit(f'step {step} gave too few usable questions for Q={args.num_questions}; see '
                 f'{osp.join(args.out_dir, "rejected.txt")} and generation.json, then rerun '
                 '(or edit questions.txt by hand)')


if __name__ == '__main__':
    main()
