"""Fixtures for the board tests: every test runs on a SQLite file and on a real PostgreSQL server.

PostgreSQL: the server at SONLA_TEST_DATABASE_URL when set (CI starts one),
otherwise a throwaway cluster started here (initdb + pg_ctl from Debian's
postgresql package, as the `postgres` user when the tests run as root) on a
free port of 127.0.0.1, stopped at the end of the session. Each test gets its
own schema. Without any server the PostgreSQL tests fail under CI=true and are
skipped (with the reason) elsewhere.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pgcluster import as_server_user, new_schema_url, no_postgres, pg_bindir
from pgcluster import free_port as free_loopback_port
from sqlalchemy import create_engine
from sqlalchemy.schema import DropSchema

from model.plan import Plan, load_plan
from model.scenario import to_json, validate
from store import Board, Limits, dispose_engines
from store.config import normalize_url, sqlite_url

PG_URL_ENV = "SONLA_TEST_DATABASE_URL"
PIN = "4711-2023"
BACKENDS = ("sqlite", "postgresql")


def _run(args: list[str], what: str, *, log: Path | None = None) -> None:
    done = subprocess.run(as_server_user(args), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        if log is not None and log.is_file():
            output += "\n" + log.read_text(errors="replace").strip()
        no_postgres(f"{what} failed ({done.returncode}): {output[-1200:]}")


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function giving a TCP port of 127.0.0.1 that nothing listens on (at the moment)."""
    return free_loopback_port


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """An admin URL of a PostgreSQL server for the session."""
    given = os.environ.get(PG_URL_ENV, "").strip()
    if given:
        yield normalize_url(given)
        return
    bindir = pg_bindir()
    if bindir is None:
        no_postgres(f"set {PG_URL_ENV} or install the postgresql package (initdb, pg_ctl, postgres)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            no_postgres("running as root and there is no `postgres` system user to run the server")
    # Not under pytest's tmp_path: that folder is private to root, the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="sonla-pg-"))
    data = folder / "data"
    log = folder / "server.log"
    port = free_loopback_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, user="postgres", group="postgres")
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            "initdb",
        )
        server_options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                server_options,
                "start",
            ],
            "pg_ctl start",
            log=log,
        )
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            dispose_engines()
            subprocess.run(
                as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"]),
                capture_output=True,
                timeout=120,
                check=False,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_schema_url(pg_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh, empty schema of their own (dropped afterwards)."""
    schema, url = new_schema_url(pg_url, "board_test")
    yield url
    dispose_engines()
    admin = create_engine(pg_url)
    try:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema, cascade=True))
    finally:
        admin.dispose()


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    # Each test starts without cached engines and leaves no open connections.
    dispose_engines()
    yield
    dispose_engines()


@pytest.fixture(params=BACKENDS)
def board_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of one test: a new SQLite file (its folder not yet made), or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "board" / "board.sqlite")
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture(scope="session")
def pin() -> str:
    """The facilitator PIN of the boards `make_board` makes."""
    return PIN


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan()


@pytest.fixture(scope="session")
def scenario_json(plan: Plan) -> str:
    """A valid scenario file (a couple of levers moved from the defaults)."""
    scenario, _ = validate(plan, {"new_coops": 120, "dissolution_rate": 2})
    return to_json(plan, scenario)


@pytest.fixture
def make_board(board_url: str, plan: Plan) -> Callable[..., Board]:
    """A Board on this test's database; keyword arguments set (small) limits."""

    def make(*, pin: str | None = PIN, clock: Callable[[], datetime] | None = None, **limits: Any) -> Board:
        return Board(board_url, plan=plan, pin=pin, limits=Limits(**limits), clock=clock)

    return make


@pytest.fixture
def board(make_board: Callable[..., Board]) -> Board:
    return make_board()
