"""Resumable, shardable extraction of MaKD aspect targets, and the merge of its shards.

Layout of a work directory::

    shards/shard-0-of-2.jsonl        one line per scored (or unreadable) image, appended + fsynced
    shards/shard-0-of-2.fingerprint.json   model, questions and prompt the shard was started with
    shards/shard-0-of-2.done         written when the shard has seen all its images
    multi-aspect-logits.json         {json key: [Q yes-probabilities]}  (after the merge)
    multi-aspect-logits.meta.json    model, answer token ids, questions, prompt, sanity statistics
    teacher_store/                   the same targets as an mmkd teacher store, by sample id
    summary.md, summary.csv, summary_heatmap.png

A killed run restarts where it stopped: finished lines are kept, a half-written last line is cut
off, and ids already present are never scored twice. A shard refuses to resume with another
model, question list or prompt than it started with.
"""
import json
import os
import os.path as osp
import shutil
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from tqdm import tqdm

from mmkd.datasets.teacher_store import TeacherStoreWriter

from .aspect_scorer import AspectScorer
from .contrastive_scorer import ContrastiveAspectScorer
from .image_sources import ImageRecord
from .summary import write_summary

LOGITS_FILE = 'multi-aspect-logits.json'
META_FILE = 'multi-aspect-logits.meta.json'
STORE_DIR = 'teacher_store'
#: The MLLM scorer or the image-text embedding one (same interface).
Scorer = Union[AspectScorer, ContrastiveAspectScorer]
#: What identifies the MLLM teacher in the store's fingerprint.
STORE_TEACHER_KEYS = ('model', 'questions', 'prompt_suffix', 'system_prompt', 'answer_tokens')


def read_questions(path: str, num_questions: Optional[int] = None) -> List[str]:
    """One question a line; blank lines are dropped (the original counted them as questions)."""
    with open(path, encoding='utf-8') as f:
        questions = [line.strip() for line in f if line.strip()]
    duplicates = [q for q, n in Counter(questions).items() if n > 1]
    if duplicates:
        raise ValueError(f'{path}: repeated questions {duplicates[:3]}')
    if num_questions is not None and len(questions) != num_questions:
        raise ValueError(f'{path} has {len(questions)} questions, expected {num_questions}')
    if not questions:
        raise ValueError(f'{path} has no questions')
    return questions


def parse_shard(text: str) -> Tuple[int, int]:
    """``'i/n'`` → ``(i, n)`` with ``0 <= i < n``."""
    try:
        index, count = (int(v) for v in text.split('/'))
    except ValueError:
        raise ValueError(f'--shard takes i/n (e.g. 0/4), got {text!r}') from None
    if not 0 <= index < count:
        raise ValueError(f'--shard {text}: need 0 <= i < n')
    return index, count


def atomic_write_text(path: str, text: str) -> None:
    with open(path + '.tmp', 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(path + '.tmp', path)


def _shard_paths(work_dir: str, index: int, count: int) -> Dict[str, str]:
    stem = osp.join(work_dir, 'shards', f'shard-{index}-of-{count}')
    return dict(lines=stem + '.jsonl', fingerprint=stem + '.fingerprint.json', done=stem + '.done')


def _read_lines(path: str, repair: bool = False) -> List[dict]:
    """Complete json lines of ``path``; with ``repair`` a torn last line is cut off the file."""
    if not osp.exists(path):
        return []
    entries, good_end = [], 0
    with open(path, 'rb') as f:
        data = f.read()
    for line in data.split(b'\n')[:-1]:  # the part after the last newline is never complete
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            break
        good_end += len(line) + 1
    if repair and good_end != len(data):
        with open(path, 'r+b') as f:
            f.truncate(good_end)
    return entries


def fingerprint(scorer: Scorer, model_name: str, data_root: str) -> dict:
    """What makes two extractions comparable: model, questions, prompt, answer tokens, images."""
    return dict(model=model_name, data_root=data_root, **scorer.describe())


def extract_shard(scorer: Scorer, records: Sequence[ImageRecord], data_root: str,
                  work_dir: str, model_name: str, shard: Tuple[int, int] = (0, 1),
                  image_batch: int = 8, progress: bool = True) -> str:
    """Score shard ``i`` of ``n`` of ``records`` (every n-th image, from the i-th); resumable.

    ``data_root`` is the folder the record ids are relative to (kept for the store's readers).

    Returns the path of the shard's jsonl. An image that fails to load is written as an error line
    (reported by the merge) and the run goes on.
    """
    index, count = shard
    paths = _shard_paths(work_dir, index, count)
    os.makedirs(osp.dirname(paths['lines']), exist_ok=True)
    print_ = fingerprint(scorer, model_name, data_root)
    if osp.exists(paths['fingerprint']):
        with open(paths['fingerprint']) as f:
            previous = json.load(f)
        if previous != print_:
            changed = [k for k in print_ if previous.get(k) != print_[k]]
            raise RuntimeError(f'{paths["lines"]} was started with another {changed}; '
                               'use a new work directory or restore the original settings')
    else:
        atomic_write_text(paths['fingerprint'], json.dumps(print_, indent=2))
    mine = list(records)[index::count]
    done = {entry['id'] for entry in _read_lines(paths['lines'], repair=True)}
    todo = [r for r in mine if r.sample_id not in done]
    bar = tqdm(total=len(mine), initial=len(mine) - len(todo), disable=not progress,
               desc=f'aspect logits shard {index}/{count}', unit='img')
    with open(paths['lines'], 'a', encoding='utf-8') as out:
        for start in range(0, len(todo), image_batch):
            batch, images, lines = todo[start:start + image_batch], [], []
            for record in batch:
                try:
                    images.append((record, record.load()))
                except Exception as error:  # any unreadable file: report it, keep going
                    lines.append(dict(id=record.sample_id, key=record.key, label=record.label,
                                      error=f'{type(error).__name__}: {error}'))
            if images:
                scores = scorer.score([image for _, image in images])
                for row, (record, _) in enumerate(images):
                    lines.append(dict(
                        id=record.sample_id, key=record.key, label=record.label,
                        yes=scores.yes_logits[row].tolist(), no=scores.no_logits[row].tolist(),
                        mass=scores.answer_mass[row].tolist(),
                        top=scorer.top_answers(scores.top_token[row])))
            out.write(''.join(json.dumps(line) + '\n' for line in lines))
            out.flush()
            os.fsync(out.fileno())
            bar.update(len(batch))
    bar.close()
    atomic_write_text(paths['done'], str(len(mine)))
    return paths['lines']


def _write_store(path: str, ids: List[str], records: Dict[str, np.ndarray], fingerprint: dict,
                 info: dict) -> None:
    """Write a complete teacher store in one chunk, built beside ``path`` and renamed over it.

    MaKD's answers are about the whole image, whatever view a student sees (the paper keeps them
    fixed under RandomResizedCrop), so the store is written with ``view='any'``.
    """
    tmp = path + '.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    with TeacherStoreWriter(tmp, len(ids), fingerprint, info=info) as writer:
        writer.write(ids, records)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)


