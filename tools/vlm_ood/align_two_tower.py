"""Fit the image→text projection of a TwoTowerTeacher on the ID classes' labelled images (LiT-style:
both towers frozen) and save it for the teacher's ``projection``.

    python tools/vlm_ood/align_two_tower.py CONFIG --out checkpoints/two_tower_fashion.pth \
        [--teacher NAME] [--steps 300] [--lr 1e-3] [--temperature 0.07]

CONFIG is a distillation config with a ``TwoTowerTeacher`` in ``model.teachers`` and
``model.label_sets``. The image features of every training image are computed once, un-augmented
(the config's ``test_pipeline``), then ``Linear(F → D_text)`` is fitted with cross-entropy over the
cosine similarities to the ID classes' prompt embeddings (temperature 0.07). Only ID images and ID
class names are used: the OOD classes stay unseen. The file is written atomically.
"""
import argparse
import os
import os.path as osp
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from tqdm import tqdm

import mmkd  # noqa: F401
from mmkd.datasets.label_texts import label_set_texts
from mmkd.models.teachers import TwoTowerTeacher, read_normalization
from mmkd.registry import DATASETS, MODELS, build_mmkd_module


def unaligned_teacher(cfg: Config, name: Optional[str]) -> TwoTowerTeacher:
    """The config's two-tower teacher (``model.teachers[name]``, else ``model.text_teacher``; the
    live teacher of a ``StoreTeacher``), built without its projection."""
    teachers = cfg.model.get('teachers', {})
    source = name or cfg.model.get('text_teacher', 'clip')
    if isinstance(source, str):
        if source not in teachers:
            raise KeyError(f'teacher {source!r} not in model.teachers: {list(teachers)}')
        source = teachers[source]
    if source.get('type') in ('StoreTeacher', 'mmkd.StoreTeacher'):
        source = source['teacher']
    teacher = build_mmkd_module(dict(source, projection=None, allow_unaligned=True))
    if not isinstance(teacher, TwoTowerTeacher):
        raise TypeError(f'the teacher is a {type(teacher).__name__}, not a TwoTowerTeacher')
    return teacher


def training_images(cfg: Config):
    """The ID training set with the un-augmented test pipeline."""
    dataset = cfg.train_dataloader.dataset
    while 'dataset' in dataset and 'pipeline' not in dataset:  # RepeatDataset & co.
        dataset = dataset.dataset
    if cfg.get('test_pipeline') is None:
        raise KeyError('the config needs a `test_pipeline` (un-augmented images for alignment)')
    return DATASETS.build(dict(dataset, pipeline=cfg.test_pipeline))


@torch.no_grad()
def image_features(teacher: TwoTowerTeacher, preprocessor, dataset, batch_size: int = 64):
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, collate_fn=pseudo_collate)
    features, labels = [], []
    for batch in tqdm(loader, desc='image features'):
        data = preprocessor(batch, training=False)
        features.append(teacher.image_features(teacher.prepare_inputs(data['inputs'])))
        labels += [int(sample.gt_label) for sample in data['data_samples']]
    return torch.cat(features), torch.tensor(labels)


def fit_projection(features: torch.Tensor, labels: torch.Tensor, text_embeds: torch.Tensor,
                   steps: int = 300, lr: float = 1e-3, temperature: float = 0.07,
                   seed: int = 0) -> torch.nn.Linear:
    """``Linear(F → D)`` minimising CE of ``cos(W f + b, text) / temperature`` (full batch)."""
    torch.manual_seed(seed)
    projection = torch.nn.Linear(features.shape[1], text_embeds.shape[1])
    texts = F.normalize(text_embeds, dim=-1)
    mean, std = features.mean(0), features.std(0) + 1e-6
    inputs = (features - mean) / std
    optimizer = torch.optim.Adam(projection.parameters(), lr=lr, weight_decay=1e-4)
    for _ in tqdm(range(steps), desc='fit projection'):
        logits = F.normalize(projection(inputs), dim=-1) @ texts.t() / temperature
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # fold the feature standardisation into the layer: W' = W / std, b' = b - W' mean
    with torch.no_grad():
        weight = projection.weight / std
        projection.bias -= weight @ mean
        projection.weight.copy_(weight)
    accuracy = (F.normalize(projection(features), dim=-1) @ texts.t()).argmax(1).eq(labels)
    print(f'final loss {loss.item():.4f}, ID training accuracy {accuracy.float().mean():.2%}')
    return projection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--out', required=True, help='the projection file to write')
    parser.add_argument('--teacher', default=None,
                        help='name in model.teachers (default: model.text_teacher)')
    parser.add_argument('--steps', type=int, default=300)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--temperature', type=float, default=0.07)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='key=value overrides of the config')
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    teacher = unaligned_teacher(cfg, args.teacher)
    preprocessor = MODELS.build(dict(type='ClsDataPreprocessor', **cfg.model.data_preprocessor))
    teacher.adapt_inputs(read_normalization(preprocessor))
    features, labels = image_features(teacher, preprocessor, training_images(cfg))
    text_embeds = teacher.encode_text(label_set_texts(cfg.model.label_sets)['id'])
    if int(labels.max()) >= len(text_embeds):
        raise ValueError(f'labels up to {int(labels.max())} but only {len(text_embeds)} ID texts')
    projection = fit_projection(features, labels, text_embeds, args.steps, args.lr,
                                args.temperature)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(dict(state_dict=projection.state_dict(),
                    meta=dict(config=args.config, num_images=len(labels),
                              fingerprint=teacher.fingerprint)), args.out + '.tmp')
    os.replace(args.out + '.tmp', args.out)
    print(f'projection saved to {args.out}')


if __name__ == '__main__':
    main()
