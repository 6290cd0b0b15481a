"""The yes/no scorer on tiny random-init LLaVA and Qwen2-VL models: prefix reuse is exact."""
import pytest
import torch

from mmkd.makd import AspectScorer, resolve_answer_tokens
from makd_helpers import QUESTIONS, images_of, load_vlm


@pytest.mark.parametrize('model_fixture', ['tiny_llava', 'tiny_qwen2_vl'])
def test_prefix_reuse_equals_one_forward_per_question(model_fixture, image_folder, request):
    model, processor = load_vlm(request.getfixturevalue(model_fixture))
    # batch_size 3 splits the 5 questions of an image across forwards; mixed image sizes make
    # Qwen2-VL prefixes of different lengths (separate groups) and LLaVA's one group.
    scorer = AspectScorer(model, processor, QUESTIONS, batch_size=3)
    images = images_of(image_folder, 4)
    fast = scorer.score(images)
    assert fast.probs.shape == (4, len(QUESTIONS))
    for row, image in enumerate(images):
        naive = scorer.score_naive(image)
        torch.testing.assert_close(fast.yes_logits[row], naive.yes_logits[0], atol=1e-4, rtol=0)
        torch.testing.assert_close(fast.no_logits[row], naive.no_logits[0], atol=1e-4, rtol=0)
        torch.testing.assert_close(fast.probs[row], naive.probs[0], atol=1e-4, rtol=0)
    # different images get different answers: the image really reaches the answer position
    assert (fast.probs[0] - fast.probs[1]).abs().max() > 1e-6


def test_probabilities_are_the_yes_no_softmax_of_the_raw_logits(llava_scorer, image_folder):
    image = images_of(image_folder, 1)[0]
    scores = llava_scorer.score([image])
    processor, model = llava_scorer.processor, llava_scorer.model
    inputs = processor(text=llava_scorer.prompts[2], images=image, return_tensors='pt')
    inputs.pop('token_type_ids', None)
    with torch.no_grad():
        logits = model(**inputs).logits[0, -1]
    answers = llava_scorer.answer_tokens
    yes = logits[answers.yes_ids].exp().sum().log()
    no = logits[answers.no_ids].exp().sum().log()
    expected = torch.softmax(torch.stack([yes, no]), dim=0)[0]
    assert 0 < scores.probs[0, 2] < 1
    torch.testing.assert_close(scores.probs[0, 2], expected, atol=1e-5, rtol=0)
    mass = logits.softmax(0)[answers.yes_ids + answers.no_ids].sum()
    torch.testing.assert_close(scores.answer_mass[0, 2], mass, atol=1e-5, rtol=0)


def test_answer_tokens_cover_case_and_leading_space(tiny_llava):
    _, processor = load_vlm(tiny_llava)
    answers = resolve_answer_tokens(processor.tokenizer)
    assert {'Yes', ' Yes', 'yes', ' yes'} <= set(answers.yes_tokens)
    assert set(answers.no_tokens) == {' No', ' no'}  # 'No' alone splits in this vocabulary
    for token, id_ in answers.describe()['yes'].items():
        assert processor.tokenizer.encode(token, add_special_tokens=False) == [id_]
    with pytest.raises(ValueError, match='single token'):
        resolve_answer_tokens(processor.tokenizer, yes_words=['Affirmativeness'])


def test_questions_file_drops_blank_lines(questions_file):
    from mmkd.makd import read_questions
    assert read_questions(questions_file, num_questions=len(QUESTIONS)) == QUESTIONS
    with pytest.raises(ValueError, match='expected 50'):
        read_questions(questions_file, num_questions=50)


@pytest.mark.parametrize('size, grid, num_tiles', [
    ((448, 448), (1, 1), 1),        # one tile, no thumbnail
    ((896, 448), (2, 1), 3),        # 2 x 1 tiles + thumbnail
    ((300, 900), (1, 3), 4),        # portrait 1:3
    ((500, 495), (1, 1), 1),        # ratio ~1, small: equal-ratio grids it cannot fill lose
    ((1000, 990), (3, 3), 10),      # ratio ~1, large: ties go to the larger grid it fills
])
def test_internvl_dynamic_tiles(size, grid, num_tiles):
    from PIL import Image

    from mmkd.makd.internvl import dynamic_tiles
    image = Image.new('RGB', size)
    tiles = dynamic_tiles(image, tile=448, max_tiles=12)
    assert len(tiles) == num_tiles == grid[0] * grid[1] + (grid != (1, 1))
    assert all(t.size == (448, 448) for t in tiles)