def merge_shards(work_dir: str, num_shards: int) -> Dict[str, str]:
    """Join finished shards into the json, its metadata, the teacher store and the summary."""
    missing = [i for i in range(num_shards)
               if not osp.exists(_shard_paths(work_dir, i, num_shards)['done'])]
    if missing:
        raise RuntimeError(f'shards {missing} of {num_shards} in {work_dir} are not finished; '
                           'run them (--shard i/n) before merging')
    prints, entries = [], []
    for i in range(num_shards):
        paths = _shard_paths(work_dir, i, num_shards)
        with open(paths['fingerprint']) as f:
            prints.append(json.load(f))
        entries += _read_lines(paths['lines'])
    if any(p != prints[0] for p in prints):
        raise RuntimeError(f'the shards in {work_dir} were extracted with different settings')
    info = prints[0]
    failed = [e for e in entries if 'error' in e]
    scored = sorted((e for e in entries if 'error' not in e), key=lambda e: e['id'])
    ids = [e['id'] for e in scored]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    if duplicates:
        raise RuntimeError(f'ids scored twice in {work_dir}: {duplicates[:5]}')
    if not scored:
        raise RuntimeError(f'no image of {work_dir} could be scored; failures: {failed[:5]}')
    yes = np.array([e['yes'] for e in scored], dtype=np.float32)
    no = np.array([e['no'] for e in scored], dtype=np.float32)
    probs = 1.0 / (1.0 + np.exp(no - yes))
    mass = np.array([e['mass'] for e in scored], dtype=np.float32)
    top = Counter(t for e in scored for t in e['top'])

    outputs = {name: osp.join(work_dir, name) for name in (LOGITS_FILE, META_FILE, STORE_DIR)}
    atomic_write_text(outputs[LOGITS_FILE], json.dumps(
        {e['key']: [float(p) for p in row] for e, row in zip(scored, probs)}))
    meta = dict(info, num_images=len(scored), num_questions=len(info['questions']),
                target=info.get('target', 'softmax([logit_yes, logit_no])[0] at the first '
                                'answer token, yes/no logits log-sum-exp pooled over the listed '
                                'spellings'),
                keys={e['key']: e['id'] for e in scored},
                failed_images={e['id']: e['error'] for e in failed},
                mean_answer_mass=float(mass.mean()),
                most_common_first_tokens=dict(top.most_common(10)))
    atomic_write_text(outputs[META_FILE], json.dumps(meta, indent=2))
    _write_store(outputs[STORE_DIR], ids, dict(aspect_probs=probs.astype(np.float32),
                                               yes_no_logits=np.stack([yes, no], axis=-1)),
                 fingerprint=dict(teacher=dict({k: info[k] for k in STORE_TEACHER_KEYS},
                                               type='MaKD aspect answers'),
                                  view='any'),
                 info=dict(data_root=info['data_root']))
    outputs.update(write_summary(work_dir, probs, [e['label'] for e in scored],
                                 info['questions']))
    return outputs
