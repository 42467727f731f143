"""A private PostgreSQL server that a test may crash and start again (outage tests of the workshop board).

Like the throwaway cluster of tests/store/conftest.py (initdb + pg_ctl from
Debian's postgresql package, as the `postgres` user when the tests run as
root, on a free port of 127.0.0.1), but owned by one test or module, so that
stopping it harms no other test; CI's shared server is never stopped.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from tests.ci import require_tool

PG_BINDIR_ENV = "SONLA_PG_BINDIR"  # e.g. /usr/lib/postgresql/16/bin, when not the newest under /usr/lib/postgresql
# Seconds: pg_ctl waits at most this long for the server to start or stop.
PG_CTL_WAIT = 60


def no_postgres(reason: str) -> NoReturn:
    """Fail under CI, skip with the reason elsewhere (tests/ci.py's require_tool)."""
    require_tool(False, f"PostgreSQL tests: {reason}")
    raise AssertionError("unreachable: require_tool skips or fails")


def pg_bindir() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: SONLA_PG_BINDIR, the newest Debian install, or PATH."""
    tools = ("initdb", "pg_ctl", "postgres")
    candidates: list[Path] = []
    if os.environ.get(PG_BINDIR_ENV):
        candidates.append(Path(os.environ[PG_BINDIR_ENV]))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    candidates.extend(reversed(debian))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in tools):
            return folder
    return None


def as_server_user(args: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the `postgres` system user."""
    if os.geteuid() != 0:
        return args
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *args]
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One PostgreSQL cluster in a temporary folder: ``start()``, ``crash()`` (pg_ctl stop -m immediate), ``remove()``.

    The server keeps its port across restarts, so a URL (and an engine) made
    before a crash points at the restarted server. Commits are synchronous
    (the default): a commit the client saw acknowledged survives a crash of
    the server. fsync is off — the operating system does not crash in these tests.
    """

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            no_postgres("install the postgresql package (initdb, pg_ctl, postgres) or set SONLA_PG_BINDIR")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                no_postgres("running as root and there is no `postgres` system user to run the server")
        self._bindir = bindir
        # Not under pytest's tmp_path: that folder is private to root, the server runs as `postgres`.
        self.folder = Path(tempfile.mkdtemp(prefix="sonla-pgcluster-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.running = False
        initdb = [str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        try:
            if os.geteuid() == 0:
                shutil.chown(self.folder, user="postgres", group="postgres")
            self._run([*initdb, "--locale=C", "--no-sync"], "initdb")
        except BaseException:  # pytest's skip and fail are BaseExceptions too
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        """The admin URL of the `postgres` database (psycopg 3)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str], what: str) -> None:
        done = subprocess.run(as_server_user(args), capture_output=True, text=True, timeout=PG_CTL_WAIT + 30, check=False)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip()
            if self.log.is_file():
                output += "\n" + self.log.read_text(errors="replace").strip()
            no_postgres(f"{what} failed ({done.returncode}): {output[-1500:]}")

    def _pg_ctl(self, *args: str) -> list[str]:
        return [str(self._bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", str(PG_CTL_WAIT), *args]

    def start(self) -> None:
        """Start the server and wait until it accepts connections (after crash recovery, when it crashed)."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run(self._pg_ctl("-l", str(self.log), "-o", options, "start"), "pg_ctl start")
        self.running = True

    def crash(self) -> None:
        """Stop the server the hard way (immediate mode: backends killed, no checkpoint; recovery at the next start)."""
        self._run(self._pg_ctl("-m", "immediate", "stop"), "pg_ctl stop -m immediate")
        self.running = False

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if self.running:
            subprocess.run(
                as_server_user(self._pg_ctl("-m", "fast", "stop")), capture_output=True, timeout=PG_CTL_WAIT + 30, check=False
            )
            self.running = False
        shutil.rmtree(self.folder, ignore_errors=True)


def new_schema_url(admin_url: str, prefix: str) -> tuple[str, str]:
    """(schema, URL): a fresh, empty schema on the server at ``admin_url``, and a URL whose connections work in it."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.schema import CreateSchema

    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(admin_url)
    try:
        with admin.begin() as connection:
            connection.execute(CreateSchema(schema))
    finally:
        admin.dispose()
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


@contextmanager
def running_cluster() -> Iterator[PgCluster]:
    """A private cluster for a module's tests (which may crash it), removed at the end."""
    from store import dispose_engines

    server = PgCluster()
    try:
        server.start()
        yield server
    finally:
        dispose_engines()
        server.remove()
