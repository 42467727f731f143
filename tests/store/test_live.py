"""Live scenarios in a workshop room: each tab shares its current scenario (one row a tab, replaced on every
change), the facilitator's projector lists the room's fresh ones and polls a cheap marker.

Tests that take `board`, `make_board` or `board_url` run twice: on a SQLite file and on PostgreSQL.
Time is a hand-moved clock (Board(clock=...)), so nothing here sleeps.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest
from boardtools import Clock
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from model.plan import Plan
from store import (
    ERROR_CODES,
    Board,
    BoardError,
    InvalidInputError,
    LimitReachedError,
    Limits,
    LiveEntry,
    NotFoundError,
    dispose_engines,
    new_owner_token,
)

ROOM = "K7QM"


def share(
    board: Board,
    token: str,
    scenario_json: str,
    *,
    room: str = ROOM,
    name: str = "Lan",
    group: str = "Nhóm 1",
    reached: int = 5,
    close: int = 3,
) -> LiveEntry:
    return board.share_live(
        room, owner_token=token, name=name, group=group, scenario_json=scenario_json, reached=reached, close=close
    )


def code_of(call: Callable[[], object]) -> tuple[str, dict[str, object]]:
    with pytest.raises(BoardError) as info:
        call()
    assert info.value.code in ERROR_CODES
    return info.value.code, info.value.params


def rows(url: str, table: str = "board_live") -> int:
    """How many rows the table holds, stale ones included (read past the Board)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def open_room(board: Board, code: str = ROOM, sj: str = "{}") -> str:
    """A room with one saved entry in it (a save makes the room)."""
    board.save(code, name="saved", group="", scenario_json=sj, owner_token=new_owner_token())
    return code


# ------------------------------------------------------------ sharing


def test_a_share_replaces_the_tabs_live_scenario(board_url: str, plan: Plan, scenario_json: str) -> None:
    clock = Clock()
    board = Board(board_url, plan=plan, clock=clock)
    open_room(board)
    events = rows(board_url, "board_events")
    me = new_owner_token()
    first = share(board, me, "{}", name="a", reached=1, close=0)
    clock.advance(seconds=2)
    share(board, me, "{}", name="b", reached=2, close=1)
    clock.advance(seconds=2)
    last = share(board, me, scenario_json, name="  Lan\n", group="Nhóm 2", reached=9, close=4)

    (listed,) = board.live_entries(ROOM)
    assert listed == last
    assert (listed.id, listed.room, listed.name, listed.group) == (first.id, ROOM, "Lan", "Nhóm 2")
    assert (listed.scenario_json, listed.reached, listed.close) == (scenario_json, 9, 4)
    assert listed.created_at == first.created_at and listed.updated_at == clock() > listed.created_at
    assert listed.updated_at.utcoffset() == timedelta(0)
    assert listed.owned_by(me) and not listed.owned_by(new_owner_token()) and not listed.owned_by(None)
    assert "owner_digest" not in repr(listed)
    assert rows(board_url) == 1
    assert board.live_changed_at(ROOM) == (last.updated_at, 1)
    # Live shares are not saves: the saved list is untouched, no events are recorded.
    assert [e.name for e in board.list_entries(ROOM)] == ["saved"]
    assert rows(board_url, "board_events") == events


def test_name_and_group_may_be_empty(board: Board, scenario_json: str) -> None:
    open_room(board)
    entry = share(board, new_owner_token(), scenario_json, name=" \n", group="")
    assert (entry.name, entry.group) == ("", "")
    assert board.live_entries(ROOM) == [entry]


def test_sharing_in_another_room_moves_the_live_scenario(board: Board, board_url: str, scenario_json: str) -> None:
    open_room(board, ROOM)
    open_room(board, "ABCD")
    me = new_owner_token()
    before = share(board, me, scenario_json, room=ROOM)
    moved = share(board, me, scenario_json, room="abcd ", name="moved")
    assert moved.room == "ABCD" and moved.id == before.id
    assert board.live_entries(ROOM) == [] and board.live_changed_at(ROOM) == (None, 0)
    assert board.live_entries("ABCD") == [moved]
    assert rows(board_url) == 1


