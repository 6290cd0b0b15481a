"""Fault table, offline loading: no Hugging Face ``from_pretrained`` in the package or the tools
can reach the hub, and a hub name or missing folder says which files to put where."""
import ast
import glob
import os.path as osp

import pytest
from mmkd_test_helpers import REPO, run_tool

from mmkd.utils.checkpoint import check_hf_folder


def offline_kwargs(function: ast.AST) -> set:
    """Names assigned ``dict(local_files_only=True, ...)`` in ``function``."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                k.arg == 'local_files_only' and getattr(k.value, 'value', None) is True
                for k in node.value.keywords):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def online_calls(path: str) -> list:
    tree = ast.parse(open(path).read())
    found = []
    for function in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Module))]:
        offline = offline_kwargs(function)
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == 'from_pretrained'):
                continue
            direct = any(k.arg == 'local_files_only' and getattr(k.value, 'value', None) is True
                         for k in node.keywords)
            spread = any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id in offline
                         for k in node.keywords)
            if not (direct or spread):
                found.append(f'{osp.relpath(path, REPO)}:{node.lineno}')
    return sorted(set(found))


def test_every_from_pretrained_passes_local_files_only():
    files = glob.glob(osp.join(REPO, 'mmkd', '**', '*.py'), recursive=True) + glob.glob(
        osp.join(REPO, 'tools', '**', '*.py'), recursive=True)
    calls = [call for path in files for call in online_calls(path)]
    assert calls == []


def test_a_hub_name_says_which_files_to_put_where(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"the MLLM: no Hugging Face model folder at "
                                                r"'Qwen/Qwen2\.5-VL-7B-Instruct' \(mmkd never "
                                                r'downloads\)\. Put the model files there: '
                                                r'config\.json, the weights .*huggingface-cli '
                                                r'download'):
        check_hf_folder('Qwen/Qwen2.5-VL-7B-Instruct', 'the MLLM')
    (tmp_path / 'config.json').write_text('{}')
    assert check_hf_folder(str(tmp_path), 'x') == str(tmp_path)


def test_the_extraction_tool_refuses_a_hub_name(tmp_path):
    images = tmp_path / 'images'
    images.mkdir()
    questions = tmp_path / 'q.txt'
    questions.write_text('Is it red?\n')
    with pytest.raises(AssertionError, match=r"the MLLM \(MODEL_DIR\): no Hugging Face model "
                                             r"folder at 'llava-hf/llava-1\.5-7b-hf'"):
        run_tool([osp.join(REPO, 'tools/makd/extract_aspect_logits.py'),
                  'llava-hf/llava-1.5-7b-hf', str(questions), str(tmp_path / 'out'),
                  '--images', str(images)])
