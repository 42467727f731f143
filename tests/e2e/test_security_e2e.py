"""What the served app sends a browser: security headers on every response, no framing by another site,
no traceback or server path when a script fails (issue 12, item 6)."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import start_app, stop
from playwright.sync_api import Page

EXPECTED = {
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize("path", ["/", "/data_sources?new_coops=60", "/_stcore/health", "/favicon.png"])
def test_every_response_carries_the_security_headers(app_url: str, path: str) -> None:
    try:
        with urllib.request.urlopen(app_url + path, timeout=10) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as err:  # a 404 must carry them too
        headers = {k.lower(): v for k, v in err.headers.items()}
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (path, name)


@pytest.fixture
def other_site(app_url: str, tmp_path: Path) -> Iterator[str]:
    """A page on another origin (another port) that tries to frame the app."""
    (tmp_path / "index.html").write_text(
        f'<html><body><iframe id="f" src="{app_url}/" width="800" height="600"></iframe></body></html>'
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_another_site_cannot_frame_the_app(page: Page, other_site: str) -> None:
    """Clickjacking: the browser refuses to show the app inside another origin's page."""
    page.goto(other_site)
    page.wait_for_timeout(3000)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert "stApp" not in frame.content()  # the app never rendered in the frame
    assert page.locator("#f").count() == 1


def test_a_failing_script_shows_no_traceback(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    """With the project's config (showErrorDetails = "none") a visitor sees no exception text or path."""
    folder = tmp_path_factory.mktemp("failing")
    script = folder / "failing_app.py"
    script.write_text('import streamlit as st\nst.write("before")\nraise RuntimeError("secret-detail /srv/sonla/board.sqlite")\n')
    proc, url = start_app(folder, script=script)
    try:
        page.goto(url)
        page.wait_for_selector("text=before", timeout=30_000)
        page.wait_for_timeout(1500)
        body = page.locator("body").inner_text()
        assert "secret-detail" not in body and "/srv/sonla" not in body and "RuntimeError" not in body
        assert "Traceback" not in body and str(folder) not in body
    finally:
        stop(proc)
