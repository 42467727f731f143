"""Hardened settings, read from the files an operator deploys: .streamlit/config.toml, .gitignore, the logs.

What a running server sends (security headers, no framing, no tracebacks) is checked in
tests/e2e/test_security_e2e.py.
"""

from __future__ import annotations

import logging
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from model.plan import load_plan
from store import Board, BoardError, new_owner_token

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        return tomllib.load(fh)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("server", "enableXsrfProtection", True),
        ("server", "enableCORS", True),
        ("client", "showErrorDetails", "none"),
        ("client", "showErrorLinks", False),
        ("client", "toolbarMode", "minimal"),
        ("client", "allowedOrigins", []),
        ("browser", "gatherUsageStats", False),
        ("server", "maxUploadSize", 1),
        ("server", "fileWatcherType", "none"),
        ("server", "runOnSave", False),
        ("server", "allowRunOnSave", False),
        ("server", "enableStaticServing", False),
        ("server", "enableAgentApi", False),
        ("server", "headless", True),
        ("runner", "postScriptGC", False),
    ],
)
def test_production_setting(config: dict[str, Any], section: str, key: str, value: object) -> None:
    assert config[section][key] == value


def test_every_setting_is_one_streamlit_knows(config: dict[str, Any]) -> None:
    """A misspelt key would be ignored silently by Streamlit (and the setting left at its default)."""
    from streamlit import config as st_config

    st_config.get_config_options()
    known = set(st_config._config_options)
    used = {f"{section}.{key}" for section, table in config.items() for key in table}
    assert used - known == set()


def test_widget_messages_are_small(config: dict[str, Any]) -> None:
    assert 1 <= config["server"]["maxWidgetStateSize"] <= 5  # MB; Streamlit's default is 25


def test_every_setting_is_explained() -> None:
    """Each setting has a comment just above it (or above its group) saying why."""
    lines = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            above = [x for x in lines[max(0, i - 6) : i] if x.strip()]
            assert any(x.lstrip().startswith("#") for x in above), f"no comment above: {line}"


def test_secrets_file_is_ignored_by_git() -> None:
    """Regression: the README tells operators to put the database password and the PIN in
    .streamlit/secrets.toml, and git did not ignore it."""
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", ".streamlit/secrets.toml"], cwd=ROOT, check=False, capture_output=True
    )
    assert done.returncode == 0, "git would commit .streamlit/secrets.toml"
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=ROOT, check=True, capture_output=True, text=True)
    assert "secrets.toml" not in tracked.stdout


def test_database_password_is_in_no_message_and_no_log(caplog: pytest.LogCaptureFixture, free_port: Callable[[], int]) -> None:
    plan = load_plan()
    secret = "s3cret-pw-71"
    urls = [
        f"postgresql://board:{secret}@127.0.0.1:{free_port()}/board",
        f"postgresql+psycopg://board:{secret}@127.0.0.1:{free_port()}/board?sslmode=disable",
        f"postgres://board:{secret}@[::1]:{free_port()}/board",
        f"not a url {secret}",
    ]
    caplog.set_level(logging.DEBUG)
    for url in urls:
        board = Board(url, plan=plan, pin="4711-2023")
        for call in (board.check, lambda board=board: board.new_room(owner_token=new_owner_token())):
            with pytest.raises(BoardError) as info:
                call()
            assert secret not in str(info.value) and secret not in repr(info.value)
        assert secret not in board.where and secret not in repr(board)
    assert caplog.records, "the outage was logged"
    assert all(secret not in record.getMessage() for record in caplog.records)


@pytest.fixture
def free_port() -> Callable[[], int]:
    import socket

    def port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])

    return port
