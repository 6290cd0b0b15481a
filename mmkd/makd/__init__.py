"""MaKD's offline steps: aspect questions from an LLM, aspect targets from a multimodal LLM
(or, without one, from an image-text embedding teacher: the contrastive backend).

Used by ``tools/makd/*.py``; not imported by ``import mmkd`` (training never needs it).
"""
from .answer_tokens import AnswerTokens, resolve_answer_tokens
from .aspect_scorer import DEFAULT_SUFFIX, AspectScorer, AspectScores
from .contrastive_scorer import ContrastiveAspectScorer, build_image_text_teacher
from .extraction import extract_shard, merge_shards, parse_shard, read_questions
from .image_sources import ImageRecord, dataset_records, folder_records
from .question_generation import StatementPair, read_statements, template_statements

__all__ = [
    'AnswerTokens', 'resolve_answer_tokens', 'DEFAULT_SUFFIX', 'AspectScorer', 'AspectScores',
    'extract_shard', 'merge_shards', 'parse_shard', 'read_questions', 'ImageRecord',
    'dataset_records', 'folder_records', 'ContrastiveAspectScorer', 'build_image_text_teacher',
    'StatementPair', 'read_statements', 'template_statements'
]
