"""Ask an LLM for yes/no aspect questions about a dataset's classes, then for the best Q of them."""
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

#: Step 1 (the MaKD README's instruction). Fields: num_classes, num_images, classes, num_candidates.
GENERATE_PROMPT = (
    'The dataset consists of {num_classes} classes and {num_images} images. The class list is as '
    'follows: {classes}. Generate {num_candidates} feature-specific yes or no questions, focusing '
    'on clear and distinct aspects of the objects in the images in the dataset. Write one question '
    'per line and nothing else.')
#: Step 2. Fields: those of step 1, plus num_questions and questions (the numbered candidates).
SELECT_PROMPT = (
    'Here is a list of yes or no questions about the images of a dataset with the classes '
    '{classes}:\n{questions}\nSelect {num_questions} of the most relevant and distinct questions '
    'from the list, focusing on various key features that distinguish different classes in the '
    'dataset (visual, categorical and environmental aspects). Write the selected questions one per '
    'line, exactly as in the list, and nothing else.')

#: Words a yes/no question starts with.
YES_NO_OPENERS = ('is', 'are', 'does', 'do', 'did', 'can', 'could', 'has', 'have', 'had', 'was',
                  'were', 'will', 'would', 'should', 'may', 'might', 'must', 'shall')
_LIST_MARKER = re.compile(r'^\s*(?:[-*•+]|\(?\d+[.):]|q(?:uestion)?\s*\d+\s*[.):]?)\s*', re.I)


@dataclass
class ParsedQuestions:
    """Questions accepted from an LLM answer, and the non-empty lines rejected, with reasons."""
    questions: List[str] = field(default_factory=list)
    rejected: List[Tuple[str, str]] = field(default_factory=list)


def parse_questions(text: str) -> ParsedQuestions:
    """One question per line: strip list markers and emphasis, keep unique yes/no questions.

    Example:
        >>> parsed = parse_questions('1. Is it red?\\n2. **Does it fly?**\\n3. is it red?\\nWhy?')
        >>> parsed.questions
        ['Is it red?', 'Does it fly?']
        >>> [reason for _, reason in parsed.rejected]
        ['duplicate', 'not a yes/no question (does not start with is/are/does/...)']
    """
    parsed, seen = ParsedQuestions(), set()
    for raw in text.splitlines():
        line = raw.strip()
        for _ in range(3):  # nested markers such as '3. - ' or '1. **'
            line = _LIST_MARKER.sub('', line).strip().strip('*_"\'`').strip()
        if not line:
            continue
        words = line.split()
        if not line.endswith('?'):
            parsed.rejected.append((raw.strip(), 'not a question (no "?" at the end)'))
        elif words[0].lower() not in YES_NO_OPENERS:
            parsed.rejected.append((raw.strip(), 'not a yes/no question (does not start with '
                                                 'is/are/does/...)'))
        elif line.count('?') > 1:
            parsed.rejected.append((raw.strip(), 'more than one question on the line'))
        else:
            key = ' '.join(re.sub(r'[^\w\s]', '', line.lower()).split())
            if key in seen:
                parsed.rejected.append((raw.strip(), 'duplicate'))
            else:
                seen.add(key)
                parsed.questions.append(line[0].upper() + line[1:])
    return parsed


class HFChatBackend:
    """A local Hugging Face causal LM, prompted through its tokenizer's chat template (greedy).

    Example:
        >>> backend = HFChatBackend('path/to/Qwen2.5-7B-Instruct')  # doctest: +SKIP
        >>> backend.chat([dict(role='user', content='Say yes.')])  # doctest: +SKIP
        'Yes.'
    """

    def __init__(self, model: str, max_new_tokens: int = 2048, device: Optional[str] = None,
                 dtype: str = 'auto', trust_remote_code: bool = False):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from mmkd.utils.checkpoint import check_hf_folder
        check_hf_folder(model, 'the question-generating LLM')
        kwargs = dict(local_files_only=True, trust_remote_code=trust_remote_code)
        self.tokenizer = AutoTokenizer.from_pretrained(model, **kwargs)
        if self.tokenizer.chat_template is None:
            raise ValueError(f'the tokenizer of {model} has no chat template; use an instruction-'
                             'tuned (chat) model')
        self.device = device or ('cuda' if torch.cuda.is_available() else 'cpu')
        self.model = AutoModelForCausalLM.from_pretrained(
            model, torch_dtype=dtype, **kwargs).to(self.device).eval()
        self.max_new_tokens = max_new_tokens
        self.name = model

    def chat(self, messages: List[Dict[str, str]]) -> str:
        import torch
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                 return_tensors='pt').to(self.device)
        with torch.no_grad():
            out = self.model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                                      max_new_tokens=self.max_new_tokens,
                                      pad_token_id=self.tokenizer.pad_token_id
                                      or self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True)


