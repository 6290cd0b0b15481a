# Channel-wise distillation of segmentation logits: PSPNet R-18-D8 -> FCN R-18-D8, Fashion-tile
# segmentation (11 classes with background). Each class channel becomes a distribution over pixels.
#   1. train the teacher: python <mmseg>/.mim/tools/train.py \
#          configs/fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py
#   2. distil:            python <mmseg>/.mim/tools/train.py THIS_CONFIG
#   3. evaluate student:  python <mmseg>/.mim/tools/test.py \
#          configs/fashion_tiles/fcn_r18-d8_1500it_fashion-tiles.py \
#          work_dirs/THIS_CONFIG_NAME/student_iter_1500.pth
_base_ = ['../fashion_tiles/fcn_r18-d8_1500it_fashion-tiles.py']
custom_imports = dict(imports=['mmkd'], allow_failed_imports=False)

teacher_cfg = '{{fileDirname}}/../fashion_tiles/pspnet_r18-d8_1500it_fashion-tiles.py'
teacher_ckpt = 'work_dirs/pspnet_r18-d8_1500it_fashion-tiles/iter_1500.pth'

model = dict(
    _delete_=True,
    type='mmkd.KnowledgeDistiller',
    student={{_base_.model}},
    teachers=dict(
        teacher=dict(
            type='OpenMMLabTeacher',
            config=teacher_cfg,
            checkpoint=teacher_ckpt,
            records=dict(logits='decode_head.conv_seg'))),
    student_records=dict(logits='decode_head.conv_seg'),
    distill_losses=dict(
        loss_cwd=dict(
            type='ChannelWiseDivergence',
            tau=4.0,
            loss_weight=3.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.logits'))))

custom_hooks = [dict(type='mmkd.StudentCheckpointHook')]
