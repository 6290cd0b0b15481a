from .oracle_topk_f1 import OracleTopKF1, oracle_topk_predictions, precision_recall_f1

__all__ = ['OracleTopKF1', 'oracle_topk_predictions', 'precision_recall_f1']
