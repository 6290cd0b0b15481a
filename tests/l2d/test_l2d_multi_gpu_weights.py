"""The multi-GPU recipe of projects/l2d/README.md keeps every L2D term's gradient equal to 1 x 64.

Under DDP the gradients of the W ranks are averaged. A term that is a mean over the batch (MLD)
then averages to the global mean by itself; a term that is a sum (BCE_sum, LED's ID and its
gathered CD) comes out 1/W. The recipe: keep the BCE head's loss_weight at the GLOBAL batch (the
head divides by the per-rank batch), multiply LED's loss_weight by W, leave MLD alone. Checked on
2 gloo ranks against one process holding the whole batch, with the losses built from the resolved
COCO config (plus the recipe's options), and the old recipe (BCE weight = per-GPU batch) shown
to miss.
"""
import os
import os.path as osp

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.config import Config

from mmkd_test_helpers import REPO

CONFIG = osp.join(REPO, 'configs', 'l2d', 'l2d_resnet101-to-resnet34_1xb64-80e_coco14-224px.py')
WORLD, GLOBAL_BATCH, CLASSES, DIM = 2, 8, 5, 6


def recipe(world_size: int) -> dict:
    """The --cfg-options of the README's multi-GPU command for ``world_size`` GPUs."""
    return {'train_dataloader.batch_size': 64 // world_size,
            'model.distill_losses.loss_led.loss_weight': 1.0 * world_size}


def loss_configs(options: dict) -> dict:
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(options)
    losses = {name: {k: v for k, v in loss.items() if k != 'inputs'}
              for name, loss in cfg.model.distill_losses.to_dict().items()}
    head = cfg.model.student.head.loss.to_dict()
    # the same rule at this test's global batch of 8 (the config's 64 = its global batch)
    head['loss_weight'] = head['loss_weight'] * GLOBAL_BATCH / 64
    return dict(head=head, **losses)


def batch():
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(GLOBAL_BATCH, 4, generator=generator, dtype=torch.float64)
    labels = (torch.rand(GLOBAL_BATCH, CLASSES, generator=generator) < 0.6).double()
    labels[:, 0] = 1  # every image has >= 1 positive and class 0 is in every image (CD groups)
    teacher_logits = torch.randn(GLOBAL_BATCH, CLASSES, generator=generator, dtype=torch.float64)
    teacher_embeds = torch.randn(GLOBAL_BATCH, CLASSES, DIM, generator=generator,
                                 dtype=torch.float64)
    return inputs, labels, teacher_logits, teacher_embeds


class Student(torch.nn.Module):
    """Logits [N, C] and label-wise embeddings [N, C, D] of a linear model."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.logits = torch.nn.Linear(4, CLASSES).double()
        self.embeds = torch.nn.Linear(4, CLASSES * DIM).double()

    def forward(self, inputs):
        return self.logits(inputs), self.embeds(inputs).view(-1, CLASSES, DIM)


def total_loss(model, losses, inputs, labels, teacher_logits, teacher_embeds):
    """The L2D objective on one rank's shard: head BCE (avg_factor = shard size) + MLD + LED."""
    logits, embeds = model(inputs)
    bce = losses['head'](logits, labels, avg_factor=len(inputs))
    return (bce + losses['loss_mld'](logits, teacher_logits)
            + losses['loss_led'](embeds, teacher_embeds, labels=labels))


def build_losses(configs):
    from mmengine.registry import MODELS
    from mmengine.registry import init_default_scope

    from mmkd.registry import build_mmkd_module
    init_default_scope('mmpretrain')
    losses = {name: build_mmkd_module(cfg) for name, cfg in configs.items() if name != 'head'}
    return dict(losses, head=MODELS.build(configs['head']))


def gradients(model):
    return {name: param.grad.clone() for name, param in model.named_parameters()}


def _rank(rank, port, recipes, queue):
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD)
    shard = slice(rank * GLOBAL_BATCH // WORLD, (rank + 1) * GLOBAL_BATCH // WORLD)
    results = []
    for configs in recipes:
        model = DistributedDataParallel(Student())
        total_loss(model, build_losses(configs), *[t[shard] for t in batch()]).backward()
        results.append({k: v.tolist() for k, v in gradients(model.module).items()})
    queue.put((rank, results))
    dist.destroy_process_group()


def ddp_gradients(*recipes):
    """Per recipe (loss configs), the averaged gradients of a 2-rank DDP step."""
    context = mp.get_context('spawn')  # not fork: a forked child can hang in backward
    queue = context.Queue()
    port = 29600 + os.getpid() % 1000
    processes = [context.Process(target=_rank, args=(rank, port, recipes, queue))
                 for rank in range(WORLD)]
    for process in processes:
        process.start()
    try:
        results = dict(queue.get(timeout=300) for _ in processes)
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    # DDP leaves the same averaged gradients on every rank
    assert results[0] == results[1]
    return [{k: torch.tensor(v, dtype=torch.float64) for k, v in grads.items()}
            for grads in results[0]]


def test_the_recipe_keeps_every_term_equal_to_the_single_gpu_run():
    single = Student()
    total_loss(single, build_losses(loss_configs({})), *batch()).backward()
    expected = gradients(single)

    configs = loss_configs(recipe(WORLD))
    assert configs['loss_mld']['loss_weight'] == 10.0  # a mean: unchanged
    assert configs['loss_led']['loss_weight'] == WORLD and configs['loss_led']['lambda_cd'] == 100
    # the README's earlier recipe (BCE weight = per-GPU batch, LED unchanged) must miss
    old = loss_configs({})
    old['head']['loss_weight'] = GLOBAL_BATCH / WORLD
    got, wrong = ddp_gradients(configs, old)
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-9, atol=1e-12)
    assert not torch.allclose(wrong['logits.weight'], expected['logits.weight'], rtol=1e-3)
    assert not torch.allclose(wrong['embeds.weight'], expected['embeds.weight'], rtol=1e-3)


@pytest.mark.parametrize('world_size', [2, 4, 8])
def test_the_recipe_resolves_to_a_global_batch_of_64(world_size):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(recipe(world_size))
    assert cfg.train_dataloader.batch_size * world_size == 64
    assert cfg.model.student.head.loss.loss_weight == 64.0  # the global batch, not the GPU's
    assert cfg.model.distill_losses.loss_led.loss_weight == world_size
    assert cfg.model.distill_losses.loss_mld.loss_weight == 10.0
    assert cfg.optim_wrapper.optimizer.lr == 1e-4 and not cfg.auto_scale_lr.enable
