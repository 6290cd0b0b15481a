# SEED (Fang et al., ICLR 2021) with LGD's CLIP RN50 teacher: the baseline of LGD's table.
# A FIFO queue of 65536 teacher embeddings gathered over all ranks; SEED's tau_s 0.2, tau_t 1e-4.
_base_ = './lgd_clip-rn50_resnet18_8xb256-200e_in1k.py'
model = dict(distill_losses=dict(
    _delete_=True,
    loss_seed=dict(type='SEEDLoss', tau_s=0.2, tau_t=1e-4,
                   bank=dict(type='EmbeddingQueue', size=65536, dim=1024),
                   inputs=_base_.embedding_inputs)))
