"""The load benchmark's driver speaks Streamlit's websocket protocol correctly (bench/load.py).

Not a timed test: it checks that simulated participants get their reruns, and that a lever
moved over the websocket changes what the app computes — not merely that messages flow.
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pytest

from model.text import tr

ROOT = Path(__file__).resolve().parents[2]


def _load_driver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


load = _load_driver()


@pytest.fixture
def server_for(tmp_path: Path) -> Iterator[object]:
    started: list[object] = []

    def start(script: Path) -> object:
        server = load.Server.start(script, workdir=tmp_path, pin=False, board_db=tmp_path / "board.sqlite")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _tables(tab: object) -> Iterator[list[list[str]]]:
    """The tables among the elements of the participant's last run, as rows of cells (header first):
    Arrow tables (st.table, st.dataframe) and Markdown pipe tables, whichever the page draws."""
    for element in tab.elements.values():
        kind = element.WhichOneof("type")
        if kind in ("table", "dataframe"):
            data = element.table.arrow_data.data if kind == "table" else element.dataframe.data
            frame = pa.ipc.open_stream(data).read_all().to_pandas()
            yield [[str(c) for c in frame.columns], *([str(v) for v in row] for row in frame.itertuples(index=False))]
        elif kind == "markdown" and element.markdown.body.lstrip().startswith("|"):
            lines = [line.strip().strip("|") for line in element.markdown.body.strip().splitlines()]
            rows = [[cell.strip() for cell in line.split("|")] for line in lines]
            yield [row for row in rows if not all(set(cell) <= set(":-") for cell in row)]  # no |:---| rule


def _projected_cell(tab: object, indicator: str) -> str:
    """The overview scorecard's "projected" cell of one indicator, as the participant received it."""
    column = tr("vi", "table.projected")
    for header, *rows in _tables(tab):
        if column in header:
            found = [row[header.index(column)] for row in rows if row and row[0].strip("*") == indicator]
            if len(found) == 1:
                return found[0]
    raise AssertionError("no scorecard with that indicator among the elements of the last run")


def test_percentile_is_the_nearest_rank_shared_with_the_browser_benchmark() -> None:
    import bench_browser
    import common

    assert load.percentile is common.percentile is bench_browser.percentile
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert common.percentile(values, 0.95) == 0.5  # element round(0.95 × 4) = 4 of the sorted values
    assert common.percentile(values, 0.5) == 0.3
    assert common.percentile([float(i) for i in range(1, 21)], 0.95) == 19.0  # round(18.05) = 18
    assert common.percentile([], 0.95) != common.percentile([], 0.95)  # NaN


def test_two_participants_on_a_bare_page_get_their_reruns(server_for, tmp_path: Path) -> None:
    script = tmp_path / "bare" / "bare_page.py"
    script.parent.mkdir()
    shutil.copy(ROOT / "bench" / "bare_page.py", script)
    server = server_for(script)
    target = load.Target("bare", "", "", "bare_new_coops")

    result = asyncio.run(load.drive(server.url, target, participants=2, duration=3.0, interval=0.5, server=server))

    assert len(result.tally.first_loads) == 2
    assert len(result.tally.moves) >= 4  # about 6 each at one move per 0.5 s; a slow machine does fewer
    assert result.tally.errors == []
    assert result.tally.exceptions == []


def test_a_lever_moved_over_the_websocket_changes_the_scorecard(server_for) -> None:
    """The select slider's label in string_array_value reaches the model: the projected number of new
    cooperatives is the lever itself (85 by default, the plan's target)."""
    server = server_for(load.APP_SCRIPT)
    target = load.Target("app", "", "", "sidebar_new_coops")
    indicator = "Hợp tác xã thành lập mới"

    async def scenario() -> tuple[str, str, str, object]:
        tab = load.Participant(server.url, target, seed=1)
        try:
            assert await tab.open(), tab.tally.errors
            before = _projected_cell(tab, indicator)
            shown_before = tab.lever_options[tab.lever_index]
            elapsed = await tab.set_lever(tab.lever_options.index("120"))
            assert elapsed is not None, tab.tally.errors
            return before, shown_before, _projected_cell(tab, indicator), tab
        finally:
            await tab.close()

    before, shown_before, after, tab = asyncio.run(scenario())

    assert shown_before == "85"  # the driver read the slider's current value from the first run
    assert before == "85"
    assert after == "120"
    assert "new_coops=120" in tab.query  # the app put the scenario into the URL, as a browser would see it
    assert tab.page_hash  # later reruns name the page by its script hash
    assert tab.tally.errors == []
    assert tab.tally.exceptions == []


def test_a_live_room_reaches_the_projector_and_the_board(server_for, tmp_path: Path) -> None:
    """The room scenario's mechanics, not its budgets: participants in a room by its link share live,
    the projector's watcher (run_every) sees the moves and redraws the whole page, every move gets a
    data age, and the board holds one live row per participant with that participant's last value."""
    server = server_for(load.APP_SCRIPT)  # its board is tmp_path / "board.sqlite"
    db = tmp_path / "board.sqlite"
    room = load.seed_room(db, entries=2)
    participants = 3

    result = asyncio.run(
        load.drive(
            server.url,
            load._target("room", room),
            participants=participants,
            duration=5.0,
            interval=1.0,
            server=server,
            projector=load.projector_target(room),
        )
    )
    live = load.check_live(db, room, result.levers)

    assert result.tally.errors == []
    assert result.tally.exceptions == []
    assert len(result.tally.moves) >= participants * 2  # about 5 each; a slow machine does fewer
    p = result.projector
    assert p is not None
    assert p.asked >= 1  # the watcher saw the room change and asked for a full-app rerun…
    assert len(p.redraws) >= 1  # …and the page was redrawn (full runs counted by their new_session)
    assert p.undrawn == 0  # every move was shown by a redraw that started after it
    assert len(p.ages) == len(result.tally.moves)
    assert all(age > 0 for age in p.ages)
    assert p.shown == participants  # "3 people sharing live" on the last redraw: the projector is not one of them
    assert len(p.quiet) == load.QUIET_REDRAWS  # the projector page rerun on its own, the participants idle
    assert len(result.levers) == participants
    assert (live.rows, live.tabs) == (participants, participants)
    assert live.matching  # each row holds a participant's last lever value
