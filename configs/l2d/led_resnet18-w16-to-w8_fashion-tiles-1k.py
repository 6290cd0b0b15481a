# The LED-only ablation of l2d_resnet18-w16-to-w8_fashion-tiles-1k.py: BCE + LED (no MLD).
_base_ = ['./l2d_resnet18-w16-to-w8_fashion-tiles-1k.py']

model = dict(distill_losses=dict(_delete_=True, loss_led={{_base_.model.distill_losses.loss_led}}))
