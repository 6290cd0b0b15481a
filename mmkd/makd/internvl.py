"""InternVL 2 / 2.5 (the MaKD paper's teacher) behind the processor/model interface of AspectScorer.

InternVL ships its own remote code: an ``InternVLChatModel`` with a ``chat()`` method, no
image-text-to-text processor. These two adapters give :class:`~mmkd.makd.AspectScorer` what it
needs, using the model's own pieces — its conversation template (``model.conv_template``, with
its system message), its vision encoder (``extract_feature``) and its language model — plus the
standard InternVL image preprocessing:

* dynamic tiling: the grid of ``i x j`` 448 px tiles (``1 <= i·j <= max_tiles``) whose aspect ratio
  is closest to the image's (ties go to the larger grid when the image is big enough to fill it),
  plus a 448 px thumbnail of the whole image when there is more than one tile;
* ImageNet mean / std normalisation of every tile;
* ``<image>`` in the prompt replaced by ``<img>`` + ``<IMG_CONTEXT>`` x (tokens per tile x tiles)
  + ``</img>``, whose embeddings are replaced by the projected vision features.

Loading runs the model's Python code: only with ``trust_remote_code=True``.
"""
import copy
import inspect
import json
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch
from PIL import Image
from torch import nn

IMG_START, IMG_END, IMG_CONTEXT = '<img>', '</img>', '<IMG_CONTEXT>'
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def is_internvl(path: str) -> bool:
    """Whether the model folder holds an InternVL chat model (``InternVLChatModel``)."""
    config = osp.join(path, 'config.json')
    if not osp.isfile(config):
        return False
    with open(config) as f:
        return 'InternVLChatModel' in json.load(f).get('architectures', [])


def dynamic_tiles(image: Image.Image, tile: int = 448, max_tiles: int = 12,
                  thumbnail: bool = True) -> List[Image.Image]:
    """InternVL's dynamic-resolution tiles of ``image`` (row-major), plus the thumbnail."""
    width, height = image.size
    ratio = width / height
    grids = sorted({(cols, rows) for cols in range(1, max_tiles + 1)
                    for rows in range(1, max_tiles + 1) if cols * rows <= max_tiles},
                   key=lambda grid: grid[0] * grid[1])
    best, best_diff = (1, 1), float('inf')
    for cols, rows in grids:
        diff = abs(ratio - cols / rows)
        if diff < best_diff:
            best, best_diff = (cols, rows), diff
        elif diff == best_diff and width * height > 0.5 * tile * tile * cols * rows:
            best = (cols, rows)
    cols, rows = best
    resized = image.resize((tile * cols, tile * rows), Image.BICUBIC)
    tiles = [resized.crop((c * tile, r * tile, (c + 1) * tile, (r + 1) * tile))
             for r in range(rows) for c in range(cols)]
    if thumbnail and len(tiles) > 1:
        tiles.append(image.resize((tile, tile), Image.BICUBIC))
    return tiles


class InternVLProcessor:
    """Chat template, tiling and image-token expansion of an InternVL chat model."""

    def __init__(self, tokenizer, chat_model, max_tiles: int = 12):
        self.tokenizer = tokenizer
        self.conv_template = chat_model.conv_template
        self.system_message = chat_model.system_message
        self.num_image_token = chat_model.num_image_token
        self.image_size = chat_model.config.force_image_size or \
            chat_model.config.vision_config.image_size
        self.max_tiles = max_tiles
        self.chat_template = f'InternVL conversation template {self.conv_template.name!r}'

    def apply_chat_template(self, messages: List[dict], add_generation_prompt: bool = True,
                            **kwargs) -> str:
        template = copy.deepcopy(self.conv_template)
        template.system_message = self.system_message
        for message in messages:
            content = message['content']
            if not isinstance(content, str):
                content = ''.join('<image>\n' if item['type'] == 'image' else item['text']
                                  for item in content)
            if message['role'] == 'system':
                template.system_message = content
            else:
                role = template.roles[0 if message['role'] == 'user' else 1]
                template.append_message(role, content)
        if add_generation_prompt:
            template.append_message(template.roles[1], None)
        return template.get_prompt()

    def __call__(self, text: str, images: Image.Image, return_tensors: str = 'pt'
                 ) -> Dict[str, torch.Tensor]:
        tiles = dynamic_tiles(images.convert('RGB'), self.image_size, self.max_tiles)
        mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
        pixel_values = torch.stack([
            (torch.from_numpy(np.asarray(t, dtype=np.float32) / 255).permute(2, 0, 1) - mean)
            / std for t in tiles])
        image_tokens = IMG_START + IMG_CONTEXT * (self.num_image_token * len(tiles)) + IMG_END
        encoding = self.tokenizer(text.replace('<image>', image_tokens, 1), return_tensors='pt')
        return dict(input_ids=encoding['input_ids'], attention_mask=encoding['attention_mask'],
                    pixel_values=pixel_values)


