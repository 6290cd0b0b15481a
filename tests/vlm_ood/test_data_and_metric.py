"""Label texts, the ID/OOD split tool, the label-set and few-shot datasets, and the metric."""
import glob
import os
import os.path as osp

import pytest
import torch
from mmkd_test_helpers import REPO
from mmpretrain.structures import DataSample

from mmkd.datasets import FewShotDataset, LabelSetDataset
from mmkd.datasets.id_ood_split import list_classes, materialise, split_by_seed
from mmkd.evaluation import OpenVocabAccuracy
from mmkd.models.text import LabelSet, build_label_sets

FASHION_TEXTS = osp.join(REPO, 'projects', 'vlm_ood', 'data', 'fashion_mnist')


def prediction(label_set, pred, gt):
    sample = DataSample().set_gt_label(gt).set_pred_label(pred)
    sample.set_metainfo(dict(label_set=label_set))
    return sample.to_dict()


def test_metric_reports_each_label_set_against_its_own_classes():
    metric = OpenVocabAccuracy()
    metric.dataset_meta = dict(classes=['a', 'b', 'c'])
    # id: class 0 has 3 samples (2 right), class 1 has 1 sample (right) -> 75 % / mean(2/3, 1)
    # ood: 2 samples, 0 right
    metric.process(None, [prediction('id', 0, 0), prediction('id', 0, 0), prediction('id', 1, 0),
                          prediction('id', 1, 1), prediction('ood', 1, 0),
                          prediction('ood', 0, 1)])
    result = metric.evaluate(6)
    assert result['open-vocab/id_accuracy'] == pytest.approx(75.0)
    assert result['open-vocab/id_mean_class_accuracy'] == pytest.approx(100 * (2 / 3 + 1) / 2)
    assert result['open-vocab/ood_accuracy'] == 0
    assert result['open-vocab/ood_mean_class_accuracy'] == 0


def test_label_texts_in_the_original_formats(tmp_path):
    label_file = osp.join(FASHION_TEXTS, 'label2text.txt')
    descriptions = osp.join(FASHION_TEXTS, 'chatgpt.txt')
    def class_texts(*args, **kwargs):
        return [p for prompts in LabelSet.from_config(*args, **kwargs).prompts for p in prompts]
    assert class_texts(['T-shirt_top', 'Ankle_boot'], label_file) == [
        'a photo of T-shirt or top', 'a photo of Ankle boot']
    with_description = class_texts(['Bag'], label_file, descriptions)[0]
    assert with_description.startswith('a photo of Bag . A handbag')
    assert class_texts(['Bag'], label_file, templates='{name}') == ['Bag']
    assert class_texts(['Bag'], label_file, templates=['{name}', 'a {name}.']) == ['Bag', 'a Bag.']
    assert LabelSet.from_config(['Ankle_boot'], label_file).class_names == ['Ankle boot']
    with pytest.raises(KeyError, match='not in'):
        class_texts(['Hat'], label_file)
    short = tmp_path / 'chatgpt.txt'
    short.write_text('only one line\n')
    with pytest.raises(ValueError, match='aligned line by line'):
        class_texts(['Bag'], label_file, str(short))
    with pytest.raises(FileNotFoundError, match='label2text'):
        class_texts(['Bag'], str(tmp_path / 'missing.txt'))
    with pytest.raises(ValueError, match="lack '{name}'"):
        class_texts(['Bag'], templates='a photo of a {}.')
    with pytest.raises(KeyError, match='unknown keys'):
        build_label_sets(dict(id=dict(classes=['Bag'], template='{name}')))


@pytest.fixture(scope='module')
def split_root(tmp_path_factory):
    """A class-per-folder set of 6 classes x 10 blank images, split by the tool."""
    from PIL import Image
    src = tmp_path_factory.mktemp('folders')
    for c in range(6):
        os.makedirs(src / f'class_{c}')
        for i in range(10):
            Image.new('RGB', (8, 8), (c * 40, i * 20, 0)).save(src / f'class_{c}' / f'{i:02d}.png')
    out = tmp_path_factory.mktemp('split')
    materialise(str(src), str(out), split_by_seed(list_classes(str(src)), seed=3))
    return str(src), str(out)


