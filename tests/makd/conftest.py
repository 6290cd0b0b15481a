"""Tiny random-init multimodal models and a small image folder, made once per test session."""
import numpy as np
import pytest
from PIL import Image

from makd_helpers import QUESTIONS, load_vlm


@pytest.fixture(scope='session')
def tiny_llava(tmp_path_factory) -> str:
    from mmkd.testing import build_tiny_llava
    return build_tiny_llava(str(tmp_path_factory.mktemp('tiny_llava')))


@pytest.fixture(scope='session')
def tiny_qwen2_vl(tmp_path_factory) -> str:
    from mmkd.testing import build_tiny_qwen2_vl
    return build_tiny_qwen2_vl(str(tmp_path_factory.mktemp('tiny_qwen2_vl')))


@pytest.fixture(scope='session')
def questions_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp('questions') / 'questions.txt'
    # a blank line and trailing whitespace, as real files have them: they are not questions
    path.write_text(QUESTIONS[0] + '\n\n' + '\n'.join(QUESTIONS[1:]) + '  \n\n')
    return str(path)


@pytest.fixture(scope='session')
def image_folder(tmp_path_factory) -> str:
    """``root/<class>/<class>_<i>.<ext>``: 3 classes, mixed sizes and formats, one broken file."""
    root = tmp_path_factory.mktemp('images')
    rng = np.random.RandomState(0)
    for k, name in enumerate(['bag', 'shirt', 'sneaker']):
        (root / name).mkdir()
        for i in range(12):
            size = (32 + 8 * (i % 3), 32)
            pixels = rng.randint(0, 255, (*size, 3), dtype=np.uint8)
            pixels[..., k] = 255  # classes differ in colour
            ext = ('png', 'jpg', 'bmp')[i % 3]
            Image.fromarray(pixels).save(root / name / f'{name}_{i}.{ext}')
    (root / 'shirt' / 'shirt_broken.png').write_bytes(b'not an image')
    return str(root)


@pytest.fixture(scope='session')
def llava_scorer(tiny_llava):
    from mmkd.makd import AspectScorer
    model, processor = load_vlm(tiny_llava)
    return AspectScorer(model, processor, QUESTIONS, batch_size=4)
