# LGD (Li et al., T-MM 2024): CLIP RN50 image tower -> ResNet-18 on unlabelled ImageNet-1k, with the
# ImageNet class names (80 CLIP prompts, CLIP RN50 text tower) as the Textual Semantics Bank.
# Loss = 0.5 * L_VIS (LGKA's Visual Semantics Bank) + 0.5 * L_TEX (the TSB), tau_s 0.2, tau_t 0.01.
#
# Before training (files are local, nothing downloads):
#   python tools/misc/build_text_bank.py --classes imagenet --encoder open_clip --arch RN50 \
#       --checkpoint checkpoints/clip_rn50_openclip.pth --out work_dirs/text_banks/in1k_clip-rn50.pt
_base_ = [
    './_base_/datasets/in1k_unlabeled_mocov2-aug.py',
    './_base_/schedules/sgd_coslr-200e_warmup-5e.py',
    './_base_/default_runtime.py',
    './_base_/distill/lgd_vsb-tsb.py',
]
clip_checkpoint = 'checkpoints/clip_rn50_openclip.pth'
text_bank = 'work_dirs/text_banks/in1k_clip-rn50.pt'
embed_dim = 1024  # CLIP RN50's joint space: the student regresses straight into it

# torchvision's ResNet-18 (as the MoCo/SEED code): no zero-init of the blocks' last BN
student = dict(
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=18, zero_init_residual=False),
    neck=dict(type='GlobalAveragePooling'),
    # SEED's MLP Linear(F, F) -> ReLU -> Linear(F, D); zero-shot logits through the TSB in predict
    head=dict(type='mmkd.ZeroShotClsHead', in_channels=512, embed_dim=embed_dim,
              text_bank=text_bank))
distiller = _base_.distiller
distiller.distill_losses.loss_vis.bank.text_bank = text_bank
distiller.distill_losses.loss_tex.bank.path = text_bank
model = dict(
    distiller,
    student=student,
    teachers=dict(clip=dict(type='OpenCLIPTeacher', arch='RN50', checkpoint=clip_checkpoint,
                            text_tower=False)))
