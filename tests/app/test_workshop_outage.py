"""Workshop page while PostgreSQL is down: the board says it is unavailable, a save then is reported as not saved,
every other page works, and the board comes back by itself when the database does (no app restart).

The server is a private cluster (tests/store/pgcluster.py) that these tests crash and start again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from apptools import click, markdown_tables, open_page
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from model.text import tr
from store import dispose_engines
from tests.store.pgcluster import PgCluster, new_schema_url, running_cluster
from ui.workshop import get_board

UNAVAILABLE = tr("vi", "workshop.error.unavailable")
# Seconds one run of a page may take while the database is down (a refused connection fails at once;
# an unanswered one within the board's connect timeout of 3 s).
RUN_WHILE_DOWN = 10.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    with running_cluster() as server:
        yield server


@pytest.fixture(autouse=True)
def board_on_postgres(cluster: PgCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app's board in a fresh schema of the crashable server (SONLA_DATABASE_URL), the server running."""
    if not cluster.running:
        cluster.start()
    _, url = new_schema_url(cluster.url, "page_outage")
    monkeypatch.setenv("SONLA_DATABASE_URL", url)
    monkeypatch.delenv("SONLA_BOARD_PIN", raising=False)
    monkeypatch.delenv("SONLA_BOARD_DB", raising=False)
    get_board.clear()
    yield url
    get_board.clear()
    dispose_engines()
    if not cluster.running:
        cluster.start()


@pytest.fixture
def auto_reruns(monkeypatch: pytest.MonkeyPatch) -> list[list[float]]:
    """For each AppTest run, the intervals (seconds) of the automatic reruns it asked the browser for
    (st.fragment(run_every=...)): what makes a tab refresh itself without anyone clicking."""
    runs: list[list[float]] = []
    original = LocalScriptRunner.run

    def run(self: LocalScriptRunner, *args: object, **kwargs: object) -> object:
        tree = original(self, *args, **kwargs)  # type: ignore[arg-type]
        runs.append([m.auto_rerun.interval for m in self.forward_msgs() if m.HasField("auto_rerun")])
        return tree

    monkeypatch.setattr(LocalScriptRunner, "run", run)
    return runs


def open_workshop(query: dict[str, str] | None = None) -> AppTest:
    return open_page("workshop", query)


def save(at: AppTest, name: str) -> AppTest:
    at.text_input(key="workshop_name").input(name)
    at.text_input(key="workshop_group").input("Nhóm 4")
    return click(at, "Lưu vào phòng")


def listed_names(at: AppTest) -> list[str]:
    tables = markdown_tables(at)
    return tables[0].reset_index()["Tên"].tolist() if tables else []


def says_unavailable(at: AppTest) -> bool:
    return any(UNAVAILABLE in e.value for e in at.error)


def room_with_two_entries() -> tuple[AppTest, str]:
    at = open_workshop()
    click(at, "Tạo phòng mới")
    room = at.subheader[0].value.removeprefix("Phòng ")
    save(at, "Trước sự cố 1")
    save(at, "Trước sự cố 2")
    assert listed_names(at) == ["Trước sự cố 2", "Trước sự cố 1"]
    return at, room


def save_during_outage(at: AppTest) -> float:
    """Submit the save form the tab still shows (drawn before the crash); the seconds the run took."""
    started = time.monotonic()
    save(at, "Trong sự cố")
    seconds = time.monotonic() - started
    print(f"save during the outage: the page answered in {seconds:.2f} s")
    return seconds


def test_postgres_outage_on_the_workshop_page(cluster: PgCluster) -> None:
    at, room = room_with_two_entries()
    cluster.crash()

    # A participant presses Save: the page says the board is unavailable and does not claim it saved.
    assert save_during_outage(at) < RUN_WHILE_DOWN
    assert not at.exception
    assert says_unavailable(at)
    assert not any("Trong sự cố" in s.value for s in at.success)
    assert "Trong sự cố" not in listed_names(at)

    # Someone opening the Workshop page now is told the same.
    newcomer = open_workshop({"room": room})
    assert says_unavailable(newcomer)

    # Every other page works.
    for page in ("overview", "scenario", "compare"):
        started = time.monotonic()
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, page
        assert time.monotonic() - started < RUN_WHILE_DOWN, page
        assert at.title and at.title[0].value, page
        assert not says_unavailable(at), page

    # The database is back: the same app (no restart, no cache cleared) shows the room again.
    cluster.start()
    started = time.monotonic()
    at.switch_page("pages/workshop.py")
    at.run()
    print(f"the Workshop page listed the room again {time.monotonic() - started:.2f} s after the server was up")
    assert not at.exception
    assert not says_unavailable(at)
    # Nothing saved before the outage is lost; the save during it is not there.
    assert listed_names(at) == ["Trước sự cố 2", "Trước sự cố 1"]
    save(at, "Sau sự cố")
    assert any("Sau sự cố" in s.value for s in at.success)
    assert listed_names(at) == ["Sau sự cố", "Trước sự cố 2", "Trước sự cố 1"]
    newcomer.run()
    assert not says_unavailable(newcomer)
    assert listed_names(newcomer) == ["Sau sự cố", "Trước sự cố 2", "Trước sự cố 1"]


def test_tab_whose_save_failed_in_the_outage_comes_back_by_itself(cluster: PgCluster, auto_reruns: list[list[float]]) -> None:
    """A tab left showing "unavailable" after a failed save must keep refreshing itself (as the room's list does
    every 5 s), so it shows the room again once the database is back, without anyone reloading it.
    Known defect: the page stops (st.stop()) before the auto-refreshing list, so the tab stays on the message."""
    at, _ = room_with_two_entries()
    assert auto_reruns[-1], "the room's list refreshes itself while the database is up"
    cluster.crash()
    save_during_outage(at)
    assert says_unavailable(at)

    assert auto_reruns[-1], "the tab showing 'unavailable' schedules no automatic refresh: it stays so until reloaded"
    cluster.start()
    at.run()  # what the automatic refresh does
    assert not says_unavailable(at)
    assert listed_names(at) == ["Trước sự cố 2", "Trước sự cố 1"]
