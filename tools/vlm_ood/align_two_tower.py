"""Fit the image→text projection of a TwoTowerTeacher on the ID classes' labelled images (LiT-style:
both towers frozen) and save it for the teacher's ``projection``.

    python tools/vlm_ood/align_two_tower.py CONFIG --out checkpoints/two_tower_fashion.pth \
        [--teacher NAME] [--steps 300] [--lr 1e-3] [--temperature 0.07]

CONFIG is a distillation config with a ``TwoTowerTeacher`` in ``model.teachers`` (or
``model.text_teacher``) and ``model.label_sets``. The image teacher's features of every training
image are computed once, un-augmented (the config's ``test_pipeline``), then
:func:`mmkd.models.teachers.fit_projection` fits ``Linear(F → D_text)`` against the ID classes'
text bank. Only ID images and ID class names are used: the OOD classes stay unseen.
"""
import argparse

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from tqdm import tqdm

import mmkd  # noqa: F401
from mmkd.models.algorithms.vision_language_distiller import text_teacher_config
from mmkd.models.teachers import fit_projection, read_normalization
from mmkd.models.text import build_label_sets, encode_prompts
from mmkd.registry import DATASETS, MODELS, build_mmkd_module
from mmkd.utils.config import innermost_dataset


@torch.no_grad()
def image_features(teacher, features: str, preprocessor, dataset, batch_size: int = 64):
    """The record ``features`` of ``teacher`` for every image of ``dataset``, and the labels."""
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, collate_fn=pseudo_collate)
    outputs, labels = [], []
    for batch in tqdm(loader, desc='image features'):
        data = preprocessor(batch, training=False)
        outputs.append(teacher(data['inputs'], data['data_samples'])[features].float())
        labels += [int(sample.gt_label) for sample in data['data_samples']]
    return torch.cat(outputs), torch.tensor(labels)


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
    two_tower = text_teacher_config(cfg.model, args.teacher)
    if two_tower.get('type') not in ('TwoTowerTeacher', 'mmkd.TwoTowerTeacher'):
        raise TypeError(f'the teacher is a {two_tower.get("type")}, not a TwoTowerTeacher')
    if cfg.get('test_pipeline') is None:
        raise KeyError('the config needs a `test_pipeline` (un-augmented images for alignment)')
    image_teacher = build_mmkd_module(two_tower['image_teacher'])
    text_encoder = build_mmkd_module(two_tower['text_encoder'])
    preprocessor = MODELS.build(dict(type='ClsDataPreprocessor', **cfg.model.data_preprocessor))
    image_teacher.adapt_inputs(read_normalization(preprocessor))
    dataset = DATASETS.build(dict(innermost_dataset(cfg.train_dataloader.dataset),
                                  pipeline=cfg.test_pipeline))
    features, labels = image_features(image_teacher, two_tower.get('features', 'features'),
                                      preprocessor, dataset)
    text_embeds = encode_prompts(text_encoder, build_label_sets(cfg.model.label_sets)['id'].prompts)
    _, accuracy = fit_projection(
        features, labels, text_embeds, args.out, args.steps, args.lr, args.temperature,
        meta=dict(config=args.config, text_fingerprint=text_encoder.fingerprint))
    print(f'ID training accuracy {accuracy:.2%}; projection saved to {args.out}')


if __name__ == '__main__':
    main()
