# The Cityscapes CWD recipe with MMEngine's FlexibleRunner and FSDP, for teachers too big to
# replicate on every GPU (see docs/distributed.md). Each teacher is its own FSDP unit
# (mmkd.distiller_wrap_policy), so its frozen shards are gathered only for its no-grad forward.
#   bash tools/dist_train.sh THIS_CONFIG 4
_base_ = ['./cwd_logits_pspnet-r101-d8_pspnet-r18-d8_4xb2-80k_cityscapes-512x1024.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FSDPStrategy',
    model_wrapper=dict(
        auto_wrap_policy=dict(type='mmkd.distiller_wrap_policy', min_num_params=int(1e7))),
    # rank 0 writes one full checkpoint; take the student out of it with
    # mmkd.utils.load_strictly(student, ckpt, prefix='student.')
    state_dict_cfg='full')
