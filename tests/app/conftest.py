"""AppTest fixtures for the Streamlit pages (see apptools.py for why the shim is needed)."""

from __future__ import annotations

import pytest
import streamlit.testing.v1.app_test as app_test_module
from apptools import APP, ROOT, NavigationPagesManager, make_app
from streamlit.testing.v1 import AppTest

__all__ = ["APP", "ROOT", "make_app"]


@pytest.fixture(autouse=True)
def _st_navigation_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


@pytest.fixture
def app() -> AppTest:
    return make_app()
