"""Helpers shared by the MaKD tests."""
import importlib.util
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
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


def run_tool(args, **kwargs):
    """``run_tool`` of ``tests/conftest.py`` (this folder's conftest takes the name ``conftest``)."""
    spec = importlib.util.spec_from_file_location('mmkd_tests_conftest',
                                                  osp.join(REPO, 'tests', 'conftest.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run_tool(args, **kwargs)
