"""End-to-end tests: `streamlit run deploy/asgi.py` (the app as served: app.py behind the security
headers) on a free local port, driven by Playwright
in Debian's Chromium (/usr/bin/chromium; browser downloads do not work here).

In CI (CI=true) a missing Chromium or Playwright is a failure, never a skip.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from appserver import start_app, stop


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_app(tmp_path_factory.mktemp("e2e-app"))
    yield url
    stop(proc)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()
