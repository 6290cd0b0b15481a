"""The contrastive aspect backend: statement pairs, p(yes) from an image-text teacher, the tool."""
import json
import os.path as osp
import runpy
import sys
from unittest import mock

import numpy as np
import open_clip
import pytest
import torch
import torch.nn.functional as F
from mmkd_test_helpers import REPO

from mmkd.makd import (ContrastiveAspectScorer, StatementPair, folder_records, read_statements,
                       template_statements)
from mmkd.makd.question_generation import parse_statements
from mmkd.models.teachers import OpenCLIPTeacher

TOOL = osp.join(REPO, 'tools', 'makd', 'extract_aspect_logits.py')
TINY = dict(embed_dim=32, vision_cfg=dict(image_size=32, layers=1, width=32, head_width=16,
                                          patch_size=16),
            text_cfg=dict(context_length=16, vocab_size=49408, width=32, heads=2, layers=1))
PAIRS = [StatementPair('Is it red?', 'A red object.', 'An object that is not red.'),
         StatementPair('Does it have wheels?', 'It has wheels.', 'It does not have wheels.'),
         StatementPair('Is it green?', 'A green object.', 'A grey object.')]


@pytest.mark.parametrize('question, affirmative, negative', [
    ('Is the item worn on the feet?', 'The item is worn on the feet.',
     'The item is not worn on the feet.'),
    ('Does the item cover the ankle?', 'The item covers the ankle.',
     'The item does not cover the ankle.'),
    ('Does it have a strap?', 'It has a strap.', 'It does not have a strap.'),
    ('Do they fly?', 'They fly.', 'They do not fly.'),
    ('Can this bird swim?', 'This bird can swim.', 'This bird cannot swim.'),
])
def test_template_statements(question, affirmative, negative):
    assert template_statements(question) == StatementPair(question, affirmative, negative)


def test_statement_files_and_llm_answers_are_checked(tmp_path):
    with pytest.raises(ValueError, match='cannot find the subject'):
        template_statements('Is red the main colour?')
    path = tmp_path / 'statements.tsv'
    path.write_text('Is it red?\tA red object.\tNot red.\nIs it big?\tA big object.\n')
    with pytest.raises(ValueError, match=r'statements.tsv:2: expected question<TAB>'):
        read_statements(str(path))
    path.write_text('Is it red?\n\nDoes it have wheels?\n')  # a plain question list: templated
    assert [p.negative for p in read_statements(str(path), 2)] == [
        'It is not red.', 'It does not have wheels.']
    found, rejected = parse_statements(
        '1. Is it red? | A red car. | A blue car.\n- **Is it big?** | Big. | Small.\n'
        'Is it red? | again | again\nIs it fast? | yes', ['Is it red?', 'Is it big?'])
    assert found['Is it big?'] == StatementPair('Is it big?', 'Big.', 'Small.')
    assert [reason for _, reason in rejected] == ['duplicate',
                                                  'not "question | affirmative | negative"']


@pytest.fixture(scope='module')
def teacher():
    torch.manual_seed(0)
    return OpenCLIPTeacher('ViT-B-32', model_overrides=TINY, allow_random_init=True)


def model_logit_scale(teacher) -> float:
    return teacher.text_encoder.model.logit_scale.exp().item()


