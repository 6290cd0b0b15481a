# The MLD-only ablation of l2d_resnet18-w16-to-w8_fashion-tiles-1k.py: BCE + 10 * MLD.
_base_ = ['./l2d_resnet18-w16-to-w8_fashion-tiles-1k.py']

model = dict(
    teachers=dict(teacher=dict(records=dict(_delete_=True))),
    student_records=dict(_delete_=True, logits='head'),
    distill_losses=dict(
        _delete_=True,
        loss_mld=dict(
            type='MLDLoss', loss_weight=10.0,
            inputs=dict(preds_S='student.logits', preds_T='teacher.outputs'))))
