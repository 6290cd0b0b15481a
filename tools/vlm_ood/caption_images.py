"""Caption every training image with a local Hugging Face image-to-text model and store the
captions' text embeddings (the teacher's text tower) in a teacher store, for the auxiliary-caption
loss of Li et al. (ICCV 2023; they used OFA-base, beam 5, at most 16 new tokens).

    python tools/vlm_ood/caption_images.py CONFIG --captioner MODEL_DIR --out STORE_DIR \
        [--teacher NAME] [--batch-size 16] [--num-beams 5] [--max-new-tokens 16] \
        [--trust-remote-code]

MODEL_DIR is any local ``AutoModelForVision2Seq`` checkpoint with its image processor and
tokenizer (BLIP, GIT, a ViT-GPT2 VisionEncoderDecoder …); nothing is downloaded. The images are the
config's training set, read from their files (no augmentation). The store (record
``caption_embeds`` [N, D], ids = image paths relative to the data root, view ``'any'``) serves a
``StoreTeacher`` under any training pipeline; ``captions.json`` beside it keeps the text. A killed
run resumes after the last written chunk.
"""
import argparse
import json
import os
import os.path as osp
from typing import List

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from PIL import Image
from tqdm import tqdm

import mmkd  # noqa: F401
from mmkd.store import TeacherStoreWriter, make_fingerprint, sample_id
from mmkd.models.algorithms.vision_language_distiller import text_teacher_config
from mmkd.models.teachers import VisionLanguageTeacher
from mmkd.registry import DATASETS, build_mmkd_module
from mmkd.utils.checkpoint import check_hf_folder
from mmkd.utils.config import innermost_dataset

#: The original's caption when the model produces nothing.
FALLBACK_CAPTION = 'a photo'


class Captioner:
    """A local HF image-to-text model: ``captioner(images) -> captions``."""

    def __init__(self, model_dir: str, num_beams: int = 5, max_new_tokens: int = 16,
                 trust_remote_code: bool = False):
        from transformers import AutoImageProcessor, AutoModelForVision2Seq, AutoTokenizer
        check_hf_folder(model_dir, 'captioner (a Hugging Face image-to-text model)')
        options = dict(local_files_only=True, trust_remote_code=trust_remote_code)
        self.model = AutoModelForVision2Seq.from_pretrained(model_dir, **options).eval()
        self.image_processor = AutoImageProcessor.from_pretrained(model_dir, **options)
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir, **options)
        self.generate_options = dict(num_beams=num_beams, max_new_tokens=max_new_tokens,
                                     no_repeat_ngram_size=3)

    @torch.no_grad()
    def __call__(self, images: List[Image.Image]) -> List[str]:
        pixels = self.image_processor(images=images, return_tensors='pt')['pixel_values']
        tokens = self.model.generate(pixel_values=pixels, **self.generate_options)
        captions = self.tokenizer.batch_decode(tokens, skip_special_tokens=True)
        return [c.strip() or FALLBACK_CAPTION for c in captions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--captioner', required=True, help='local HF image-to-text model dir')
    parser.add_argument('--out', required=True, help='the teacher store to write')
    parser.add_argument('--teacher', help='the text teacher (default: model.text_teacher)')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--num-beams', type=int, default=5)
    parser.add_argument('--max-new-tokens', type=int, default=16)
    parser.add_argument('--trust-remote-code', action='store_true',
                        help="run the captioner's own code from MODEL_DIR (opt-in)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset_cfg = innermost_dataset(cfg.train_dataloader.dataset)
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=[]))
    data_root = dataset_cfg.get('data_root')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    ids = [sample_id(info, data_root) for info in infos]

    teacher_cfg = text_teacher_config(cfg.model, args.teacher)
    teacher = build_mmkd_module(teacher_cfg)
    if not isinstance(teacher, VisionLanguageTeacher):
        raise TypeError(f'the text teacher is a {type(teacher).__name__}, not a '
                        'VisionLanguageTeacher')
    captioner = Captioner(args.captioner, args.num_beams, args.max_new_tokens,
                          args.trust_remote_code)
    fingerprint = make_fingerprint(
        dict(text_teacher=teacher_cfg, captioner=osp.abspath(args.captioner),
             generate=captioner.generate_options), 'any')
    writer = TeacherStoreWriter(args.out, len(ids), fingerprint,
                                info=dict(data_root=data_root, config=args.config))
    captions_file = osp.join(args.out, 'captions.jsonl')
    start = writer.num_written
    if not writer.complete:
        with open(captions_file, 'a') as captions_out:
            for begin in tqdm(range(start, len(ids), args.batch_size), desc='captions'):
                chunk = slice(begin, begin + args.batch_size)
                images = [Image.open(info['img_path']).convert('RGB') for info in infos[chunk]]
                captions = captioner(images)
                embeds = teacher.encode_text(captions)
                for id_, caption in zip(ids[chunk], captions):
                    captions_out.write(json.dumps(dict(id=id_, caption=caption)) + '\n')
                captions_out.flush()
                os.fsync(captions_out.fileno())
                writer.write(ids[chunk], dict(caption_embeds=embeds.cpu().numpy()))
    writer.close()
    print(f'{len(ids)} captions embedded into {args.out}')


if __name__ == '__main__':
    main()
