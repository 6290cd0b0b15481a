"""Find the token ids of a model's "yes" and "no" answers."""
from dataclasses import dataclass
from typing import Dict, List, Sequence


@dataclass
class AnswerTokens:
    """The single-token spellings of the answers whose logits are pooled into ``yes`` / ``no``."""
    yes_ids: List[int]
    no_ids: List[int]
    yes_tokens: List[str]
    no_tokens: List[str]

    def describe(self) -> Dict[str, Dict[str, int]]:
        """``{'yes': {token: id}, 'no': {token: id}}`` for logs and the metadata file."""
        return dict(yes=dict(zip(self.yes_tokens, self.yes_ids)),
                    no=dict(zip(self.no_tokens, self.no_ids)))


def resolve_answer_tokens(tokenizer, yes_words: Sequence[str] = ('Yes', 'yes'),
                          no_words: Sequence[str] = ('No', 'no')) -> AnswerTokens:
    """Token ids of every spelling of the answers that the tokenizer encodes as ONE token.

    Each word is tried as written and with a leading space (``'Yes'``, ``' Yes'``): which of the two
    a model emits first depends on its chat template (``ASSISTANT: Yes`` vs ``assistant\\nYes``), so
    the extractor pools both (log-sum-exp of their logits, i.e. the summed probability). Spellings
    that split into several tokens are left out: the first answer token would not identify them.
    The original MaKD code hard-coded the Qwen2 ids 9454/2753, which are other tokens in the
    InternLM2 vocabulary of the InternVL2-8B teacher it reports; reading them here avoids that.

    Example:
        >>> from transformers import AutoTokenizer  # doctest: +SKIP
        >>> tokenizer = AutoTokenizer.from_pretrained('path/to/model')  # doctest: +SKIP
        >>> resolve_answer_tokens(tokenizer).describe()  # doctest: +SKIP
        {'yes': {'Yes': 9454, ' Yes': 7414, ...}, 'no': {'No': 2753, ...}}
    """

    def single_tokens(words: Sequence[str]) -> Dict[str, int]:
        found: Dict[str, int] = {}
        for word in words:
            for spelling in (word, ' ' + word):
                ids = tokenizer.encode(spelling, add_special_tokens=False)
                if len(ids) == 1 and ids[0] not in found.values():
                    found[spelling] = ids[0]
        return found

    yes, no = single_tokens(yes_words), single_tokens(no_words)
    for name, words, found in (('yes', yes_words, yes), ('no', no_words, no)):
        if not found:
            raise ValueError(
                f'none of the {name!r} answer spellings {list(words)} (with or without a leading '
                f'space) is a single token of {type(tokenizer).__name__}; pass other words '
                '(--yes-words / --no-words) that this tokenizer keeps whole')
    clash = set(yes.values()) & set(no.values())
    if clash:
        raise ValueError(f'token ids {sorted(clash)} are both a "yes" and a "no" answer')
    return AnswerTokens(list(yes.values()), list(no.values()), list(yes), list(no))
