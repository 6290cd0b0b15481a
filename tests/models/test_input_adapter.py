"""The teacher sees the student's view in its own normalisation, channel order and size."""
import torch

from mmkd.models.teachers import TeacherInputAdapter


def test_renormalises_flips_and_resizes():
    raw = torch.rand(2, 3, 8, 8) * 255  # BGR pixels as loaded
    s_mean, s_std = torch.tensor([100., 110., 120.]), torch.tensor([50., 55., 60.])
    t_mean, t_std = torch.tensor([122.8, 116.7, 104.0]), torch.tensor([68.5, 66.6, 70.3])
    student_input = (raw - s_mean.view(1, 3, 1, 1)) / s_std.view(1, 3, 1, 1)  # student keeps BGR
    adapter = TeacherInputAdapter((s_mean, s_std, False), (t_mean, t_std, True), (4, 4))
    expected = (raw.flip(1) - t_mean.view(1, 3, 1, 1)) / t_std.view(1, 3, 1, 1)
    expected = torch.nn.functional.interpolate(expected, size=(4, 4), mode='bilinear')
    torch.testing.assert_close(adapter(student_input), expected, rtol=1e-4, atol=1e-4)


def test_identity_when_both_sides_agree():
    norm = (torch.tensor([1.]), torch.tensor([2.]), False)
    assert TeacherInputAdapter(norm, norm).is_identity
    assert TeacherInputAdapter((None, None, False), (None, None, False)).is_identity
    # a teacher on raw pixels undoes the student's normalisation
    adapter = TeacherInputAdapter(norm, (None, None, False))
    torch.testing.assert_close(adapter(torch.zeros(1, 1, 2, 2)), torch.ones(1, 1, 2, 2))
