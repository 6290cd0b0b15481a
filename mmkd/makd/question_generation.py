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

#: Step 3 (for the contrastive backend): an affirmative and a negative statement per question.
#: Fields: classes, questions (one a line).
STATEMENT_PROMPT = (
    'The dataset has the classes {classes}. For each yes or no question below, write a short '
    'affirmative statement describing an image for which the answer is yes, and a short negative '
    'statement describing an image for which the answer is no (for "Does the bird have a red '
    'beak?": "A photo of a bird with a red beak." and "A photo of a bird without a red beak."). '
    'Write one line per question, in the same order: the question, " | ", the affirmative '
    'statement, " | ", the negative statement, and nothing else.\n{questions}')

#: Words a yes/no question starts with.
YES_NO_OPENERS = ('is', 'are', 'does', 'do', 'did', 'can', 'could', 'has', 'have', 'had', 'was',
                  'were', 'will', 'would', 'should', 'may', 'might', 'must', 'shall')
_LIST_MARKER = re.compile(r'^\s*(?:[-*•+]|\(?\d+[.):]|q(?:uestion)?\s*\d+\s*[.):]?)\s*', re.I)


def _question_key(text: str) -> str:
    return ' '.join(re.sub(r'[^\w\s]', '', text.lower()).split())


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
            key = _question_key(line)
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


# ---------------------------------------------------------------- statement pairs
_DETERMINERS = ('the', 'a', 'an', 'this', 'that', 'these', 'those', 'its', 'their', 'his', 'her',
                'any', 'each')
_PRONOUNS = ('it', 'they', 'there', 'he', 'she', 'this', 'that')
_NEGATED = {'can': 'cannot', 'will': 'will not', 'shall': 'shall not'}


@dataclass(frozen=True)
class StatementPair:
    """A yes/no question and the two statements that answer it."""
    question: str
    affirmative: str
    negative: str


def _third_person(verb: str) -> str:
    if verb == 'have':
        return 'has'
    if re.search(r'(s|sh|ch|x|z|o)$', verb):
        return verb + 'es'
    if re.search(r'[^aeiou]y$', verb):
        return verb[:-1] + 'ies'
    return verb + 's'


def template_statements(question: str) -> StatementPair:
    """Turn ``'<aux> <subject> <rest>?'`` into ``'<Subject> <aux> <rest>.'`` and its negation.

    The subject is a pronoun (``it``, ``they``, ...) or a determiner and one word (``the item``,
    ``this garment``); ``does``/``do`` are folded into the verb. Anything else raises a
    ``ValueError``: write that pair by hand (a statements file) or let the LLM write them
    (``generate_aspect_questions.py --statements llm``).

    Example:
        >>> pair = template_statements('Does the item have long sleeves?')
        >>> pair.affirmative, pair.negative
        ('The item has long sleeves.', 'The item does not have long sleeves.')
        >>> template_statements('Is it worn on the feet?').negative
        'It is not worn on the feet.'
    """
    words = question.strip().rstrip('?').split()
    aux = words[0].lower() if words else ''
    if len(words) < 3 or aux not in YES_NO_OPENERS:
        raise ValueError(f'cannot template statements for {question!r}: it does not start with '
                         f'one of {YES_NO_OPENERS}; write its statement pair by hand')
    if words[1].lower() in _DETERMINERS and len(words) > 3:
        subject, rest = words[1:3], words[3:]
    elif words[1].lower() in _PRONOUNS:
        subject, rest = words[1:2], words[2:]
    else:
        raise ValueError(f'cannot find the subject of {question!r} (expected "it"/"they"/... or '
                         f'"the <noun>"); write its statement pair by hand')
    subject_text = ' '.join(subject)
    subject_text = subject_text[0].upper() + subject_text[1:]
    rest_text = ' '.join(rest)
    if aux in ('does', 'do'):
        verb = rest[0] if aux == 'do' else _third_person(rest[0])
        affirmative = f'{subject_text} {" ".join([verb, *rest[1:]])}.'
        negative = f'{subject_text} {aux} not {rest_text}.'
    else:
        affirmative = f'{subject_text} {aux} {rest_text}.'
        negative = f'{subject_text} {_NEGATED.get(aux, aux + " not")} {rest_text}.'
    return StatementPair(question.strip(), affirmative, negative)


