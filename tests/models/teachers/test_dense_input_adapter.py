"""The teacher input adapter reads mmdet's and mmseg's data preprocessors correctly."""
import torch
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmseg.models.data_preprocessor import SegDataPreProcessor

from mmkd.models.teachers import TeacherInputAdapter, read_normalization

MEAN, STD = [123.675, 116.28, 103.53], [58.395, 57.12, 57.375]


def test_reads_channel_conversion_of_det_and_seg_preprocessors():
    for preprocessor_cls in (DetDataPreprocessor, SegDataPreProcessor):
        convention = read_normalization(preprocessor_cls(mean=MEAN, std=STD, bgr_to_rgb=True))
        assert torch.allclose(torch.tensor(convention.mean), torch.tensor(MEAN))
        assert torch.allclose(torch.tensor(convention.std), torch.tensor(STD))
        assert convention.channels == 'rgb'
        assert read_normalization(preprocessor_cls(mean=MEAN, std=STD)).channels == 'bgr'


def test_seg_student_to_det_teacher_matches_teacher_preprocessing():
    """A raw BGR image through the student's mmseg preprocessing and the adapter equals the same
    image through the teacher's own (mmdet, no RGB conversion, other mean/std) preprocessing."""
    raw = torch.rand(3, 8, 8) * 255
    student = SegDataPreProcessor(mean=MEAN, std=STD, bgr_to_rgb=True)
    teacher = DetDataPreprocessor(mean=[100., 110., 120.], std=[50., 60., 70.], bgr_to_rgb=False)
    student_batch = student(dict(inputs=[raw], data_samples=None))['inputs']
    teacher_batch = teacher(dict(inputs=[raw], data_samples=None))['inputs']
    adapter = TeacherInputAdapter(read_normalization(student), read_normalization(teacher))
    assert torch.allclose(adapter(student_batch), teacher_batch, atol=1e-4)
