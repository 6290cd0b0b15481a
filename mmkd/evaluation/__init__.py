from .aspect_agreement import AspectAgreement
from .oracle_topk_f1 import OracleTopKF1, oracle_topk_predictions, precision_recall_f1

__all__ = ['AspectAgreement', 'OracleTopKF1', 'oracle_topk_predictions', 'precision_recall_f1']
