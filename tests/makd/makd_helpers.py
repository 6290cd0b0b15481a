"""Helpers shared by the MaKD tests."""
QUESTIONS = ['Is the object a living animal?', 'Does the object have wheels?', 'Is it red?',
             'Are there stripes?', 'Can it be worn?']


def load_vlm(path):
    from transformers import AutoModelForImageTextToText, AutoProcessor
    return (AutoModelForImageTextToText.from_pretrained(path).eval(),
            AutoProcessor.from_pretrained(path))


def images_of(folder, count):
    from mmkd.makd import folder_records
    records = [r for r in folder_records(folder)[0] if 'broken' not in r.key][:count]
    return [r.load() for r in records]

