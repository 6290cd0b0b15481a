# SEED on the Fashion-MNIST demo: as the LGD run, with one loss over a FIFO queue of 1024 teacher
# embeddings instead of LGD's two banks (the same temperatures, tau_t 0.01).
_base_ = ['./lgd_lite2-minilm_lenet5_8e_fashion-mnist-2k.py']
model = dict(distill_losses=dict(
    _delete_=True,
    loss_seed=dict(type='SEEDLoss', tau_s=0.2, tau_t=0.01,
                   bank=dict(type='EmbeddingQueue', size=1024, dim=384),
                   inputs=_base_.embedding_inputs)))
