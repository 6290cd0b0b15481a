"""tools/analysis/mean_of_last_evaluations.py on the scalars.json of a real MMEngine run."""
import json

import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import TensorDataset

from mmkd_test_helpers import run_script

TOOL = 'tools/analysis/mean_of_last_evaluations.py'


class Toy(BaseModel):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, mode='tensor'):
        if mode == 'loss':
            return dict(loss=(self.weight - inputs.mean()).pow(2))
        return [self.weight.detach().clone()]


class ValidationCount(BaseMetric):
    """Reports 1, 2, 3, ... at the successive validations, and a second metric twice that."""
    calls = 0

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        ValidationCount.calls += 1
        return dict(count=float(self.calls), double=2.0 * self.calls)


@pytest.fixture(scope='module')
def run_dir(tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('mean_of_last'))
    loader = dict(dataset=TensorDataset(torch.arange(8.)), batch_size=4,
                  sampler=dict(type='DefaultSampler', shuffle=False),
                  collate_fn=dict(type='default_collate'))
    # validation every 3 epochs, then every epoch: MMEngine switches to a dynamic interval one
    # epoch before its milestone, so the validations are at epochs 3, 5, 6, 7, 8, 9
    Runner(model=Toy(), work_dir=work_dir, train_dataloader=loader, val_dataloader=loader,
           val_evaluator=[ValidationCount()], val_cfg=dict(), log_level='WARNING',
           train_cfg=dict(by_epoch=True, max_epochs=9, val_interval=3,
                          dynamic_intervals=[(6, 1)]),
           optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
           default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=100)),
           visualizer=dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')]),
           ).train()
    return work_dir


def test_mean_of_the_last_validations(run_dir, tmp_path, capsys):
    out = str(tmp_path / 'mean.json')
    run_script(TOOL, [run_dir, '--last', '4',
                     '--keys', 'count', 'double', '--out', out])
    with open(out) as f:
        result = json.load(f)
    # counts 1..6 at epochs 3, 5, 6, 7, 8, 9; the last 4 are 3, 4, 5, 6
    assert result['steps'] == [6, 7, 8, 9]
    assert result['values']['count'] == [3.0, 4.0, 5.0, 6.0]
    assert result['mean'] == dict(count=4.5, double=9.0)
    assert 'count: 4.5000' in capsys.readouterr().out


def test_too_few_validations_are_an_error(run_dir):
    with pytest.raises(ValueError, match=r'last 7 validations, found 6 \(steps \[3, 5, 6, 7'):
        run_script(TOOL, [run_dir, '--last', '7'])
