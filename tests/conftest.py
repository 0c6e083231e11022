import os

import pytest

TEST_KEY = "test-pseudonym-key-0123456789abcdef"


@pytest.fixture
def axmeter_home(tmp_path, monkeypatch):
    """An empty AXMETER_HOME with a pseudonym key and k = 5."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("AXMETER_HOME", str(home))
    monkeypatch.setenv("AXMETER_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("AXMETER_MIN_GROUP_SIZE", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert os.environ["AXMETER_HOME"] == str(home)
    return home
