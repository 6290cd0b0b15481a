# Channel-wise distillation (Shu et al., ICCV 2021) on Cityscapes: PSPNet R-101-D8 (79.8 mIoU) ->
# PSPNet R-18-D8, the paper's setting (tau = 4, loss weight 3 on the logits), wrapping mmseg's own
# student config. Teacher weights (strictly loaded, from a local file):
#   https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth
#   -> checkpoints/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth
#   bash tools/dist_train.sh THIS_CONFIG 4
_base_ = [
    'mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    './_base_/distill/cwd_seg-logits_tau4.py'
]

distiller = _base_.distiller
distiller.teachers.teacher.update(
    config='mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py',
    checkpoint='checkpoints/pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth')
model = dict(distiller, _delete_=True, student=_base_.model)