def test_two_tabs_two_rows_latest_change_first(board_url: str, plan: Plan, scenario_json: str) -> None:
    clock = Clock()
    board = Board(board_url, plan=plan, clock=clock)
    open_room(board)
    a, b = new_owner_token(), new_owner_token()
    share(board, a, scenario_json, name="a")
    clock.advance(seconds=1)
    share(board, b, scenario_json, name="b")
    assert [e.name for e in board.live_entries(ROOM)] == ["b", "a"]
    clock.advance(seconds=1)
    again = share(board, a, scenario_json, name="a2")
    assert [e.name for e in board.live_entries(ROOM)] == ["a2", "b"]
    assert board.live_changed_at(ROOM) == (again.updated_at, 2)
    assert board.live_entries("ZZZZ") == [] and board.live_changed_at("zzzz") == (None, 0)


def test_stop_live(board: Board, scenario_json: str) -> None:
    open_room(board)
    a, b = new_owner_token(), new_owner_token()
    share(board, a, scenario_json, name="a")
    kept = share(board, b, scenario_json, name="b")
    assert board.stop_live(a) is True
    assert board.stop_live(a) is False
    assert board.stop_live(None) is False and board.stop_live("not a token!") is False
    assert board.live_entries(ROOM) == [kept]
    assert board.live_changed_at(ROOM) == (kept.updated_at, 1)


# -------------------------------------------------------------- expiry


def test_a_live_scenario_not_updated_is_gone(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock, live_idle_seconds=300)
    open_room(board)
    a, b = new_owner_token(), new_owner_token()
    first_a = share(board, a, scenario_json, name="a")
    clock.advance(seconds=200)
    entry_b = share(board, b, scenario_json, name="b")
    assert board.live_changed_at(ROOM) == (entry_b.updated_at, 2)
    clock.advance(seconds=99)
    assert [e.name for e in board.live_entries(ROOM)] == ["b", "a"]
    clock.advance(seconds=1)  # a: exactly live_idle_seconds without an update
    assert [e.name for e in board.live_entries(ROOM)] == ["b"]
    assert board.live_changed_at(ROOM) == (entry_b.updated_at, 1)  # the count tells the poller
    assert rows(board_url) == 2  # hidden, not yet deleted
    assert board.expire_rooms() == 0  # the room stays (it has an entry), the stale row goes
    assert rows(board_url) == 1
    # A tab that comes back starts afresh.
    back = share(board, a, scenario_json, name="a back")
    assert back.created_at == back.updated_at == clock() and back.created_at > first_a.created_at
    assert [e.name for e in board.live_entries(ROOM)] == ["a back", "b"]
    clock.advance(seconds=300)
    assert board.live_entries(ROOM) == [] and board.live_changed_at(ROOM) == (None, 0)


def test_stale_rows_go_with_ordinary_housekeeping(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock)
    open_room(board)
    share(board, new_owner_token(), scenario_json)
    clock.advance(seconds=board.limits.live_idle_seconds + 61)
    open_room(board)  # any write runs the housekeeping (at most once a minute)
    assert rows(board_url) == 0


