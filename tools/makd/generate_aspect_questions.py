"""Write MaKD's aspect questions for a dataset with an LLM: N candidates, then the best Q.

    # a local chat model
    python tools/makd/generate_aspect_questions.py work_dirs/makd_questions/pets \\
        --dataset-config configs/makd/makd_qwen2.5-vl-7b_resnet18_1xb16-240e_oxford-pets.py \\
        --backend hf --model checkpoints/Qwen2.5-7B-Instruct -N 100 -Q 50
    # an OpenAI-compatible endpoint (key from $OPENAI_API_KEY)
    python tools/makd/generate_aspect_questions.py OUT --classes-file classes.txt \\
        --num-images 3680 --backend openai --base-url https://api.openai.com/v1 --model gpt-4o \\
        -N 100 -Q 50

    # statement pairs for the contrastive backend of extract_aspect_logits.py, from a template
    # (no LLM) for a question list you already have
    python tools/makd/generate_aspect_questions.py OUT --questions-file questions.txt

Writes OUT/questions.txt (Q lines, the file extract_aspect_logits.py reads), OUT/candidates.txt
(step 1), OUT/rejected.txt (lines that were not usable yes/no questions, with the reason) and
OUT/generation.json (prompts and raw answers). Review questions.txt before extracting.
With --statements template|llm (default template) it also writes OUT/statements.tsv:
question, affirmative and negative statement, tab-separated (step 3: the LLM writes them, and
questions it skips are templated). Review it too.
"""
import argparse
import os
import os.path as osp
import sys

from mmkd.utils.io import atomic_write, atomic_write_json, read_json


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('out_dir')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--classes-file', help='class names, one a line')
    source.add_argument('--dataset-config', help='OpenMMLab config: classes of its dataset')
    source.add_argument('--questions-file', help='skip steps 1-2: only write the statement '
                        'pairs of these questions (one a line)')
    parser.add_argument('--statements', choices=['template', 'llm', 'none'], default='template',
                        help='statement pairs for the contrastive backend (statements.tsv)')
    parser.add_argument('--split', default='train_dataloader')
    parser.add_argument('--num-images', '-M', type=int,
                        help='M in the prompt (default: the size of the config\'s dataset)')
    parser.add_argument('--num-candidates', '-N', type=int, default=100)
    parser.add_argument('--num-questions', '-Q', type=int, default=50)
    parser.add_argument('--backend', choices=['hf', 'openai'])
    parser.add_argument('--model', help='local model dir (hf) or model name')
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
    args = parser.parse_args()
    needs_llm = not args.questions_file or args.statements == 'llm'
    if needs_llm and not (args.backend and args.model):
        parser.error('--backend and --model are needed (except with --questions-file and '
                     '--statements template)')
    if args.questions_file and args.statements == 'none':
        parser.error('--questions-file only writes statement pairs: use --statements '
                     'template|llm')
    return args


def dataset_classes(config: str, split: str):
    """``(classes, number of images)`` of the dataset of ``cfg[split]``."""
    from mmengine.config import Config
    from mmengine.registry import DATASETS, init_default_scope
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = DATASETS.build(dict(cfg[split]['dataset'], pipeline=[]))
    return list(dataset.metainfo['classes']), len(dataset)


def write_lines(path: str, lines) -> None:
    with atomic_write(path) as f:
        f.writelines(line + '\n' for line in lines)


def write_statement_pairs(args, backend, questions, classes) -> None:
    """Step 3: OUT/statements.tsv from the LLM (templated where it gave none) or a template."""
    from mmkd.makd.question_generation import (generate_statements, template_statements,
                                               write_statements)
    if args.statements == 'llm':
        result = generate_statements(backend, questions, classes)
        pairs = result.pairs
        for line, reason in result.rejected:
            print(f'statement line rejected ({reason}): {line}')
        if result.templated:
            print(f'{len(result.templated)} question(s) without an LLM statement pair were '
                  f'templated: {result.templated}')
        log_path = osp.join(args.out_dir, 'generation.json')
        log = (read_json(log_path, 'generation log') if osp.isfile(log_path) else
               dict(backend=backend.name, questions_file=args.questions_file))
        log.update(statement_prompt=result.prompt, statement_response=result.response)
        atomic_write_json(log_path, log, indent=2)
    else:
        pairs = [template_statements(q) for q in questions]
    path = osp.join(args.out_dir, 'statements.tsv')
    write_statements(path, pairs)
    print(f'{len(pairs)} statement pairs written to {path}; review them')


def main():
    args = parse_args()
    from mmkd.makd.question_generation import (GENERATE_PROMPT, SELECT_PROMPT, HFChatBackend,
                                               OpenAIChatBackend, generate_aspect_questions)
    backend = None
    if args.backend:
        backend = (HFChatBackend(args.model, args.max_new_tokens,
                                 trust_remote_code=args.trust_remote_code)
                   if args.backend == 'hf' else
                   OpenAIChatBackend(args.base_url, args.model, args.api_key_env))
    if args.questions_file:
        from mmkd.makd import read_questions
        os.makedirs(args.out_dir, exist_ok=True)
        write_statement_pairs(args, backend, read_questions(args.questions_file), [])
        return
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
    print(f'{len(classes)} classes, M={num_images}, N={args.num_candidates}, '
          f'Q={args.num_questions}; asking {backend.name}')
    result = generate_aspect_questions(backend, classes, num_images, args.num_candidates,
                                       args.num_questions, *templates)

    os.makedirs(args.out_dir, exist_ok=True)
    rejected = result.candidates.rejected + result.selected.rejected
    outputs = dict(candidates=result.candidates.questions, questions=result.selected.questions,
                   rejected=[f'{reason}\t{line}' for line, reason in rejected])
    for name, lines in outputs.items():
        write_lines(osp.join(args.out_dir, f'{name}.txt'), lines)
    atomic_write_json(osp.join(args.out_dir, 'generation.json'),
                      dict(backend=backend.name, classes=classes, num_images=num_images,
                           prompts=result.prompts, responses=result.responses), indent=2)
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
    if args.statements != 'none':
        write_statement_pairs(args, backend, result.selected.questions, classes)


if __name__ == '__main__':
    main()
