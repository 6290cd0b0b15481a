"""The teacher sees the student's view in its own normalisation, channel order and size."""
import torch
import torch.nn.functional as F

from mmkd.models.teachers import InputConvention, TeacherInputAdapter


def test_renormalises_flips_and_resizes():
    raw = torch.rand(2, 3, 8, 8) * 255  # BGR pixels as loaded
    s_mean, s_std = torch.tensor([100., 110., 120.]), torch.tensor([50., 55., 60.])
    t_mean, t_std = torch.tensor([122.8, 116.7, 104.0]), torch.tensor([68.5, 66.6, 70.3])
    student_input = (raw - s_mean.view(1, 3, 1, 1)) / s_std.view(1, 3, 1, 1)  # student keeps BGR
    adapter = TeacherInputAdapter(
        InputConvention('bgr', s_mean.tolist(), s_std.tolist()),
        InputConvention('rgb', t_mean.tolist(), t_std.tolist(), size=(4, 4)))
    expected = (raw.flip(1) - t_mean.view(1, 3, 1, 1)) / t_std.view(1, 3, 1, 1)
    expected = F.interpolate(expected, size=(4, 4), mode='bilinear')
    torch.testing.assert_close(adapter(student_input), expected, rtol=1e-4, atol=1e-4)


def test_resize_mode_and_antialias_are_the_teachers():
    x = torch.rand(1, 3, 16, 16)
    adapter = TeacherInputAdapter(InputConvention(), InputConvention(
        size=(8, 8), resize='bicubic', antialias=True))
    torch.testing.assert_close(adapter(x), F.interpolate(x, size=(8, 8), mode='bicubic',
                                                         antialias=True))


def test_grayscale_batch_is_never_flipped_and_becomes_three_channels():
    gray = torch.rand(2, 1, 4, 4) * 255
    adapter = TeacherInputAdapter(InputConvention('rgb', [72.9], [90.0]),
                                  InputConvention('bgr', [1., 2., 3.], [4., 5., 6.]))
    out = adapter((gray - 72.9) / 90.0)
    assert out.shape == (2, 3, 4, 4)
    for c, (mean, std) in enumerate(zip([1., 2., 3.], [4., 5., 6.])):
        torch.testing.assert_close(out[:, c], (gray[:, 0] - mean) / std, rtol=1e-4, atol=1e-4)


def test_identity_when_both_sides_agree():
    norm = InputConvention(mean=[1.], std=[2.])
    assert TeacherInputAdapter(norm, norm).is_identity
    assert TeacherInputAdapter(InputConvention(), InputConvention()).is_identity
    assert not TeacherInputAdapter(InputConvention('rgb'), InputConvention('bgr')).is_identity
    # a teacher on raw pixels undoes the student's normalisation
    adapter = TeacherInputAdapter(norm, InputConvention())
    torch.testing.assert_close(adapter(torch.zeros(1, 1, 2, 2)), torch.ones(1, 1, 2, 2))


def test_convention_refuses_what_it_cannot_mean():
    import pytest
    with pytest.raises(ValueError, match='channels'):
        InputConvention('gbr')
    with pytest.raises(ValueError, match='resize'):
        InputConvention(resize='nearest')
    with pytest.raises(ValueError, match='both mean and std'):
        InputConvention(mean=[1.])
