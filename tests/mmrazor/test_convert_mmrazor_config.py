"""The MMRazor config converter: package configs, checkpoints, the translation of each MMRazor
field, refusals with reasons, the CLI, and (with a local MMRazor checkout) its 33 distill configs."""
import glob
import os
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope
from mmpretrain.structures import DataSample
from mmkd_test_helpers import REPO, run_tool

from mmkd.mmrazor_compat import (MMRazorConversionError, convert_mmrazor_config, local_checkpoint,
                                 resolve_package_config)

FIXTURES = osp.join(REPO, 'tests', 'mmrazor', 'fixtures')
CLS = osp.join(FIXTURES, 'kd_fitnets_dkd_resnet18-w8_resnet18-w4_fashion-mnist.py')


def write(tmp_path, text: str, name: str = 'mmrazor_config.py') -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def override(tmp_path, text: str) -> str:
    """An MMRazor config: the cls fixture with ``text`` on top."""
    return write(tmp_path, f'_base_ = [{CLS!r}]\n' + text)


def test_package_configs_resolve_to_installed_files():
    assert (resolve_package_config('mmcls::_base_/datasets/imagenet_bs32.py')
            == 'mmpretrain::_base_/datasets/imagenet_bs32.py')
    # mmdet 3 renamed faster_rcnn_* to faster-rcnn_*
    assert (resolve_package_config('mmdet::faster_rcnn/faster_rcnn_r101_fpn_2x_coco.py')
            == 'mmdet::faster_rcnn/faster-rcnn_r101_fpn_2x_coco.py')
    with pytest.raises(MMRazorConversionError, match=r"no config 'deit/deit-base_pt-16xb64_in1k.py'"
                                                     r".*closest in deit/: \['deit-base_16xb64"):
        resolve_package_config('mmcls::deit/deit-base_pt-16xb64_in1k.py')
    with pytest.raises(MMRazorConversionError, match='mmdet3d is not part of the stack'):
        resolve_package_config('mmdet3d::fcos3d/x.py')


def test_checkpoint_urls_become_local_files():
    url = 'https://download.openmmlab.com/mmclassification/v0/resnet/r34-f257d4e6.pth'
    assert local_checkpoint(url) == ('checkpoints/r34-f257d4e6.pth', url)
    local, origin = local_checkpoint('torchvision://resnet50', 'ckpts')
    assert local.startswith('ckpts/resnet50-') and origin == 'torchvision://resnet50'
    assert local_checkpoint('/data/teacher.pth') == ('/data/teacher.pth', None)


def test_package_models_pretrained_teacher_and_a_missing_checkpoint(tmp_path):
    """cfg_path models are inlined from mmpretrain; pretrained=True takes the model zoo's
    weights as a local file; building without that file names it; nothing downloads."""
    path = write(tmp_path, """
_base_ = ['mmcls::_base_/default_runtime.py']
model = dict(
    _scope_='mmrazor', type='SingleTeacherDistill',
    architecture=dict(cfg_path='mmcls::resnet/resnet18_8xb32_in1k.py', pretrained=False),
    teacher=dict(cfg_path='mmcls::resnet/resnet34_8xb32_in1k.py', pretrained=True),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(loss_kl=dict(type='KLDivergence', tau=1, loss_weight=3),
                            unused=dict(type='L2Loss')),
        loss_forward_mappings=dict(loss_kl=dict(
            preds_S=dict(from_student=True, recorder='fc'),
            preds_T=dict(from_student=False, recorder='fc')))))
""")
    conversion = convert_mmrazor_config(path)
    out = write(tmp_path, conversion.text, 'converted.py')
    cfg = Config.fromfile(out)
    assert cfg.model.student.backbone.depth == 18
    assert cfg.model.teachers.teacher.config == 'mmpretrain::resnet/resnet34_8xb32_in1k.py'
    (local, url), = conversion.checkpoints
    assert cfg.model.teachers.teacher.checkpoint == local == f'checkpoints/{osp.basename(url)}'
    assert url.startswith('https://download.openmmlab.com/') and 'resnet34' in url
    assert f'{local}  <-' in conversion.text  # the header says where to put it
    assert any("['unused']" in note for note in conversion.notes)
    with DefaultScope.overwrite_default_scope('mmpretrain'), pytest.raises(
            FileNotFoundError, match=f'teacher checkpoint not found: {local!r}'):
        MODELS.build(cfg.model)


