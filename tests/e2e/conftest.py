"""End-to-end tests: `streamlit run deploy/asgi.py` (the app as served: app.py behind the security
headers) on a free local port, driven by Playwright
in Debian's Chromium (/usr/bin/chromium; browser downloads do not work here).

In CI (CI=true) a missing Chromium or Playwright is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import CHROMIUM, CHROMIUM_ARGS, start_app, stop


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"end-to-end tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_app(tmp_path_factory.mktemp("e2e-app"))
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "playwright is not installed (pip install -r requirements-dev.txt)")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()
