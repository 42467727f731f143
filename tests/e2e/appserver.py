"""Start `streamlit run` on a free local port (for the end-to-end tests and the browser benchmark)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SONLA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    tmp: Path,
    *,
    script: Path | None = None,
    env_extra: dict[str, str] | None = None,
    prefix: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """Start the app on a free port; return the process and its base URL once it answers.

    The server's output goes to tmp / f"streamlit-{port}.log". `prefix` goes before the command, e.g.
    ["taskset", "-c", "0"] to pin the server to a core (a prefix that execs keeps the pid the server's).
    """
    port = _free_port()
    env = os.environ | {
        "SONLA_BOARD_DB": str(tmp / "board.sqlite"),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    } | (env_extra or {})
    with (tmp / f"streamlit-{port}.log").open("wb") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen(
            [
                *prefix, sys.executable, "-m", "streamlit", "run", str(script or ROOT / "deploy" / "asgi.py"),
                "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {(tmp / f'streamlit-{port}.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not answer within 60 s")




def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def settle(page: object, timeout: float = 30_000) -> None:
    """Wait until the page has finished its script run and drawn it: Streamlit marks the app root
    ``data-test-script-state="notRunning"`` and no element is left stale from the run. Not a fixed sleep, and
    not the status widget, which appears only once a run has lasted 500 ms (a shorter run still going passes)."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(  # type: ignore[attr-defined]
        "data-test-script-state", "notRunning", timeout=timeout
    )
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)  # type: ignore[attr-defined]
