"""The board's abuse limits, the facilitator PIN's back-off, rooms (creation, expiry, keep, clear) and the
upgrade of boards made before rooms had a table. Each runs on a SQLite file and on PostgreSQL.

Time is a hand-moved clock (Board(clock=...)), so nothing here sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from boardtools import Clock
from sqlalchemy import create_engine, text

from model.plan import Plan
from store import Board, BoardError, Limits, new_owner_token
from store.board import pin_backoff
from store.config import sqlite_url

ROOM = "K7QM"


def code_of(call: Callable[[], object]) -> tuple[str, dict[str, object]]:
    with pytest.raises(BoardError) as info:
        call()
    return info.value.code, info.value.params


def save(board: Board, sj: str, *, token: str, room: str = ROOM, name: str = "x") -> int:
    return board.save(room, name=name, group="", scenario_json=sj, owner_token=token).id


# ------------------------------------------------------------- saves


def test_saves_per_minute_per_session(make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(saves_per_minute=3, clock=clock)
    me, other = new_owner_token(), new_owner_token()
    for i in range(3):
        save(board, scenario_json, token=me, name=f"m{i}")
        clock.advance(seconds=1)
    code, params = code_of(lambda: save(board, scenario_json, token=me))
    assert code == "rate_limited" and params["seconds"] == 57  # when the first of the three leaves the minute
    save(board, scenario_json, token=other)  # another participant is not slowed down
    clock.advance(seconds=57)
    save(board, scenario_json, token=me, name="after the wait")
    assert len(board.list_entries(ROOM)) == 5


def test_entries_per_session_in_a_room(make_board: Callable[..., Board], scenario_json: str) -> None:
    board = make_board(entries_per_session=2)
    me = new_owner_token()
    first = save(board, scenario_json, token=me)
    save(board, scenario_json, token=me)
    code, params = code_of(lambda: save(board, scenario_json, token=me))
    assert (code, params["limit"]) == ("session_full", 2)
    save(board, scenario_json, token=me, room="ABCD")  # per room
    save(board, scenario_json, token=new_owner_token())  # per session
    board.delete_entry(ROOM, first, owner_token=me)  # deleting one of mine makes room for another
    save(board, scenario_json, token=me)


def test_entries_on_the_whole_board(make_board: Callable[..., Board], scenario_json: str) -> None:
    board = make_board(entries=3)
    for room in ("AAAA", "BBBB", "CCCC"):
        save(board, scenario_json, token=new_owner_token(), room=room)
    code, params = code_of(lambda: save(board, scenario_json, token=new_owner_token(), room="AAAA"))
    assert (code, params["limit"]) == ("board_full", 3)
    assert sum(len(board.list_entries(r)) for r in ("AAAA", "BBBB", "CCCC")) == 3


# ------------------------------------------------------------- rooms


def test_new_room_exists_and_is_empty(board: Board) -> None:
    token = new_owner_token()
    code = board.new_room(owner_token=token)
    room = board.room(code)
    assert room is not None and room.code == code and room.entries == 0 and not room.keep
    assert room.expires_at == room.active_at + timedelta(hours=board.limits.empty_room_idle_hours)
    assert board.list_entries(code) == []
    assert board.room("ZZZZ") is None  # never made: the page says "no such room", not "empty"
    assert board.changed_at(code) == room.active_at and board.changed_at("ZZZZ") is None


def test_rooms_per_session_and_per_board_hour(make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(rooms_per_session_hour=2, rooms_per_hour=3, clock=clock)
    me = new_owner_token()
    board.new_room(owner_token=me)
    clock.advance(minutes=10)
    board.new_room(owner_token=me)
    code, params = code_of(lambda: board.new_room(owner_token=me))
    assert code == "rooms_rate_limited" and params["seconds"] == 50 * 60
    # Saving into a new room is making a room: the same limit.
    assert code_of(lambda: save(board, scenario_json, token=me, room="ABCD"))[0] == "rooms_rate_limited"
    board.new_room(owner_token=new_owner_token())  # a third session: the board's third room this hour
    code, params = code_of(lambda: board.new_room(owner_token=new_owner_token()))
    assert code == "rooms_rate_limited" and params["limit"] == 3
    clock.advance(minutes=51)
    board.new_room(owner_token=me)


def test_a_session_cannot_fill_the_board_with_rooms(make_board: Callable[..., Board]) -> None:
    """The probe's attack (25 rooms in 4 s from one tab) stops at the session's limit; others still get rooms."""
    board = make_board()
    attacker = new_owner_token()
    made, refused = 0, 0
    for _ in range(25):
        try:
            board.new_room(owner_token=attacker)
            made += 1
        except BoardError as err:
            assert err.code == "rooms_rate_limited"
            refused += 1
    assert (made, refused) == (board.limits.rooms_per_session_hour, 25 - board.limits.rooms_per_session_hour)
    assert board.room(board.new_room(owner_token=new_owner_token())) is not None


def test_idle_rooms_expire_unless_kept(pin: str, make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(clock=clock)
    token = new_owner_token()
    for room in ("AAAA", "BBBB", "CCCC"):
        save(board, scenario_json, token=token, room=room)
    empty = board.new_room(owner_token=token)
    board.keep_room("BBBB", pin=pin, owner_token=token)
    kept = board.room("BBBB")
    assert kept is not None and kept.keep and kept.expires_at is None

    clock.advance(hours=board.limits.empty_room_idle_hours + 1)
    save(board, scenario_json, token=token, room="CCCC")  # CCCC stays in use; a save also sweeps expired rooms
    assert board.room(empty) is None and board.room("AAAA") is not None
    assert board.expire_rooms() == 0

    clock.advance(days=board.limits.room_idle_days, hours=1)
    assert board.room("AAAA") is None  # past its time: gone for the page even before the sweep
    assert board.expire_rooms() == 2  # AAAA and CCCC with their entries
    assert board.list_entries("AAAA") == [] and board.list_entries("CCCC") == []
    assert board.room("BBBB") is not None and len(board.list_entries("BBBB")) == 1

    board.keep_room("BBBB", False, pin=pin, owner_token=token)
    clock.advance(days=board.limits.room_idle_days + 1)
    assert board.expire_rooms() == 1 and board.room("BBBB") is None


def test_expiry_is_configurable(make_board: Callable[..., Board], scenario_json: str) -> None:
    clock = Clock()
    board = make_board(room_idle_days=2, clock=clock)
    save(board, scenario_json, token=new_owner_token())
    clock.advance(days=1)
    assert board.expire_rooms() == 0
    clock.advance(days=1, seconds=1)
    assert board.expire_rooms() == 1


def test_facilitator_clears_a_room_at_once(pin: str, board: Board, scenario_json: str) -> None:
    tokens = [new_owner_token() for _ in range(4)]
    for token in tokens:
        save(board, scenario_json, token=token)
    save(board, scenario_json, token=tokens[0], room="ABCD")
    assert code_of(lambda: board.clear_room(ROOM, pin="wrong-pin-1", owner_token=tokens[0]))[0] == "not_allowed"
    assert code_of(lambda: board.clear_room(ROOM, pin=None, owner_token=tokens[0]))[0] == "not_allowed"
    assert len(board.list_entries(ROOM)) == 4
    assert board.clear_room(ROOM, pin=pin, owner_token=new_owner_token()) == 4
    assert board.list_entries(ROOM) == [] and board.room(ROOM) is not None  # the room stays, empty
    assert len(board.list_entries("ABCD")) == 1  # only that room
    assert code_of(lambda: board.clear_room("ZZZZ", pin=pin))[0] == "no_room"


def test_limits_from_the_environment() -> None:
    limits = Limits.from_environ({"SONLA_LIMIT_ROOM_IDLE_DAYS": " 90 ", "SONLA_LIMIT_PIN_MIN_CHARS": "10"})
    assert (limits.room_idle_days, limits.pin_min_chars, limits.rooms) == (90, 10, Limits().rooms)
    for bad in ("0", "-3", "lots", "1.5"):
        with pytest.raises(ValueError, match="SONLA_LIMIT_ROOMS"):
            Limits.from_environ({"SONLA_LIMIT_ROOMS": bad})


# --------------------------------------------------------------- PIN


def test_pin_back_off_schedule() -> None:
    assert [pin_backoff(n, 5, cap=300) for n in range(4, 12)] == [0, 15, 30, 60, 120, 240, 300, 300]
    assert pin_backoff(10**6, 5, cap=300) == 300


def test_short_or_missing_pin_turns_the_facilitator_off(make_board: Callable[..., Board]) -> None:
    for pin, problem in ((None, "unset"), ("  ", "unset"), ("4711", "too_short"), ("1234567", "too_short")):
        board = make_board(pin=pin)
        assert board.pin_problem == problem and not board.has_pin
        assert not board.is_facilitator(pin)
        code, params = code_of(lambda board=board, pin=pin: board.verify_pin(pin or "x", owner_token=new_owner_token()))
        assert (code, params["min"]) == ("pin_not_set", 8)
    assert make_board(pin="12345678").has_pin


def test_wrong_pins_wait_per_session(pin: str, make_board: Callable[..., Board]) -> None:
    clock = Clock()
    board = make_board(clock=clock)
    me = new_owner_token()
    for i in range(board.limits.pin_free_tries):
        assert board.verify_pin(f"guess-{i:04d}", owner_token=me) is False
    code, params = code_of(lambda: board.verify_pin(pin, owner_token=me))
    assert code == "pin_wait" and params["seconds"] == 15
    assert board.pin_wait(me) == 15 and board.pin_wait(new_owner_token()) == 0
    assert board.verify_pin(pin, owner_token=new_owner_token())  # another session is not held up
    clock.advance(seconds=15)
    assert board.verify_pin("guess-again", owner_token=me) is False
    assert code_of(lambda: board.verify_pin(pin, owner_token=me))[1]["seconds"] == 30  # doubled
    clock.advance(seconds=30)
    assert board.verify_pin(pin, owner_token=me)  # the right PIN is never locked out for good


def test_guessing_across_sessions_and_rooms_is_slowed_for_everyone(pin: str, make_board: Callable[..., Board]) -> None:
    """The probe guessed ~8.5 PINs a second across rooms, never locked. Now the board counts every wrong PIN:
    after pin_board_free_tries, each try waits (doubling to 5 minutes), whichever tab or room it comes from."""
    clock = Clock()
    board = make_board(clock=clock)
    tried = 0
    for _ in range(board.limits.pin_board_free_tries):
        assert board.verify_pin(f"{tried:08d}", owner_token=new_owner_token()) is False  # a fresh tab each time
        tried += 1
    code, params = code_of(lambda: board.verify_pin(f"{tried:08d}", owner_token=new_owner_token()))
    assert code == "pin_wait" and params["seconds"] == 15
    # An attacker who waits each time gets ever fewer tries: at most ~20 an hour once the wait is 5 minutes.
    start = clock()
    while clock() - start < timedelta(hours=3):
        wait = board.pin_wait(new_owner_token())
        if wait:
            clock.advance(seconds=wait)
            continue
        board.verify_pin(f"{tried:08d}", owner_token=new_owner_token())
        tried += 1
    per_hour = (tried - board.limits.pin_board_free_tries) / 3
    assert per_hour <= 3600 / board.limits.pin_max_wait_seconds + 3
    # 10^8 eight-digit PINs at that rate: centuries on average.
    assert 10**8 / 2 / (per_hour * 24 * 365) > 100
    # The facilitator with the right PIN waits at most pin_max_wait_seconds, then is in.
    wait = board.pin_wait(new_owner_token())
    assert wait <= board.limits.pin_max_wait_seconds
    clock.advance(seconds=wait)
    assert board.verify_pin(pin, owner_token=new_owner_token())


def test_pin_given_to_a_facilitator_action_counts_as_a_try(
    pin: str, make_board: Callable[..., Board], scenario_json: str
) -> None:
    """Deleting with a guessed PIN is not a way around the back-off."""
    clock = Clock()
    board = make_board(clock=clock)
    entry = save(board, scenario_json, token=new_owner_token())
    me = new_owner_token()
    for i in range(board.limits.pin_free_tries):
        assert code_of(lambda i=i: board.delete_entry(ROOM, entry, owner_token=me, pin=f"guess-{i:04d}"))[0] == "not_allowed"
    assert code_of(lambda: board.delete_entry(ROOM, entry, owner_token=me, pin=pin))[0] == "pin_wait"
    assert code_of(lambda: board.keep_room(ROOM, pin=pin, owner_token=me))[0] == "pin_wait"
    assert len(board.list_entries(ROOM)) == 1
    clock.advance(seconds=15)
    board.delete_entry(ROOM, entry, owner_token=me, pin=pin)
    assert board.list_entries(ROOM) == []


def test_limits_are_shared_by_boards_on_one_database(make_board: Callable[..., Board]) -> None:
    """Two replicas of the app (two Board objects, one database) count the same wrong PINs and rooms."""
    clock = Clock()
    one, two = make_board(clock=clock), make_board(clock=clock)
    me = new_owner_token()
    for i in range(one.limits.pin_free_tries):
        (one if i % 2 else two).verify_pin(f"guess-{i:04d}", owner_token=me)
    assert one.pin_wait(me) == two.pin_wait(me) == 15


# -------------------------------------------------------------- upgrade


def test_board_made_before_the_rooms_table_is_upgraded(tmp_path: Path, plan: Plan, scenario_json: str) -> None:
    """A board file from the previous release (entries only) gets a room row for each room with entries."""
    path = tmp_path / "old.sqlite"
    engine = create_engine(sqlite_url(path))
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE board_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, room VARCHAR(8) NOT NULL, name TEXT NOT NULL,"
                " group_name TEXT NOT NULL, scenario_json TEXT NOT NULL, plan_id VARCHAR(100) NOT NULL,"
                " plan_version VARCHAR(40) NOT NULL, created_at DATETIME NOT NULL, owner_digest VARCHAR(64) NOT NULL)"
            )
        )
        for room, when in (
            ("AAAA", "2026-11-30 08:00:00.000000"),
            ("AAAA", "2026-12-01 09:30:00.000000"),
            ("BBBB", "2026-12-01 10:00:00.000000"),
        ):
            connection.execute(
                text(
                    "INSERT INTO board_entries (room, name, group_name, scenario_json, plan_id, plan_version,"
                    " created_at, owner_digest) VALUES (:room, 'old', '', :sj, :pid, :pv, :when, :digest)"
                ),
                {"room": room, "sj": scenario_json, "pid": plan.id, "pv": plan.version, "when": when, "digest": "0" * 64},
            )
    engine.dispose()
    board = Board(sqlite_url(path), plan=plan, pin="4711-2023", limits=Limits(room_idle_days=3650))
    aaaa = board.room("AAAA")
    assert aaaa is not None and aaaa.entries == 2
    assert (aaaa.created_at.isoformat(), aaaa.active_at.isoformat()) == ("2026-11-30T08:00:00+00:00", "2026-12-01T09:30:00+00:00")
    assert board.room("BBBB") is not None and len(board.list_entries("AAAA")) == 2
