"""MMRazor-format configs (tests/mmrazor/fixtures, one per algorithm type and recorder kind, cls /
det / seg) converted by tools/misc/convert_mmrazor_config.py, trained a few iterations by the stock
mmpretrain / mmdet / mmseg tools/train.py, and their losses on a fixed batch checked against the
formulas written out here (on tensors captured by hooks of this test, not by mmkd's recorder)."""
import glob
import json
import os.path as osp

import mmdet
import mmpretrain
import mmseg
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmengine.structures import InstanceData, PixelData
from mmkd_test_helpers import REPO, run_tool

from mmkd.mmrazor_compat import convert_mmrazor_config

FIXTURES = osp.join(REPO, 'tests', 'mmrazor', 'fixtures')
TASKS = {
    'cls': dict(package=mmpretrain, fixture='kd_fitnets_dkd_resnet18-w8_resnet18-w4_fashion-mnist.py',
                metric='accuracy/top1',
                losses=('loss_kl', 'loss_s4', 'loss_dkd', 'loss_rkd')),
    'det': dict(package=mmdet, fixture='pkd_mgd_fbkd_fpn_retinanet-r18-fpn64_fashion-tiles.py',
                metric='coco/bbox_mAP', losses=('loss_pkd_fpn2', 'loss_mgd_fpn1', 'loss_fbkd_fpn0')),
    'seg': dict(package=mmseg, fixture='cwd_at_fcn-r18-d8_fashion-tiles.py', metric='mIoU',
                losses=('loss_cwd', 'loss_at')),
}


def stock_train(package) -> str:
    return osp.join(osp.dirname(package.__file__), '.mim', 'tools', 'train.py')


def build_converted(config: str, checkpoint: str):
    cfg = Config.fromfile(config)
    cfg.model.pop('_delete_', None)
    cfg.model.teachers.teacher.checkpoint = checkpoint
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    return cfg, model


@pytest.fixture(scope='module', params=sorted(TASKS))
def converted(request, tmp_path_factory, tiles_workdir, fashion_mnist_root):
    """Convert, save a teacher, train 2 iterations/epochs with the stock train.py."""
    task = dict(TASKS[request.param], name=request.param)
    out = tmp_path_factory.mktemp(f'mmrazor_{request.param}')
    config = str(out / 'converted.py')
    conversion = convert_mmrazor_config(osp.join(FIXTURES, task['fixture']))
    (out / 'converted.py').write_text(conversion.text)
    teacher_cfg = Config.fromfile(config).model.teachers.teacher.config
    torch.manual_seed(1)
    with DefaultScope.overwrite_default_scope(teacher_cfg.default_scope):
        teacher = MODELS.build(teacher_cfg.model)
    teacher.init_weights()
    checkpoint = str(out / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), checkpoint)
    options = [f'model.teachers.teacher.checkpoint={checkpoint}', 'randomness.seed=0',
               'default_hooks.logger.interval=1']
    if request.param == 'cls':
        root = fashion_mnist_root
        options += [f'{split}_dataloader.dataset.data_root={root}' for split in ('train', 'val')]
        options += ['train_dataloader.dataset.indices=128', 'train_dataloader.batch_size=64',
                    'val_dataloader.dataset.indices=128', 'train_cfg.max_epochs=2',
                    'train_cfg.val_interval=1']
        cwd = REPO
    else:
        options += ['train_cfg.max_iters=2', 'train_cfg.val_interval=1',
                    'train_dataloader.batch_size=2', 'default_hooks.checkpoint.interval=2']
        if request.param == 'det':  # keep every box of an untrained detector: mAP is computed
            options += ['model.student.test_cfg.score_thr=0.0',
                        'model.teachers.teacher.config.model.test_cfg.score_thr=0.0']
        cwd = tiles_workdir
    work_dir = out / 'train'
    run_tool([stock_train(task['package']), config, '--work-dir', str(work_dir),
              '--cfg-options', *options], cwd=cwd)
    scalars = [json.loads(line) for line in
               open(glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))[0])]
    log = open(glob.glob(str(work_dir / '*' / '*.log'))[0]).read()
    return dict(task, config=config, checkpoint=checkpoint, notes=conversion.notes, scalars=scalars,
                log=log, work_dir=work_dir)


