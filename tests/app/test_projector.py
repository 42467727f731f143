"""The projector view: the room's live scenarios counted per target and per lever (hand-counted), and the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import altair as alt
import pytest
from apptools import APP, markdown_tables
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.scenario import Scenario, to_json
from store import new_owner_token
from ui.projector import levers_chart, room_view, targets_chart
from ui.workshop import get_board

PLAN = load_plan()
pytestmark = pytest.mark.usefixtures("board_db")  # a fresh SQLite board per test (conftest)
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def scenario_json(**levers: float | str) -> str:
    return to_json(PLAN, Scenario(plan_id=PLAN.id, plan_version=PLAN.version, levers={**PLAN.defaults(), **levers}, baseline={}))


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    group: str
    scenario_json: str
    updated_at: datetime


# Three participants, by hand (coops = 815 at the start of the year + new coops, no dissolution by default;
# target 900, "close" within 5 %): 85 new → 900 reached; 100 new → 915 reached; 60 new with 5 % a year
# dissolving → about 833 (815 × 0.95 + 60 new, each dissolving for part of the year) = 92.5 % missed.
ROWS = [
    Row(1, "An", "Nhóm 1", scenario_json(), T0),
    Row(2, "Bình", "Nhóm 2", scenario_json(new_coops=100), T0 + timedelta(seconds=20)),
    Row(3, "Chi", "", scenario_json(new_coops=60, dissolution_rate=5.0), T0 + timedelta(seconds=10)),
]


def test_counts_per_target_by_hand() -> None:
    view = room_view(PLAN, ROWS, 0.05)
    coops = next(c for c in view.targets if c.target_id == "coops")
    assert (coops.reached, coops.close, coops.missed) == (2, 0, 1)
    assert [c.target_id for c in view.targets] == [t.id for t in PLAN.targets]  # the plan's 17, in order
    assert all(c.reached + c.close + c.missed == 3 for c in view.targets)


def test_close_is_counted_apart_from_missed() -> None:
    rows = [Row(1, "", "", scenario_json(new_coops=60), T0)]
    coops = next(c for c in room_view(PLAN, rows, 0.05).targets if c.target_id == "coops")
    assert (coops.reached, coops.close, coops.missed) == (0, 1, 0)  # 875 of 900 = 97.2 %: within 5 %
    coops = next(c for c in room_view(PLAN, rows, 0.02).targets if c.target_id == "coops")
    assert (coops.reached, coops.close, coops.missed) == (0, 0, 1)  # not within 2 %


def test_participants_newest_first_with_their_result() -> None:
    view = room_view(PLAN, ROWS, 0.05)
    assert [p.name for p in view.participants] == ["Bình", "Chi", "An"]
    an = view.participants[2]
    assert an.statuses["coops"] == "reached"
    assert an.reached + an.close <= len(PLAN.targets)
    assert view.participants[0].levers["new_coops"] == 100


def test_lever_spread_min_median_max_and_moved() -> None:
    view = room_view(PLAN, ROWS, 0.05)
    spread = {s.lever_id: s for s in view.levers}
    new = spread["new_coops"]
    assert (new.minimum, new.median, new.maximum) == (60.0, 85.0, 100.0)
    assert new.moved == 2  # 100 and 60 differ from the default 85
    assert spread["dissolution_rate"].moved == 1
    assert spread["members_per_new_coop"].moved == 0
    order = [lv.id for lv in PLAN.levers]
    assert [s.lever_id for s in view.moved_levers()] == sorted(["new_coops", "dissolution_rate"], key=order.index)


def test_empty_room() -> None:
    view = room_view(PLAN, [], 0.05)
    assert view.participants == ()
    assert all(c.reached == c.close == c.missed == 0 for c in view.targets)
    assert view.moved_levers() == ()
    assert levers_chart(PLAN, view.moved_levers(), "vi") is None


def test_charts_build_in_both_languages() -> None:
    view = room_view(PLAN, ROWS, 0.05)
    for lang in ("vi", "en"):
        spec = targets_chart(PLAN, view, lang)
        alt.LayerChart.from_dict(spec)  # a valid Vega-Lite spec once filled in
        assert sum(v["n"] for v in spec["data"]["values"]) == 3 * len(PLAN.targets)
        assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 3]  # as many as share live
        levers = levers_chart(PLAN, view.moved_levers(), lang)
        assert levers is not None
        alt.FacetChart.from_dict(levers)
        assert levers["facet"]["row"]["sort"] == [
            f"{PLAN.lever(i).label(lang)} ({PLAN.lever(i).unit(lang)})" for i in ("new_coops", "dissolution_rate")
        ]


# ------------------------------------------------------------------ the page (AppTest, a real SQLite board)




def share(room: str, row: Row) -> None:
    statuses = room_view(PLAN, [row], 0.05).participants[0]
    get_board().share_live(
        room,
        owner_token=new_owner_token(),
        name=row.name,
        group=row.group,
        scenario_json=row.scenario_json,
        reached=statuses.reached,
        close=statuses.close,
    )


def open_projector(room: str | None, lang: str = "vi") -> AppTest:
    """The facilitator's tab: the app, then the projector page of the room (as /projector?room=… opens it)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if room is not None:
        at.session_state["workshop_room"] = room
    at.switch_page("pages/projector.py")
    at.run()
    assert not at.exception
    return at


def summary(at: AppTest) -> str:
    """The line under the projector's title: how many share live, how many saved, when."""
    return next(m.value for m in at.markdown if "chia sẻ trực tiếp" in m.value)


def test_page_shows_the_rooms_counts_and_people() -> None:
    board = get_board()
    room = board.new_room()
    for row in ROWS:
        share(room, row)
    at = open_projector(room)
    assert not at.exception
    assert at.title[0].value == f"Phòng {room}: trực tiếp"
    assert "**3** người đang chia sẻ trực tiếp" in summary(at)
    people = next(m.value for m in at.markdown if m.value.startswith("1. ["))
    # Newest move first: shared in the order An, Bình, Chi.
    assert [line.split("]")[0].removeprefix("1. [") for line in people.splitlines()] == ["Chi", "Bình", "An"]
    assert "](overview?" in people and "room=" not in people  # opens the scenario, not the room
    levers = markdown_tables(at)[-1]
    label = next(i for i in levers.index if i.startswith(PLAN.lever("new_coops").label("vi")))
    assert levers.loc[label, "Số người đã kéo"] == "2/3"
    assert (levers.loc[label, "Thấp nhất"], levers.loc[label, "Trung vị"], levers.loc[label, "Cao nhất"]) == ("60", "85", "100")
    # The projector's own tab is not a participant: nothing of it appears in the room.
    assert len(board.live_entries(room)) == 3


def test_page_in_english_and_without_a_room() -> None:
    at = open_projector(None, lang="en")
    assert not at.exception
    assert at.title[0].value == "Projector"
    room = get_board().new_room()
    at = open_projector(room, lang="en")
    assert not at.exception
    assert "Nobody shares live" in at.info[0].value


def test_page_is_redrawn_when_someone_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    room = get_board().new_room()
    share(room, ROWS[0])
    at = open_projector(room)
    assert summary(at).startswith("**1** người")
    share(room, ROWS[1])
    at.run()
    assert summary(at).startswith("**2** người")
