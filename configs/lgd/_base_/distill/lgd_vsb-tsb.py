# LGD's loss (mZhenz/LGD clipdistiller.py): L = 0.5 * L_VIS + 0.5 * L_TEX, SEED's soft
# cross-entropy at tau_s 0.2 / tau_t 0.01 over the Visual Semantics Bank built by LGKA (class
# means of the teacher's embeddings under its zero-shot pseudo-labels, EMA 0.999, not
# re-normalised, as upstream) and over the Textual Semantics Bank (no self slot). The teacher
# `clip` gives `image_embeds`; the student's projector output is recorded. A config that inherits
# this file points both banks at its text bank file and adds the student and the teacher:
#   distiller = _base_.distiller
#   distiller.distill_losses.loss_vis.bank.text_bank = TEXT_BANK
#   distiller.distill_losses.loss_tex.bank.path = TEXT_BANK
#   model = dict(distiller, student=..., teachers=dict(clip=...))
embedding_inputs = dict(preds_S='student.embedding', preds_T='clip.image_embeds')
distiller = dict(
    type='mmkd.KnowledgeDistiller',
    student_records=dict(embedding='head.projector'),
    distill_losses=dict(
        loss_vis=dict(type='SEEDLoss', tau_s=0.2, tau_t=0.01, loss_weight=0.5,
                      bank=dict(type='VisualSemanticsBank', momentum=0.999, renormalize=False),
                      inputs=embedding_inputs),
        loss_tex=dict(type='SEEDLoss', tau_s=0.2, tau_t=0.01, loss_weight=0.5, self_slot=False,
                      bank=dict(type='TextBank'), inputs=embedding_inputs)))
