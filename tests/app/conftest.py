"""AppTest fixtures for the Streamlit pages (see apptools.py for why the shim is needed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from apptools import APP, ROOT, NavigationPagesManager, make_app
from streamlit.testing.v1 import AppTest

from store import dispose_engines
from ui.workshop import get_board

__all__ = ["APP", "ROOT", "make_app"]


@pytest.fixture(autouse=True)
def _st_navigation_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


@pytest.fixture
def app() -> AppTest:
    return make_app()


@pytest.fixture
def board_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite workshop board for one test, without a facilitator PIN (the Board is a cached
    resource: cleared around the test). A test file that needs a PIN sets SONLA_BOARD_PIN after this."""
    db = tmp_path / "board.sqlite"
    monkeypatch.setenv("SONLA_BOARD_DB", str(db))
    monkeypatch.delenv("SONLA_DATABASE_URL", raising=False)
    monkeypatch.delenv("SONLA_BOARD_PIN", raising=False)
    get_board.clear()
    yield db
    get_board.clear()
    dispose_engines()