def test_split_is_deterministic_disjoint_and_complete(split_root):
    src, out = split_root
    classes = list_classes(src)
    lists = split_by_seed(classes, seed=3)
    assert lists == split_by_seed(classes, seed=3)
    assert lists != split_by_seed(classes, seed=4)
    id_classes = {e.split('/')[1] for e in lists['train']}
    ood_classes = {e.split('/')[1] for e in lists['val']}
    assert len(id_classes) == 3 and not id_classes & ood_classes
    assert {e.split('/')[1] for e in lists['val_on_train']} == id_classes
    assert len(lists['train']) == 3 * 7 and len(lists['val_on_train']) == 3 * 3  # ceil(0.7 n)
    assert len(lists['val']) == 30
    for split, entries in lists.items():
        assert all(osp.isfile(osp.join(out, e)) for e in entries)
        assert open(osp.join(out, f'{split}_data.txt')).read().split() == entries
    texts = build_label_sets(dict(id=dict(classes=osp.join(out, 'train'))))['id'].prompts
    assert texts == [[f'a photo of {c.replace("_", " ")}'] for c in sorted(id_classes)]


def test_label_set_dataset_tags_and_offsets(split_root):
    _, out = split_root
    pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
    dataset = LabelSetDataset(parts=[
        dict(label_set='all', dataset=dict(type='mmpretrain.CustomDataset', data_root=out,
                                           data_prefix='train', pipeline=pipeline)),
        dict(label_set='all', label_offset=3,
             dataset=dict(type='mmkd.FewShotDataset', shots=2, data_root=out, data_prefix='val',
                          pipeline=pipeline))])
    assert len(dataset) == 21 + 3 * 2
    first, last = dataset[0]['data_samples'], dataset[len(dataset) - 1]['data_samples']
    assert first.label_set == last.label_set == 'all'
    assert int(first.gt_label) == 0 and int(last.gt_label) == 5


def test_few_shot_support_is_the_first_files_and_query_the_rest(split_root):
    _, out = split_root
    support = FewShotDataset(shots=2, part='support', data_root=out, data_prefix='val')
    query = FewShotDataset(shots=2, part='query', data_root=out, data_prefix='val')
    support_paths = [support.get_data_info(i)['img_path'] for i in range(len(support))]
    query_paths = {query.get_data_info(i)['img_path'] for i in range(len(query))}
    assert len(support_paths) == 6 and len(query_paths) == 24
    assert not set(support_paths) & query_paths
    assert sorted(osp.basename(p) for p in support_paths) == ['00.png'] * 3 + ['01.png'] * 3
    with pytest.raises(ValueError, match='fewer than'):
        FewShotDataset(shots=11, data_root=out, data_prefix='val')


def test_head_predicts_each_sample_against_its_label_set():
    from mmkd.models.heads import TextPrototypeClsHead
    head = TextPrototypeClsHead(in_channels=4, embed_dim=4, label_sets=dict(id=2, ood=3))
    head.projection.weight.data = torch.eye(4)
    head.projection.bias.data.zero_()
    head.prototypes.set_embeddings('id', torch.eye(4)[:2])
    head.prototypes.set_embeddings('ood', torch.eye(4)[1:])
    samples = [DataSample(), DataSample(metainfo=dict(label_set='ood'))]
    feats = torch.tensor([[0., 1., 0., 0.], [0., 0., 0., 1.]])
    out = head.predict((feats, ), samples)
    assert out[0].pred_score.shape == (2, ) and int(out[0].pred_label) == 1
    assert out[1].pred_score.shape == (3, ) and int(out[1].pred_label) == 2


@pytest.mark.parametrize('config', sorted(
    glob.glob(osp.join(REPO, 'configs', 'vlm_ood', '*.py'))
    + glob.glob(osp.join(REPO, 'configs', 'vlm_ood', 'students', '*.py'))), ids=osp.basename)
def test_every_config_parses_with_matching_label_sets(config):
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    if cfg.model.type == 'mmkd.VisionLanguageDistiller':
        assert set(cfg.model.label_sets) == set(cfg.model.student.head.label_sets)
