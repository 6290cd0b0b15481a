from .aspect_agreement import AspectAgreement
from .open_vocab_accuracy import OpenVocabAccuracy
from .oracle_topk_f1 import OracleTopKF1, oracle_topk_predictions, precision_recall_f1

__all__ = [
    'AspectAgreement', 'OracleTopKF1', 'oracle_topk_predictions', 'precision_recall_f1',
    'OpenVocabAccuracy'
]
