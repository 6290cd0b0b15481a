"""tools/makd/generate_aspect_questions.py with a stub OpenAI server and a tiny local LM."""
import json
import os.path as osp
import runpy
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from mmkd_test_helpers import REPO

from mmkd.makd.question_generation import HFChatBackend, parse_questions

TOOL = osp.join(REPO, 'tools', 'makd', 'generate_aspect_questions.py')
STEP1 = """Here are the questions:
1. Is the item worn on the feet?
2. **Does the item have sleeves?**
3. - Does the item have a heel?
4) Is the item carried by hand?
5. Is the item worn on the feet?
6. What colour is the item?
7. The item has laces.
Q8: Does the item cover the ankle?
"""
STEP2 = """1. Does the item have sleeves?
2. Is the item worn on the feet?
3. Does the item cover the ankle?
4. Does the item have a heel?
"""
STEP3 = """1. Does the item have sleeves? | A garment with sleeves. | A garment without sleeves.
2. Is the item worn on the feet? | A shoe. | Not a shoe.
The item covers the ankle.
"""


def test_parse_questions_keeps_unique_yes_no_questions():
    parsed = parse_questions(STEP1)
    assert parsed.questions == [
        'Is the item worn on the feet?', 'Does the item have sleeves?',
        'Does the item have a heel?', 'Is the item carried by hand?',
        'Does the item cover the ankle?']
    reasons = {line: reason for line, reason in parsed.rejected}
    assert reasons['5. Is the item worn on the feet?'] == 'duplicate'
    assert reasons['6. What colour is the item?'].startswith('not a yes/no question')
    assert reasons['7. The item has laces.'].startswith('not a question')
    assert 'Here are the questions:' in reasons


@pytest.fixture
def stub_server():
    """An OpenAI-style /v1/chat/completions on 127.0.0.1 answering STEP1, STEP2, then STEP3."""
    requests, answers = [], [STEP1, STEP2, STEP3]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
            requests.append(dict(path=self.path, auth=self.headers.get('Authorization'),
                                 body=body))
            content = answers[len(requests) - 1]
            reply = json.dumps(dict(choices=[dict(message=dict(role='assistant',
                                                               content=content))])).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}/v1', requests
    server.shutdown()
    server.server_close()
    thread.join()


def run(args):
    with mock.patch.object(sys, 'argv', [TOOL, *args]):
        runpy.run_path(TOOL, run_name='__main__')


def test_openai_backend_end_to_end(stub_server, tmp_path, monkeypatch, capsys):
    url, requests = stub_server
    monkeypatch.setenv('MAKD_TEST_KEY', 'secret-key')
    (tmp_path / 'classes.txt').write_text('Sneaker\nShirt\n\nBag\n')
    out = tmp_path / 'out'
    run([str(out), '--classes-file', str(tmp_path / 'classes.txt'), '--num-images', '600',
         '-N', '8', '-Q', '3', '--backend', 'openai', '--base-url', url, '--model', 'stub-llm',
         '--api-key-env', 'MAKD_TEST_KEY'])

    assert [r['path'] for r in requests] == ['/v1/chat/completions'] * 2
    assert requests[0]['auth'] == 'Bearer secret-key'
    assert requests[0]['body']['model'] == 'stub-llm'
    step1 = requests[0]['body']['messages'][0]['content']
    assert '3 classes and 600 images' in step1 and 'Sneaker, Shirt, Bag' in step1
    assert 'Generate 8 feature-specific yes or no questions' in step1
    step2 = requests[1]['body']['messages'][0]['content']
    assert '5. Does the item cover the ankle?' in step2 and 'Select 3 of' in step2

    assert (out / 'questions.txt').read_text().splitlines() == [
        'Does the item have sleeves?', 'Is the item worn on the feet?',
        'Does the item cover the ankle?']
    assert len((out / 'candidates.txt').read_text().splitlines()) == 5
    rejected = (out / 'rejected.txt').read_text()
    assert 'duplicate' in rejected and 'more than the 3 asked for' in rejected
    assert 'rejected (duplicate): 5. Is the item worn on the feet?' in capsys.readouterr().out
    assert json.loads((out / 'generation.json').read_text())['responses'] == [STEP1, STEP2]
    # the statement pairs of the contrastive backend, by the default template
    assert (out / 'statements.tsv').read_text().splitlines()[2] == (
        'Does the item cover the ankle?\tThe item covers the ankle.\tThe item does not cover '
        'the ankle.')


def test_statement_pairs_from_the_llm_and_from_a_question_file(stub_server, tmp_path, capsys):
    url, requests = stub_server
    (tmp_path / 'classes.txt').write_text('Sneaker\nShirt\nBag\n')
    out = tmp_path / 'out'
    run([str(out), '--classes-file', str(tmp_path / 'classes.txt'), '--num-images', '600',
         '-N', '8', '-Q', '3', '--backend', 'openai', '--base-url', url, '--model', 'stub-llm',
         '--statements', 'llm'])
    step3 = requests[2]['body']['messages'][0]['content']
    assert 'Sneaker, Shirt, Bag' in step3 and step3.endswith(
        'Does the item have sleeves?\nIs the item worn on the feet?\n'
        'Does the item cover the ankle?')
    assert (out / 'statements.tsv').read_text().splitlines() == [
        'Does the item have sleeves?\tA garment with sleeves.\tA garment without sleeves.',
        'Is the item worn on the feet?\tA shoe.\tNot a shoe.',
        'Does the item cover the ankle?\tThe item covers the ankle.\tThe item does not cover '
        'the ankle.']
    printed = capsys.readouterr().out
    assert 'templated: [\'Does the item cover the ankle?\']' in printed
    assert "statement line rejected (not \"question | affirmative | negative\")" in printed
    assert json.loads((out / 'generation.json').read_text())['statement_response'] == STEP3
    # no LLM at all: a question list in, its templated pairs out
    questions = tmp_path / 'questions.txt'
    questions.write_text('Is the item worn on the feet?\nDoes it have a hood?\n')
    run([str(tmp_path / 'pairs'), '--questions-file', str(questions)])
    assert (tmp_path / 'pairs' / 'statements.tsv').read_text().splitlines()[1] == (
        'Does it have a hood?\tIt has a hood.\tIt does not have a hood.')
    with pytest.raises(SystemExit):
        run([str(tmp_path / 'x'), '--questions-file', str(questions), '--statements', 'llm'])


def test_local_hf_backend_uses_the_chat_template(tmp_path_factory, tmp_path, capsys):
    from mmkd.testing import build_tiny_causal_lm
    path = build_tiny_causal_lm(str(tmp_path_factory.mktemp('tiny_lm')))
    backend = HFChatBackend(path, max_new_tokens=8)
    assert isinstance(backend.chat([dict(role='user', content='Is it red?')]), str)

    (tmp_path / 'classes.txt').write_text('Sneaker\nShirt\n')
    with pytest.raises(SystemExit, match='step 1 gave too few usable questions'):
        run([str(tmp_path / 'out'), '--classes-file', str(tmp_path / 'classes.txt'), '-M', '10',
             '-N', '4', '-Q', '2', '--backend', 'hf', '--model', path, '--max-new-tokens', '12'])
    # a random-init model writes no usable question: every line it wrote is reported
    generation = json.loads((tmp_path / 'out' / 'generation.json').read_text())
    assert len(generation['prompts']) == 1 and '2 classes and 10 images' in generation['prompts'][0]
    answer_lines = [line for line in generation['responses'][0].splitlines() if line.strip()]
    assert len((tmp_path / 'out' / 'rejected.txt').read_text().splitlines()) == len(answer_lines)
