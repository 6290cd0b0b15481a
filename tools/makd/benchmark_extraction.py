"""Time aspect-logit extraction: mmkd's prefix-reuse batching vs one `generate` per question.

    python tools/makd/benchmark_extraction.py [--model DIR] [--num-images 8] [--num-questions 16]

Without --model a tiny random-init LLaVA (CLIP vision tower at --image-size px, 8 px patches, so
(size/8)^2 image tokens) is built in a temporary folder. Three ways of getting the same numbers:

* generate: what the original MaKD code does — one `model.generate` per (image, question), reading
  the first step's logits (here with max_new_tokens=1, the cheapest the original could be; it ran
  up to 1024 new tokens);
* naive forward: one forward pass per (image, question) over the full prompt;
* mmkd: image + shared prompt prefix encoded once per image (images batched), the Q question
  suffixes scored in batches on its KV cache (AspectScorer.score).
All three must agree; the script checks it and prints the speed-ups.

With --contrastive-config (a config with an image-text teacher, see extract_aspect_logits.py
--backend contrastive) the contrastive backend scores the same images and questions (templated
statement pairs) in the same run, and its images/s are printed beside the MLLM path's.
"""
import argparse
import tempfile
import time

import numpy as np
import torch
from PIL import Image


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', help='local image-text-to-text model (default: tiny LLaVA)')
    parser.add_argument('--image-size', type=int, default=112)
    parser.add_argument('--num-images', type=int, default=8)
    parser.add_argument('--num-questions', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--contrastive-config', help='also time the contrastive backend with '
                        'this config\'s image-text teacher')
    parser.add_argument('--contrastive-teacher', help='name in its model.teachers')
    parser.add_argument('--temperature', type=float,
                        help='contrastive: the teacher\'s temperature (default: its logit_scale)')
    return parser.parse_args()


def time_contrastive(args, images, questions, mllm_seconds: float) -> None:
    """images/s of the contrastive backend against the MLLM path on the same images."""
    from mmkd.makd import ContrastiveAspectScorer, build_image_text_teacher, template_statements
    teacher = build_image_text_teacher(args.contrastive_config, args.contrastive_teacher)
    pairs = [template_statements(q.replace('Is ', 'Is it ', 1)) for q in questions]
    scorer = ContrastiveAspectScorer(
        teacher, pairs, logit_scale=None if args.temperature is None else 1 / args.temperature,
        device=args.device)
    scorer.score(images[:1])  # warm-up
    _, seconds = timed(lambda: scorer.score(images))
    print(f'\ncontrastive backend ({type(teacher).__name__} of {args.contrastive_config}): '
          f'{seconds:.2f} s, {len(images) / seconds:.1f} images/s; mmkd MLLM path: '
          f'{len(images) / mllm_seconds:.2f} images/s; ratio {mllm_seconds / seconds:.0f}x '
          f'({len(questions)} questions)')


def timed(fn):
    start = time.perf_counter()
    result = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return result, time.perf_counter() - start


def main():
    args = parse_args()
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from mmkd.makd import AspectScorer, AspectScores
    from mmkd.testing import build_tiny_llava
    from mmkd.testing.tiny_models import CORPUS
    from mmkd.utils.checkpoint import check_hf_folder
    path = check_hf_folder(args.model, '--model') if args.model else build_tiny_llava(
        tempfile.mkdtemp(), image_size=args.image_size)
    processor = AutoProcessor.from_pretrained(path, local_files_only=True)
    model = AutoModelForImageTextToText.from_pretrained(path, local_files_only=True).to(
        args.device).eval()
    words = ' '.join(CORPUS).replace('?', ' ').split()
    questions = [f'Is {words[i % len(words)]} {words[(7 * i + 3) % len(words)]} visible?'
                 for i in range(args.num_questions)]
    rng = np.random.RandomState(0)
    images = [Image.fromarray(rng.randint(0, 255, (args.image_size, args.image_size, 3),
                                          dtype=np.uint8)) for _ in range(args.num_images)]
    scorer = AspectScorer(model, processor, questions, batch_size=args.batch_size)

    def generate_per_question():
        logits = []
        for image in images:
            for prompt in scorer.prompts:
                inputs = scorer.model_inputs(processor(text=prompt, images=image,
                                                        return_tensors='pt'))
                out = model.generate(**inputs, max_new_tokens=1, do_sample=False,
                                     output_logits=True, return_dict_in_generate=True)
                logits.append(out.logits[0][0].float())
        return scorer.reduce_logits(torch.stack(logits).view(len(images), len(questions), -1))

    def naive():
        return AspectScores.cat([scorer.score_naive(image) for image in images])

    scorer.score(images[:1])  # warm-up
    runs = {}
    with torch.no_grad():
        for name, fn in (('generate, 1 call per question (original)', generate_per_question),
                         ('naive forward, 1 call per question', naive),
                         ('mmkd: prefix KV reuse + batching', lambda: scorer.score(images))):
            runs[name] = timed(fn)
    reference = runs['mmkd: prefix KV reuse + batching'][0].probs
    pairs = args.num_images * args.num_questions
    base = runs['generate, 1 call per question (original)'][1]
    prefix_len = scorer.encode(images[0])['input_ids'].shape[1]
    suffix_lens = [len(s) for s in scorer.suffix_ids]
    print(f'model: {path if args.model else f"tiny random-init LLaVA, {args.image_size} px"}; '
          f'device: {args.device}; {args.num_images} images x {args.num_questions} questions; '
          f'shared prefix {prefix_len} tokens, question suffixes {min(suffix_lens)}-'
          f'{max(suffix_lens)} tokens\n')
    print('| method | seconds | ms / (image, question) | speed-up vs generate | '
          'max abs diff of p(yes) |')
    print('|---|---|---|---|---|')
    for name, (scores, seconds) in runs.items():
        diff = (scores.probs - reference).abs().max().item()
        print(f'| {name} | {seconds:.2f} | {1000 * seconds / pairs:.1f} | {base / seconds:.1f}x | '
              f'{diff:.1e} |')
    if args.contrastive_config:
        time_contrastive(args, images, questions, runs['mmkd: prefix KV reuse + batching'][1])


if __name__ == '__main__':
    main()
