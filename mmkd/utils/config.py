"""Small helpers for reading OpenMMLab configs in tools."""


def innermost_dataset(dataset_cfg: dict) -> dict:
    """The dataset config under wrappers such as ``RepeatDataset`` (the first one with a pipeline).

    Example:
        >>> innermost_dataset(dict(type='RepeatDataset', times=2,
        ...                        dataset=dict(type='CustomDataset', pipeline=[])))['type']
        'CustomDataset'
    """
    while 'dataset' in dataset_cfg and 'pipeline' not in dataset_cfg:
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg
