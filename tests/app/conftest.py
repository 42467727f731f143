"""AppTest helpers for the Streamlit pages.

AppTest resets ``PagesManager.uses_pages_directory`` before every run and then
sets it from the mere existence of a ``pages/`` folder, so from the second run
on it executes the current page file directly, without app.py (no sidebar, no
shared state). The real server clears the flag as soon as app.py calls
st.navigation. `_NavigationPagesManager` clears it in the tests the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


class _NavigationPagesManager(PagesManager):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _st_navigation_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)


def make_app(page: str | None = None, *, lang: str = "vi") -> AppTest:
    """A fresh app session, run once, optionally switched to a page (its url path / file)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


@pytest.fixture
def app() -> AppTest:
    return make_app()
