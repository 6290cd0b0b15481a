"""SEED + LGD wired into the KnowledgeDistiller and trained by MMEngine's runner on unlabelled
Fashion-MNIST; the queue gathered across two real (gloo) ranks."""
import os.path as osp

import pytest
import torch
import torch.multiprocessing as mp
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS
from mmengine.runner import Runner

from mmkd.utils import load_strictly

DIM = 8


@pytest.fixture(scope='module')
def lgd_run(fashion_mnist_root, tmp_path_factory):
    """Three iterations of SEED + LGD (queue, VSB, TSB) with a LeNet5 teacher and student."""
    root = tmp_path_factory.mktemp('lgd_run')
    text_bank = str(root / 'tsb.pt')
    torch.manual_seed(0)
    names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
             'Sneaker', 'Bag', 'Ankle boot']
    torch.save(dict(embeddings=F.normalize(torch.randn(10, DIM), dim=1), class_names=names,
                    prompts=[[n] for n in names], encoder='constructed',
                    fingerprint='constructed'), text_bank)
    student = dict(type='ImageClassifier', backbone=dict(type='LeNet5', num_classes=-1),
                   neck=dict(type='GlobalAveragePooling'),
                   head=dict(type='mmkd.ZeroShotClsHead', in_channels=120, embed_dim=DIM,
                             text_bank=text_bank),
                   data_preprocessor=dict(type='ClsDataPreprocessor', mean=[72.94], std=[90.0]))
    teacher = dict(type='OpenMMLabTeacher', allow_random_init=True, checkpoint=None,
                   config=dict(model=dict(type='ImageClassifier', backbone=dict(
                       type='LeNet5', num_classes=DIM)), default_scope='mmpretrain'),
                   records=dict(embedding='backbone.classifier'))
    inputs = dict(preds_S='student.embedding', preds_T='lenet.embedding')
    pipeline = [dict(type='Resize', scale=(32, 32)), dict(type='PackInputs'),
                dict(type='mmkd.DropLabels')]
    cfg = Config(dict(
        default_scope='mmpretrain', work_dir=str(root / 'work'),
        custom_imports=dict(imports=['mmkd'], allow_failed_imports=False),
        model=dict(type='mmkd.KnowledgeDistiller', student=student,
                   teachers=dict(lenet=teacher),
                   student_records=dict(embedding='head.projector'),
                   distill_losses=dict(
                       loss_seed=dict(type='SEEDLoss', inputs=inputs,
                                      bank=dict(type='EmbeddingQueue', size=64, dim=DIM)),
                       loss_vis=dict(type='SEEDLoss', tau_t=0.01, loss_weight=0.5, inputs=inputs,
                                     bank=dict(type='VisualSemanticsBank', text_bank=text_bank)),
                       loss_tex=dict(type='SEEDLoss', tau_t=0.01, loss_weight=0.5, inputs=inputs,
                                     self_slot=False,
                                     bank=dict(type='TextBank', path=text_bank)))),
        train_dataloader=dict(batch_size=16, num_workers=0, persistent_workers=False,
                              drop_last=True, sampler=dict(type='DefaultSampler', shuffle=True),
                              dataset=dict(type='FashionMNIST', data_root=fashion_mnist_root,
                                           indices=48, pipeline=pipeline)),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1),
                           checkpoint=dict(type='CheckpointHook', interval=1)),
        custom_hooks=[dict(type='mmkd.StudentCheckpointHook')],
        env_cfg=dict(dist_cfg=dict(backend='gloo')), log_level='INFO'))
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner, student, root


def test_losses_and_banks_after_training(lgd_run):
    runner, _, _ = lgd_run
    model = runner.model
    scalars = runner.message_hub.log_scalars
    for name in ('loss_seed', 'loss_vis', 'loss_tex'):
        assert torch.isfinite(torch.tensor(scalars[f'train/{name}'].current()))
    # no labels were used: no task loss, and the logged total is the three distill losses alone
    assert 'train/loss_cls' not in scalars
    assert scalars['train/loss'].current() == pytest.approx(
        sum(scalars[f'train/{name}'].current() for name in ('loss_seed', 'loss_vis', 'loss_tex')),
        rel=1e-5)
    assert int(model.distill_losses.loss_seed.bank.ptr) == 3 * 16  # 3 iterations enqueued
    assert model.distill_losses.loss_vis.bank.initialized.any()
    state = model.state_dict()
    assert 'distill_losses.loss_seed.bank.queue' in state  # resume restores the banks
    assert not any(k.startswith('teachers.') for k in state)