def test_an_expiring_room_takes_its_live_scenarios(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    clock = Clock()
    # Live scenarios that outlive the room (not so by default) show that the room's expiry removes them.
    board = make_board(clock=clock, empty_room_idle_hours=1, live_idle_seconds=100_000)
    code = board.new_room()
    share(board, new_owner_token(), scenario_json, room=code)
    clock.advance(hours=1)
    assert board.room(code) is None
    assert code_of(lambda: share(board, new_owner_token(), scenario_json, room=code))[0] == "no_room"
    clock.advance(seconds=1)  # the housekeeping removes a room a moment after room() stops showing it
    assert board.expire_rooms() == 1
    assert rows(board_url) == 0 and board.live_entries(code) == []


def test_a_refused_share_keeps_the_housekeeping(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    """Tabs still sharing into an expired room are refused, but the expiry their writes ran is committed."""
    clock = Clock()
    board = make_board(clock=clock, empty_room_idle_hours=1)
    code = board.new_room()
    open_room(board, "ABCD")
    clock.advance(hours=1, seconds=1)
    assert code_of(lambda: share(board, new_owner_token(), scenario_json, room=code))[0] == "no_room"
    assert rows(board_url, "board_rooms") == 1  # ABCD: it has an entry
    assert board.expire_rooms() == 0


def test_the_facilitator_clearing_a_room_clears_its_live_scenarios(pin: str, board: Board, scenario_json: str) -> None:
    open_room(board, ROOM)
    open_room(board, "ABCD")
    share(board, new_owner_token(), scenario_json, room=ROOM)
    share(board, new_owner_token(), scenario_json, room=ROOM)
    other = share(board, new_owner_token(), scenario_json, room="ABCD")
    assert board.clear_room(ROOM, pin=pin) == 1  # the saved entries; live ones are not counted
    assert board.live_entries(ROOM) == [] and board.list_entries(ROOM) == []
    assert board.live_entries("ABCD") == [other]


# -------------------------------------------------------------- limits


def test_live_per_room(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock, live_per_room=2)
    open_room(board, ROOM)
    open_room(board, "ABCD")
    a, b, c = new_owner_token(), new_owner_token(), new_owner_token()
    share(board, a, scenario_json, name="a")
    share(board, b, scenario_json, name="b")
    with pytest.raises(LimitReachedError) as info:
        share(board, c, scenario_json, name="c")
    assert (info.value.code, info.value.params) == ("live_full", {"limit": 2, "room": ROOM})
    share(board, a, scenario_json, name="a again")  # a tab already there may always update
    # Moving into a full room is refused too, and the tab keeps its place where it was.
    in_other = share(board, c, scenario_json, room="ABCD", name="c")
    assert code_of(lambda: share(board, c, scenario_json, name="c"))[0] == "live_full"
    assert board.live_entries("ABCD") == [in_other]
    share(board, new_owner_token(), scenario_json, room="ABCD")  # the limit is per room
    # A tab that stops, or goes stale, makes room.
    board.stop_live(b)
    share(board, c, scenario_json, name="c")
    assert {e.name for e in board.live_entries(ROOM)} == {"a again", "c"}
    clock.advance(seconds=board.limits.live_idle_seconds)
    share(board, b, scenario_json, name="b back")
    share(board, new_owner_token(), scenario_json, name="d")
    assert {e.name for e in board.live_entries(ROOM)} == {"b back", "d"}
    assert code_of(lambda: share(board, a, scenario_json))[0] == "live_full"  # a stale tab is not a member any more


def test_refused_input(make_board: Callable[..., Board], board_url: str, scenario_json: str) -> None:
    board = make_board(scenario_bytes=len(scenario_json.encode()))
    open_room(board)
    token = new_owner_token()
    cases: list[tuple[dict[str, object], str]] = [
        ({"scenario_json": "not json"}, "bad_scenario"),
        ({"scenario_json": '{"levers": {"new_coops": "lots"}}'}, "bad_scenario"),
        ({"scenario_json": None}, "bad_scenario"),
        ({"scenario_json": scenario_json + " "}, "scenario_too_large"),
        ({"name": "n" * 61}, "name_too_long"),
        ({"group": "g" * 41}, "group_too_long"),
        ({"reached": 18}, "bad_scenario"),
        ({"reached": -1}, "bad_scenario"),
        ({"close": 18}, "bad_scenario"),
        ({"reached": 10, "close": 8}, "bad_scenario"),
        ({"reached": True}, "bad_scenario"),
        ({"reached": 5.0}, "bad_scenario"),
        ({"reached": "5"}, "bad_scenario"),
        ({"owner_token": "short"}, "bad_owner_token"),
        ({"owner_token": None}, "bad_owner_token"),
        ({"room": "K0QM"}, "bad_room_code"),
    ]
    for change, expected in cases:
        args: dict[str, object] = {
            "room": ROOM,
            "owner_token": token,
            "name": "x",
            "group": "",
            "scenario_json": scenario_json,
            "reached": 5,
            "close": 3,
            **change,
        }
        room = args.pop("room")
        with pytest.raises(InvalidInputError) as info:
            board.share_live(room, **args)  # type: ignore[arg-type]
        assert info.value.code == expected, change
    with pytest.raises(InvalidInputError) as info:
        share(board, token, scenario_json, name="n" * 61)
    assert info.value.params == {"limit": 60, "length": 61}
    assert rows(board_url) == 0
    # The edges fit: 17 reached, 17 close, 60 characters.
    assert share(board, token, scenario_json, reached=17, close=0).reached == 17
    assert share(board, token, scenario_json, reached=0, close=17).close == 17
    counted = share(board, token, scenario_json, reached=np.int64(12), close=np.int32(2))  # type: ignore[arg-type]
    assert (counted.reached, counted.close) == (12, 2) and type(counted.reached) is int
    assert [(e.reached, e.close) for e in board.live_entries(ROOM)] == [(12, 2)]
    assert share(board, token, scenario_json, name="n" * 60).name == "n" * 60


def test_only_existing_rooms(make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock)
    with pytest.raises(NotFoundError) as info:
        share(board, new_owner_token(), scenario_json, room="ZZZZ")
    assert (info.value.code, info.value.params) == ("no_room", {"room": "ZZZZ"})
    assert board.room("ZZZZ") is None  # a live share never makes a room
    code = board.new_room()
    share(board, new_owner_token(), scenario_json, room=code)
    # Sharing keeps a room alive; without it, an empty room expires as usual (housekeeping or not).
    clock.advance(hours=board.limits.empty_room_idle_hours)
    assert code_of(lambda: share(board, new_owner_token(), scenario_json, room=code)) == ("no_room", {"room": code})
    # A room with entries lasts room_idle_days.
    open_room(board, "ABCD")
    clock.advance(days=board.limits.room_idle_days - 1)
    share(board, new_owner_token(), scenario_json, room="ABCD")


def test_sharing_touches_the_room_at_most_once_a_minute(make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock)
    code = board.new_room()
    created = clock()
    me = new_owner_token()
    clock.advance(seconds=30)
    share(board, me, scenario_json, room=code)
    assert board.changed_at(code) == created  # written less than a minute ago: left alone
    clock.advance(seconds=31)
    share(board, me, scenario_json, room=code)
    touched = clock()
    assert board.changed_at(code) == touched
    for _ in range(5):
        clock.advance(seconds=10)
        share(board, me, scenario_json, room=code)
        assert board.changed_at(code) == touched
    clock.advance(seconds=11)
    share(board, new_owner_token(), scenario_json, room=code)
    assert board.changed_at(code) == clock()
    # The touch keeps a room with only live participants from expiring.
    for _ in range(30):
        clock.advance(hours=1)
        share(board, me, scenario_json, room=code)
    assert board.room(code) is not None


# ----------------------------------------------------------- limits set


def test_live_limits_defaults_and_environment() -> None:
    assert (Limits().live_per_room, Limits().live_idle_seconds) == (100, 120)
    limits = Limits.from_environ({"SONLA_LIMIT_LIVE_PER_ROOM": " 60 ", "SONLA_LIMIT_LIVE_IDLE_SECONDS": "600"})
    assert (limits.live_per_room, limits.live_idle_seconds) == (60, 600)
    for bad in ("0", "-1", "many", "2.5"):
        with pytest.raises(ValueError, match="SONLA_LIMIT_LIVE_PER_ROOM"):
            Limits.from_environ({"SONLA_LIMIT_LIVE_PER_ROOM": bad})
    with pytest.raises(ValueError, match="live_idle_seconds"):
        Limits(live_idle_seconds=0)
    assert "live_full" in ERROR_CODES


# -------------------------------------------------------------- upgrade


def test_a_board_made_before_live_scenarios_gets_the_table(board_url: str, plan: Plan, scenario_json: str) -> None:
    board = Board(board_url, plan=plan)
    code = open_room(board)
    dispose_engines()
    engine = create_engine(board_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE board_live"))
        assert "board_live" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()

    again = Board(board_url, plan=plan)
    assert [e.name for e in again.list_entries(code)] == ["saved"]
    assert again.live_entries(ROOM) == []
    shared = share(again, new_owner_token(), scenario_json)
    assert again.live_entries(ROOM) == [shared]
    engine = create_engine(board_url, poolclass=NullPool)
    try:
        found = inspect(engine)
        assert "board_live" in found.get_table_names()
        assert "ix_board_live_room_updated" in {i["name"] for i in found.get_indexes("board_live")}
    finally:
        engine.dispose()


# ---------------------------------------------------------- concurrency


def test_forty_tabs_sharing_at_once_lose_nothing(board: Board, board_url: str, plan: Plan) -> None:
    """40 threads, released together, each replace their own live scenario 10 times: 40 rows, each its last values."""
    threads, per_thread = 40, 10
    open_room(board)
    tokens = [new_owner_token() for _ in range(threads)]
    files = [json.dumps({"levers": {"new_coops": 100 + i}}) for i in range(per_thread)]
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(per_thread):
                share(board, tokens[n], files[i], name=f"t{n}-{i}", group=f"g{n}", reached=i, close=n % 8)
        except BaseException as err:  # reported below
            errors.append(err)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []

    listed = board.live_entries(ROOM)
    assert len(listed) == threads == rows(board_url)
    last = per_thread - 1
    by_group = {e.group: e for e in listed}
    for n in range(threads):
        entry = by_group[f"g{n}"]
        assert (entry.name, entry.reached, entry.close, entry.scenario_json) == (f"t{n}-{last}", last, n % 8, files[last])
        assert entry.owned_by(tokens[n])
    assert board.live_changed_at(ROOM)[1] == threads
