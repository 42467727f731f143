"""The workshop board's storage: rooms, save/list/get/delete, owners and the PIN, limits, concurrency, restarts, outages.

Tests that take `board` or `make_board` run twice: on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from boardtools import Clock

from model.plan import Plan
from model.scenario import from_json, to_json, validate
from store import (
    ERROR_CODES,
    ROOM_ALPHABET,
    Board,
    BoardError,
    Entry,
    InvalidInputError,
    LimitReachedError,
    NotAllowedError,
    NotFoundError,
    UnavailableError,
    board_pin,
    clean_text,
    dispose_engines,
    new_owner_token,
    new_room_code,
    normalize_room,
    resolve_url,
)
from store.config import DEFAULT_SQLITE_PATH

ROOT = Path(__file__).resolve().parents[2]
ROOM = "K7QM"


def save(
    board: Board, name: str, scenario_json: str, *, room: str = ROOM, group: str = "Nhóm 1", token: str | None = None
) -> Entry:
    return board.save(room, name=name, group=group, scenario_json=scenario_json, owner_token=token or new_owner_token())


def code_of(call: Callable[[], object]) -> str:
    with pytest.raises(BoardError) as info:
        call()
    assert info.value.code in ERROR_CODES
    return info.value.code


# ------------------------------------------------------------ round trip


def test_save_list_get_delete_round_trip(board: Board, plan: Plan, scenario_json: str) -> None:
    token = new_owner_token()
    before = datetime.now(UTC)
    saved = board.save(ROOM, name="Kịch bản thận trọng", group="Nhóm 2", scenario_json=scenario_json, owner_token=token)
    after = datetime.now(UTC)

    assert saved.id > 0
    assert (saved.room, saved.name, saved.group) == (ROOM, "Kịch bản thận trọng", "Nhóm 2")
    assert saved.scenario_json == scenario_json
    assert (saved.plan_id, saved.plan_version) == (plan.id, plan.version)
    assert before <= saved.created_at <= after

    (listed,) = board.list_entries(ROOM)
    assert listed == saved
    assert listed.created_at.tzinfo is not None and listed.created_at.utcoffset() == timedelta(0)
    loaded = board.get_entry(ROOM, saved.id)
    assert loaded == saved
    assert from_json(plan, loaded.scenario_json).scenario.levers["new_coops"] == pytest.approx(120)

    board.delete_entry(ROOM, saved.id, owner_token=token)
    assert board.list_entries(ROOM) == []
    assert code_of(lambda: board.get_entry(ROOM, saved.id)) == "not_found"
    assert code_of(lambda: board.delete_entry(ROOM, saved.id, owner_token=token)) == "not_found"


def test_list_is_newest_first(board: Board, scenario_json: str) -> None:
    for name in ("first", "second", "third"):
        save(board, name, scenario_json)
    listed = board.list_entries(ROOM)
    assert [e.name for e in listed] == ["third", "second", "first"]
    assert [e.created_at for e in listed] == sorted((e.created_at for e in listed), reverse=True)


def test_rooms_are_separate(pin: str, board: Board, scenario_json: str) -> None:
    entry = save(board, "in K7QM", scenario_json)
    save(board, "in ABCD", scenario_json, room="ABCD")
    assert [e.name for e in board.list_entries("ABCD")] == ["in ABCD"]
    assert board.list_entries("ZZZZZ") == []
    # An id from another room is not reachable through this one.
    assert code_of(lambda: board.get_entry("ABCD", entry.id)) == "not_found"
    assert code_of(lambda: board.delete_entry("ABCD", entry.id, pin=pin)) == "not_found"
    assert len(board.list_entries(ROOM)) == 1


def test_room_codes_typed_in_lower_case_or_with_spaces_find_the_room(board: Board, scenario_json: str) -> None:
    entry = save(board, "typed", scenario_json, room="  k7qm\n")
    assert entry.room == ROOM
    assert [e.id for e in board.list_entries("k7Qm ")] == [entry.id]
    assert board.get_entry(" k7qm", entry.id) == entry


def test_plan_version_of_the_file_is_kept(board: Board, plan: Plan) -> None:
    doc = json.loads(to_json(plan, validate(plan)[0]))
    doc["plan"]["version"] = "0.9"
    older = json.dumps(doc)
    entry = save(board, "older plan", older)
    assert (entry.plan_id, entry.plan_version) == (plan.id, "0.9")
    assert board.get_entry(ROOM, entry.id).plan_version == "0.9"


@pytest.mark.parametrize("entry_id", [0, -1, True, "1", 1.0, 2**40, None])
def test_odd_entry_ids_are_not_found(pin: str, board: Board, scenario_json: str, entry_id: object) -> None:
    save(board, "one", scenario_json)
    assert code_of(lambda: board.get_entry(ROOM, entry_id)) == "not_found"  # type: ignore[arg-type]
    assert code_of(lambda: board.delete_entry(ROOM, entry_id, pin=pin)) == "not_found"  # type: ignore[arg-type]


# ------------------------------------------------------ owners and PIN


def test_owner_token_deletes_other_token_does_not(board: Board, scenario_json: str) -> None:
    mine, theirs = new_owner_token(), new_owner_token()
    entry = save(board, "mine", scenario_json, token=mine)
    assert entry.owned_by(mine) and not entry.owned_by(theirs) and not entry.owned_by(None)

    with pytest.raises(NotAllowedError) as info:
        board.delete_entry(ROOM, entry.id, owner_token=theirs)
    assert info.value.code == "not_allowed"
    assert code_of(lambda: board.delete_entry(ROOM, entry.id)) == "not_allowed"
    assert code_of(lambda: board.delete_entry(ROOM, entry.id, owner_token="not a token!")) == "not_allowed"
    assert [e.id for e in board.list_entries(ROOM)] == [entry.id]

    board.delete_entry(ROOM, entry.id, owner_token=mine)
    assert board.list_entries(ROOM) == []


def test_pin_deletes_wrong_pin_does_not(pin: str, board: Board, scenario_json: str) -> None:
    entry = save(board, "someone's", scenario_json)
    for wrong in ("0000", "", " ", "47111", "４７１１", "ö"):
        assert code_of(lambda wrong=wrong: board.delete_entry(ROOM, entry.id, pin=wrong)) == "not_allowed"
    assert len(board.list_entries(ROOM)) == 1
    board.delete_entry(ROOM, entry.id, pin=f" {pin} ")
    assert board.list_entries(ROOM) == []


def test_without_a_configured_pin_only_owners_delete(make_board: Callable[..., Board], scenario_json: str) -> None:
    for pin in (None, "", "   "):
        board = make_board(pin=pin)
        token = new_owner_token()
        entry = save(board, "x", scenario_json, token=token)
        assert not board.is_facilitator(pin) and not board.is_facilitator("") and not board.is_facilitator(None)
        assert code_of(lambda board=board, entry=entry, pin=pin: board.delete_entry(ROOM, entry.id, pin=pin)) == "not_allowed"
        board.delete_entry(ROOM, entry.id, owner_token=token)


def test_is_facilitator(pin: str, board: Board) -> None:
    assert board.is_facilitator(pin) and board.is_facilitator(f"{pin}\n")
    assert not board.is_facilitator("4712") and not board.is_facilitator(None) and not board.is_facilitator("Đ")


@pytest.mark.parametrize("token", ["", "short", "x" * 129, "has space in it 1234", "ü" * 20, None])
def test_save_needs_a_proper_owner_token(board: Board, scenario_json: str, token: object) -> None:
    call = lambda: board.save(ROOM, name="x", group="", scenario_json=scenario_json, owner_token=token)  # noqa: E731
    assert code_of(call) == "bad_owner_token"
    assert board.list_entries(ROOM) == []


# --------------------------------------------------------------- limits


def test_name_limits(board: Board, scenario_json: str) -> None:
    for empty in ("", "   ", "\n\t", "\x00\x07"):
        assert code_of(lambda empty=empty: save(board, empty, scenario_json)) == "name_empty"
    with pytest.raises(InvalidInputError) as info:
        save(board, "n" * 61, scenario_json)
    assert (info.value.code, info.value.params) == ("name_too_long", {"limit": 60, "length": 61})
    assert save(board, "n" * 60, scenario_json).name == "n" * 60
    # Characters, not bytes: 60 Vietnamese letters fit, also when typed decomposed (NFD).
    assert save(board, "ệ" * 60, scenario_json).name == "ệ" * 60
    assert save(board, "e\u0323\u0302" * 60, scenario_json).name == "ệ" * 60
    assert save(board, "  padded  ", scenario_json).name == "padded"
    assert len(board.list_entries(ROOM)) == 4


def test_group_limits(board: Board, scenario_json: str) -> None:
    assert save(board, "no group", scenario_json, group="").group == ""
    assert code_of(lambda: save(board, "x", scenario_json, group="g" * 41)) == "group_too_long"
    assert save(board, "long group", scenario_json, group="g" * 40).group == "g" * 40


def test_room_full(pin: str, make_board: Callable[..., Board], scenario_json: str) -> None:
    board = make_board(entries_per_room=3)
    for i in range(3):
        save(board, f"e{i}", scenario_json)
    with pytest.raises(LimitReachedError) as info:
        save(board, "one too many", scenario_json)
    assert (info.value.code, info.value.params["limit"]) == ("room_full", 3)
    assert len(board.list_entries(ROOM)) == 3
    save(board, "other room", scenario_json, room="ABCD")  # the limit is per room
    # Deleting makes room again.
    board.delete_entry(ROOM, board.list_entries(ROOM)[0].id, pin=pin)
    save(board, "fits again", scenario_json)


def test_too_many_rooms(pin: str, make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(rooms=2, clock=clock)
    save(board, "a", scenario_json, room="AAAA")
    save(board, "b", scenario_json, room="BBBB")
    assert code_of(lambda: save(board, "c", scenario_json, room="CCCC")) == "too_many_rooms"
    assert code_of(board.new_room) == "too_many_rooms"
    save(board, "existing rooms still take entries", scenario_json, room="AAAA")
    assert board.list_entries("CCCC") == [] and board.room("CCCC") is None
    # An emptied room still counts until it has been idle long enough to expire.
    board.delete_entry("BBBB", board.list_entries("BBBB")[0].id, pin=pin)
    assert code_of(lambda: save(board, "c", scenario_json, room="CCCC")) == "too_many_rooms"
    clock.advance(hours=board.limits.empty_room_idle_hours + 1)
    save(board, "c", scenario_json, room="CCCC")
    assert board.room("BBBB") is None and board.room("AAAA") is not None


def test_scenario_size_limit(make_board: Callable[..., Board], scenario_json: str) -> None:
    size = len(scenario_json.encode("utf-8"))
    board = make_board(scenario_bytes=size - 1)
    with pytest.raises(InvalidInputError) as info:
        save(board, "big", scenario_json)
    assert (info.value.code, info.value.params) == ("scenario_too_large", {"limit": size - 1, "size": size})
    assert make_board(scenario_bytes=size).list_entries(ROOM) == []
    save(make_board(scenario_bytes=size), "just fits", scenario_json)


def test_default_limits(board: Board, scenario_json: str) -> None:
    assert (board.limits.name_chars, board.limits.group_chars) == (60, 40)
    assert (board.limits.entries_per_room, board.limits.rooms, board.limits.scenario_bytes) == (200, 500, 16 * 1024)
    assert (board.limits.entries_per_session, board.limits.entries, board.limits.saves_per_minute) == (30, 20_000, 10)
    assert (board.limits.rooms_per_session_hour, board.limits.rooms_per_hour) == (5, 60)
    assert (board.limits.room_idle_days, board.limits.empty_room_idle_hours, board.limits.pin_min_chars) == (30, 24, 8)
    padded = json.loads(scenario_json)
    padded["name"] = "x" * 80
    big = json.dumps(padded) + " " * (16 * 1024)
    assert code_of(lambda: save(board, "big", big)) == "scenario_too_large"


# --------------------------------------------------------------- rooms


@pytest.mark.parametrize(
    "code",
    [
        "",
        "   ",
        "K7Q",
        "K7QM12345",
        "K0QM",
        "KOQM",
        "K1QM",
        "KIQM",
        "KLQM",
        "K7-QM",
        "K7 QM",
        "ＫＱ７Ｍ",
        "'; DROP",
        "Đ7QM",
        None,
        1234,
    ],
)
def test_bad_room_codes_are_refused(board: Board, scenario_json: str, code: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        normalize_room(code)
    assert info.value.code == "bad_room_code"
    assert code_of(lambda: board.save(code, name="x", group="", scenario_json=scenario_json, owner_token=new_owner_token())) == (  # type: ignore[arg-type]
        "bad_room_code"
    )
    assert code_of(lambda: board.list_entries(code)) == "bad_room_code"  # type: ignore[arg-type]
    assert code_of(lambda: board.get_entry(code, 1)) == "bad_room_code"  # type: ignore[arg-type]


def test_room_codes_are_normalised() -> None:
    assert normalize_room(" k7qm ") == "K7QM"
    assert normalize_room("abcdefgh") == "ABCDEFGH"
    assert normalize_room("23456789") == "23456789"


def test_new_room_codes() -> None:
    codes = {new_room_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 5 and set(code) <= set(ROOM_ALPHABET)
        assert normalize_room(code.lower()) == code
    assert not set("01ILO") & set(ROOM_ALPHABET)
    assert len(new_room_code(8)) == 8
    with pytest.raises(ValueError):
        new_room_code(3)


def test_new_room_is_not_in_use(board: Board, scenario_json: str) -> None:
    code = board.new_room()
    assert normalize_room(code) == code
    assert board.list_entries(code) == []


# ----------------------------------------------------- scenario checks


def test_invalid_scenarios_are_refused(make_board: Callable[..., Board], plan: Plan, scenario_json: str) -> None:
    board = make_board(scenario_bytes=128 * 1024)  # the nested brackets below are 60 KB
    other_plan = json.loads(scenario_json)
    other_plan["plan"]["id"] = "hanoi-2024"
    long_version = json.loads(scenario_json)
    long_version["plan"]["version"] = "v" * 41
    dict_version = json.loads(scenario_json)
    dict_version["plan"]["version"] = {"major": 1}
    invalid = [
        "",
        "not json",
        "[]",
        '{"levers": {"new_coops": "lots"}}',
        '{"levers": {"no_such_lever": 1}}',
        '{"levers": {"dissolution_rate": 1e9}}',
        '{"format": "something-else"}',
        '{"baseline": {"coops": -5}}',
        json.dumps(other_plan),
        json.dumps(long_version),
        json.dumps(dict_version),
        "[" * 30_000 + "]" * 30_000,
        '{"name": "\ud800"}',
        b"{}",
        None,
    ]
    for text in invalid:
        assert code_of(lambda text=text: save(board, "bad", text)) == "bad_scenario", repr(text)[:80]  # type: ignore[arg-type]
    assert board.list_entries(ROOM) == []
    # The shortest valid file: every lever at its default.
    assert save(board, "defaults", "{}").scenario_json == "{}"


# ------------------------------------------------- names as plain text


@pytest.mark.parametrize(
    "name",
    [
        "'; DROP TABLE board_entries; --",
        "'; DROP TABLE entries; --",
        "<script>alert(1)</script>",
        "**bold** _it_ [link](http://x) `code` # h",
        "Robert'); DELETE FROM board_entries WHERE ('1'='1",
        "\"double\" and 'single' quotes, back\\slash",
        "%s %(name)s {0} :room ? $1",
        "Kịch bản “mạnh tay” – 100% & <b>",
    ],
)
def test_names_are_stored_exactly(board: Board, scenario_json: str, name: str) -> None:
    group = name[:40].strip()
    entry = save(board, name, scenario_json, group=group)
    (listed,) = board.list_entries(ROOM)
    assert (listed.name, listed.group) == (name, group)
    assert board.get_entry(ROOM, entry.id).name == name
    # The table is still there and still takes entries.
    save(board, "after", scenario_json)
    assert len(board.list_entries(ROOM)) == 2


def test_control_characters_are_stripped(board: Board, scenario_json: str) -> None:
    cases = {
        "Nhóm\x00 1\x07": "Nhóm 1",
        "line\nbreak\ttab\r": "line break tab",
        "\u202eevil\u202c name": "evil name",
        "\x1b[31mred\x1b[0m": "[31mred[0m",
        "half\ud800 a pair": "half a pair",
    }
    for given, stored in cases.items():
        assert clean_text(given) == stored
        entry = save(board, given, scenario_json, group=given)
        assert (entry.name, entry.group) == (stored, stored)
        assert board.get_entry(ROOM, entry.id).name == stored


# ---------------------------------------------------------- concurrency


def test_concurrent_saves_lose_nothing(make_board: Callable[..., Board], scenario_json: str) -> None:
    """8 threads × 25 saves into one room: all 200 are there (the room limit is exactly 200)."""
    threads, per_thread = 8, 25
    board = make_board(saves_per_minute=per_thread)

    def work(thread: int) -> list[int]:
        token = new_owner_token()
        return [save(board, f"t{thread}-{i}", scenario_json, token=token).id for i in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        ids = [entry_id for batch in pool.map(work, range(threads)) for entry_id in batch]

    assert len(ids) == len(set(ids)) == threads * per_thread
    listed = board.list_entries(ROOM)
    assert sorted(e.id for e in listed) == sorted(ids)
    assert {e.name for e in listed} == {f"t{t}-{i}" for t in range(threads) for i in range(per_thread)}
    assert code_of(lambda: save(board, "201st", scenario_json)) == "room_full"


def test_concurrent_saves_respect_the_room_limit(make_board: Callable[..., Board], scenario_json: str) -> None:
    """The count check and the insert are one transaction: racing saves never overfill a room."""
    board = make_board(entries_per_room=150, saves_per_minute=25)

    def work(thread: int) -> list[str]:
        outcomes = []
        for i in range(25):
            try:
                save(board, f"t{thread}-{i}", scenario_json)
                outcomes.append("saved")
            except LimitReachedError as err:
                outcomes.append(err.code)
        return outcomes

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [o for batch in pool.map(work, range(8)) for o in batch]

    assert outcomes.count("saved") == 150
    assert outcomes.count("room_full") == 50
    assert len(board.list_entries(ROOM)) == 150


# -------------------------------------------------------------- restart


def test_restart_keeps_everything(
    pin: str, make_board: Callable[..., Board], board_url: str, plan: Plan, scenario_json: str
) -> None:
    board = make_board()
    saved = [save(board, f"kept {i}", scenario_json, room=room) for i, room in enumerate(["K7QM", "K7QM", "ABCD"])]
    before = {room: board.list_entries(room) for room in ("K7QM", "ABCD")}

    dispose_engines()  # every pooled connection closed, the engine forgotten
    again = Board(board_url, plan=plan, pin=pin)
    assert {room: again.list_entries(room) for room in ("K7QM", "ABCD")} == before
    assert again.get_entry("ABCD", saved[2].id) == saved[2]

    # A new process sees the same board.
    script = (
        "import json, sys\n"
        "from model.plan import load_plan\n"
        "from store import Board\n"
        "board = Board(sys.argv[1], plan=load_plan())\n"
        "print(json.dumps([[e.id, e.name, e.created_at.isoformat()] for e in board.list_entries('K7QM')]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, board_url], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [[e.id, e.name, e.created_at.isoformat()] for e in before["K7QM"]]


# ---------------------------------------------------- unreachable database


def _unreachable_urls(tmp_path: Path, free_port: Callable[[], int]) -> list[str]:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the board's folder should be")
    return [
        f"postgresql+psycopg://board:s3cret-pw@127.0.0.1:{free_port()}/board",  # nothing listens there
        f"postgresql://board:s3cret-pw@127.0.0.1:{free_port()}/board",
        "sqlite:////proc/x/board.sqlite",
        f"sqlite:///{blocked}/board.sqlite",
        "sqlite://",  # in memory: not a board
        "mysql://board:s3cret-pw@127.0.0.1/board",
        "not a database url s3cret-pw",
        "postgresql+nosuchdriver://board:s3cret-pw@127.0.0.1/board",
    ]


def test_unreachable_database_is_unavailable_quickly(
    pin: str, free_port: Callable[[], int], tmp_path: Path, plan: Plan, scenario_json: str
) -> None:
    token = new_owner_token()
    for url in _unreachable_urls(tmp_path, free_port):
        board = Board(url, plan=plan, pin=pin)  # creating it never connects, never raises
        assert "s3cret-pw" not in board.where and "s3cret-pw" not in repr(board)
        calls: list[Callable[[], object]] = [
            board.check,
            board.new_room,
            lambda board=board: board.list_entries(ROOM),
            lambda board=board: board.get_entry(ROOM, 1),
            lambda board=board: board.delete_entry(ROOM, 1, pin=pin),
            lambda board=board: save(board, "x", scenario_json, token=token),
        ]
        for call in calls:
            started = time.monotonic()
            with pytest.raises(UnavailableError) as info:
                call()
            assert time.monotonic() - started < 5, url
            assert info.value.code == "unavailable"
            assert info.value.reason
            assert "s3cret-pw" not in str(info.value), url


def test_unanswering_server_times_out(plan: Plan) -> None:
    """A PostgreSQL server that takes the connection but never answers fails within the connect timeout.

    (A loopback socket that listens and never speaks: the kernel completes the TCP handshake,
    the driver then waits for the server's first message.)
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        board = Board(f"postgresql://board:pw@127.0.0.1:{port}/board", plan=plan)
        started = time.monotonic()
        assert code_of(board.check) == "unavailable"
        assert time.monotonic() - started < 8


def test_sqlite_folder_is_made_on_first_use(tmp_path: Path, plan: Plan, scenario_json: str) -> None:
    path = tmp_path / "deep" / "er" / "board.sqlite"
    board = Board(f"sqlite:///{path}", plan=plan)
    assert not path.parent.exists()  # not by creating the Board
    save(board, "first", scenario_json)
    assert path.is_file()


# ---------------------------------------------------------- configuration


def test_database_url_from_argument_then_environment_then_default(tmp_path: Path) -> None:
    pg = "postgresql+psycopg://u:p@db.example:5432/board"
    file = tmp_path / "b.sqlite"
    both = {"SONLA_DATABASE_URL": "postgres://u:p@db.example:5432/board", "SONLA_BOARD_DB": str(file)}
    assert resolve_url("sqlite:////srv/x.sqlite", environ=both) == "sqlite:////srv/x.sqlite"
    assert resolve_url(None, environ=both) == pg
    assert resolve_url("  ", environ=both) == pg
    assert resolve_url(None, environ={"SONLA_BOARD_DB": str(file)}) == f"sqlite:///{file}"
    assert resolve_url(None, environ={}) == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH == ROOT / ".board" / "board.sqlite"
    assert resolve_url("postgresql://u:p@h/db", environ={}) == "postgresql+psycopg://u:p@h/db"
    assert Board(plan=None, environ=both).backend == "postgresql"  # type: ignore[arg-type]
    assert Board(plan=None, environ={}).backend == "sqlite"  # type: ignore[arg-type]


def test_board_pin_from_environment() -> None:
    assert board_pin({"SONLA_BOARD_PIN": " 2468 "}) == "2468"
    assert board_pin({"SONLA_BOARD_PIN": "  "}) is None
    assert board_pin({}) is None


def test_error_codes_are_distinct_and_typed() -> None:
    assert len(set(ERROR_CODES)) == len(ERROR_CODES)
    assert NotFoundError("x").code == "not_found" and NotAllowedError("x").code == "not_allowed"
    assert UnavailableError("x").code == "unavailable"
    assert all(issubclass(cls, BoardError) for cls in (InvalidInputError, LimitReachedError, NotFoundError, UnavailableError))