def test_each_mmrazor_field_of_the_cls_fixture(tmp_path):
    conversion = convert_mmrazor_config(override(tmp_path, """
model = dict(calculate_student_loss=False, teacher_ckpt='https://host/teacher_w8.pth',
             init_cfg=dict(type='Pretrained', checkpoint='work_dirs/stage1/epoch_20.pth'))
"""))
    cfg = Config.fromfile(write(tmp_path, conversion.text, 'converted.py'))
    model = cfg.model
    assert model.type == 'mmkd.KnowledgeDistiller' and model.task_loss_weight == 0.0
    assert model.init_cfg.checkpoint == 'work_dirs/stage1/epoch_20.pth'
    assert model.teachers.teacher.checkpoint == 'checkpoints/teacher_w8.pth'
    assert model.student.type == 'mmpretrain.ImageClassifier'  # mmcls. -> mmpretrain.
    assert model.student.data_preprocessor == dict(
        type='ClsDataPreprocessor', mean=[72.94], std=[90.02], to_rgb=False, batch_augments=None)
    # a teacher given as a model dict is inlined with the student's normalisation
    assert model.teachers.teacher.config.model.data_preprocessor == model.student.data_preprocessor
    assert model.student_records.bb_s4_call1 == dict(module='backbone.layer4.1.relu', call=1)
    assert model.student_records.gt_labels_1 == dict(module='head.loss_module', source='input',
                                                      index=1, call=0)
    assert model.student_records.pooled == dict(method='LinearClsHead.pre_logits', call=0)
    assert model.connectors.loss_s4_sfeat.source == 'student.bb_s4_call1'
    assert model.distill_losses.loss_dkd.reduction == 'sum'
    assert model.distill_losses.loss_dkd.inputs.gt_labels == 'student.gt_labels_1'
    assert cfg.val_cfg.type == 'mmkd.DistillValLoop' and 'find_unused_parameters' not in cfg
    assert cfg.custom_hooks == [dict(type='mmkd.StudentCheckpointHook')]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        cfg.model.teachers.teacher.checkpoint = None
        cfg.model.teachers.teacher.allow_random_init = True
        distiller = MODELS.build(cfg.model)  # every record, connector and loss input resolves
    assert sorted(distiller.distill_losses) == ['loss_dkd', 'loss_kl', 'loss_rkd', 'loss_s4']


@pytest.mark.parametrize('text,reason', [
    ("model = dict(teacher_trainable=True)", 'mmkd teachers are frozen'),
    ("model = dict(teacher_norm_eval=False)", 'teacher_norm_eval=False'),
    ("model = dict(student_trainable=False)", "factor transfer's two stages"),
    ("model = dict(type='DataFreeDistillation')", 'data-free KD: a generator'),
    ("model = dict(distiller=dict(distill_losses=dict(loss_kl=dict(_delete_=True, type='OFDLoss'"
     "))))", "OFD's overhaul algorithm"),
    ("model = dict(distiller=dict(distill_losses=dict(loss_kl=dict(_delete_=True, "
     "type='CrossEntropyLoss'))))", "'CrossEntropyLoss' is not ported"),
    ("model = dict(distiller=dict(loss_forward_mappings=dict(loss_kl=dict(preds_S=dict("
     "connector_idx=0)))))", 'connector_idx'),
    ("model = dict(distiller=dict(loss_forward_mappings=dict(loss_kl=dict(preds_S=dict("
     "connector='loss_s4_sfeat')))))", 'applied to two records'),
    ("model = dict(distiller=dict(teacher_recorders=dict(fc=dict(source='head.loss_module'))))",
     'only runs in its loss path'),
    ("model = dict(distiller=dict(distill_deliveries=dict(a=dict(type='MethodOutputs'))))",
     'distill_deliveries'),
    ("model = dict(distiller=dict(loss_forward_mappings=dict(loss_kl=dict(preds_S=dict("
     "recorder='nope')))))", r"no student_recorders entry 'nope'; have \['bb_s4'"),
    ("model = dict(distiller=dict(type='OFDDistiller'))", "OFD's overhaul"),
])
def test_what_cannot_run_as_mmrazor_ran_it_is_refused_with_the_reason(tmp_path, text, reason):
    with pytest.raises(MMRazorConversionError, match=reason):
        convert_mmrazor_config(override(tmp_path, text))