class InternVLForAspectScoring(nn.Module):
    """``forward(input_ids, pixel_values=None, past_key_values=None, ...)`` of an InternVL model.

    The image features replace the ``<IMG_CONTEXT>`` embeddings, then the language model runs with
    the cache arguments it accepts (Qwen2 / Llama natively, InternLM2 through its remote code).
    """

    def __init__(self, chat_model: nn.Module, image_token_id: int):
        super().__init__()
        self.chat_model = chat_model
        self.language_model = chat_model.language_model
        self.config = copy.copy(self.language_model.config)
        self.config.image_token_id = image_token_id
        self._lm_args = set(inspect.signature(self.language_model.forward).parameters)

    @property
    def device(self) -> torch.device:
        return self.chat_model.device

    @property
    def dtype(self) -> torch.dtype:
        return self.chat_model.dtype

    def forward(self, input_ids: torch.Tensor, attention_mask: Optional[torch.Tensor] = None,
                pixel_values: Optional[torch.Tensor] = None, past_key_values=None,
                position_ids: Optional[torch.Tensor] = None,
                cache_position: Optional[torch.Tensor] = None, use_cache: bool = True,
                return_dict: bool = True):
        embeds = self.language_model.get_input_embeddings()(input_ids)
        if pixel_values is not None:
            features = self.chat_model.extract_feature(pixel_values)
            embeds = embeds.clone()
            selected = input_ids == self.config.image_token_id
            embeds[selected] = features.reshape(-1, embeds.shape[-1]).to(embeds.dtype)
        kwargs = dict(inputs_embeds=embeds, attention_mask=attention_mask,
                      position_ids=position_ids, past_key_values=past_key_values,
                      use_cache=use_cache, return_dict=True, cache_position=cache_position)
        return self.language_model(**{k: v for k, v in kwargs.items() if k in self._lm_args})


def load_internvl(path: str, dtype: torch.dtype, device: str, trust_remote_code: bool,
                  max_tiles: int = 12):
    """``(model, processor)`` adapters of the InternVL chat model in ``path``."""
    if not trust_remote_code:
        raise ValueError(f'{path} is an InternVL model: loading it runs the Python code shipped '
                         'with it. Pass --trust-remote-code if you trust that code.')
    from transformers import AutoModel, AutoTokenizer

    from mmkd.utils.checkpoint import check_hf_folder
    check_hf_folder(path, 'the InternVL model')
    kwargs = dict(local_files_only=True, trust_remote_code=True)
    chat_model = AutoModel.from_pretrained(path, torch_dtype=dtype, use_flash_attn=False,
                                           **kwargs).to(device).eval()
    tokenizer = AutoTokenizer.from_pretrained(path, **kwargs)
    image_token_id = tokenizer.convert_tokens_to_ids(IMG_CONTEXT)
    return (InternVLForAspectScoring(chat_model, image_token_id).eval(),
            InternVLProcessor(tokenizer, chat_model, max_tiles))