def test_stock_train_logs_every_distill_loss_and_the_teacher_once(converted):
    train = [s for s in converted['scalars'] if 'loss' in s]
    assert train
    for step in train:
        for name in converted['losses']:
            assert torch.isfinite(torch.tensor(step[name])), (name, step)
    val = [s for s in converted['scalars'] if converted['metric'] in s]
    assert len(val) == 2, val
    teacher_key = f'teacher.{converted["metric"]}'
    assert all(teacher_key in s for s in val) and val[0][teacher_key] == val[1][teacher_key]
    assert 'teacher metrics computed once' in converted['log']
    assert glob.glob(str(converted['work_dir'] / 'student_*.pth'))  # StudentCheckpointHook


def test_converted_config_says_what_changed(converted):
    text = open(converted['config']).read()
    assert "type='mmkd.KnowledgeDistiller'" in text and 'mmrazor' not in text.split('\n_base_')[-1]
    assert 'find_unused_parameters' not in text.split('\n_base_')[-1]
    assert "type='mmkd.DistillValLoop'" in text
    assert any('find_unused_parameters dropped' in note for note in converted['notes'])
    if converted['name'] == 'cls':
        assert "reduction='sum'" in text  # DKD: MMRazor's 'mean' summed over the batch
        assert "type='ClsDataPreprocessor'" in text
        assert "method='LinearClsHead.pre_logits'" in text
        assert "dict(module='head.loss_module', source='input', index=1, call=0)" in text
    if converted['name'] == 'det':
        assert 'nonlocal_weight=7e-05' in text and "source='teacher.fpn0'" in text


# --------------------------------------------------------------- losses against the formulas
def capture(modules: dict, inputs: bool = False) -> dict:
    """Forward hooks of this test: every call's output (or positional inputs) per name."""
    store = {name: [] for name in modules}
    for name, module in modules.items():
        module.register_forward_hook(
            lambda m, i, o, name=name: store[name].append(i if inputs else o))
    return store


def cls_batch():
    from mmpretrain.structures import DataSample
    torch.manual_seed(0)
    return dict(inputs=[torch.randint(0, 255, (1, 28, 28), dtype=torch.uint8) for _ in range(8)],
                data_samples=[DataSample().set_gt_label(i % 10) for i in range(8)])


def dkd_sum(s, t, y, tau, alpha, beta):
    gt = F.one_hot(y, s.shape[1]).bool()

    def binary(p):
        return torch.stack([p[gt], p[~gt].view(len(p), -1).sum(1)], 1)

    tckd = F.kl_div(binary(F.softmax(s / tau, 1)).log(), binary(F.softmax(t / tau, 1)),
                    reduction='sum')
    nckd = F.kl_div(F.log_softmax(s / tau - 1000.0 * gt, 1), F.softmax(t / tau - 1000.0 * gt, 1),
                    reduction='sum')
    return tau**2 * (alpha * tckd + beta * nckd)


def check_cls(model, losses, student, teacher, connector):
    s, t = student['fc'][0], teacher['fc'][0]
    expected = dict(loss_kl=10 * 16 * F.kl_div(F.log_softmax(s / 4, 1), F.softmax(t / 4, 1),
                                               reduction='mean'))
    flat = [f.flatten(1) / f.flatten(1).norm(dim=1, keepdim=True)
            for f in (connector['c'][0], teacher['relu'][1])]
    expected['loss_s4'] = 10 * (flat[0] - flat[1]).pow(2).sum() / 8
    labels = student['loss'][0][1]
    expected['loss_dkd'] = dkd_sum(s, t, labels, 2.0, 1.0, 0.5)
    d = []
    for f in (student['neck'][0][-1], teacher['neck'][0][-1]):
        f = F.normalize(f.flatten(1), dim=1)
        dist = torch.cdist(f, f) * (1 - torch.eye(8))
        d.append(dist / dist[dist > 0].mean())
    expected['loss_rkd'] = 25 * F.smooth_l1_loss(d[0], d[1])
    return expected


def det_batch():
    from mmdet.structures import DetDataSample
    torch.manual_seed(0)
    samples = []
    for i in range(2):
        sample = DetDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64),
                                             scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[4., 6., 40., 50.]]),
                                           labels=torch.tensor([i]))
        samples.append(sample)
    return dict(inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8) for _ in range(2)],
                data_samples=samples)


