"""The workshop board: rooms (short codes) in which groups save, list, load and delete named scenarios.

Stored through SQLAlchemy Core in a SQLite file (default) or PostgreSQL. Every
failure of the database becomes ``UnavailableError`` (code "unavailable"); every
refused input or action is another ``BoardError`` with a machine-readable code
the page translates. Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
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
    create_engine,
    delete,
    distinct,
    event,
    exc,
    func,
    insert,
    select,
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
    "too_many_rooms",
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


class NotAllowedError(BoardError):
    def __init__(self, reason: str) -> None:
        super().__init__("not_allowed", reason)


class NotFoundError(BoardError):
    def __init__(self, reason: str) -> None:
        super().__init__("not_found", reason)


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
    """What one board holds at most. Lengths are characters after cleaning; the scenario size is UTF-8 bytes."""

    name_chars: int = 60
    group_chars: int = 40
    entries_per_room: int = 200
    rooms: int = 500
    scenario_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        for key, value in vars(self).items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {key} must be a positive whole number, not {value!r}")


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
        if not isinstance(owner_token, str) or not _TOKEN_RE.fullmatch(owner_token):
            return False
        return _same(_token_digest(owner_token), self.owner_digest)


def _entry(row: Row[Any]) -> Entry:
    created = row.created_at
    if created.tzinfo is None:  # SQLite keeps no offset; everything is written in UTC
        created = created.replace(tzinfo=UTC)
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


# ---------------------------------------------------------------- engines

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
_engines_lock = threading.Lock()


def _reason(err: BaseException) -> str:
    if isinstance(err, exc.DBAPIError) and err.orig is not None:
        err = err.orig
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise UnavailableError("the board needs a SQLite file path, not an in-memory database")
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UnavailableError(f"cannot create the folder {folder}: {err.strerror or err}") from err
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
        pool_pre_ping=True,
        pool_timeout=POOL_TIMEOUT,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, emits BEGIN (see _on_begin); WAL
        # lets readers go on while one writer writes.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.fetchall()
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A write takes the write lock at BEGIN, so its counts cannot go stale
        # before its insert; others wait (busy timeout) instead of failing.
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
    """The engine for this URL, with the schema created on first use. Raises UnavailableError."""
    with _engines_lock:
        engine = _engines.get(url_text)
    if engine is not None:
        return engine
    engine = _new_engine(url_text)
    try:
        with _begin(engine, write=True) as connection:
            metadata.create_all(connection)
    except BaseException:
        engine.dispose()
        raise
    with _engines_lock:
        cached = _engines.setdefault(url_text, engine)
    if cached is not engine:  # another thread got there first
        engine.dispose()
    return cached


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests; a process about to exit)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()


# ------------------------------------------------------------------ board


class Board:
    """The board in one database. Creating it touches nothing; the first call connects (and creates the table).

    ``url``: a SQLAlchemy URL (see store.config.resolve_url for the default);
    ``plan``: saved scenarios are checked against it; ``pin``: the facilitator
    PIN (None: only an entry's owner may delete it).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        plan: Plan,
        pin: str | None = None,
        limits: Limits | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._url = resolve_url(url, environ=environ)
        self._plan = plan
        self._pin = pin.strip() if isinstance(pin, str) and pin.strip() else None
        self.limits = limits or Limits()

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
        """The database URL without its password, for messages and logs."""
        try:
            return make_url(self._url).render_as_string(hide_password=True)
        except exc.ArgumentError:
            return "(not a valid database URL)"

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        try:
            with _begin(_engine(self._url), write=write) as connection:
                yield connection
        except BoardError:
            raise
        except (exc.SQLAlchemyError, OSError) as err:
            raise UnavailableError(_reason(err)) from err

    # --------------------------------------------------------- checks

    def check(self) -> None:
        """Connect (creating the table on first use); UnavailableError when the database cannot be used."""
        with self._transaction() as connection:
            connection.execute(select(func.count()).select_from(entries_table).limit(1))

    def is_facilitator(self, pin: str | None) -> bool:
        """Whether ``pin`` is the facilitator PIN (always False when the board has none)."""
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

    # ------------------------------------------------------------ rooms

    def new_room(self) -> str:
        """A fresh room code, not in use on this board. LimitReachedError("too_many_rooms") when the board is full."""
        with self._transaction() as connection:
            rooms = connection.scalar(select(func.count(distinct(entries_table.c.room))))
            if (rooms or 0) >= self.limits.rooms:
                limit = self.limits.rooms
                raise LimitReachedError("too_many_rooms", f"the board holds {rooms} rooms, at most {limit}", limit=limit)
            for _ in range(20):
                code = new_room_code()
                used = connection.scalar(select(func.count()).select_from(entries_table).where(entries_table.c.room == code))
                if not used:
                    return code
        raise UnavailableError("no free room code found")  # 20 collisions in a row: not with ≤ 500 rooms

    # ---------------------------------------------------------- entries

    def save(self, room: str, *, name: str, group: str, scenario_json: str, owner_token: str) -> Entry:
        """Save a scenario file (as made by model.scenario.to_json) in a room; the new entry comes back.

        InvalidInputError for a bad room code, name, group, owner token or scenario;
        LimitReachedError when the room is full or a new room would be one too many.
        """
        room = normalize_room(room)
        name = self._clean_label(name, kind="name", limit=self.limits.name_chars)
        if not name:
            raise InvalidInputError("name_empty", "the name is empty")
        group = self._clean_label(group, kind="group", limit=self.limits.group_chars)
        if not isinstance(owner_token, str) or not _TOKEN_RE.fullmatch(owner_token):
            raise InvalidInputError("bad_owner_token", "the owner token must be 16–128 characters of A–Z, a–z, 0–9, _ or -")
        plan_id, plan_version = self._check_scenario(scenario_json)
        values = {
            "room": room,
            "name": name,
            "group_name": group,
            "scenario_json": scenario_json,
            "plan_id": plan_id,
            "plan_version": plan_version,
            "created_at": datetime.now(UTC),
            "owner_digest": _token_digest(owner_token),
        }
        table = entries_table
        with self._transaction(write=True) as connection:
            in_room = connection.scalar(select(func.count()).select_from(table).where(table.c.room == room)) or 0
            if in_room >= self.limits.entries_per_room:
                limit = self.limits.entries_per_room
                reason = f"room {room} holds {in_room} scenarios, at most {limit}"
                raise LimitReachedError("room_full", reason, limit=limit, room=room)
            if in_room == 0:
                rooms = connection.scalar(select(func.count(distinct(table.c.room)))) or 0
                if rooms >= self.limits.rooms:
                    limit = self.limits.rooms
                    raise LimitReachedError("too_many_rooms", f"the board holds {rooms} rooms, at most {limit}", limit=limit)
            result = connection.execute(insert(table).values(**values))
            (entry_id,) = result.inserted_primary_key or (None,)
        return Entry(
            id=int(entry_id),
            room=room,
            name=name,
            group=group,
            scenario_json=scenario_json,
            plan_id=plan_id,
            plan_version=plan_version,
            created_at=values["created_at"],
            owner_digest=values["owner_digest"],
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
        """Delete an entry: allowed with the token that saved it or with the facilitator PIN (NotAllowedError otherwise)."""
        room = normalize_room(room)
        if not _valid_id(entry_id):
            raise NotFoundError(f"room {room} has no entry {str(entry_id)[:20]}")
        table = entries_table
        where = (table.c.room == room, table.c.id == entry_id)
        with self._transaction(write=True) as connection:
            row = connection.execute(select(table).where(*where)).first()
            if row is None:
                raise NotFoundError(f"room {room} has no entry {entry_id}")
            if not (_entry(row).owned_by(owner_token) or self.is_facilitator(pin)):
                raise NotAllowedError("only the tab that saved this scenario, or the facilitator with the PIN, may delete it")
            connection.execute(delete(table).where(*where))


def _valid_id(entry_id: object) -> bool:
    # Ids are positive 32-bit integers on both backends.
    return isinstance(entry_id, int) and not isinstance(entry_id, bool) and 1 <= entry_id < 2**31
