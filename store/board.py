"""The workshop board: rooms (short codes) in which groups save, list, load and delete named scenarios,
and in which each participant's tab may share its current scenario live (one row per tab, replaced on every change).

Stored through SQLAlchemy Core in a SQLite file (default) or PostgreSQL. Every
failure of the database becomes ``UnavailableError`` (code "unavailable"); every
refused input or action is another ``BoardError`` with a machine-readable code
the page translates. Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import operator
import os
import random
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    exc,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url

from model.plan import Plan
from model.scenario import from_json
from model.text import clean_label
from store.config import resolve_url

# ------------------------------------------------------------------ errors

ERROR_CODES: tuple[str, ...] = (
    "bad_room_code",
    "name_empty",
    "name_too_long",
    "group_too_long",
    "bad_owner_token",
    "bad_scenario",
    "scenario_too_large",
    "room_full",
    "live_full",
    "too_many_rooms",
    "board_full",
    "session_full",
    "rate_limited",
    "rooms_rate_limited",
    "no_room",
    "pin_wait",
    "pin_not_set",
    "not_allowed",
    "not_found",
    "unavailable",
)


class BoardError(Exception):
    """A refused board action. ``code`` (one of ERROR_CODES) picks the page's message; ``params`` fill it in."""

    def __init__(self, code: str, reason: str, /, **params: Any) -> None:
        assert code in ERROR_CODES, code
        self.code = code
        self.reason = reason
        self.params = params
        super().__init__(f"{code}: {reason}")


class InvalidInputError(BoardError):
    """A room code, name, group, owner token or scenario that cannot be stored."""


class LimitReachedError(BoardError):
    """The room is full, or the board has as many rooms as it may hold."""


class RateLimitedError(BoardError):
    """Too many actions of one kind lately; ``params["seconds"]`` says when the next one is allowed."""


class NotAllowedError(BoardError):
    def __init__(self, reason: str, code: str = "not_allowed", /, **params: Any) -> None:
        super().__init__(code, reason, **params)


class NotFoundError(BoardError):
    def __init__(self, reason: str, code: str = "not_found", /, **params: Any) -> None:
        super().__init__(code, reason, **params)


class UnavailableError(BoardError):
    """The database cannot be reached or used; ``reason`` says why (never with a password)."""

    def __init__(self, reason: str) -> None:
        super().__init__("unavailable", reason)


# ------------------------------------------------------------- room codes

# No 0/O, 1/I/L: a code read off a projector is typed back without guessing.
ROOM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ROOM_CODE_MIN = 4
ROOM_CODE_MAX = 8
# 31**5 ≈ 29 million codes: with the 500-room limit a guessed code hits a room
# about once in 57,000 tries (4 characters would be once in 1,800).
NEW_ROOM_LENGTH = 5
_ROOM_RE = re.compile(f"[{ROOM_ALPHABET}]{{{ROOM_CODE_MIN},{ROOM_CODE_MAX}}}")


def new_room_code(length: int = NEW_ROOM_LENGTH) -> str:
    """A random room code (not checked against the rooms in use; Board.new_room does that)."""
    if not ROOM_CODE_MIN <= length <= ROOM_CODE_MAX:
        raise ValueError(f"room code length must be {ROOM_CODE_MIN}–{ROOM_CODE_MAX}, not {length}")
    return "".join(secrets.choice(ROOM_ALPHABET) for _ in range(length))


def normalize_room(code: object) -> str:
    """The room code as stored: typed input stripped and uppercased. InvalidInputError("bad_room_code") otherwise."""
    text = code.strip().upper() if isinstance(code, str) else ""
    if not _ROOM_RE.fullmatch(text):
        shown = str(code)[:20] if code is not None else ""
        raise InvalidInputError(
            "bad_room_code",
            f"room code {shown!r} must be {ROOM_CODE_MIN}–{ROOM_CODE_MAX} characters from {ROOM_ALPHABET}",
            given=shown,
            min=ROOM_CODE_MIN,
            max=ROOM_CODE_MAX,
        )
    return text


# ----------------------------------------------------------- owner tokens

_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def new_owner_token() -> str:
    """A random token for one browser tab; entries saved with it can be deleted with it."""
    return secrets.token_urlsafe(24)


def _token_digest(token: str) -> str:
    # Only a digest is stored: a copy of the database does not hand out delete rights.
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _same(a: str, b: str) -> bool:
    # compare_digest refuses non-ASCII str, so compare the UTF-8 bytes.
    return secrets.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# ------------------------------------------------------------------ names


def clean_text(text: str) -> str:
    """A name or group as stored: the app's one rule for names (model.text.clean_label).

    Line breaks and tabs become spaces, control characters, lone surrogates and
    bidi overrides go, a name of only invisible characters is empty, NFC.
    Everything else (quotes, <tags>, **markdown**, SQL-looking text) is kept as typed;
    the page shows names as plain text.
    """
    return clean_label(str(text))


# ----------------------------------------------------------------- limits


