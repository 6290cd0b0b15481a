"""A tiny random-init LLaVA (``mmkd.testing``) and a small image folder for the MaKD fault tests."""
import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='session')
def tiny_vlm(tmp_path_factory) -> str:
    from mmkd.testing import build_tiny_llava
    return build_tiny_llava(str(tmp_path_factory.mktemp('tiny_llava')))


@pytest.fixture(scope='session')
def twelve_images(tmp_path_factory) -> str:
    """``root/<class>/<i>.png``: 2 classes x 6 small colour images."""
    root = tmp_path_factory.mktemp('twelve_images')
    rng = np.random.RandomState(0)
    for name in ('bag', 'shirt'):
        (root / name).mkdir()
        for i in range(6):
            pixels = rng.randint(0, 255, (32, 32, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f'{name}_{i}.png')
    return str(root)