def pkd_norm(x):
    flat = x.transpose(0, 1).reshape(x.shape[1], -1)
    mean, std = flat.mean(1).view(1, -1, 1, 1), flat.std(1).view(1, -1, 1, 1)
    return (x - mean) / (std + 1e-6)


def check_det(model, losses, student, teacher, connector):
    s2, t2 = student['neck'][0][2], teacher['neck'][0][2]
    expected = dict(loss_pkd_fpn2=6 * F.mse_loss(pkd_norm(s2), pkd_norm(t2)) / 2)
    generated, t1 = connector['mgd'][0], teacher['fpn1'][0]
    expected['loss_mgd_fpn1'] = 2e-5 * (generated - t1).pow(2).sum() / 2
    s_sm, _, s_cp, s_sp, s_rel, s_feat = connector['fbkd_s'][0]
    t_sm, _, t_sp, t_rel, t_feat = connector['fbkd_t'][0]
    mask = (t_sm + s_sm) / 2
    expected['loss_fbkd_fpn0'] = (
        7e-5 * ((t_feat - s_feat)**2 * mask).sum().sqrt()
        + 4e-3 * (t_feat.mean((2, 3)) - s_cp).norm() + 4e-3 * (t_sp - s_sp).norm()
        + 7e-5 * (t_rel - s_rel).norm())
    assert torch.equal(t_feat, teacher['fpn0'][0])  # the teacher connector read the teacher
    return expected


def seg_batch():
    from mmseg.structures import SegDataSample
    torch.manual_seed(0)
    samples = []
    for _ in range(2):
        sample = SegDataSample(metainfo=dict(img_shape=(64, 64), ori_shape=(64, 64),
                                             pad_shape=(64, 64)))
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 11, (1, 64, 64)))
        samples.append(sample)
    return dict(inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8) for _ in range(2)],
                data_samples=samples)


def check_seg(model, losses, student, teacher, connector):
    s, t = student['logits'][0], teacher['logits'][0]
    n, c = s.shape[:2]
    p_t = F.softmax(t.flatten(2), 2)
    cwd = (p_t * (F.log_softmax(t.flatten(2), 2) - F.log_softmax(s.flatten(2), 2))).sum()
    expected = dict(loss_cwd=3 * cwd / (n * c))

    def attention(x):
        a = x.pow(2).mean(1).flatten(1)
        return a / a.norm(dim=1, keepdim=True)

    feats_s, feats_t = student['feats'][0][0], teacher['feats'][0][0]
    expected['loss_at'] = 250 * (attention(feats_s) - attention(feats_t)).pow(2).mean()
    return expected


CHECKS = dict(
    cls=(cls_batch, check_cls, lambda st: dict(fc=st.head.fc, relu=st.backbone.layer4[1].relu,
                                               neck=st.neck),
         lambda st: dict(loss=st.head.loss_module), dict(c='loss_s4_sfeat')),
    det=(det_batch, check_det, lambda st: dict(neck=st.neck, fpn1=st.neck.fpn_convs[1].conv,
                                               fpn0=st.neck.fpn_convs[0].conv),
         lambda st: {}, dict(mgd='s_fpn1_mgd', fbkd_s='s_fpn0_fbkd', fbkd_t='t_fpn0_fbkd')),
    seg=(seg_batch, check_seg, lambda st: dict(logits=st.decode_head.conv_seg),
         lambda st: dict(feats=st.decode_head.dropout), {}),
)


def test_converted_losses_equal_the_formulas_on_a_fixed_batch(converted):
    make_batch, check, outputs_of, inputs_of, connectors = CHECKS[converted['name']]
    cfg, model = build_converted(converted['config'], converted['checkpoint'])
    model.train()
    student = capture(outputs_of(model.student))
    student.update(capture(inputs_of(model.student), inputs=True))
    teacher = capture(outputs_of(model.teachers.teacher.model))
    teacher.update(capture(inputs_of(model.teachers.teacher.model), inputs=True))
    connector = capture({k: model.connectors[v] for k, v in connectors.items()})
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        data = model.data_preprocessor(make_batch(), True)
        losses = model.loss(**data)
    expected = check(model, losses, student, teacher, connector)
    assert sorted(expected) == sorted(converted['losses'])
    for name, value in expected.items():
        torch.testing.assert_close(losses[name], value, rtol=1e-5, atol=1e-8, msg=name)
        assert value > 0, name
