from .open_vocab_accuracy import OpenVocabAccuracy

__all__ = ['OpenVocabAccuracy']
