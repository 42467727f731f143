"""Two app processes on one board (the workshop server's replicas): what one saves, the other lists.

Runs on a SQLite file and on PostgreSQL (the `board_url` fixture of conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise

import pytest
from boardworker import Worker, generous_limits

from model.plan import Plan
from store import Board

ROOM = "R2PQ"
SAVES_PER_PROCESS = 60
PAUSE = 0.01  # seconds between one process's saves: the two run side by side for about a second


@pytest.fixture
def workers(board_url: str) -> Iterator[list[Worker]]:
    """Two worker processes on this test's database, waiting at the gate (not yet connected)."""
    started = [Worker(board_url, ROOM, prefix, SAVES_PER_PROCESS, gate=True, pause=PAUSE) for prefix in ("a", "b")]
    try:
        for worker in started:
            worker.expect("ready")
        yield started
    finally:
        for worker in started:
            worker.close()


def test_two_processes_list_each_others_saves(workers: list[Worker], board_url: str, plan: Plan) -> None:
    """Both processes open the fresh database at the same moment, save 60 each into one room at the same time,
    then each lists the room: all 120, its own and the other's, and nothing failed.
    Also proves the first connection (folder, file, WAL, table) is safe when two processes make it together."""
    for worker in workers:
        worker.send("go")  # released together: first connection, table creation and saves race
    for worker in workers:
        worker.expect("done", timeout=60)
    for worker in workers:
        assert worker.failed == [], worker.failed
        assert len(worker.saved) == SAVES_PER_PROCESS

    a, b = workers
    all_ids = a.saved + b.saved
    assert len(set(all_ids)) == 2 * SAVES_PER_PROCESS  # no id handed out twice
    # The saves really overlapped: ids are given in commit order, and the two processes' ids interleave.
    order = sorted((entry_id, name) for name, worker in (("a", a), ("b", b)) for entry_id in worker.saved)
    switches = sum(1 for (_, x), (_, y) in pairwise(order) if x != y)
    assert switches >= 2, f"the two processes did not save at the same time: {order}"

    expected = {
        (entry_id, f"{worker_name}-{i}")
        for worker_name, worker in (("a", a), ("b", b))
        for i, entry_id in enumerate(worker.saved)
    }
    for worker in workers:
        worker.send("list")
        listed = json.loads(worker.expect("listed ").removeprefix("listed "))
        assert len(listed) == 2 * SAVES_PER_PROCESS
        assert {(entry_id, name) for entry_id, name in listed} == expected
        assert worker.finish() == 0, worker.stderr()

    # And a third process (this one) lists the same.
    board = Board(board_url, plan=plan, limits=generous_limits())
    assert {(e.id, e.name) for e in board.list_entries(ROOM)} == expected
