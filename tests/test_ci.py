"""The one reading of the CI variable (tests/ci.py): a missing tool fails the run only under CI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.ci import in_ci, require_tool


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "True", "yes", "Yes", " true ", "true\n"])
def test_ci_says_yes(value: str) -> None:
    assert in_ci({"CI": value}) is True


@pytest.mark.parametrize("value", [None, "", " ", "0", "false", "False", "FALSE", "no", "NO", " false "])
def test_ci_says_no(value: str | None) -> None:
    environ = {} if value is None else {"CI": value}
    assert in_ci(environ) is False


def test_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    assert in_ci() is False
    monkeypatch.setenv("CI", "Yes")
    assert in_ci() is True
    monkeypatch.delenv("CI")
    assert in_ci() is False


def outcome(check: Callable[[], object]) -> tuple[str, str]:
    """What a check did: ("skip", reason), ("fail", reason) or ("none", ""). Caught here rather than with
    pytest.raises, so that a skip where a failure was due fails this test instead of skipping it."""
    try:
        check()
    except pytest.skip.Exception as err:
        return "skip", str(err)
    except pytest.fail.Exception as err:
        return "fail", str(err)
    return "none", ""


def test_missing_tool_skips_outside_ci_and_fails_under_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")  # CI=false once counted as CI in one of two copies of this check
    assert outcome(lambda: require_tool(False, "no such tool")) == ("skip", "no such tool")
    monkeypatch.setenv("CI", "true")
    assert outcome(lambda: require_tool(False, "no such tool")) == ("fail", "cannot run in CI: no such tool")
    assert outcome(lambda: require_tool(True, "present")) == ("none", "")


def test_missing_postgres_skips_outside_ci_and_fails_under_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.store.pgcluster import no_postgres

    monkeypatch.setenv("CI", "0")
    assert outcome(lambda: no_postgres("no server")) == ("skip", "PostgreSQL tests: no server")
    monkeypatch.setenv("CI", "1")
    assert outcome(lambda: no_postgres("no server")) == ("fail", "cannot run in CI: PostgreSQL tests: no server")
