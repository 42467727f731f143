"""The workshop server as people start it: `deploy/serve` (HAProxy and Streamlit replicas, real processes on
loopback), and Debian's Chromium through Playwright (/usr/bin/chromium, as in tests/e2e).

Without HAProxy or Chromium these tests are skipped locally; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from servetools import HAPROXY, Served

from tests.ci import require_tool


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`deploy/serve --replicas 2` with the board in a fresh SQLite file, for the whole module."""
    require_tool(Path(HAPROXY).exists(), f"{HAPROXY} is missing (apt-get install -y haproxy)")
    board = tmp_path_factory.mktemp("serve") / "board.sqlite"
    env = os.environ | {"SONLA_BOARD_DB": str(board), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)
    env.pop("SONLA_DATABASE_URL", None)
    served = Served.start(replicas=2, env=env)
    yield served
    served.stop()