def test_function_recorders_become_function_records_that_train(tmp_path):
    """FunctionOutputs / FunctionInputs of the function GlobalAveragePooling's nn.AdaptiveAvgPool2d
    calls, on both sides: the records hold the pooled features and the last stage's maps."""
    gap, original = 'torch.nn.functional.adaptive_avg_pool2d', F.adaptive_avg_pool2d
    conversion = convert_mmrazor_config(override(tmp_path, f"""
model = dict(distiller=dict(
    student_recorders=dict(gap=dict(type='FunctionOutputs', source='{gap}'),
                           gap_in=dict(type='FunctionInputs', source='{gap}')),
    teacher_recorders=dict(gap=dict(type='FunctionOutputs', source='{gap}'),
                           gap_in=dict(type='FunctionInputs', source='{gap}')),
    distill_losses=dict(loss_fn_at=dict(type='ATLoss', loss_weight=2.0),
                        loss_fn_rkd=dict(type='DistanceWiseRKD')),
    loss_forward_mappings=dict(
        loss_fn_at=dict(s_feature=dict(from_student=True, recorder='gap_in', data_idx=0),
                        t_feature=dict(from_student=False, recorder='gap_in', data_idx=0)),
        loss_fn_rkd=dict(preds_S=dict(from_student=True, recorder='gap'),
                         preds_T=dict(from_student=False, recorder='gap')))))
"""))
    cfg = Config.fromfile(write(tmp_path, conversion.text, 'converted.py'))
    assert cfg.model.student_records.gap == dict(function=gap, call=0)
    assert cfg.model.student_records.gap_in_0 == dict(function=gap, source='input', index=0,
                                                      call=0)
    assert cfg.model.teachers.teacher.records.gap_in_0 == cfg.model.student_records.gap_in_0
    assert cfg.model.distill_losses.loss_fn_at.inputs == dict(s_feature='student.gap_in_0',
                                                              t_feature='teacher.gap_in_0')
    cfg.model.teachers.teacher.update(checkpoint=None, allow_random_init=True)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        torch.manual_seed(0)
        distiller = MODELS.build(cfg.model)
        images = [torch.randint(0, 255, (1, 32, 32), dtype=torch.uint8) for _ in range(4)]
        samples = [DataSample().set_gt_label(i) for i in range(4)]
        data = distiller.data_preprocessor(dict(inputs=images, data_samples=samples), True)
        losses = distiller.loss(**data)
    # the same features computed directly, without any recorder
    teacher = distiller.teachers.teacher.model
    with torch.no_grad():
        maps_S = distiller.student.backbone(data['inputs'])[-1]
        maps_T = teacher.backbone(data['inputs'])[-1]
    at, rkd = distiller.distill_losses.loss_fn_at, distiller.distill_losses.loss_fn_rkd
    assert maps_S.shape[1:] == (32, 4, 4) and maps_T.shape[1:] == (64, 4, 4)
    torch.testing.assert_close(losses['loss_fn_at'], at(maps_S, maps_T))
    torch.testing.assert_close(losses['loss_fn_rkd'],
                               rkd(maps_S.mean((2, 3), keepdim=True),
                                   maps_T.mean((2, 3), keepdim=True)))
    assert F.adaptive_avg_pool2d is original  # restored after the step


def test_a_function_recorder_that_does_not_exist_is_refused_with_the_closest(tmp_path):
    """mmcls. becomes mmpretrain.; the function is looked up when converting."""
    with pytest.raises(MMRazorConversionError, match=r"student_recorders.ce: function "
                                                     r"'mmpretrain.models.losses.cross_entropy_loss"
                                                     r".weight_reduce_los'.*Closest functions "
                                                     r"there: \['weight_reduce_loss'"):
        convert_mmrazor_config(override(tmp_path, """
model = dict(distiller=dict(
    student_recorders=dict(ce=dict(type='FunctionInputs',
        source='mmcls.models.losses.cross_entropy_loss.weight_reduce_los')),
    loss_forward_mappings=dict(loss_rkd=dict(preds_S=dict(recorder='ce')))))
"""))


