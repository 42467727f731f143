"""Workshop page: rooms, saving, listing across sessions, loading, deleting, the PIN, an unreachable database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apptools import APP
from streamlit.testing.v1 import AppTest

from store import dispose_engines
from ui.workshop import PinGuard, get_board, pin_guard


@pytest.fixture(autouse=True)
def board_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite board per test (the Board is a cached resource: clear it around each test)."""
    db = tmp_path / "board.sqlite"
    monkeypatch.setenv("SONLA_BOARD_DB", str(db))
    monkeypatch.setenv("SONLA_BOARD_PIN", "2468")
    monkeypatch.delenv("SONLA_DATABASE_URL", raising=False)
    get_board.clear()
    pin_guard.clear()
    yield db
    get_board.clear()
    pin_guard.clear()
    dispose_engines()


def open_workshop(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page("pages/workshop.py")
    at.run()
    assert not at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def new_room(at: AppTest) -> str:
    click(at, "Tạo phòng mới")
    heading = at.subheader[0].value
    assert heading.startswith("Phòng ")
    return heading.removeprefix("Phòng ")


def save(at: AppTest, name: str, group: str = "") -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(group)
    return click(at, "Lưu vào phòng")


def test_create_room_save_and_list() -> None:
    at = open_workshop()
    room = new_room(at)
    assert at.query_params["room"] in (room, [room])  # the link carries the room
    save(at, "Nhóm 1: nhiều HTX", "Nhóm 1")
    assert not at.exception
    listed = at.dataframe[0].value
    assert list(listed["Tên"]) == ["Nhóm 1: nhiều HTX"]
    assert list(listed["Của tôi"]) == ["✓"]


def test_names_are_text_never_markup() -> None:
    """A name with HTML, Markdown and SQL is stored and shown exactly, and not rendered as markup."""
    at = open_workshop()
    new_room(at)
    name = "<b>x</b> **y** [z](javascript:1) '; DROP TABLE entries;--"
    save(at, name)
    assert at.dataframe[0].value["Tên"].tolist() == [name]
    message = at.success[0].value
    assert "\\*\\*y\\*\\*" in message and "\\[z\\]" in message  # escaped for Markdown


def test_another_browser_sees_the_entry_and_cannot_delete_it() -> None:
    first = open_workshop()
    room = new_room(first)
    save(first, "Kịch bản A")
    second = open_workshop({"room": room})
    assert second.subheader[0].value == f"Phòng {room}"
    assert second.dataframe[0].value["Tên"].tolist() == ["Kịch bản A"]
    delete = next(b for b in second.button if b.label == "Xóa")
    assert delete.disabled  # not this tab's entry, and not the facilitator
    # The facilitator's PIN allows it.
    second.text_input(key="workshop_pin").input("2468")
    click(second, "Xác nhận")
    delete = next(b for b in second.button if b.label == "Xóa")
    assert not delete.disabled
    click(second, "Xóa")
    assert "Chưa có kịch bản nào" in second.info[-1].value or not second.dataframe


def test_wrong_pin_is_refused() -> None:
    at = open_workshop()
    new_room(at)
    at.text_input(key="workshop_pin").input("0000")
    click(at, "Xác nhận")
    assert any("Mã PIN không đúng" in e.value for e in at.error)


def test_load_applies_the_saved_scenario() -> None:
    at = open_workshop()
    new_room(at)
    at.select_slider(key="sidebar_new_coops").set_value(120).run()
    save(at, "120 HTX")
    at.select_slider(key="sidebar_new_coops").set_value(85).run()
    click(at, "Mở kịch bản này")
    assert at.select_slider(key="sidebar_new_coops").value == 120
    assert any("120 HTX" in s.value for s in at.success)


def test_bad_room_code_and_empty_name() -> None:
    at = open_workshop()
    at.text_input(key="workshop_code").input("a!")
    click(at, "Vào phòng")
    assert any("Mã phòng gồm" in e.value for e in at.error)
    new_room(at)
    save(at, "   ")
    assert any("Hãy đặt tên" in e.value for e in at.error)


def test_wrong_pins_lock_the_tab_not_the_facilitator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five wrong PINs lock that tab; another tab (the facilitator) can still enter the PIN.
    Regression: the lock was per room, so one participant could lock the facilitator out."""
    first = open_workshop()
    room = new_room(first)
    for _ in range(5):
        first.text_input(key="workshop_pin").input("0000")
        click(first, "Xác nhận")
    first.run()
    assert any("quá nhiều lần" in e.value for e in first.error)
    facilitator = open_workshop({"room": room})
    facilitator.text_input(key="workshop_pin").input("2468")
    click(facilitator, "Xác nhận")
    assert any("người điều phối" in s.value for s in facilitator.success), [e.value for e in facilitator.error]


def test_room_wide_cap_stops_reload_brute_force(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reloading gives a tab fresh tries, but the room as a whole has a cap on the server."""
    monkeypatch.setattr("ui.workshop.ROOM_PIN_TRIES", 3)
    pin_guard.clear()
    first = open_workshop()
    room = new_room(first)
    for _ in range(3):
        first.text_input(key="workshop_pin").input("0000")
        click(first, "Xác nhận")
    again = open_workshop({"room": room})
    assert any("quá nhiều lần" in e.value for e in again.error)


def test_pin_guard_unlocks_after_the_window() -> None:
    guard = PinGuard(tries=2, seconds=60)
    guard.record_wrong("ABCD", now=0)
    guard.record_wrong("ABCD", now=1)
    assert guard.locked("ABCD", now=2) and not guard.locked("WXYZ", now=2)
    assert not guard.locked("ABCD", now=61)


def test_unreachable_database_says_so_and_the_app_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONLA_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_board.clear()
    at = open_workshop()
    assert any("không dùng được" in e.value for e in at.error)
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "5/17 chỉ tiêu đạt, 3 gần đạt"


def test_saved_entries_survive_a_restart(board_db: Path) -> None:
    at = open_workshop()
    room = new_room(at)
    save(at, "Bền vững")
    get_board.clear()
    dispose_engines()
    again = open_workshop({"room": room})
    assert again.dataframe[0].value["Tên"].tolist() == ["Bền vững"]


def test_room_scenarios_on_the_compare_page() -> None:
    """The facilitator compares every group on the Compare page: the room's entries become its columns."""
    at = open_workshop()
    room = new_room(at)
    at.select_slider(key="sidebar_new_coops").set_value(120).run()
    save(at, "Nhóm A")
    at.select_slider(key="sidebar_new_coops").set_value(40).run()
    save(at, "Nhóm B")
    at.switch_page("pages/compare.py")
    at.run()
    click(at, f"Thêm các kịch bản của phòng {room}")
    assert not at.exception
    selection = at.session_state["compare_selection"]
    assert selection[-2:] == [f"upload:board-{room}-2", f"upload:board-{room}-1"]
    assert "current" in selection  # added to what was picked, not instead of it
    table = at.dataframe[0].value
    columns = " ".join(map(str, table.columns))
    assert f"{room} · Nhóm A" in columns and f"{room} · Nhóm B" in columns


def test_load_updates_the_sidebar_and_the_link() -> None:
    """Regression: Load ran inside the list's fragment, so only the list reran: the sidebar slider and
    the link (and its QR code) kept the old scenario until the next full rerun."""
    at = open_workshop()
    new_room(at)
    at.select_slider(key="sidebar_new_coops").set_value(100).run()
    save(at, "100 HTX")
    click(at, "Đặt lại mặc định")
    assert "new_coops" not in at.query_params
    click(at, "Mở kịch bản này")
    assert at.select_slider(key="sidebar_new_coops").value == 100
    assert at.query_params["new_coops"] in ("100", ["100"])


def test_joining_an_empty_room_warns() -> None:
    """A mistyped code opens an empty room: the page says so."""
    at = open_workshop()
    at.text_input(key="workshop_code").input("ab2cd")
    click(at, "Vào phòng")
    assert at.subheader[0].value == "Phòng AB2CD"
    assert any("chưa có kịch bản nào" in w.value for w in at.warning)
