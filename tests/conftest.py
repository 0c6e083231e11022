import os
from contextlib import contextmanager

import pytest

TEST_KEY = "test-pseudonym-key-0123456789abcdef"


def _point_at(patch: pytest.MonkeyPatch, home) -> None:
    """Point the environment at `home`: the test pseudonym key, the default k = 5, and no
    DAGSTER_HOME (each run makes its own instance)."""
    patch.setenv("AXMETER_HOME", str(home))
    patch.setenv("AXMETER_PSEUDONYM_KEY", TEST_KEY)
    patch.delenv("AXMETER_MIN_GROUP_SIZE", raising=False)
    patch.delenv("DAGSTER_HOME", raising=False)


@pytest.fixture
def axmeter_home(tmp_path, monkeypatch):
    """An empty AXMETER_HOME with a pseudonym key and k = 5."""
    home = tmp_path / "home"
    home.mkdir()
    _point_at(monkeypatch, home)
    assert os.environ["AXMETER_HOME"] == str(home)
    return home


@contextmanager
def module_home(tmp_path_factory, name: str):
    """For a module-scoped fixture: an empty AXMETER_HOME set up like `axmeter_home`, with the
    environment kept until the module's tests are done."""
    home = tmp_path_factory.mktemp(name) / "home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        _point_at(patch, home)
        yield home