def test_cli_writes_or_refuses(tmp_path):
    out = str(tmp_path / 'out.py')
    proc = run_tool(['tools/misc/convert_mmrazor_config.py', CLS, out])
    assert f'wrote {out}' in proc.stdout and 'DKDLoss' in proc.stdout
    assert Config.fromfile(out).model.type == 'mmkd.KnowledgeDistiller'
    refused = override(tmp_path, "model = dict(distiller=dict(type='OFDDistiller'))")
    with pytest.raises(AssertionError, match=r"failed \(2\)[\s\S]*refused: .*OFD's overhaul"):
        run_tool(['tools/misc/convert_mmrazor_config.py', refused, str(tmp_path / 'no.py')])
    assert not osp.exists(tmp_path / 'no.py')


# --------------------------------------------------------- MMRazor's own configs, if present
MMRAZOR = os.environ.get('MMRAZOR_REPO')
HANDLED = {
    'mmcls/abloss/abloss_logits_resnet50_resnet18_8xb32_in1k.py',
    'mmcls/abloss/abloss_pretrain_backbone_resnet50_resnet18_8xb32_in1k.py',
    'mmcls/dist/dist_logits_resnet34_resnet18_8xb32_in1k.py',
    'mmcls/dkd/dkd_resnet34_resnet18_8xb32_in1k.py',
    'mmcls/fitnets/fitnets_backbone_logits_resnet50_resnet18_8xb32_in1k.py',
    'mmcls/kd/kd_logits_resnet34_resnet18_8xb32_in1k.py',
    'mmcls/kd/kd_logits_resnet50_mobilenet-v2_8xb32_in1k.py',
    'mmcls/kd/kd_logits_resnet50_shufflenet-v2-1x_16xb64_in1k.py',
    'mmcls/rkd/rkd_neck_resnet34_resnet18_8xb32_in1k.py',
    'mmcls/wsld/wsld_logits_resnet34_resnet18_8xb32_in1k.py',
    'mmdet/cwd/cwd_cls_head_gfl_r101_fpn_gfl_r50_fpn_1x_coco.py',
    'mmdet/cwd/cwd_fpn_frcnn_r101_frcnn_r50_1x_coco.py',
    'mmdet/cwd/cwd_fpn_retina_r101_retina_r50_1x_coco.py',
    'mmdet/fbkd/fbkd_fpn_faster-rcnn_r101_faster-rcnn_r50_1x_coco.py',
    'mmdet/mgd/mgd_fpn_retina_x101_retina_r50_2x_coco.py',
    'mmdet/pkd/pkd_fpn_faster-rcnn_r101_faster-rcnn_r50_2x_coco.py',
    'mmdet/pkd/pkd_fpn_fcos_x101_retina_r50_1x_coco.py',
    'mmdet/pkd/pkd_fpn_mask-rcnn_swin_retina_r50_2x_coco.py',
    'mmdet/pkd/pkd_fpn_reppoints_x101-dcn_reppoints_r50_2x_coco.py',
    'mmdet/pkd/pkd_fpn_retina_x101_retina_r50_2x_coco.py',
    'mmseg/cwd/cwd_logits_pspnet_r101-d8_pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
}
REFUSED = {
    'mmcls/byot/byot_resnet18_8xb16_cifar100.py': 'BYOT self-distillation',
    'mmcls/crd/crd_neck_r50_r18_8xb16_cifar10.py': 'CRD',
    'mmcls/crd/datasets/crd_cifar10_bs16.py': 'not a distillation config',
    'mmcls/dafl/dafl_logits_resnet34_resnet18_8xb256_cifar10.py': 'data-free',
    'mmcls/deit/deit-base_regnety160_pt-16xb64_in1k.py': "DeiT's distillation token",
    'mmcls/dfad/dfad_logits_resnet34_resnet18_8xb32_cifar10.py': 'data-free',
    'mmcls/factor_transfer/factor-transfer_backbone_resnet50_resnet18_8xb16_cifar10_pretrain.py':
        "factor transfer's two stages",
    'mmcls/factor_transfer/factor-transfer_backbone_resnet50_resnet18_8xb16_cifar10_train.py':
        "factor transfer's two stages",
    'mmcls/ofd/ofd_backbone_resnet50_resnet18_8xb16_cifar10.py': "OFD's overhaul algorithm",
    'mmcls/zskt/zskt_backbone_logits_resnet34_resnet18_8xb16_cifar10.py': 'data-free',
    'mmdet/cwd/cwd_fpn_retina_r101_retina_r50_1x_coco_visualization.py': 'RazorVisualizationHook',
    'mmdet3d/pkd/pkd_fpn_fcos3d_r101_fcos3d_r50_8xb2-1x_nus-mono3d.py': 'mmdet3d is not part',
}


