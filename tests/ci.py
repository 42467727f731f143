"""Whether the tests run under CI: the one reading of the CI variable (`require_tool` below, for the
browser and HAProxy tests, and tests/store/pgcluster.py `no_postgres` both ask here).

Under CI a missing tool (Chromium, HAProxy, PostgreSQL) fails the run; elsewhere it skips the test.
CI unset, empty, "0", "false" or "no" is not CI; "1", "true" or "yes" (any case, spaces around) is.
Any other value is not CI either: a run is only made strict by a value that clearly says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

CI_VARIABLE = "CI"
CI_YES = ("1", "true", "yes")


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when the CI variable says yes ("1", "true", "yes", any case); ``environ`` defaults to os.environ."""
    env = os.environ if environ is None else environ
    return env.get(CI_VARIABLE, "").strip().lower() in CI_YES


def require_tool(condition: bool, reason: str) -> None:
    """Skip a test whose tool (Chromium, HAProxy, PostgreSQL…) is missing; under CI fail instead."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)