def reference_probs(teacher, images, pairs, logit_scale):
    """p(yes) computed with open_clip's own encoders and preprocessing constants, each whole image
    resized the way the teacher declares."""
    model = teacher.text_encoder.model  # open_clip's CLIP model (its visual tower: teacher.visual)
    mean = torch.tensor(open_clip.OPENAI_DATASET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(open_clip.OPENAI_DATASET_STD).view(1, 3, 1, 1)
    tokenizer = open_clip.get_tokenizer('ViT-B-32', context_length=16)
    view = teacher.input_convention
    probs = []
    with torch.no_grad():
        for image in images:
            pixels = torch.from_numpy(np.asarray(image, dtype=np.float32)).permute(2, 0, 1)[None]
            pixels = F.interpolate(pixels, size=(32, 32), mode=view.resize,
                                   antialias=view.antialias, align_corners=False)
            v = F.normalize(teacher.visual((pixels / 255 - mean) / std), dim=-1)[0]
            row = []
            for pair in pairs:
                t = F.normalize(model.encode_text(tokenizer([pair.affirmative, pair.negative])),
                                dim=-1)
                row.append(torch.softmax(logit_scale * (t @ v), dim=0)[0].item())
            probs.append(row)
    return np.array(probs)


def test_p_yes_is_the_softmax_of_scaled_similarities(teacher, image_folder):
    records = [r for r in folder_records(image_folder)[0] if 'broken' not in r.key][:6]
    images = [r.load() for r in records]  # RGB, mixed sizes
    # by default the teacher's own scale (open_clip's learned logit_scale.exp())
    assert ContrastiveAspectScorer(teacher, PAIRS).logit_scale == pytest.approx(
        model_logit_scale(teacher))
    with pytest.raises(ValueError, match='finite and > 0'):
        ContrastiveAspectScorer(teacher, PAIRS, logit_scale=float('nan'))
    scorer = ContrastiveAspectScorer(teacher, PAIRS, logit_scale=50.0)
    scores = scorer.score(images)
    expected = reference_probs(teacher, images, PAIRS, 50.0)
    np.testing.assert_allclose(scores.probs.numpy(), expected, atol=1e-5)
    assert 0.05 < expected.std()  # the images get different answers: the check can fail
    assert scorer.top_answers(scores.top_token[0]) == [
        'affirmative' if p > 0.5 else 'negative' for p in expected[0]]
    assert scorer.describe()['answer_tokens']['statements'][2] == ['A green object.',
                                                                   'A grey object.']


def run_tool(*args):
    with mock.patch.object(sys, 'argv', [TOOL, *args]):
        runpy.run_path(TOOL, run_name='__main__')


def test_tool_shards_merges_and_resumes(teacher, image_folder, tmp_path):
    config = tmp_path / 'teacher.py'
    config.write_text(f"model = dict(teachers=dict(clip=dict(type='OpenCLIPTeacher', "
                      f"arch='ViT-B-32', model_overrides={TINY!r}, allow_random_init=True)))\n")
    statements = tmp_path / 'statements.tsv'
    statements.write_text(''.join(f'{p.question}\t{p.affirmative}\t{p.negative}\n'
                                  for p in PAIRS))
    work_dir = str(tmp_path / 'out')
    common = [str(config), str(statements), work_dir, '--backend', 'contrastive',
              '--images', image_folder, '--temperature', '0.02', '--no-progress']
    torch.manual_seed(0)  # the tool builds the same random-init teacher as the fixture
    run_tool(*common, '--shard', '0/2')
    torch.manual_seed(0)
    run_tool(*common, '--shard', '1/2')
    run_tool('--merge', '2', work_dir)
    with open(osp.join(work_dir, 'multi-aspect-logits.json')) as f:
        got = json.load(f)
    meta = json.load(open(osp.join(work_dir, 'multi-aspect-logits.meta.json')))
    records = [r for r in folder_records(image_folder)[0] if 'broken' not in r.key]
    assert sorted(got) == sorted(r.key for r in records)
    assert list(meta['failed_images']) == ['shirt/shirt_broken.png']
    assert 'contrastive backend, not an MLLM' in meta['target']
    expected = reference_probs(teacher, [r.load() for r in records], PAIRS, 50.0)
    np.testing.assert_allclose([got[r.key] for r in records], expected, atol=1e-5)
    for name in ('teacher_store', 'summary.md', 'summary_heatmap.png'):
        assert osp.exists(osp.join(work_dir, name))
    # a rerun resumes (nothing scored twice); another temperature is refused
    lines = osp.join(work_dir, 'shards', 'shard-0-of-2.jsonl')
    before = open(lines).read()
    torch.manual_seed(0)
    run_tool(*common, '--shard', '0/2')
    assert open(lines).read() == before
    with pytest.raises(RuntimeError, match=r'started with other settings .*'
                       r'answer_tokens\.logit_scale: 50\.0 vs 20\.0'):
        run_tool(*common[:-2], '0.05', '--no-progress', '--shard', '0/2')
