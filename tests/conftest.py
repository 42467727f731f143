"""Shared test setup: make the repository root importable (`import model`).

The project is not installed into the virtualenv, and `.venv/bin/pytest` does
not put the working directory on sys.path, so the root is added here once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ci import require_tool  # noqa: E402 (needs the root on sys.path)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, one for the whole run (Playwright allows one sync instance at a
    time, and tests/e2e and tests/deploy both drive a browser)."""
    from tests.e2e.appserver import CHROMIUM, CHROMIUM_ARGS

    require_tool(Path(CHROMIUM).exists(), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool(False, "playwright is not installed (pip install -r requirements-dev.txt)")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
