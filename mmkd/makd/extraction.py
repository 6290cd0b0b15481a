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
off, and ids already present are never scored twice. A line damaged in the middle of a shard (a
disk error, an edit) is reported with its file and line number and dropped, and exactly the images
that are then missing are scored again. A shard refuses to resume with another model, question list
or prompt than it started with. The merge refuses a shard with a damaged line, a shard whose number
of images differs from the count its ``.done`` file recorded, and shards made with different
settings — naming the shard file, the line or the setting.
"""
import json
import os
import os.path as osp
import shutil
import warnings
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from tqdm import tqdm

from mmkd.store import TeacherStoreWriter
from mmkd.utils.io import atomic_write, read_json

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
    with atomic_write(path) as f:
        f.write(text)


def _shard_paths(work_dir: str, index: int, count: int) -> Dict[str, str]:
    stem = osp.join(work_dir, 'shards', f'shard-{index}-of-{count}')
    return dict(lines=stem + '.jsonl', fingerprint=stem + '.fingerprint.json', done=stem + '.done')


def _read_shard(path: str) -> Tuple[List[dict], List[str], bool]:
    """``(entries, damaged, torn)`` of a shard's jsonl.

    ``damaged`` names each complete line (``path:line``) that is not a JSON object with an ``id``;
    ``torn`` is true when the file does not end with a newline (a write cut off by a kill).
    """
    if not osp.exists(path):
        return [], [], False
    with open(path, 'rb') as f:
        data = f.read()
    lines = data.split(b'\n')
    entries, damaged = [], []
    for number, line in enumerate(lines[:-1], start=1):  # after the last newline: never complete
        try:
            entry = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            damaged.append(f'{path}:{number}: not a JSON line ({error})')
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get('id'), str):
            damaged.append(f'{path}:{number}: not an image entry with an "id"')
            continue
        entries.append(entry)
    return entries, damaged, lines[-1] != b''


def _repair_shard(path: str, done_path: str) -> List[dict]:
    """The entries of a shard being resumed; damaged lines and a torn tail are dropped from the file
    (so that exactly those images are scored again), with a warning naming them."""
    entries, damaged, torn = _read_shard(path)
    seen, unique = set(), []
    for entry in entries:
        if entry['id'] not in seen:
            seen.add(entry['id'])
            unique.append(entry)
    if damaged or torn or len(unique) != len(entries):
        if damaged:
            warnings.warn(f'{len(damaged)} damaged lines dropped, their images are scored again: '
                          + '; '.join(damaged[:5]))
        with atomic_write(path) as f:
            f.write(''.join(json.dumps(entry) + '\n' for entry in unique))
        if osp.exists(done_path):
            os.remove(done_path)
    return unique


def _check_fingerprint(path: str, expected: dict, shard: str) -> None:
    """Refuse to resume ``shard`` with other settings than it was started with, naming them."""
    previous = read_json(path, 'MaKD shard fingerprint')
    changed = [k for k in expected if previous.get(k) != expected[k]]
    if changed:
        raise RuntimeError(f'{shard} was started with other settings ({path}): '
                           f'{_differences(previous, expected, changed)}; use a new work directory '
                           'or restore the original settings')


def _differences(was: dict, now: dict, keys: List[str], prefix: str = '') -> str:
    def short(value) -> str:
        text = json.dumps(value)
        return text if len(text) <= 80 else text[:77] + '...'

    parts = []
    for key in keys:
        a, b = was.get(key), now.get(key)
        if isinstance(a, dict) and isinstance(b, dict):  # name the changed entries inside
            inner = [k for k in dict(a, **b) if a.get(k) != b.get(k)]
            parts.append(_differences(a, b, inner, f'{prefix}{key}.'))
        elif isinstance(a, list) and isinstance(b, list):
            index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            parts.append(f'{prefix}{key}: {len(a)} vs {len(b)} entries, first difference at '
                         f'#{index} ({short(a[index] if index < len(a) else None)} vs '
                         f'{short(b[index] if index < len(b) else None)})')
        else:
            parts.append(f'{prefix}{key}: {short(a)} vs {short(b)}')
    return '; '.join(parts)


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
        _check_fingerprint(paths['fingerprint'], print_, paths['lines'])
    else:
        atomic_write_text(paths['fingerprint'], json.dumps(print_, indent=2))
    mine = list(records)[index::count]
    done = {entry['id'] for entry in _repair_shard(paths['lines'], paths['done'])}
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


def _finished_shard_entries(paths: Dict[str, str], rerun: str) -> List[dict]:
    """The entries of a finished shard, all of them: a damaged line or a count that differs from
    its ``.done`` file is an error (a merge must not silently drop images)."""
    entries, damaged, torn = _read_shard(paths['lines'])
    if torn:
        damaged.append(f'{paths["lines"]}:{len(entries) + len(damaged) + 1}: a line cut off '
                       'mid-write')
    if damaged:
        raise RuntimeError(f'{len(damaged)} damaged lines in a finished shard: '
                           f'{"; ".join(damaged[:5])}. Rerun that shard (the same command with '
                           f'{rerun}): it scores exactly the lost images again; then merge.')
    with open(paths['done'], encoding='utf-8') as f:
        text = f.read().strip()
    if not text.isdigit():
        raise RuntimeError(f'{paths["done"]}: expected the shard\'s image count, got {text!r}; '
                           f'rerun the shard ({rerun})')
    ids = {entry['id'] for entry in entries}
    if len(ids) != int(text):
        raise RuntimeError(f'{paths["lines"]} holds {len(ids)} images but its shard had '
                           f'{int(text)} ({paths["done"]}); rerun the shard ({rerun}) to score '
                           'the missing ones, then merge.')
    return entries


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
        prints.append(read_json(paths['fingerprint'], 'MaKD shard fingerprint'))
        entries += _finished_shard_entries(paths, f'--shard {i}/{num_shards}')
    for i, print_ in enumerate(prints[1:], start=1):
        changed = sorted(k for k in set(prints[0]) | set(print_)
                         if prints[0].get(k) != print_.get(k))
        if changed:
            path = _shard_paths(work_dir, i, num_shards)['fingerprint']
            raise RuntimeError(
                f'shard {i} of {num_shards} ({path}) was extracted with other settings than '
                'shard 0: '
                f'{_differences(prints[0], print_, changed)}. Re-extract it with the settings of '
                'the others (or all of them in a new work directory)')
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
    bad = np.argwhere(~np.isfinite(yes) | ~np.isfinite(no))
    if len(bad):
        where = ', '.join(f'{scored[row]["id"]!r}: question #{q}' for row, q in bad[:5])
        raise RuntimeError(f'non-finite yes/no logits for {len(set(bad[:, 0]))} images in '
                           f'{work_dir} ({where}): the model overflowed; extract again with '
                           '--dtype float32 or bfloat16 (delete those shards first)')
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