@dataclass(frozen=True)
class Limits:
    """What one board holds and allows at most. Lengths are characters after cleaning; the scenario
    size is UTF-8 bytes; a "session" is one browser tab (its owner token).

    The defaults are sized for workshops of up to ~50 participants a room, and keep an anonymous
    visitor from filling the database (at most ``entries`` × ``scenario_bytes`` ≈ 320 MB) or
    making the board refuse everyone else for long.
    """

    name_chars: int = 60
    group_chars: int = 40
    entries_per_room: int = 200
    entries_per_session: int = 30  # in one room
    entries: int = 20_000  # on the whole board
    rooms: int = 500
    scenario_bytes: int = 16 * 1024  # a scenario file is ~2 KiB
    saves_per_minute: int = 10  # per session
    rooms_per_session_hour: int = 5
    rooms_per_hour: int = 60  # on the whole board
    room_idle_days: int = 30  # a room with no save, delete or keep for this long is removed (unless kept)
    empty_room_idle_hours: int = 24  # a room created and never used
    pin_min_chars: int = 8
    pin_free_tries: int = 5  # wrong PINs per session before it has to wait
    pin_board_free_tries: int = 10  # wrong PINs on the whole board (per hour) before everyone waits
    pin_max_wait_seconds: int = 300  # the wait doubles with each wrong PIN up to this: never locked for good
    live_per_room: int = 100  # tabs sharing their current scenario live in one room at once
    live_idle_seconds: int = 120  # a live scenario not updated for this long is gone (hidden, then deleted);
    # an open participant tab refreshes its row every 30 s (ui.workshop.LIVE_HEARTBEAT), so only closed tabs go

    def __post_init__(self) -> None:
        for key, value in vars(self).items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"limit {key} must be a positive whole number, not {value!r}")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, with any SONLA_LIMIT_<NAME> (e.g. SONLA_LIMIT_ROOM_IDLE_DAYS=90) set in the environment.

        A value that is not a positive whole number raises ValueError naming the variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name in cls.__dataclass_fields__:
            key = f"SONLA_LIMIT_{name.upper()}"
            raw = env.get(key, "").strip()
            if not raw:
                continue
            try:
                values[name] = int(raw)
            except ValueError:
                raise ValueError(f"{key} must be a positive whole number, not {raw[:20]!r}") from None
            if values[name] < 1:
                raise ValueError(f"{key} must be a positive whole number, not {raw[:20]!r}")
        return cls(**values)


# ----------------------------------------------------------------- schema

metadata = MetaData()

PLAN_VERSION_CHARS = 40

entries_table = Table(
    "board_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room", String(ROOM_CODE_MAX), nullable=False),
    Column("name", Text, nullable=False),
    # "group" is an SQL keyword; the column avoids it, the Python side does not.
    Column("group_name", Text, nullable=False),
    Column("scenario_json", Text, nullable=False),
    Column("plan_id", String(100), nullable=False),
    Column("plan_version", String(PLAN_VERSION_CHARS), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("owner_digest", String(64), nullable=False),
    Index("ix_board_entries_room_created", "room", "created_at"),
    # SQLite would otherwise reuse the id of a deleted last entry.
    sqlite_autoincrement=True,
)

# A room exists from its creation (or its first save) until it expires or is cleared away.
# ``active_at`` moves with every save, delete and keep: the page's live list asks for it alone
# to learn whether anything changed, and expiry reads it.
rooms_table = Table(
    "board_rooms",
    metadata,
    Column("code", String(ROOM_CODE_MAX), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active_at", DateTime(timezone=True), nullable=False),
    Column("keep", Boolean, nullable=False, default=False),
    Column("creator_digest", String(64), nullable=False),
    Index("ix_board_rooms_active", "active_at"),
)

# Recent actions that limits count (room created, save, wrong PIN), by whom (a token digest;
# "" when nobody in particular). Rows older than EVENT_HORIZON are pruned on the next write.
events_table = Table(
    "board_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_board_events_kind_at", "kind", "at"),
    Index("ix_board_events_kind_actor_at", "kind", "actor", "at"),
)
EVENT_HORIZON = timedelta(hours=2)
EV_ROOM, EV_SAVE, EV_PIN_WRONG = "room_created", "save", "pin_wrong"

