"""The first-save race (issue: `database is locked` about 1 run in 6) and concurrent savers at workshop scale.

Root cause, measured: every new pooled SQLite connection ran ``PRAGMA journal_mode=WAL``, and on a
fresh board the first connections of several threads (each making its own engine) ran it at the
same moment. Switching a brand-new file to WAL is done without SQLite's busy handler: the loser
gets SQLITE_BUSY at once, although the busy timeout is 15 s. Measured with the sqlite3 module
alone: 8 connections switching fresh files at once, 300 rounds: 10 of 2,400 failed immediately
("database is locked" after 0.00 s); the same without the pragma: 0 of 2,400. Through the board,
8 threads × 25 saves on fresh files: 4 of 100 rounds lost a save. Now the journal mode is set once
per file (store.board._use_wal, retried with back-off when another process switches it at the
same time) under the process's engine lock before any pooled connection exists, and a new
connection runs nothing that needs a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from boardtools import Clock

from model.plan import Plan
from store import Board, BoardError, Limits, dispose_engines, new_owner_token
from store.board import _use_wal
from store.config import sqlite_url

THREADS = 40
ROUNDS = 50
SAVES_PER_THREAD = 1
ROOM_LIMIT = 30  # of the 40 saves a round, exactly 30 fit


def test_switching_fresh_files_to_wal_at_once(tmp_path: Path) -> None:
    """8 threads (or processes: each uses its own connection) open a new board file at once, 200 times: none fails."""
    failures: list[str] = []
    modes: Counter[str] = Counter()
    for r in range(200):
        path = str(tmp_path / f"fresh{r}.sqlite")
        barrier = threading.Barrier(8)

        def first_open(path: str = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                _use_wal(path)
            except sqlite3.Error as err:
                failures.append(str(err))

        threads = [threading.Thread(target=first_open) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with closing(sqlite3.connect(path)) as connection:
            modes[connection.execute("PRAGMA journal_mode").fetchone()[0]] += 1
    assert failures == []
    assert modes == Counter({"wal": 200})


def test_readers_go_on_and_writers_queue_while_another_process_writes(tmp_path: Path, plan: Plan, scenario_json: str) -> None:
    """With another process holding the write lock, new pooled connections read at once (WAL) and a save
    waits for the lock (busy timeout), then lands: nothing is refused."""
    path = tmp_path / "board.sqlite"
    board = Board(sqlite_url(path), plan=plan)
    board.save("K7QM", name="first", group="", scenario_json=scenario_json, owner_token=new_owner_token())

    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def commit() -> None:
        writer.execute("COMMIT")
        released.set()

    # Events, not elapsed times: a loaded CI machine may take its time, the order is what counts.
    release = threading.Timer(3.0, commit)
    release.start()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:  # the pool opens new connections meanwhile
            names = list(pool.map(lambda _: [e.name for e in board.list_entries("K7QM")], range(6)))
        assert names == [["first"]] * 6
        assert not released.is_set()  # the readers did not wait for the writer
        board.save("K7QM", name="second", group="", scenario_json=scenario_json, owner_token=new_owner_token())
        assert released.is_set()  # the save waited for the other writer's lock, then landed
    finally:
        release.join()
        writer.close()
    assert [e.name for e in board.list_entries("K7QM")] == ["second", "first"]


def _burst(board: Board, room: str, scenario_json: str) -> Counter[str]:
    """THREADS tabs saving SAVES_PER_THREAD scenarios each into one room at once; outcome codes counted."""
    barrier = threading.Barrier(THREADS)

    def tab(i: int) -> list[str]:
        token = new_owner_token()
        barrier.wait()
        out = []
        for k in range(SAVES_PER_THREAD):
            try:
                board.save(room, name=f"t{i}-{k}", group="", scenario_json=scenario_json, owner_token=token)
                out.append("saved")
            except BoardError as err:
                out.append(err.code if err.code != "unavailable" else f"unavailable: {err.reason}")
        return out

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return Counter(o for batch in pool.map(tab, range(THREADS)) for o in batch)


def _rounds(make: Callable[[int], tuple[Board, str]], scenario_json: str) -> None:
    failures: list[str] = []
    for r in range(ROUNDS):
        dispose_engines()  # a new server: empty pools
        board, room = make(r)
        outcome = _burst(board, room, scenario_json)
        listed = len(board.list_entries(room))
        expected = Counter({"saved": ROOM_LIMIT, "room_full": THREADS * SAVES_PER_THREAD - ROOM_LIMIT})
        if outcome != expected or listed != ROOM_LIMIT:
            failures.append(f"round {r}: {dict(outcome)}, listed {listed}")
    assert failures == [], f"{len(failures)} of {ROUNDS} rounds went wrong: {failures[:5]}"


def test_first_saves_on_fresh_sqlite_files(tmp_path: Path, plan: Plan, scenario_json: str) -> None:
    """40 tabs saving at once on a brand-new board file, 50 times: 0 failed, 0 lost, the room limit exact."""
    limits = Limits(entries_per_room=ROOM_LIMIT)

    def make(r: int) -> tuple[Board, str]:
        return Board(sqlite_url(tmp_path / f"round{r}" / "board.sqlite"), plan=plan, limits=limits), "K7QM"

    _rounds(make, scenario_json)


def test_first_saves_on_postgresql(pg_schema_url: str, plan: Plan, scenario_json: str) -> None:
    """The same on PostgreSQL: a fresh pool and a fresh room each round, 50 rounds."""
    limits = Limits(entries_per_room=ROOM_LIMIT, rooms_per_hour=ROUNDS + 1, entries=ROUNDS * ROOM_LIMIT)
    clock = Clock()

    def make(r: int) -> tuple[Board, str]:
        return Board(pg_schema_url, plan=plan, limits=limits, clock=clock), "ABCDEFGHJK"[r % 10] + f"{r:03d}".translate(
            str.maketrans("01", "XY")
        )

    _rounds(make, scenario_json)
