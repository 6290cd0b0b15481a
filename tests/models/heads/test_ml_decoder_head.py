"""The label-wise embedding head: formula (E), logits from embeddings, use inside mmpretrain."""
import torch
import torch.nn.functional as F
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmpretrain.structures import DataSample

import mmkd  # noqa: F401
from mmkd.models import MLDecoderClsHead, ModuleRecorder


def test_embeddings_follow_the_decoder_formula_in_eval_mode():
    head = MLDecoderClsHead(num_classes=6, in_channels=16, embed_dims=8, num_heads=2,
                            ffn_dims=12).eval()
    feat = torch.randn(3, 16, 4, 5)
    embeddings, logits = head.forward_with_embeddings((feat, ))
    decoder = head.decoder
    memory = torch.relu(decoder.input_proj(feat.flatten(2).transpose(1, 2)))
    t0 = decoder.norm1(2 * decoder.queries).expand(3, -1, -1)  # Q + Dropout(Q) = 2Q at eval
    attn = decoder.cross_attn
    q = F.linear(t0, attn.in_proj_weight[:8], attn.in_proj_bias[:8])
    k = F.linear(memory, attn.in_proj_weight[8:16], attn.in_proj_bias[8:16])
    v = F.linear(memory, attn.in_proj_weight[16:], attn.in_proj_bias[16:])
    heads = [torch.softmax(q[..., h * 4:(h + 1) * 4] @ k[..., h * 4:(h + 1) * 4].transpose(1, 2)
                           / 2.0, dim=-1) @ v[..., h * 4:(h + 1) * 4] for h in range(2)]
    t1 = decoder.norm2(t0 + attn.out_proj(torch.cat(heads, dim=-1)))
    expected = decoder.norm3(t1 + decoder.ffn[3](torch.relu(decoder.ffn[0](t1))))
    torch.testing.assert_close(embeddings, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(
        logits, torch.einsum('ncd,cd->nc', embeddings, head.class_weight) + head.class_bias)
    torch.testing.assert_close(head((feat, )), logits)


def test_queries_are_fixed_and_saved():
    head = MLDecoderClsHead(num_classes=4, in_channels=8, embed_dims=8, num_heads=2)
    assert 'decoder.queries' in head.state_dict()
    assert all('queries' not in name for name, _ in head.named_parameters())
    token_input = head.forward_with_embeddings((torch.randn(2, 9, 8), ))[0]  # Swin-style tokens
    assert token_input.shape == (2, 4, 8)


def test_inside_an_mmpretrain_classifier_with_recorded_embeddings():
    with DefaultScope.overwrite_default_scope('mmpretrain'):  # earlier runners leave theirs
        model = PRETRAIN_MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='ResNet', depth=18, base_channels=8, out_indices=(3, )),
            head=dict(type='mmkd.MLDecoderClsHead', num_classes=5, in_channels=64,
                      embed_dims=16, num_heads=2, ffn_dims=32)))
    recorder = ModuleRecorder(model, dict(embeddings='head.decoder', logits='head'))
    samples = [DataSample().set_gt_label([0, 3]), DataSample().set_gt_label([1])]
    with recorder.recording() as records:
        losses = model.loss(torch.randn(2, 3, 64, 64), samples)
    assert records['embeddings'].shape == (2, 5, 16)
    assert records['logits'].shape == (2, 5)
    losses['loss'].backward()
    assert model.head.class_weight.grad.abs().sum() > 0
    predictions = model.predict(torch.randn(2, 3, 64, 64))
    assert predictions[0].pred_score.shape == (5, )
