"""Save tiny random-init Hugging Face models, with a real tokenizer and processor, to a folder.

They exercise the real ``transformers`` code paths (chat templates, image-token expansion, KV
caches, generation) of the model families mmkd's offline MaKD tools support, in seconds on a CPU.
Their answers are random: tests check the plumbing and the numerics, not the content.

Example:
    >>> import tempfile
    >>> from transformers import AutoModelForImageTextToText, AutoProcessor
    >>> path = build_tiny_llava(tempfile.mkdtemp())
    >>> processor = AutoProcessor.from_pretrained(path)
    >>> model = AutoModelForImageTextToText.from_pretrained(path)
"""
import os
from typing import List

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

#: Sentences the byte-level BPE vocabulary is trained on: chat words, answers and questions.
CORPUS = [
    'Yes yes No no YES NO Yes. No. yes, no,',
    'Is the object a living animal? Does the object have wheels? Is it red or blue?',
    'Does the object have wings or is capable of flight? Is the object associated with nature?',
    'Are there stripes? Can it be worn? Is it a shoe, a bag, a shirt or a dress?',
    'The answer must always be either Yes or No (do not provide any other response).',
    'system user assistant You are a helpful assistant. USER: ASSISTANT:',
    'Generate feature-specific yes or no questions about the classes in the dataset.',
    'Select the most relevant and distinct questions from the list.',
    '1. 2. 3. 4. 5. 6. 7. 8. 9. 10. - * Q: A:',
]

#: ChatML, as Qwen models write it; images become the processor's image placeholder.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'image' %}{IMAGE}"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

#: LLaVA-1.5's template: ``USER: <image>\n<question> ASSISTANT:``.
LLAVA_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}USER: {% else %}ASSISTANT: "
    "{% endif %}{% for item in message['content'] %}{% if item['type'] == 'image' %}<image>\n"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}{% endfor %}"
    "{% if message['role'] == 'user' %} {% else %}</s>{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}")


def _tokenizer(special_tokens: List[str], chat_template: str, cls=None, **special_names):
    """A byte-level BPE tokenizer (GPT-2 / Qwen style) trained on :data:`CORPUS`."""
    from transformers import PreTrainedTokenizerFast
    cls = cls or PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=special_tokens,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    return cls(tokenizer_object=tok, chat_template=chat_template, **special_names)


def build_tiny_llava(out_dir: str, image_size: int = 32, patch_size: int = 8,
                     seed: int = 0) -> str:
    """A random-init LLaVA (tiny CLIP vision tower, tiny Llama) and its processor; returns path."""
    from transformers import (CLIPImageProcessor, CLIPVisionConfig, LlamaConfig, LlavaConfig,
                              LlavaForConditionalGeneration, LlavaProcessor)
    tokenizer = _tokenizer(['<pad>', '<s>', '</s>', '<image>'], LLAVA_TEMPLATE,
                           pad_token='<pad>', bos_token='<s>', eos_token='</s>')
    image_processor = CLIPImageProcessor(size={'shortest_edge': image_size},
                                         crop_size={'height': image_size, 'width': image_size})
    processor = LlavaProcessor(image_processor=image_processor, tokenizer=tokenizer,
                               patch_size=patch_size, vision_feature_select_strategy='default',
                               num_additional_image_tokens=1, chat_template=LLAVA_TEMPLATE)
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                       num_attention_heads=4, image_size=image_size,
                                       patch_size=patch_size, projection_dim=32),
        text_config=LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128,
                                num_hidden_layers=2, num_attention_heads=4,
                                num_key_value_heads=2, max_position_embeddings=512,
                                pad_token_id=tokenizer.pad_token_id),
        image_token_index=tokenizer.convert_tokens_to_ids('<image>'),
        vision_feature_select_strategy='default', vision_feature_layer=-1)
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config).eval()
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_qwen2_vl(out_dir: str, image_size: int = 56, seed: int = 0) -> str:
    """A random-init Qwen2-VL (M-RoPE, dynamic-resolution vision tower) with its processor."""
    from transformers import (Qwen2TokenizerFast, Qwen2VLConfig, Qwen2VLForConditionalGeneration,
                              Qwen2VLImageProcessor, Qwen2VLProcessor)
    special = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|vision_start|>',
               '<|vision_end|>', '<|image_pad|>', '<|video_pad|>']
    template = CHATML_TEMPLATE.replace('{IMAGE}', '<|vision_start|><|image_pad|><|vision_end|>')
    tokenizer = _tokenizer(special, template, Qwen2TokenizerFast, pad_token='<|endoftext|>',
                           eos_token='<|im_end|>')
    image_processor = Qwen2VLImageProcessor(min_pixels=image_size * image_size,
                                            max_pixels=image_size * image_size)
    processor = Qwen2VLProcessor(image_processor=image_processor, tokenizer=tokenizer,
                                 chat_template=template)
    ids = tokenizer.convert_tokens_to_ids
    config = Qwen2VLConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
        rope_scaling=dict(type='mrope', mrope_section=[2, 3, 3]),
        vision_config=dict(depth=2, embed_dim=32, hidden_size=64, mlp_ratio=2, num_heads=4,
                           in_chans=3, patch_size=14, spatial_merge_size=2,
                           temporal_patch_size=2),
        image_token_id=ids('<|image_pad|>'), video_token_id=ids('<|video_pad|>'),
        vision_start_token_id=ids('<|vision_start|>'), vision_end_token_id=ids('<|vision_end|>'),
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    model = Qwen2VLForConditionalGeneration(config).eval()
    model.save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return out_dir


def build_tiny_causal_lm(out_dir: str, seed: int = 0) -> str:
    """A random-init Qwen2 causal LM with a ChatML template (for question generation)."""
    from transformers import Qwen2Config, Qwen2ForCausalLM
    template = CHATML_TEMPLATE.replace('{IMAGE}', '')
    tokenizer = _tokenizer(['<|endoftext|>', '<|im_start|>', '<|im_end|>'], template,
                           pad_token='<|endoftext|>', eos_token='<|im_end|>')
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=512, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(seed)
    Qwen2ForCausalLM(config).eval().save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    return out_dir