def read_statements(path: str, num_questions: Optional[int] = None) -> List[StatementPair]:
    """Statement pairs from ``path``: a TSV ``question<TAB>affirmative<TAB>negative`` (what
    ``generate_aspect_questions.py`` writes as ``statements.tsv``), or a plain question list whose
    pairs are made by :func:`template_statements`."""
    from .extraction import read_questions
    with open(path, encoding='utf-8') as f:
        lines = [line.rstrip('\n') for line in f if line.strip()]
    if not any('\t' in line for line in lines):
        return [template_statements(q) for q in read_questions(path, num_questions)]
    pairs = []
    for number, line in enumerate(lines, 1):
        row = line.split('\t')
        if len(row) != 3 or not all(cell.strip() for cell in row):
            raise ValueError(f'{path}:{number}: expected question<TAB>affirmative<TAB>negative, '
                             f'got {len(row)} field(s): {row}')
        pairs.append(StatementPair(*(cell.strip() for cell in row)))
    questions = [pair.question for pair in pairs]
    repeated = sorted({q for q in questions if questions.count(q) > 1})
    if repeated:
        raise ValueError(f'{path}: repeated questions {repeated[:3]}')
    if num_questions is not None and len(pairs) != num_questions:
        raise ValueError(f'{path} has {len(pairs)} statement pairs, expected {num_questions}')
    return pairs


def write_statements(path: str, pairs: Sequence[StatementPair]) -> None:
    """Write the TSV :func:`read_statements` reads (atomically)."""
    from mmkd.utils.io import atomic_write
    with atomic_write(path) as f:
        for pair in pairs:
            cells = (pair.question, pair.affirmative, pair.negative)
            if any('\t' in cell or '\n' in cell for cell in cells):
                raise ValueError(f'statement pair {cells} holds a tab or newline')
            f.write('\t'.join(cells) + '\n')


def parse_statements(text: str, questions: Sequence[str]
                     ) -> Tuple[Dict[str, StatementPair], List[Tuple[str, str]]]:
    """``question | affirmative | negative`` lines of an LLM answer, matched to ``questions``.

    Returns the pairs by question and the rejected lines with reasons.

    Example:
        >>> pairs, rejected = parse_statements(
        ...     '1. Is it red? | A red item. | An item that is not red.\\nIs it big?',
        ...     ['Is it red?'])
        >>> pairs['Is it red?'].negative, [reason for _, reason in rejected]
        ('An item that is not red.', ['not "question | affirmative | negative"'])
    """
    by_key = {_question_key(q): q for q in questions}
    pairs: Dict[str, StatementPair] = {}
    rejected = []
    for raw in text.splitlines():
        line = _LIST_MARKER.sub('', raw.strip()).strip()
        if not line:
            continue
        cells = [cell.strip().strip('*_"\'`').strip() for cell in line.split('|')]
        if len(cells) != 3 or not all(cells):
            rejected.append((raw.strip(), 'not "question | affirmative | negative"'))
        elif _question_key(cells[0]) not in by_key:
            rejected.append((raw.strip(), 'not one of the questions'))
        elif by_key[_question_key(cells[0])] in pairs:
            rejected.append((raw.strip(), 'duplicate'))
        else:
            question = by_key[_question_key(cells[0])]
            pairs[question] = StatementPair(question, cells[1], cells[2])
    return pairs, rejected


@dataclass
class StatementGeneration:
    """Statement pairs for every question: from the LLM, or templated where it gave none."""
    prompt: str
    response: str
    pairs: List[StatementPair]
    rejected: List[Tuple[str, str]]
    templated: List[str]


def generate_statements(backend, questions: Sequence[str], classes: Sequence[str],
                        prompt: str = STATEMENT_PROMPT) -> StatementGeneration:
    """Ask the LLM for each question's statement pair; questions it skipped are templated
    (:func:`template_statements`) and listed in ``templated``."""
    text = prompt.format(classes=', '.join(classes), questions='\n'.join(questions))
    response = backend.chat([dict(role='user', content=text)])
    found, rejected = parse_statements(response, questions)
    templated = [q for q in questions if q not in found]
    pairs = [found[q] if q in found else template_statements(q) for q in questions]
    return StatementGeneration(text, response, pairs, rejected, templated)