class OpenAIChatBackend:
    """Any OpenAI-compatible ``/chat/completions`` endpoint (OpenAI, vLLM, llama.cpp, Ollama, ...).

    The key is read from the environment variable ``api_key_env`` (never from the command line);
    an endpoint without authentication works with the variable unset.

    Example:
        >>> backend = OpenAIChatBackend('https://api.openai.com/v1', 'gpt-4o')  # doctest: +SKIP
    """

    def __init__(self, base_url: str, model: str, api_key_env: str = 'OPENAI_API_KEY',
                 temperature: float = 0.0, timeout: float = 600):
        self.url = base_url.rstrip('/') + '/chat/completions'
        self.model = model
        self.api_key = os.environ.get(api_key_env)
        self.temperature = temperature
        self.timeout = timeout
        self.name = f'{model} at {base_url}'

    def chat(self, messages: List[Dict[str, str]]) -> str:
        body = json.dumps(dict(model=self.model, messages=messages,
                               temperature=self.temperature)).encode()
        headers = {'Content-Type': 'application/json'}
        if self.api_key:
            headers['Authorization'] = f'Bearer {self.api_key}'
        request = urllib.request.Request(self.url, data=body, headers=headers, method='POST')
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f'{self.url} answered HTTP {error.code}: '
                               f'{error.read()[:500].decode(errors="replace")}') from None
        try:
            return answer['choices'][0]['message']['content']
        except (KeyError, IndexError, TypeError):
            raise RuntimeError(f'{self.url} sent no choices[0].message.content: '
                               f'{str(answer)[:500]}') from None


@dataclass
class QuestionGeneration:
    """Everything both steps produced: prompts, raw answers, parsed and rejected lines."""
    prompts: List[str]
    responses: List[str]
    candidates: ParsedQuestions
    selected: ParsedQuestions


def generate_aspect_questions(backend, classes: Sequence[str], num_images: int,
                              num_candidates: int, num_questions: int,
                              generate_prompt: str = GENERATE_PROMPT,
                              select_prompt: str = SELECT_PROMPT) -> QuestionGeneration:
    """Step 1: ask for ``num_candidates`` (N) questions; step 2: ask for the best ``num_questions``.

    Raises ``ValueError`` when step 1 gives fewer than Q usable questions. Step 2's answer is kept
    as the model gave it (at most Q); the caller checks that it holds Q questions.
    """
    fields = dict(num_classes=len(classes), num_images=num_images, classes=', '.join(classes),
                  num_candidates=num_candidates, num_questions=num_questions)
    prompts = [generate_prompt.format(**fields)]
    responses = [backend.chat([dict(role='user', content=prompts[0])])]
    candidates = parse_questions(responses[0])
    if len(candidates.questions) < num_questions:
        return QuestionGeneration(prompts, responses, candidates, ParsedQuestions())
    numbered = '\n'.join(f'{i + 1}. {q}' for i, q in enumerate(candidates.questions))
    prompts.append(select_prompt.format(questions=numbered, **fields))
    responses.append(backend.chat([dict(role='user', content=prompts[1])]))
    selected = parse_questions(responses[1])
    for extra in selected.questions[num_questions:]:
        selected.rejected.append((extra, f'more than the {num_questions} asked for'))
    selected.questions = selected.questions[:num_questions]
    return QuestionGeneration(prompts, responses, candidates, selected)
