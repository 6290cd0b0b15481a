"""tools/makd/extract_aspect_logits.py end to end: killed, resumed, merged; shards; outputs."""
import json
import os
import os.path as osp
import runpy
import signal
import subprocess
import sys
import time
from unittest import mock

import numpy as np
import pytest
from makd_helpers import QUESTIONS, load_vlm
from mmkd_test_helpers import REPO

from mmkd.store import TeacherStore
from mmkd.makd import (AspectScorer, extract_shard, folder_records, merge_shards,
                       read_questions)

TOOL = osp.join(REPO, 'tools', 'makd', 'extract_aspect_logits.py')


@pytest.fixture(scope='module')
def reference(tiny_llava, image_folder, tmp_path_factory):
    """An uninterrupted in-process extraction, in two shards merged."""
    model, processor = load_vlm(tiny_llava)
    scorer = AspectScorer(model, processor, QUESTIONS, batch_size=7)
    records, root = folder_records(image_folder)
    work_dir = str(tmp_path_factory.mktemp('reference'))
    for index in range(2):
        extract_shard(scorer, records, root, work_dir, tiny_llava, shard=(index, 2), image_batch=5,
                      progress=False)
    merge_shards(work_dir, 2)
    return work_dir


@pytest.fixture(scope='module')
def resumed(tiny_llava, image_folder, questions_file, tmp_path_factory):
    """The tool killed mid-run (SIGKILL, then a torn line appended), then run again to the end.

    The first run is a real process killed with SIGKILL; the rerun executes the tool's script in
    this process (saving a second interpreter start-up).
    """
    work_dir = str(tmp_path_factory.mktemp('resumed'))
    args = [TOOL, tiny_llava, questions_file, work_dir, '--images', image_folder,
            '--image-batch', '1', '--batch-size', '5', '--num-questions', str(len(QUESTIONS))]
    lines = osp.join(work_dir, 'shards', 'shard-0-of-1.jsonl')
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if osp.exists(lines) and open(lines).read().count('\n') >= 3:
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed_at = open(lines).read().count('\n')
    assert 3 <= killed_at < 37 and not osp.exists(lines[:-len('.jsonl')] + '.done')
    with open(lines, 'a') as f:
        f.write('{"id": "bag/bag_9.bmp", "ye')  # a line torn by the kill
    with mock.patch.object(sys, 'argv', args):  # the same command again, in this process
        runpy.run_path(TOOL, run_name='__main__')
    return work_dir, killed_at


def test_kill_and_resume_gives_the_uninterrupted_result(resumed, reference):
    work_dir, _ = resumed
    with open(osp.join(work_dir, 'multi-aspect-logits.json')) as f:
        got = json.load(f)
    with open(osp.join(reference, 'multi-aspect-logits.json')) as f:
        expected = json.load(f)
    assert list(got) == list(expected)  # same images, same order, nothing duplicated
    np.testing.assert_allclose(np.array(list(got.values())), np.array(list(expected.values())),
                               atol=1e-6)
    lines = open(osp.join(work_dir, 'shards', 'shard-0-of-1.jsonl')).read().splitlines()
    assert len(lines) == 37  # 36 images + 1 unreadable, each once


def test_json_has_every_image_and_question(resumed, image_folder):
    work_dir, _ = resumed
    with open(osp.join(work_dir, 'multi-aspect-logits.json')) as f:
        targets = json.load(f)
    stems = {r.key for r in folder_records(image_folder)[0]} - {'shirt_broken'}
    assert set(targets) == stems and len(stems) == 36
    values = np.array(list(targets.values()))
    assert values.shape == (36, len(QUESTIONS))
    assert ((values > 0) & (values < 1)).all()


def test_metadata_store_and_summary(resumed, questions_file, tiny_llava):
    work_dir, _ = resumed
    with open(osp.join(work_dir, 'multi-aspect-logits.meta.json')) as f:
        meta = json.load(f)
    assert meta['questions'] == read_questions(questions_file)
    assert meta['model'] == tiny_llava
    assert set(meta['answer_tokens']['yes']) >= {'Yes', ' Yes'}
    assert 'The answer must always be either Yes or No' in meta['example_prompt']
    assert list(meta['failed_images']) == ['shirt/shirt_broken.png']
    assert 0 < meta['mean_answer_mass'] < 1

    store = TeacherStore(osp.join(work_dir, 'teacher_store'))
    assert store.ids == sorted(meta['keys'].values()) and 'shirt/shirt_broken.png' not in store
    probs = store.get('aspect_probs', ['bag/bag_0.png', 'sneaker/sneaker_11.bmp'])
    logits = store.get('yes_no_logits', ['bag/bag_0.png', 'sneaker/sneaker_11.bmp'])
    softmax = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(probs, softmax[..., 0], atol=1e-6)
    with open(osp.join(work_dir, 'multi-aspect-logits.json')) as f:
        targets = json.load(f)
    np.testing.assert_allclose(probs[0], targets['bag_0'], atol=1e-7)

    assert osp.getsize(osp.join(work_dir, 'summary_heatmap.png')) > 1000
    summary = open(osp.join(work_dir, 'summary.md')).read()
    assert all(q in summary for q in QUESTIONS)
    csv_rows = open(osp.join(work_dir, 'summary.csv')).read().splitlines()
    assert len(csv_rows) == 1 + 3 * len(QUESTIONS)  # header + class x question


def test_resume_with_other_questions_is_refused(resumed, tiny_llava, image_folder, tmp_path):
    work_dir, _ = resumed
    model, processor = load_vlm(tiny_llava)
    scorer = AspectScorer(model, processor, QUESTIONS[:2])
    with pytest.raises(RuntimeError, match='questions'):
        extract_shard(scorer, *folder_records(image_folder), work_dir, tiny_llava, progress=False)
    with pytest.raises(RuntimeError, match=r'shards \[1\] of 2'):
        extract_shard(scorer, *folder_records(image_folder), str(tmp_path), tiny_llava,
                      shard=(0, 2), progress=False)
        merge_shards(str(tmp_path), 2)
