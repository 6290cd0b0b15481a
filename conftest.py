"""The docstring examples of ``mmkd/`` (``pytest.ini``: ``--doctest-modules``) run in a temporary
folder, and their ``tempfile`` files go there too: an example never writes into the repository
and leaves nothing behind outside pytest's own temporary directory."""
import tempfile

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctest_in_tmp_path(request, monkeypatch):
    if isinstance(request.node, DoctestItem):
        tmp_path = request.getfixturevalue('tmp_path')
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    yield
