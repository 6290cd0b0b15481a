"""Fault table, MaKD extraction: a merge never silently drops images, a resume re-scores exactly
the lost ones, and shards made with other settings or a corrupt fingerprint are named.

Three real shards of a real extraction (tiny random-init LLaVA, 12 images) are damaged as a disk
error or a hand edit would damage them.
"""
import json
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from transformers import AutoModelForImageTextToText, AutoProcessor

from mmkd.makd import AspectScorer, extract_shard, folder_records, merge_shards

QUESTIONS = ['Is it red?', 'Are there stripes?', 'Can it be worn?']
SHARDS = 3


@pytest.fixture(scope='module')
def scorer(tiny_vlm):
    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm, local_files_only=True).eval()
    processor = AutoProcessor.from_pretrained(tiny_vlm, local_files_only=True)
    return AspectScorer(model, processor, QUESTIONS, batch_size=6)


def extract(scorer, images, work_dir, model_name, shard):
    return extract_shard(scorer, *folder_records(images), str(work_dir), model_name,
                         shard=(shard, SHARDS), image_batch=4, progress=False)


@pytest.fixture(scope='module')
def reference(scorer, tiny_vlm, twelve_images, tmp_path_factory):
    """Three finished shards, before any damage, and their merged targets."""
    work_dir = tmp_path_factory.mktemp('reference')
    for shard in range(SHARDS):
        extract(scorer, twelve_images, work_dir, tiny_vlm, shard)
    merge_shards(str(work_dir), SHARDS)
    with open(work_dir / 'multi-aspect-logits.json') as f:
        return work_dir, json.load(f)


@pytest.fixture
def shards(reference, tmp_path):
    work_dir = tmp_path / 'work'
    shutil.copytree(reference[0] / 'shards', work_dir / 'shards')
    return work_dir


def shard_file(work_dir, index, kind='jsonl'):
    return str(work_dir / 'shards' / f'shard-{index}-of-{SHARDS}.{kind}')


def test_a_damaged_line_makes_the_merge_refuse_naming_file_and_line(shards):
    path = shard_file(shards, 1)
    lines = open(path).read().splitlines(keepends=True)
    lines[1] = lines[1][:20] + '\x00garbage\n'
    open(path, 'w').write(''.join(lines))
    with pytest.raises(RuntimeError, match=rf'{path}:2: not a JSON line.*--shard 1/{SHARDS}'):
        merge_shards(str(shards), SHARDS)
    assert not osp.exists(shards / 'multi-aspect-logits.json')


def test_a_lost_line_is_found_by_the_done_count(shards):
    path = shard_file(shards, 2)
    lines = open(path).read().splitlines(keepends=True)
    open(path, 'w').write(''.join(lines[:-1]))  # a clean file, one image short
    with pytest.raises(RuntimeError, match=rf'{path} holds 3 images but its shard had 4'):
        merge_shards(str(shards), SHARDS)


def test_resume_rescores_exactly_the_lost_lines(shards, reference, scorer, tiny_vlm,
                                                twelve_images):
    path = shard_file(shards, 0)
    lines = open(path).read().splitlines(keepends=True)
    lost = json.loads(lines[2])['id']
    lines[2] = '{"id": "bag/ba\n'  # a damaged line in the middle of a finished shard
    open(path, 'w').write(''.join(lines))
    scored = []
    score = scorer.score
    try:
        scorer.score = lambda images: scored.append(len(images)) or score(images)
        with pytest.warns(UserWarning, match=rf'{path}:3: not a JSON line'):
            extract(scorer, twelve_images, shards, tiny_vlm, 0)
    finally:
        scorer.score = score
    assert scored == [1]  # one image scored again, no other
    assert json.loads(open(path).read().splitlines()[-1])['id'] == lost
    merge_shards(str(shards), SHARDS)
    with open(shards / 'multi-aspect-logits.json') as f:
        merged = json.load(f)
    expected = reference[1]
    assert list(merged) == list(expected) and len(merged) == 12
    np.testing.assert_allclose(np.array(list(merged.values())),
                               np.array(list(expected.values())), atol=1e-6)


def test_shards_with_other_questions_are_named(shards, tiny_vlm, twelve_images):
    model = AutoModelForImageTextToText.from_pretrained(tiny_vlm, local_files_only=True).eval()
    processor = AutoProcessor.from_pretrained(tiny_vlm, local_files_only=True)
    other = AspectScorer(model, processor, QUESTIONS[:2] + ['Is it blue?'], batch_size=6)
    for kind in ('jsonl', 'fingerprint.json', 'done'):
        os.remove(shard_file(shards, 2, kind))
    extract(other, twelve_images, shards, tiny_vlm, 2)
    fingerprint = shard_file(shards, 2, 'fingerprint.json')
    with pytest.raises(RuntimeError) as refused:
        merge_shards(str(shards), SHARDS)
    message = str(refused.value)
    assert f'shard 2 of {SHARDS} ({fingerprint}) was extracted with other settings' in message
    assert 'questions: 3 vs 3 entries, first difference at #2 ("Can it be worn?" vs "Is it ' \
           'blue?")' in message


def test_non_finite_answer_logits_are_refused_with_image_and_question(shards):
    path = shard_file(shards, 1)
    lines = open(path).read().splitlines(keepends=True)
    entry = json.loads(lines[0])
    entry['yes'][1] = float('nan')  # e.g. a float16 model that overflowed
    lines[0] = json.dumps(entry) + '\n'
    open(path, 'w').write(''.join(lines))
    with pytest.raises(RuntimeError, match=rf"non-finite yes/no logits for 1 images.*"
                                           rf"{entry['id']!r}: question #1"):
        merge_shards(str(shards), SHARDS)


def test_a_corrupt_fingerprint_is_named(shards, scorer, tiny_vlm, twelve_images):
    fingerprint = shard_file(shards, 1, 'fingerprint.json')
    open(fingerprint, 'w').write('{"model": "tiny", "questions": [')
    for action in (lambda: merge_shards(str(shards), SHARDS),
                   lambda: extract(scorer, twelve_images, shards, tiny_vlm, 1)):
        with pytest.raises(ValueError, match=rf"MaKD shard fingerprint '{fingerprint}' is not "
                                             'valid JSON'):
            action()
