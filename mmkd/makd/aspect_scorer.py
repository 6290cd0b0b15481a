"""Score yes/no aspect questions about images with a multimodal LLM, reusing the image prefix."""
import inspect
from dataclasses import dataclass, fields
from typing import Dict, List, Optional, Sequence

import torch
from PIL import Image
from transformers import DynamicCache

from .answer_tokens import AnswerTokens, resolve_answer_tokens

#: The answer-format instruction of the paper's figure (the released code never sent it).
DEFAULT_SUFFIX = 'The answer must always be either Yes or No (do not provide any other response).'


@dataclass
class AspectScores:
    """Scores of ``B`` images × ``Q`` questions (float32 tensors ``[B, Q]`` on the CPU)."""
    yes_logits: torch.Tensor  #: pooled (log-sum-exp) logits of the "yes" spellings
    no_logits: torch.Tensor   #: pooled logits of the "no" spellings
    answer_mass: torch.Tensor  #: p(yes) + p(no) under the full-vocabulary softmax
    top_token: torch.Tensor   #: argmax token id of the first answer position (int64)

    @property
    def probs(self) -> torch.Tensor:
        """The MaKD target: ``softmax([yes, no])[0] = sigmoid(yes - no)``."""
        return torch.sigmoid(self.yes_logits - self.no_logits)

    @classmethod
    def cat(cls, parts: Sequence['AspectScores']) -> 'AspectScores':
        """Concatenate along the first dimension."""
        return cls(*(torch.cat([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def map(self, fn) -> 'AspectScores':
        """Apply ``fn`` (indexing, reshaping) to every field."""
        return AspectScores(*(fn(getattr(self, f.name)) for f in fields(self)))


class AspectScorer:
    """First-answer-token yes/no scores of a Hugging Face image-text-to-text model.

    For image ``x`` and question ``q`` the prompt is the model's own chat template applied to one
    user turn ``[image, q + ' ' + suffix]`` (an optional system turn first) with the generation
    prompt added. ONE forward pass over it gives the logits of the first answer token at the last
    position, exactly what the first step of greedy generation sees: no ``generate``, no patched
    library files (the original code patched ``transformers``' greedy loop to return them).

    Speed: the Q prompts of an image share everything up to the question text (system turn,
    image tokens). That prefix is encoded once per image — images grouped into one forward when
    their prefixes have one length — and its KV cache is reused by all Q question suffixes,
    scored ``batch_size`` (image, question) pairs at a time with right padding (a padded token
    comes after every real one, so causal attention never sees it). Models with multimodal RoPE
    (Qwen2-VL / Qwen2.5-VL) get their per-image position offset (``rope_deltas``) carried over.
    :meth:`score_naive` is the plain one-forward-per-question path it must equal.

    Args:
        model: a loaded image-text-to-text model (``AutoModelForImageTextToText``), in eval mode.
        processor: its processor, with a chat template.
        questions: the Q aspect questions.
        answer_tokens: yes/no token ids; resolved from the tokenizer when ``None``.
        prompt_suffix: text appended to every question.
        system_prompt: an optional system message.
        batch_size: (image, question) pairs per suffix forward.

    Example:
        >>> import tempfile
        >>> from PIL import Image
        >>> from transformers import AutoModelForImageTextToText, AutoProcessor
        >>> from mmkd.testing import build_tiny_llava
        >>> path = build_tiny_llava(tempfile.mkdtemp())
        >>> scorer = AspectScorer(AutoModelForImageTextToText.from_pretrained(path),
        ...                       AutoProcessor.from_pretrained(path), ['Is it red?', 'Is it big?'])
        >>> scorer.score([Image.new('RGB', (32, 32))]).probs.shape
        torch.Size([1, 2])
    """

    def __init__(self, model, processor, questions: Sequence[str],
                 answer_tokens: Optional[AnswerTokens] = None,
                 prompt_suffix: str = DEFAULT_SUFFIX, system_prompt: Optional[str] = None,
                 batch_size: int = 64):
        if not questions:
            raise ValueError('AspectScorer needs at least one question')
        if getattr(processor, 'chat_template', None) is None:
            raise ValueError(f'{type(processor).__name__} has no chat template; the prompt of an '
                             'image-text-to-text model must come from its own template')
        self.model = model
        self.processor = processor
        self.tokenizer = processor.tokenizer
        self.questions = list(questions)
        self.answer_tokens = answer_tokens or resolve_answer_tokens(self.tokenizer)
        self.prompt_suffix = prompt_suffix
        self.system_prompt = system_prompt
        self.batch_size = batch_size
        self.prompts = [self.render_prompt(q) for q in self.questions]
        self.suffix_ids = self._split_question_suffixes()
        self.pad_id = self.tokenizer.pad_token_id or 0
        forward_args = inspect.signature(model.forward).parameters
        self._prefix_kwargs = dict(logits_to_keep=1) if 'logits_to_keep' in forward_args else {}

    def describe(self) -> Dict:
        """What identifies these answers (the extraction's fingerprint and metadata)."""
        return dict(questions=self.questions, prompt_suffix=self.prompt_suffix,
                    system_prompt=self.system_prompt, answer_tokens=self.answer_tokens.describe(),
                    example_prompt=self.prompts[0])

    def top_answers(self, top: torch.Tensor) -> List[str]:
        """The most likely first answer token per question, decoded."""
        return [self.tokenizer.decode([int(token)]) for token in top]

    # ------------------------------------------------------------------ prompts
    def render_prompt(self, question: str) -> str:
        """The templated prompt text of one question (image placeholder not yet expanded)."""
        text = f'{question} {self.prompt_suffix}'.strip()
        messages = [dict(role='user', content=[dict(type='image'), dict(type='text', text=text)])]
        if self.system_prompt:
            messages.insert(0, dict(role='system',
                                    content=[dict(type='text', text=self.system_prompt)]))
        return self.processor.apply_chat_template(messages, add_generation_prompt=True)

    def _split_question_suffixes(self) -> List[List[int]]:
        """Token ids after the longest prefix the Q tokenised prompts share (≥ 1 token each)."""
        ids = [self.tokenizer(p)['input_ids'] for p in self.prompts]
        shared = min(len(i) for i in ids) - 1
        for pos in range(shared):
            if any(i[pos] != ids[0][pos] for i in ids):
                shared = pos
                break
        image_token = self._image_token_id()
        if image_token is not None and any(image_token in i[shared:] for i in ids):
            raise ValueError('the chat template places the image after the question text; the '
                             'image prefix cannot be shared. Use a template with the image first.')
        return [i[shared:] for i in ids]

    def _image_token_id(self) -> Optional[int]:
        config = self.model.config
        return getattr(config, 'image_token_index', getattr(config, 'image_token_id', None))

    # ------------------------------------------------------------------ scoring
    @torch.no_grad()
    def score(self, images: Sequence[Image.Image]) -> AspectScores:
        """Scores of every image × question, sharing each image's prefix KV cache."""
        encoded = [self.encode(image) for image in images]
        groups: Dict[tuple, List[int]] = {}
        for index, enc in enumerate(encoded):
            shapes = tuple((k, tuple(v.shape[1:])) for k, v in sorted(enc.items()))
            groups.setdefault(shapes, []).append(index)
        order, parts = [], []
        for members in groups.values():
            parts.append(self._score_group(
                {key: torch.cat([encoded[i][key] for i in members])
                 for key in encoded[members[0]]}))
            order += members
        return AspectScores.cat(parts).map(lambda t: t[torch.tensor(order).argsort()])

    @torch.no_grad()
    def score_naive(self, image: Image.Image) -> AspectScores:
        """The reference path: one full forward per question, no cache, no batching."""
        logits = []
        for prompt in self.prompts:
            inputs = self.model_inputs(self.processor(text=prompt, images=image,
                                                       return_tensors='pt'))
            logits.append(self.model(**inputs).logits[0, -1].float())
        return self.reduce_logits(torch.stack(logits)[None])

    def encode(self, image: Image.Image) -> Dict[str, torch.Tensor]:
        """The processor's inputs for the first prompt, cut to the shared prefix."""
        inputs = self.model_inputs(self.processor(text=self.prompts[0], images=image,
                                                   return_tensors='pt'))
        suffix = torch.tensor(self.suffix_ids[0])
        prefix_len = inputs['input_ids'].shape[1] - len(suffix)
        if not torch.equal(inputs['input_ids'][0, prefix_len:], suffix):
            raise RuntimeError('the processor tokenised the prompt differently from its tokenizer '
                               '(after the image placeholder); prefix reuse would change answers')
        for key in ('input_ids', 'attention_mask'):
            if key in inputs:
                inputs[key] = inputs[key][:, :prefix_len]
        return inputs

    def model_inputs(self, encoding) -> Dict[str, torch.Tensor]:
        """The tensors of a processor output that the model takes, on its device and dtype."""
        device, dtype = self.model.device, self.model.dtype
        keep = {}
        for key, value in encoding.items():
            if key == 'token_type_ids' or not isinstance(value, torch.Tensor):
                continue
            value = value.to(device)
            keep[key] = value.to(dtype) if value.is_floating_point() else value
        return keep

    def _score_group(self, prefix: Dict[str, torch.Tensor]) -> AspectScores:
        """Scores ``[G, Q]`` of ``G`` images whose prefixes have one length."""
        device = self.model.device
        num_images, prefix_len = prefix['input_ids'].shape
        out = self.model(**prefix, use_cache=True, return_dict=True,
                         cache_position=torch.arange(prefix_len, device=device),
                         **self._prefix_kwargs)
        cache = out.past_key_values  # a DynamicCache, or legacy tuples from remote code
        layers = cache.to_legacy_cache() if hasattr(cache, 'to_legacy_cache') else cache
        rope_deltas = getattr(out, 'rope_deltas', None)
        pairs = [(i, q) for i in range(num_images) for q in range(len(self.questions))]
        parts = []
        for start in range(0, len(pairs), self.batch_size):
            chunk = pairs[start:start + self.batch_size]
            rows = torch.tensor([i for i, _ in chunk], device=device)
            suffixes = [self.suffix_ids[q] for _, q in chunk]
            length = max(len(s) for s in suffixes)
            ids = torch.full((len(chunk), length), self.pad_id, dtype=torch.long)
            for row, suffix in enumerate(suffixes):
                ids[row, :len(suffix)] = torch.tensor(suffix)
            positions = torch.arange(prefix_len, prefix_len + length, device=device)
            kwargs = {}
            if rope_deltas is not None:  # multimodal RoPE: text positions shifted per image
                kwargs['position_ids'] = (positions[None] + rope_deltas[rows]).expand(3, -1, -1)
            cache = DynamicCache.from_legacy_cache(
                tuple((k.index_select(0, rows), v.index_select(0, rows)) for k, v in layers))
            step = self.model(
                input_ids=ids.to(device), past_key_values=cache, use_cache=True, return_dict=True,
                attention_mask=torch.ones(len(chunk), prefix_len + length, dtype=torch.long,
                                          device=device),
                cache_position=positions, **kwargs)
            last = torch.tensor([len(s) - 1 for s in suffixes], device=device)
            parts.append(self.reduce_logits(
                step.logits[torch.arange(len(chunk), device=device), last].float()))
        return AspectScores.cat(parts).map(lambda t: t.view(num_images, len(self.questions)))

    def reduce_logits(self, logits: torch.Tensor) -> AspectScores:
        """First-answer-token logits ``[..., V]`` → pooled yes/no logits and sanity statistics."""
        yes = torch.logsumexp(logits[..., self.answer_tokens.yes_ids], dim=-1)
        no = torch.logsumexp(logits[..., self.answer_tokens.no_ids], dim=-1)
        answer_ids = self.answer_tokens.yes_ids + self.answer_tokens.no_ids
        mass = logits.softmax(dim=-1)[..., answer_ids].sum(dim=-1)
        return AspectScores(yes.cpu(), no.cpu(), mass.cpu(), logits.argmax(dim=-1).cpu())
