# mAP, the 0.5-threshold CP/CR/CF1 and OP/OR/OF1 of mmpretrain, and L2D's oracle-top-k F1s
# (penghui-yang/L2D evaluate.py: each image predicts as many labels as it has).
val_evaluator = [
    dict(type='AveragePrecision'),
    dict(type='MultiLabelMetric', thr=0.5, average='macro'),
    dict(type='MultiLabelMetric', thr=0.5, average='micro'),
    dict(type='mmkd.OracleTopKF1'),
]
test_evaluator = val_evaluator
