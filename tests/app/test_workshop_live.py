"""Live sharing from the participants' tabs: joining shares, every move replaces, leaving or turning it off removes;
the compare-the-groups table takes every saved scenario, new ones included."""

from __future__ import annotations

import json

import pytest
from apptools import click, markdown_tables, open_page
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from ui.workshop import get_board

PLAN = load_plan()
pytestmark = pytest.mark.usefixtures("board_db")  # a fresh SQLite board per test (conftest)




def live_levers(room: str) -> list[dict]:
    return [json.loads(e.scenario_json)["levers"] for e in get_board().live_entries(room)]


def test_a_participant_from_the_link_shares_every_move() -> None:
    room = get_board().new_room()
    at = open_page("workshop", {"room": room})
    assert at.toggle(key="workshop_live_toggle").value is True
    assert len(get_board().live_entries(room)) == 1
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    at.select_slider(key="sidebar_new_coops").set_value(70).run()
    entries = get_board().live_entries(room)
    assert len(entries) == 1  # replaced, not appended
    assert live_levers(room)[0]["new_coops"] == 70
    # The name typed once goes with the next move, and stays when the participant is on another page.
    at.text_input(key="workshop_live_name_input").input("Lan").run()
    assert get_board().live_entries(room)[0].name == "Lan"
    at.switch_page("pages/overview.py")
    at.run()
    at.select_slider(key="sidebar_new_coops").set_value(90).run()
    entry = get_board().live_entries(room)[0]
    assert (entry.name, json.loads(entry.scenario_json)["levers"]["new_coops"]) == ("Lan", 90)


def test_turning_it_off_or_leaving_takes_the_scenario_away() -> None:
    room = get_board().new_room()
    at = open_page("workshop", {"room": room})
    assert len(get_board().live_entries(room)) == 1
    at.toggle(key="workshop_live_toggle").set_value(False).run()
    assert get_board().live_entries(room) == []
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    assert get_board().live_entries(room) == []  # off stays off
    at.toggle(key="workshop_live_toggle").set_value(True).run()
    assert live_levers(room)[0]["new_coops"] == 60
    click(at, "Rời phòng")
    assert get_board().live_entries(room) == []


def test_the_room_creator_does_not_share() -> None:
    at = open_page("workshop")
    click(at, "Tạo phòng mới")
    room = at.subheader[0].value.removeprefix("Phòng ")
    assert at.toggle(key="workshop_live_toggle").value is False
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    assert get_board().live_entries(room) == []


def test_live_full_is_said_and_saving_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONLA_LIMIT_LIVE_PER_ROOM", "1")
    get_board.clear()
    room = get_board().new_room()
    first = open_page("workshop", {"room": room})
    assert not first.warning
    second = open_page("workshop", {"room": room})
    assert "người chia sẻ trực tiếp" in second.warning[0].value
    assert len(get_board().live_entries(room)) == 1


def save(at: AppTest, name: str) -> AppTest:
    at.text_input(key="workshop_name").input(name)
    return click(at, "Lưu vào phòng")


def test_compare_takes_every_group_and_new_ones() -> None:
    room = get_board().new_room()
    at = open_page("workshop", {"room": room})
    for i, n in enumerate((40, 85, 100, 120, 150, 200, 250), start=1):
        at.select_slider(key="sidebar_new_coops").set_value(n).run()
        save(at, f"Nhóm {i}")
    table = markdown_tables(at)[-1]
    assert len(table) == len(PLAN.targets)  # all 17 rows
    assert list(table.columns[:1]) == ["Mục tiêu"]  # the target beside the indicator
    assert [c for c in table.columns[1:]] == [f"Nhóm {i}" for i in range(7, 0, -1)]  # all seven, newest first
    # Take one out; a group that saves later still appears without anyone picking it.
    at.multiselect(key="workshop_compare").unselect(at.multiselect(key="workshop_compare").value[0]).run()
    save(at, "Nhóm 8")
    columns = list(markdown_tables(at)[-1].columns[1:])
    assert "Nhóm 8" in columns and "Nhóm 7" not in columns and len(columns) == 7
    coops = markdown_tables(at)[-1].loc[PLAN.target("coops").label("vi")]
    assert coops["Mục tiêu"] == "900"
    assert coops["Nhóm 2"] == "900 ✅ Đạt"  # 85 new: 815 + 85, the status in words


def test_the_facilitator_pin_turns_this_tabs_sharing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A facilitator who reopens the room's link gets a new session, which shares live like a participant's;
    entering the PIN takes the tab off the projector (the tab that created the room never shared), and the
    switch can turn it on again."""
    pin = "2468-1357"
    monkeypatch.setenv("SONLA_BOARD_PIN", pin)
    get_board.clear()
    room = get_board().new_room()
    at = open_page("workshop", {"room": room})
    assert len(get_board().live_entries(room)) == 1
    at.text_input(key="workshop_pin").input(pin)
    click(at, "Xác nhận")
    assert get_board().live_entries(room) == []
    assert at.toggle(key="workshop_live_toggle").value is False
    assert any(m.value.startswith("Bạn đang điều phối phòng này.") for m in at.success)
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    assert get_board().live_entries(room) == []  # off stays off
    at.toggle(key="workshop_live_toggle").set_value(True).run()
    assert live_levers(room)[0]["new_coops"] == 60