# Each tab's current scenario, shared live in a room (the facilitator's projector polls them). One row per
# tab on the whole board (``actor``: its token digest, unique), replaced on every change, at most
# ``Limits.live_per_room`` tabs a room: the rows are bounded by the tabs sharing, not by how often they
# change, so live writes record no events and are not rate limited. A row not updated for
# ``Limits.live_idle_seconds`` is gone: no longer listed, deleted by housekeeping.
live_table = Table(
    "board_live",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room", String(ROOM_CODE_MAX), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("grp", Text, nullable=False),
    Column("scenario_json", Text, nullable=False),
    Column("reached", Integer, nullable=False),
    Column("close", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("actor", name="uq_board_live_actor"),
    Index("ix_board_live_room_updated", "room", "updated_at"),
    sqlite_autoincrement=True,
)
# A live share counts as activity in its room, but moves the room's active_at at most this often:
# forty tabs moving sliders do not all write the room's row.
LIVE_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Room:
    """A room as the page shows it: when it was made and last used, whether it is kept, how full it is."""

    code: str
    created_at: datetime  # UTC
    active_at: datetime  # UTC: the last save, delete or keep
    keep: bool
    entries: int
    expires_at: datetime | None  # UTC; None when kept


def _owned(owner_token: str | None, owner_digest: str) -> bool:
    """Whether a tab's token is the one whose digest a row keeps (a malformed token owns nothing)."""
    if not isinstance(owner_token, str) or not _TOKEN_RE.fullmatch(owner_token):
        return False
    return _same(_token_digest(owner_token), owner_digest)


@dataclass(frozen=True)
class Entry:
    """One saved scenario on the board. ``scenario_json`` is the file text as saved (model.scenario.from_json reads it)."""

    id: int
    room: str
    name: str
    group: str
    scenario_json: str
    plan_id: str
    plan_version: str
    created_at: datetime  # UTC
    owner_digest: str = field(repr=False)

    def owned_by(self, owner_token: str | None) -> bool:
        """Whether this tab's token saved the entry (then it may delete it)."""
        return _owned(owner_token, self.owner_digest)


@dataclass(frozen=True)
class LiveEntry:
    """One tab's current scenario, shared live in a room. ``reached`` and ``close``: how many of the plan's
    targets the scenario reaches and nearly reaches (as the app computed them when it shared)."""

    id: int
    room: str
    name: str  # may be empty
    group: str  # may be empty
    scenario_json: str
    reached: int
    close: int
    created_at: datetime  # UTC: when this tab started sharing in this room
    updated_at: datetime  # UTC: its last change
    owner_digest: str = field(repr=False)

    def owned_by(self, owner_token: str | None) -> bool:
        """Whether this tab's token shared the scenario."""
        return _owned(owner_token, self.owner_digest)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite keeps no offset; everything is written in UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _entry(row: Row[Any]) -> Entry:
    created = _utc(row.created_at)
    return Entry(
        id=row.id,
        room=row.room,
        name=row.name,
        group=row.group_name,
        scenario_json=row.scenario_json,
        plan_id=row.plan_id,
        plan_version=row.plan_version,
        created_at=created.astimezone(UTC),
        owner_digest=row.owner_digest,
    )


def _live_entry(row: Row[Any]) -> LiveEntry:
    return LiveEntry(
        id=row.id,
        room=row.room,
        name=row.name,
        group=row.grp,
        scenario_json=row.scenario_json,
        reached=row.reached,
        close=row.close,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        owner_digest=row.actor,
    )


# ---------------------------------------------------------------- engines

_log = logging.getLogger(__name__)

# Seconds. A PostgreSQL server that does not answer fails within CONNECT_TIMEOUT;
# SQLite writers queue behind each other for up to SQLITE_BUSY_TIMEOUT.
CONNECT_TIMEOUT = 3
SQLITE_BUSY_TIMEOUT = 15
POOL_TIMEOUT = 10
# One process-wide lock for saves on PostgreSQL (pg_advisory_xact_lock): the
# counts and the insert of a save see every save committed before it.
_PG_LOCK_KEY = int.from_bytes(b"sonlaBRD", "big")

# Engines are thread-safe and hold the connection pool: one per URL per process.
_engines: dict[str, Engine] = {}
_engines_lock = threading.RLock()


def _reason(err: BaseException) -> str:
    if isinstance(err, exc.DBAPIError) and err.orig is not None:
        err = err.orig
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _use_wal(path: str) -> None:
    """Switch the SQLite file to write-ahead logging, once, before any pooled connection uses it.

    WAL is stored in the file, so it is set once per file, not per connection. Setting it on
    every new connection (as this module once did) failed at random on a busy board: a fresh
    connection's ``PRAGMA journal_mode=WAL`` holds a read lock when it asks for the write lock,
    and SQLite answers SQLITE_BUSY at once instead of waiting (waiting could deadlock), so
    the pool growing during the first saves on a new server refused a save with "database is
    locked". Here a plain connection with nothing open switches the mode; another process
    doing the same or writing at that moment makes it retry until SQLITE_BUSY_TIMEOUT.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT
    delay = 0.005
    while True:
        connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None)
        try:
            mode = str(connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
            if mode != "wal":
                # A file system without shared memory (some network mounts) keeps the rollback
                # journal: slower for readers, still correct with BEGIN IMMEDIATE and the busy timeout.
                _log.warning("SQLite board %s stays in journal mode %s (WAL not supported here)", path, mode)
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            if time.monotonic() + delay > deadline:
                raise
        finally:
            connection.close()
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.25)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise UnavailableError("the board needs a SQLite file path, not an in-memory database")
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UnavailableError(f"cannot create the folder {folder}: {err.strerror or err}") from err
    _use_wal(database)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, emits BEGIN (see _on_begin). Nothing here may need a
        # lock: a new connection is made while others write (the journal mode is set in _use_wal).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write takes the write lock at BEGIN, so its counts cannot go stale before its insert,
        # and it never upgrades a read lock (SQLite refuses that at once under contention instead
        # of waiting); others wait for the busy timeout instead of failing.
        write = connection.get_execution_options().get("board_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT}
    if url.get_driver_name() == "psycopg":
        # No server-side prepared statements: they break behind the transaction
        # poolers (PgBouncer) that hosted PostgreSQL services put in front.
        connect_args["prepare_threshold"] = None
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, pool_timeout=POOL_TIMEOUT)


def _new_engine(url_text: str) -> Engine:
    try:
        url = make_url(url_text)
    except exc.ArgumentError:
        # The parse error would echo the URL, password and all.
        raise UnavailableError("the database URL is not valid") from None
    backend = url.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(url)
        if backend == "postgresql":
            return _postgres_engine(url)
    except (exc.SQLAlchemyError, ImportError) as err:
        raise UnavailableError(f"cannot use {url.render_as_string(hide_password=True)}: {_reason(err)}") from err
    raise UnavailableError(f"unsupported database {backend!r}: use PostgreSQL or a SQLite file")


@contextmanager
def _begin(engine: Engine, *, write: bool) -> Iterator[Connection]:
    with engine.connect() as connection:
        if write:
            connection.execution_options(board_write=True)
        with connection.begin():
            if write and connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
            yield connection


def _engine(url_text: str) -> Engine:
    """The engine for this URL, with the schema created on first use. Raises UnavailableError.

    One thread makes it while the others wait (one pool, one schema check per process);
    a failure is not cached, so the next call tries again (the database may be back).
    """
    with _engines_lock:
        engine = _engines.get(url_text)
        if engine is not None:
            return engine
        engine = _new_engine(url_text)
        try:
            with _begin(engine, write=True) as connection:
                metadata.create_all(connection)
                _migrate(connection)
        except BaseException:
            engine.dispose()
            raise
        _engines[url_text] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests; a process about to exit)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


# ------------------------------------------------------------------ board


def _migrate(connection: Connection) -> None:
    """Boards made before rooms had their own table: give every room with entries a row (idempotent).

    New tables (board_rooms, board_events, board_live) need nothing here: ``metadata.create_all``,
    run just before, adds every missing table and its indexes to an existing database.
    """
    e, r = entries_table, rooms_table
    orphans = (
        select(e.c.room, func.min(e.c.created_at), func.max(e.c.created_at))
        .where(e.c.room.not_in(select(r.c.code)))
        .group_by(e.c.room)
    )
    rows = connection.execute(orphans).all()
    for code, created, active in rows:
        connection.execute(
            insert(r).values(code=code, created_at=_utc(created), active_at=_utc(active), keep=False, creator_digest="")
        )


def _actor(owner_token: str | None) -> str:
    """Who is counted for a limit: the digest of a well-formed token, else "" (only board-wide limits then)."""
    if isinstance(owner_token, str) and _TOKEN_RE.fullmatch(owner_token):
        return _token_digest(owner_token)
    return ""


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


# How often a process removes expired rooms and old events (inside a write it is doing anyway).
HOUSEKEEPING_EVERY = timedelta(minutes=1)
PIN_WINDOW = timedelta(hours=1)
PIN_FIRST_WAIT_SECONDS = 15


def pin_backoff(wrong: int, free: int, *, cap: int) -> int:
    """Seconds to wait after the last wrong PIN, given ``wrong`` recent wrong tries of which ``free`` cost nothing.

    15 s after the first try over the free ones, doubling with each further one, never more than ``cap``.
    """
    if wrong < free:
        return 0
    return min(cap, PIN_FIRST_WAIT_SECONDS * 2 ** min(wrong - free, 30))


class Board:
    """The board in one database. Creating it touches nothing; the first call connects (and creates the tables).

    ``url``: a SQLAlchemy URL (see store.config.resolve_url for the default);
    ``plan``: saved scenarios are checked against it; ``pin``: the facilitator
    PIN (None, or shorter than ``limits.pin_min_chars``: nobody is facilitator);
    ``clock``: the time now, in UTC (tests move it).

    Every limit that counts actions (saves a minute, rooms an hour, wrong PINs)
    is kept in the database, so replicas of the app on one database share them.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        plan: Plan,
        pin: str | None = None,
        limits: Limits | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._url = resolve_url(url, environ=environ)
        self._plan = plan
        self.limits = limits or Limits()
        given = pin.strip() if isinstance(pin, str) else ""
        self.pin_problem: str | None = None
        if not given:
            self.pin_problem = "unset"
        elif len(given) < self.limits.pin_min_chars:
            self.pin_problem = "too_short"
            _log.warning(
                "the facilitator PIN has %d characters, at least %d are needed: facilitator actions are off",
                len(given),
                self.limits.pin_min_chars,
            )
        self._pin = given if self.pin_problem is None else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._housekept: datetime | None = None

    def __repr__(self) -> str:
        return f"Board({self.where!r})"

    @property
    def backend(self) -> str:
        """ "sqlite", "postgresql", or the scheme of an unsupported URL ("" when it cannot be read)."""
        try:
            return make_url(self._url).get_backend_name()
        except exc.ArgumentError:
            return ""

    @property
    def where(self) -> str:
        """The database URL without its password, for logs (never for the page: it names the host)."""
        try:
            return make_url(self._url).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return "(not a valid database URL)"

    @property
    def has_pin(self) -> bool:
        """Whether a usable facilitator PIN is configured."""
        return self._pin is not None

    def now(self) -> datetime:
        return _utc(self._clock())

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        try:
            with _begin(_engine(self._url), write=write) as connection:
                yield connection
        except BoardError:
            raise
        except (exc.SQLAlchemyError, OSError) as err:
            reason = _reason(err)
            _log.warning("workshop board %s unavailable: %s", self.where, reason)
            raise UnavailableError(reason) from err

    # --------------------------------------------------------- checks

    def check(self) -> None:
        """Connect (creating the tables on first use); UnavailableError when the database cannot be used."""
        with self._transaction() as connection:
            connection.execute(select(func.count()).select_from(rooms_table).limit(1))

    def is_facilitator(self, pin: str | None) -> bool:
        """Whether ``pin`` is the facilitator PIN. Counts nothing: callers that take a PIN from a
        person use ``verify_pin`` (or pass it to a facilitator action), which limits the tries."""
        if self._pin is None or not isinstance(pin, str):
            return False
        return _same(pin.strip(), self._pin)

    def _clean_label(self, text: str, *, kind: str, limit: int) -> str:
        cleaned = clean_text(text)
        if len(cleaned) > limit:
            raise InvalidInputError(
                f"{kind}_too_long", f"{kind} has {len(cleaned)} characters, at most {limit}", limit=limit, length=len(cleaned)
            )
        return cleaned

    def _check_scenario(self, scenario_json: str) -> tuple[str, str]:
        """(plan id, plan version) the scenario file was made for; InvalidInputError when it is not a valid scenario."""
        if not isinstance(scenario_json, str):
            raise InvalidInputError("bad_scenario", "the scenario must be JSON text")
        try:
            size = len(scenario_json.encode("utf-8"))
        except UnicodeEncodeError:
            raise InvalidInputError("bad_scenario", "the scenario is not valid Unicode text") from None
        limit = self.limits.scenario_bytes
        if size > limit:
            raise InvalidInputError(
                "scenario_too_large", f"the scenario has {size} bytes, at most {limit}", limit=limit, size=size
            )
        try:
            from_json(self._plan, scenario_json)
            doc = json.loads(scenario_json)
        except (ValueError, RecursionError) as err:  # ScenarioError is a ValueError
            raise InvalidInputError("bad_scenario", f"not a valid scenario: {str(err)[:300]}", problems=str(err)[:300]) from None
        meta = doc.get("plan") or {}
        version = meta.get("version", self._plan.version)
        if not isinstance(version, str | int | float) or isinstance(version, bool) or len(str(version)) > PLAN_VERSION_CHARS:
            raise InvalidInputError("bad_scenario", "not a valid scenario: the plan version is not a short text")
        return self._plan.id, str(version)

    # ---------------------------------------------------- counted actions

    def _recent(
        self, connection: Connection, kind: str, since: datetime, actor: str | None = None
    ) -> tuple[int, datetime | None, datetime | None]:
        """(how many, oldest, newest) events of a kind since a time, of one actor or of everyone."""
        ev = events_table
        query = select(func.count(), func.min(ev.c.at), func.max(ev.c.at)).where(ev.c.kind == kind, ev.c.at > since)
        if actor is not None:
            query = query.where(ev.c.actor == actor)
        count, oldest, newest = connection.execute(query).one()
        return int(count or 0), None if oldest is None else _utc(oldest), None if newest is None else _utc(newest)

    def _record(self, connection: Connection, kind: str, actor: str, now: datetime) -> None:
        connection.execute(insert(events_table).values(kind=kind, actor=actor, at=now))

    def _housekeeping(self, connection: Connection, now: datetime, *, force: bool = False) -> int:
        """Remove expired rooms (with their entries and live scenarios), stale live scenarios and old events,
        at most once a minute per Board. Rooms removed."""
        if not force and self._housekept is not None and now - self._housekept < HOUSEKEEPING_EVERY:
            return 0
        self._housekept = now
        r, e = rooms_table, entries_table
        has_entries = select(e.c.id).where(e.c.room == r.c.code).exists()
        expired = (r.c.keep.is_(False)) & (
            (r.c.active_at < now - timedelta(days=self.limits.room_idle_days))
            | ((r.c.active_at < now - timedelta(hours=self.limits.empty_room_idle_hours)) & ~has_entries)
        )
        codes = list(connection.scalars(select(r.c.code).where(expired)))
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            connection.execute(delete(e).where(e.c.room.in_(chunk)))
            connection.execute(delete(live_table).where(live_table.c.room.in_(chunk)))
            connection.execute(delete(r).where(r.c.code.in_(chunk)))
        connection.execute(delete(live_table).where(live_table.c.updated_at <= self._live_cutoff(now)))
        connection.execute(delete(events_table).where(events_table.c.at < now - EVENT_HORIZON))
        if codes:
            _log.info("workshop board: %d idle rooms expired", len(codes))
        return len(codes)

    def expire_rooms(self) -> int:
        """Remove every room idle for longer than the limits allow (not kept), with its entries and live
        scenarios, and every stale live scenario. How many rooms went."""
        with self._transaction(write=True) as connection:
            return self._housekeeping(connection, self.now(), force=True)

    def _pin_wait(self, connection: Connection, actor: str, now: datetime) -> int:
        """Seconds before this session may try a PIN (0: now): its own wrong tries and the whole board's."""
        since = now - PIN_WINDOW
        wait = 0
        for who, free in ((actor, self.limits.pin_free_tries), (None, self.limits.pin_board_free_tries)):
            if who == "":
                continue
            count, _, newest = self._recent(connection, EV_PIN_WRONG, since, who)
            backoff = pin_backoff(count, free, cap=self.limits.pin_max_wait_seconds)
            if backoff and newest is not None:
                left = newest + timedelta(seconds=backoff) - now
                if left > timedelta(0):
                    wait = max(wait, _seconds(left))
        return wait

    def _verify_pin(self, connection: Connection, pin: object, actor: str, now: datetime) -> bool:
        """Inside a write transaction: RateLimitedError while PIN tries must wait; a wrong PIN is recorded."""
        if self._pin is None:
            raise NotAllowedError(
                "no facilitator PIN of sufficient length is configured", "pin_not_set", min=self.limits.pin_min_chars
            )
        wait = self._pin_wait(connection, actor, now)
        if wait:
            raise RateLimitedError("pin_wait", f"too many wrong PINs lately: next try in {wait} s", seconds=wait)
        if self.is_facilitator(pin if isinstance(pin, str) else None):
            return True
        self._record(connection, EV_PIN_WRONG, actor, now)
        return False

    def pin_wait(self, owner_token: str | None) -> int:
        """Seconds before this session may try the PIN again (0: it may try now)."""
        with self._transaction() as connection:
            return self._pin_wait(connection, _actor(owner_token), self.now())

    def verify_pin(self, pin: str, *, owner_token: str | None) -> bool:
        """Check a PIN typed by a person. True when right. A wrong one is counted for this session and
        the whole board; past a few, every try waits (15 s, doubling, at most ``pin_max_wait_seconds``):
        RateLimitedError("pin_wait", seconds=…). NotAllowedError("pin_not_set") when there is no usable PIN.
        """
        now = self.now()
        with self._transaction(write=True) as connection:
            return self._verify_pin(connection, pin, _actor(owner_token), now)

    # ------------------------------------------------------------ rooms

    def _create_room(self, connection: Connection, code: str | None, actor: str, now: datetime) -> str:
        r = rooms_table
        rooms = connection.scalar(select(func.count()).select_from(r)) or 0
        if rooms >= self.limits.rooms:
            limit = self.limits.rooms
            raise LimitReachedError("too_many_rooms", f"the board holds {rooms} rooms, at most {limit}", limit=limit)
        since = now - timedelta(hours=1)
        for who, limit in ((actor, self.limits.rooms_per_session_hour), (None, self.limits.rooms_per_hour)):
            if who == "":
                continue
            count, oldest, _ = self._recent(connection, EV_ROOM, since, who)
            if count >= limit and oldest is not None:
                wait = _seconds(oldest + timedelta(hours=1) - now)
                scope = "this session" if who else "the board"
                raise RateLimitedError(
                    "rooms_rate_limited",
                    f"{scope} made {count} rooms in the last hour, at most {limit}",
                    seconds=wait,
                    limit=limit,
                )
        if code is None:
            for _ in range(20):
                candidate = new_room_code()
                taken = connection.scalar(select(func.count()).select_from(r).where(r.c.code == candidate))
                if not taken:
                    code = candidate
                    break
            else:
                raise UnavailableError("no free room code found")  # 20 collisions in a row: not with ≤ 500 rooms
        connection.execute(insert(r).values(code=code, created_at=now, active_at=now, keep=False, creator_digest=actor))
        self._record(connection, EV_ROOM, actor, now)
        return code

    def new_room(self, *, owner_token: str | None = None) -> str:
        """A fresh room, created now. LimitReachedError("too_many_rooms") when the board is full;
        RateLimitedError("rooms_rate_limited") when this session or the board made too many rooms lately."""
        now = self.now()
        with self._transaction(write=True) as connection:
            self._housekeeping(connection, now)
            return self._create_room(connection, None, _actor(owner_token), now)

    def _room_exists(self, connection: Connection, code: str) -> bool:
        r = rooms_table
        return connection.scalar(select(r.c.code).where(r.c.code == code)) is not None

    def _room_row(self, connection: Connection, code: str) -> Room | None:
        r, e = rooms_table, entries_table
        row = connection.execute(select(r).where(r.c.code == code)).first()
        if row is None:
            return None
        entries = int(connection.scalar(select(func.count()).select_from(e).where(e.c.room == code)) or 0)
        active = _utc(row.active_at)
        if row.keep:
            expires = None
        elif entries:
            expires = active + timedelta(days=self.limits.room_idle_days)
        else:
            expires = active + timedelta(hours=self.limits.empty_room_idle_hours)
        return Room(
            code=row.code,
            created_at=_utc(row.created_at),
            active_at=active,
            keep=bool(row.keep),
            entries=entries,
            expires_at=expires,
        )

    def room(self, code: str) -> Room | None:
        """The room with this code, or None when there is none (never made, expired or mistyped)."""
        code = normalize_room(code)
        with self._transaction() as connection:
            found = self._room_row(connection, code)
        if found is not None and found.expires_at is not None and found.expires_at <= self.now():
            return None
        return found

    def changed_at(self, code: str) -> datetime | None:
        """When anything in the room last changed (one indexed read; None: no such room). Live lists poll this."""
        code = normalize_room(code)
        r = rooms_table
        with self._transaction() as connection:
            value = connection.scalar(select(r.c.active_at).where(r.c.code == code))
        return None if value is None else _utc(value)

    def _touch(self, connection: Connection, code: str, now: datetime) -> None:
        r = rooms_table
        connection.execute(update(r).where(r.c.code == code).values(active_at=now))

    def _as_facilitator(
        self, code: str, pin: str | None, owner_token: str | None, what: str, action: Callable[[Connection, str, datetime], int]
    ) -> int:
        """Run a facilitator action on an existing room in one write transaction; the PIN is checked as
        in verify_pin, and a wrong one is recorded (committed) before the refusal is raised."""
        code = normalize_room(code)
        now = self.now()
        with self._transaction(write=True) as connection:
            if not self._room_exists(connection, code):
                raise NotFoundError(f"there is no room {code}", "no_room", room=code)
            right = self._verify_pin(connection, pin, _actor(owner_token), now)
            result = action(connection, code, now) if right else 0
        if not right:
            raise NotAllowedError(f"only the facilitator, with the PIN, may {what}")
        return result

    def keep_room(self, code: str, keep: bool = True, *, pin: str | None, owner_token: str | None = None) -> None:
        """The facilitator keeps a room from expiring (or lets it expire again). PIN tries are limited as in verify_pin."""

        def keep_it(connection: Connection, room: str, now: datetime) -> int:
            r = rooms_table
            connection.execute(update(r).where(r.c.code == room).values(keep=bool(keep), active_at=now))
            return 1

        self._as_facilitator(code, pin, owner_token, "keep a room", keep_it)

    def clear_room(self, code: str, *, pin: str | None, owner_token: str | None = None) -> int:
        """The facilitator deletes every entry of a room at once (the room stays). How many entries went.

        The room's live scenarios go too (not counted): a tab still sharing shows up again with its next change.
        """

        def clear_it(connection: Connection, room: str, now: datetime) -> int:
            removed = connection.execute(delete(entries_table).where(entries_table.c.room == room)).rowcount or 0
            connection.execute(delete(live_table).where(live_table.c.room == room))
            self._touch(connection, room, now)
            return int(removed)

        return self._as_facilitator(code, pin, owner_token, "clear a room", clear_it)

    # ---------------------------------------------------------- entries

    def save(self, room: str, *, name: str, group: str, scenario_json: str, owner_token: str) -> Entry:
        """Save a scenario file (as made by model.scenario.to_json) in a room; the new entry comes back.

        A room that does not exist yet is created (with new_room's limits). InvalidInputError for a
        bad room code, name, group, owner token or scenario; LimitReachedError when the room, this
        session's share of it or the board is full, or a new room would be one too many;
        RateLimitedError when this session saves too often.
        """
        room = normalize_room(room)
        name = self._clean_label(name, kind="name", limit=self.limits.name_chars)
        if not name:
            raise InvalidInputError("name_empty", "the name is empty")
        group = self._clean_label(group, kind="group", limit=self.limits.group_chars)
        if not isinstance(owner_token, str) or not _TOKEN_RE.fullmatch(owner_token):
            raise InvalidInputError("bad_owner_token", "the owner token must be 16–128 characters of A–Z, a–z, 0–9, _ or -")
        plan_id, plan_version = self._check_scenario(scenario_json)
        actor = _token_digest(owner_token)
        now = self.now()
        values = {
            "room": room,
            "name": name,
            "group_name": group,
            "scenario_json": scenario_json,
            "plan_id": plan_id,
            "plan_version": plan_version,
            "created_at": now,
            "owner_digest": actor,
        }
        table = entries_table
        lim = self.limits
        with self._transaction(write=True) as connection:
            self._housekeeping(connection, now)
            count, oldest, _ = self._recent(connection, EV_SAVE, now - timedelta(minutes=1), actor)
            if count >= lim.saves_per_minute and oldest is not None:
                wait = _seconds(oldest + timedelta(minutes=1) - now)
                raise RateLimitedError(
                    "rate_limited", f"{count} saves in the last minute, at most {lim.saves_per_minute}", seconds=wait
                )
            if not self._room_exists(connection, room):
                self._create_room(connection, room, actor, now)
            in_room = connection.scalar(select(func.count()).select_from(table).where(table.c.room == room)) or 0
            if in_room >= lim.entries_per_room:
                reason = f"room {room} holds {in_room} scenarios, at most {lim.entries_per_room}"
                raise LimitReachedError("room_full", reason, limit=lim.entries_per_room, room=room)
            mine = (
                connection.scalar(
                    select(func.count()).select_from(table).where(table.c.room == room, table.c.owner_digest == actor)
                )
                or 0
            )
            if mine >= lim.entries_per_session:
                reason = f"this session saved {mine} scenarios in room {room}, at most {lim.entries_per_session}"
                raise LimitReachedError("session_full", reason, limit=lim.entries_per_session, room=room)
            total = connection.scalar(select(func.count()).select_from(table)) or 0
            if total >= lim.entries:
                raise LimitReachedError(
                    "board_full", f"the board holds {total} scenarios, at most {lim.entries}", limit=lim.entries
                )
            result = connection.execute(insert(table).values(**values))
            (entry_id,) = result.inserted_primary_key or (None,)
            self._record(connection, EV_SAVE, actor, now)
            self._touch(connection, room, now)
        return Entry(
            id=int(entry_id),
            room=room,
            name=name,
            group=group,
            scenario_json=scenario_json,
            plan_id=plan_id,
            plan_version=plan_version,
            created_at=now,
            owner_digest=actor,
        )

    def list_entries(self, room: str) -> list[Entry]:
        """Every entry in the room, newest first (an unknown room is simply empty)."""
        room = normalize_room(room)
        table = entries_table
        query = select(table).where(table.c.room == room).order_by(table.c.created_at.desc(), table.c.id.desc())
        with self._transaction() as connection:
            return [_entry(row) for row in connection.execute(query)]

    def get_entry(self, room: str, entry_id: int) -> Entry:
        """One entry of the room; NotFoundError when the room has no entry with this id."""
        room = normalize_room(room)
        if not _valid_id(entry_id):
            raise NotFoundError(f"room {room} has no entry {str(entry_id)[:20]}")
        table = entries_table
        with self._transaction() as connection:
            row = connection.execute(select(table).where(table.c.room == room, table.c.id == entry_id)).first()
        if row is None:
            raise NotFoundError(f"room {room} has no entry {entry_id}")
        return _entry(row)

    def delete_entry(self, room: str, entry_id: int, *, owner_token: str | None = None, pin: str | None = None) -> None:
        """Delete an entry: allowed with the token that saved it or with the facilitator PIN (NotAllowedError otherwise).

        A PIN given here is checked like verify_pin (wrong ones counted, tries limited).
        """
        room = normalize_room(room)
        if not _valid_id(entry_id):
            raise NotFoundError(f"room {room} has no entry {str(entry_id)[:20]}")
        table = entries_table
        where = (table.c.room == room, table.c.id == entry_id)
        now = self.now()
        wrong = False
        with self._transaction(write=True) as connection:
            row = connection.execute(select(table).where(*where)).first()
            if row is None:
                raise NotFoundError(f"room {room} has no entry {entry_id}")
            if not _entry(row).owned_by(owner_token):
                if not (isinstance(pin, str) and pin.strip()):
                    raise NotAllowedError("only the tab that saved this scenario, or the facilitator with the PIN, may delete it")
                wrong = not self._verify_pin(connection, pin, _actor(owner_token), now)
            if not wrong:
                connection.execute(delete(table).where(*where))
                self._touch(connection, room, now)
        if wrong:
            raise NotAllowedError("only the tab that saved this scenario, or the facilitator with the PIN, may delete it")

    # ------------------------------------------------------------- live

    def _live_cutoff(self, now: datetime) -> datetime:
        """Live scenarios updated at or before this time are gone."""
        return now - timedelta(seconds=self.limits.live_idle_seconds)

    def _check_counts(self, reached: object, close: object) -> tuple[int, int]:
        """(reached, close) as whole numbers (NumPy's too); InvalidInputError("bad_scenario") unless each is 0 to
        the number of targets and both together at most that (statuses are exclusive)."""
        targets = len(self._plan.targets)
        counts: list[int] = []
        for kind, value in (("reached", reached), ("close", close)):
            try:
                number = None if isinstance(value, bool) else operator.index(value)  # type: ignore[arg-type]
            except TypeError:
                number = None
            if number is None or not 0 <= number <= targets:
                raise InvalidInputError(
                    "bad_scenario", f"{kind} must be a whole number 0–{targets}, not {str(value)[:20]}", problems=kind
                )
            counts.append(int(number))
        reached_n, close_n = counts
        if reached_n + close_n > targets:
            raise InvalidInputError(
                "bad_scenario", f"reached + close is {reached_n + close_n}, more than the {targets} targets", problems="close"
            )
        return reached_n, close_n

    def _live_room(self, connection: Connection, code: str, now: datetime) -> datetime:
        """The room's active_at; NotFoundError("no_room") when it does not exist or has expired (as ``room`` says)."""
        r, e = rooms_table, entries_table
        row = connection.execute(select(r.c.active_at, r.c.keep).where(r.c.code == code)).first()
        expired = row is None
        if row is not None and not row.keep:
            active = _utc(row.active_at)
            if active + timedelta(days=self.limits.room_idle_days) <= now:
                expired = True
            elif active + timedelta(hours=self.limits.empty_room_idle_hours) <= now:
                expired = not connection.scalar(select(select(e.c.id).where(e.c.room == code).exists()))
        if expired:
            raise NotFoundError(f"there is no room {code}", "no_room", room=code)
        assert row is not None
        return _utc(row.active_at)

    def _share_live(
        self, connection: Connection, room: str, actor: str, values: dict[str, Any], now: datetime
    ) -> tuple[int, datetime]:
        """share_live's writes, in its write transaction: (the row's id, when it started in this room)."""
        live = live_table
        cutoff = self._live_cutoff(now)
        limit = self.limits.live_per_room
        active = self._live_room(connection, room, now)
        mine = connection.execute(
            select(live.c.id, live.c.room, live.c.created_at, live.c.updated_at).where(live.c.actor == actor)
        ).first()
        member = mine is not None and mine.room == room and _utc(mine.updated_at) > cutoff
        if not member:
            others = (
                connection.scalar(
                    select(func.count())
                    .select_from(live)
                    .where(live.c.room == room, live.c.updated_at > cutoff, live.c.actor != actor)
                )
                or 0
            )
            if others >= limit:
                reason = f"{others} tabs share live in room {room}, at most {limit}"
                raise LimitReachedError("live_full", reason, limit=limit, room=room)
        if mine is None:
            result = connection.execute(insert(live).values(actor=actor, created_at=now, updated_at=now, **values))
            (live_id,) = result.inserted_primary_key or (None,)
            created = now
        else:
            live_id = mine.id
            created = _utc(mine.created_at) if member else now  # a move or a comeback starts afresh
            connection.execute(update(live).where(live.c.id == mine.id).values(created_at=created, updated_at=now, **values))
        if active < now - LIVE_TOUCH_EVERY:
            self._touch(connection, room, now)
        return int(live_id), created

    def share_live(
        self, room: str, *, owner_token: str, name: str, group: str, scenario_json: str, reached: int, close: int
    ) -> LiveEntry:
        """Share this tab's current scenario live in a room, replacing what it shared before (in any room:
        a tab has at most one live scenario on the board, so sharing in another room moves it).

        ``name`` and ``group`` may be empty; ``reached`` and ``close`` are the scenario's counts of targets
        reached and nearly reached (0 to the number of targets, together at most that). The room must
        exist: NotFoundError("no_room") when it does not or has expired. InvalidInputError as ``save`` raises
        it for a bad room code, name, group, owner token or scenario ("bad_scenario" also for bad counts);
        LimitReachedError("live_full") when ``live_per_room`` other tabs already share live in the room
        (a tab already sharing there may always update). Not rate limited and no events recorded: one row a
        tab bounds what this stores. The room's active_at moves, at most once a minute.
        """
        room = normalize_room(room)
        name = self._clean_label(name, kind="name", limit=self.limits.name_chars)
        group = self._clean_label(group, kind="group", limit=self.limits.group_chars)
        if not isinstance(owner_token, str) or not _TOKEN_RE.fullmatch(owner_token):
            raise InvalidInputError("bad_owner_token", "the owner token must be 16–128 characters of A–Z, a–z, 0–9, _ or -")
        self._check_scenario(scenario_json)
        reached, close = self._check_counts(reached, close)
        actor = _token_digest(owner_token)
        now = self.now()
        values = {"room": room, "name": name, "grp": group, "scenario_json": scenario_json, "reached": reached, "close": close}
        # A write transaction holds the board's write lock (BEGIN IMMEDIATE on SQLite, the advisory lock on
        # PostgreSQL), as every other writer of board_live does: the look-up, the count and the insert or
        # update below see every share committed before, so the unique actor is never violated.
        with self._transaction(write=True) as connection:
            self._housekeeping(connection, now)
            try:
                live_id, created = self._share_live(connection, room, actor, values, now)
            except (NotFoundError, LimitReachedError) as err:
                # Commit the housekeeping all the same: tabs still sharing into an expired or full room
                # must not roll back, minute after minute, the removal of what has expired.
                refusal: BoardError | None = err
            else:
                refusal = None
        if refusal is not None:
            raise refusal
        return LiveEntry(
            id=int(live_id),
            room=room,
            name=name,
            group=group,
            scenario_json=scenario_json,
            reached=reached,
            close=close,
            created_at=created,
            updated_at=now,
            owner_digest=actor,
        )

    def stop_live(self, owner_token: str | None) -> bool:
        """Stop sharing this tab's scenario live (in whatever room). Whether it shared one (a malformed token: False)."""
        actor = _actor(owner_token)
        if not actor:
            return False
        with self._transaction(write=True) as connection:
            removed = connection.execute(delete(live_table).where(live_table.c.actor == actor)).rowcount or 0
        return removed > 0

    def live_entries(self, room: str) -> list[LiveEntry]:
        """The room's live scenarios not yet gone (updated within ``live_idle_seconds``), latest change first."""
        room = normalize_room(room)
        live = live_table
        query = (
            select(live)
            .where(live.c.room == room, live.c.updated_at > self._live_cutoff(self.now()))
            .order_by(live.c.updated_at.desc(), live.c.id.desc())
        )
        with self._transaction() as connection:
            return [_live_entry(row) for row in connection.execute(query)]

    def live_changed_at(self, room: str) -> tuple[datetime | None, int]:
        """(latest change, how many) of the room's live scenarios not yet gone: one indexed read to poll.
        Any share changes it; so does a live scenario going stale or stopping (the count drops)."""
        room = normalize_room(room)
        live = live_table
        query = select(func.max(live.c.updated_at), func.count()).where(
            live.c.room == room, live.c.updated_at > self._live_cutoff(self.now())
        )
        with self._transaction() as connection:
            newest, count = connection.execute(query).one()
        return (None if newest is None else _utc(newest)), int(count or 0)


def _valid_id(entry_id: object) -> bool:
    # Ids are positive 32-bit integers on both backends.
    return isinstance(entry_id, int) and not isinstance(entry_id, bool) and 1 <= entry_id < 2**31