@pytest.mark.skipif(MMRAZOR is None, reason='set MMRAZOR_REPO to a checkout of open-mmlab/mmrazor')
def test_mmrazors_33_distill_configs():
    root = osp.join(MMRAZOR, 'configs', 'distill')
    found = {osp.relpath(p, root) for p in glob.glob(f'{root}/**/*.py', recursive=True)}
    assert found == HANDLED | set(REFUSED) and len(found) == 33
    for name in sorted(found):
        path = osp.join(root, name)
        if name in REFUSED:
            with pytest.raises(MMRazorConversionError, match=REFUSED[name]):
                convert_mmrazor_config(path)
        else:
            conversion = convert_mmrazor_config(path)
            assert "type='mmkd.KnowledgeDistiller'" in conversion.text, name
            code = [line for line in conversion.text.splitlines() if not line.startswith('#')]
            assert not [line for line in code if '://' in line], name  # nothing downloads


def dummy_batch(scope: str) -> dict:
    """Two random images with one box / label map / class each, in the package's data format
    (128 px for detection: FBKD's strided non-local blocks pool the finest FPN level by 16)."""
    torch.manual_seed(0)
    size = 128 if scope == 'mmdet' else 64
    images = [torch.randint(0, 255, (3, size, size), dtype=torch.uint8) for _ in range(2)]
    meta = dict(img_shape=(size, size), ori_shape=(size, size), pad_shape=(size, size),
                scale_factor=(1., 1.))
    if scope == 'mmpretrain':
        return dict(inputs=images, data_samples=[DataSample().set_gt_label(i) for i in range(2)])
    if scope == 'mmdet':
        from mmdet.structures import DetDataSample
        from mmdet.structures.mask import BitmapMasks
        from mmengine.structures import InstanceData
        samples = [DetDataSample(metainfo=meta) for _ in range(2)]
        for i, sample in enumerate(samples):
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([[8., 8., 40., 50.]]), labels=torch.tensor([i]),
                masks=BitmapMasks(torch.zeros(1, size, size, dtype=torch.uint8).numpy(), size, size))
        return dict(inputs=images, data_samples=samples)
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    samples = [SegDataSample(metainfo=meta) for _ in range(2)]
    for sample in samples:
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 19, (1, 64, 64)))
    return dict(inputs=images, data_samples=samples)


@pytest.mark.skipif(MMRAZOR is None, reason='set MMRAZOR_REPO to a checkout of open-mmlab/mmrazor')
@pytest.mark.parametrize('name', sorted(HANDLED))
def test_each_converted_mmrazor_config_builds_and_trains_one_step(tmp_path, name):
    """Random-init teacher (no weights offline), 64 px images: the wiring runs end to end."""
    conversion = convert_mmrazor_config(osp.join(MMRAZOR, 'configs', 'distill', name))
    cfg = Config.fromfile(write(tmp_path, conversion.text, 'converted.py'))
    model = cfg.model
    model.pop('_delete_', None)
    model.pop('init_cfg', None)
    model.student.pop('init_cfg', None)
    model.teachers.teacher.update(checkpoint=None, allow_random_init=True)
    if cfg.default_scope == 'mmseg':
        model.student.data_preprocessor.size = (64, 64)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        distiller = MODELS.build(model)
        data = distiller.data_preprocessor(dummy_batch(cfg.default_scope), True)
        losses = distiller.loss(**data)
    for key in model.distill_losses:
        assert torch.isfinite(losses[key]), (name, key)