def test_student_checkpoint_classifies_zero_shot(lgd_run):
    runner, student_cfg, root = lgd_run
    path = osp.join(runner.work_dir, 'student_epoch_1.pth')
    student = MODELS.build(student_cfg)
    load_strictly(student, path, 'student checkpoint')  # projector and TSB come along
    trained = runner.model.student.head.projector[0].weight
    assert torch.equal(student.head.projector[0].weight, trained)
    student.eval()
    inputs = torch.randn(4, 1, 32, 32)
    scores = student(inputs, mode='predict')
    embeddings = student.head.projector(student.extract_feat(inputs)[-1])
    expected = 100 * F.normalize(embeddings, dim=1) @ student.head.text_bank.embeddings.t()
    assert torch.allclose(torch.stack([s.pred_score for s in scores]),
                          expected.softmax(dim=1), atol=1e-5)


def _rank_updates(rank: int, world_size: int, init_file: str, out: str) -> None:
    import torch.distributed as dist
    from mmkd.models.modules import EmbeddingQueue
    dist.init_process_group('gloo', init_method=f'file://{init_file}', rank=rank,
                            world_size=world_size)
    torch.manual_seed(0)
    queue = EmbeddingQueue(size=8, dim=2)
    rows = 3 if rank == 0 else 2  # uneven batches, as at the end of an epoch
    queue.update(torch.full((rows, 2), float(rank + 1)))
    queue.update(torch.full((rows, 2), float(rank + 10)))
    torch.save(dict(queue=queue.queue, ptr=queue.ptr), f'{out}.{rank}')
    dist.destroy_process_group()


def test_queue_is_gathered_across_ranks(tmp_path):
    out = str(tmp_path / 'queue')
    mp.spawn(_rank_updates, args=(2, str(tmp_path / 'init'), out), nprocs=2, join=True)
    rank0, rank1 = (torch.load(f'{out}.{r}', weights_only=True) for r in (0, 1))
    assert torch.equal(rank0['queue'], rank1['queue']) and int(rank0['ptr']) == 10 % 8
    expected_first = [1., 1., 1., 2., 2., 10., 10., 10.]  # rank order, FIFO, wraps at 8
    assert rank0['queue'][:, 0].tolist()[2:] == expected_first[2:]
    assert rank0['queue'][:2, 0].tolist() == [11., 11.]


@pytest.mark.parametrize('config', ['configs/lgd/lgd_clip-rn50_mobilenet-v2_8xb256-200e_in1k.py',
                                    'configs/lgd/seed_clip-rn50_resnet18_8xb256-200e_in1k.py'])
def test_imagenet_configs_build_and_step(config, repo_root, tmp_path):
    """The full-scale configs, with a random-init CLIP RN50 and a constructed 1024-d bank."""
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(osp.join(repo_root, config))
    bank = str(tmp_path / 'tsb.pt')
    torch.save(dict(embeddings=F.normalize(torch.randn(5, 1024), dim=1),
                    class_names=[f'c{i}' for i in range(5)], prompts=[['c']] * 5,
                    encoder='constructed', fingerprint='constructed'), bank)
    model_cfg = cfg.model.to_dict()
    model_cfg['student']['head']['text_bank'] = bank
    for loss in model_cfg['distill_losses'].values():
        if loss['bank']['type'] == 'VisualSemanticsBank':
            loss['bank']['text_bank'] = bank
        elif loss['bank']['type'] == 'TextBank':
            loss['bank']['path'] = bank
        else:
            loss['bank']['size'] = 16
    model_cfg['teachers']['clip'].update(checkpoint=None, allow_random_init=True)
    model_cfg['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    init_default_scope('mmpretrain')
    model = MODELS.build(model_cfg)
    from mmpretrain.structures import DataSample
    samples = [DataSample(metainfo=dict(is_labeled=False)) for _ in range(2)]
    losses = model.loss(torch.randn(2, 3, 64, 64), samples)  # the teacher resizes to 224
    assert set(losses) == set(model_cfg['distill_losses'])
    assert all(torch.isfinite(v) for v in losses.values())
