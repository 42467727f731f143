"""Workshop page: rooms, saving, listing across sessions, loading, deleting, the PIN, an unreachable database."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from apptools import click, markdown_tables, open_page
from streamlit.testing.v1 import AppTest

from store import Board, UnavailableError, dispose_engines
from ui.share import qr_png
from ui.workshop import get_board

PIN = "2468-1357"


@pytest.fixture(autouse=True)
def board_with_pin(board_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite board per test (conftest's board_db), with a facilitator PIN."""
    monkeypatch.setenv("SONLA_BOARD_PIN", PIN)
    get_board.clear()
    return board_db


def open_workshop(query: dict[str, str] | None = None) -> AppTest:
    return open_page("workshop", query)


def new_room(at: AppTest) -> str:
    click(at, "Tạo phòng mới")
    heading = at.subheader[0].value
    assert heading.startswith("Phòng ")
    return heading.removeprefix("Phòng ")


def room_list(at: AppTest) -> pd.DataFrame:
    """The room's list of saved scenarios (the first table on the page), one row per scenario."""
    return markdown_tables(at)[0].reset_index()


def save(at: AppTest, name: str, group: str = "") -> AppTest:
    at.text_input(key="workshop_name").input(name)
    at.text_input(key="workshop_group").input(group)
    return click(at, "Lưu vào phòng")


def test_create_room_save_and_list() -> None:
    at = open_workshop()
    room = new_room(at)
    assert at.query_params["room"] in (room, [room])  # the link carries the room
    save(at, "Nhóm 1: nhiều HTX", "Nhóm 1")
    assert not at.exception
    listed = room_list(at)
    assert list(listed["Tên"]) == ["Nhóm 1: nhiều HTX"]
    assert list(listed["Của tôi"]) == ["✓"]


def test_names_are_text_never_markup() -> None:
    """A name with HTML, Markdown and SQL is stored and shown exactly, and not rendered as markup."""
    at = open_workshop()
    new_room(at)
    name = "<b>x</b> **y** [z](javascript:1) '; DROP TABLE entries;--"
    save(at, name)
    assert room_list(at)["Tên"].tolist() == [name]
    message = at.success[0].value
    assert "\\*\\*y\\*\\*" in message and "\\[z\\]" in message  # escaped for Markdown


def test_another_browser_sees_the_entry_and_cannot_delete_it() -> None:
    first = open_workshop()
    room = new_room(first)
    save(first, "Kịch bản A")
    second = open_workshop({"room": room})
    assert second.subheader[0].value == f"Phòng {room}"
    assert room_list(second)["Tên"].tolist() == ["Kịch bản A"]
    delete = next(b for b in second.button if b.label == "Xóa")
    assert delete.disabled  # not this tab's entry, and not the facilitator
    # The facilitator's PIN allows it.
    second.text_input(key="workshop_pin").input(PIN)
    click(second, "Xác nhận")
    delete = next(b for b in second.button if b.label == "Xóa")
    assert not delete.disabled
    click(second, "Xóa")
    assert "Chưa có kịch bản nào" in second.info[-1].value or not markdown_tables(second)


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


def enter_pin(at: AppTest, pin: str) -> AppTest:
    at.text_input(key="workshop_pin").input(pin)
    return click(at, "Xác nhận")


def test_wrong_pins_make_the_tab_wait_not_the_facilitator() -> None:
    """Five wrong PINs make that tab wait; another tab (the facilitator) can still enter the PIN.
    Regression: the lock was per room, so one participant could lock the facilitator out."""
    first = open_workshop()
    room = new_room(first)
    for _ in range(5):
        enter_pin(first, "0000-0000")
    # 15 s after the last wrong try (a second or two less by the time the page is drawn on a busy machine).
    assert any("quá nhiều lần nhập sai" in w.value and re.search(r"1[0-5] giây", w.value) for w in first.warning)
    assert not any(ti.key == "workshop_pin" for ti in first.text_input)  # no box to type into while waiting
    facilitator = open_workshop({"room": room})
    enter_pin(facilitator, PIN)
    assert any("người điều phối của phòng" in s.value for s in facilitator.success), [e.value for e in facilitator.error]


def test_guessing_from_fresh_tabs_is_slowed_board_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a reload (a fresh tab) gave fresh tries, counted per room code the attacker chose.
    Wrong PINs are now counted for the whole board in its database, whatever the tab or room."""
    monkeypatch.setenv("SONLA_LIMIT_PIN_BOARD_FREE_TRIES", "3")
    get_board.clear()
    rooms = []
    for _ in range(3):
        tab = open_workshop()
        rooms.append(new_room(tab))
        enter_pin(tab, "0000-0000")
    again = open_workshop({"room": rooms[0]})
    assert any("quá nhiều lần nhập sai" in w.value for w in again.warning)


def test_facilitator_rights_hold_in_their_room_only() -> None:
    """Regression: facilitator status lasted the session, so a PIN entered in one room deleted entries in another."""
    other = open_workshop()
    other_room = new_room(other)
    save(other, "Của phòng khác")
    at = open_workshop()
    new_room(at)
    enter_pin(at, PIN)
    assert any("người điều phối của phòng" in s.value for s in at.success)
    click(at, "Rời phòng")
    at.text_input(key="workshop_code").input(other_room)
    click(at, "Vào phòng")
    assert at.subheader[0].value == f"Phòng {other_room}"
    assert next(b for b in at.button if b.label == "Xóa").disabled
    assert not any("người điều phối của phòng" in s.value for s in at.success)


def test_a_short_pin_turns_facilitator_mode_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONLA_BOARD_PIN", "2468")
    get_board.clear()
    at = open_workshop()
    new_room(at)
    assert any("Chế độ người điều phối đang tắt" in i.value and "8 ký tự" in i.value for i in at.info)
    assert not any(ti.key == "workshop_pin" for ti in at.text_input)


def test_facilitator_clears_and_keeps_the_room() -> None:
    at = open_workshop()
    room = new_room(at)
    save(at, "A")
    save(at, "B")
    enter_pin(at, PIN)
    clear = next(b for b in at.button if b.label == "Dọn sạch phòng")
    assert clear.disabled  # until the confirmation is ticked
    at.checkbox(key="workshop_clear_confirm").check().run()
    click(at, "Dọn sạch phòng")
    assert not at.exception
    assert any("Đã xóa 2 kịch bản" in s.value for s in at.success)
    assert get_board().list_entries(room) == []
    keep = next(tg for tg in at.toggle if tg.label.startswith("Giữ phòng này"))
    keep.set_value(True).run()
    info = get_board().room(room)
    assert info is not None and info.keep
    assert any("đã giữ phòng này" in c.value for c in at.caption)


def test_room_creation_is_rate_limited_per_tab() -> None:
    """Regression: one anonymous tab made 25 rooms in 4 s with the button."""
    at = open_workshop()
    for _ in range(5):
        new_room(at)
        click(at, "Rời phòng")
    click(at, "Tạo phòng mới")
    assert any("quá nhiều phòng" in e.value for e in at.error)
    assert at.subheader[0].value == "Vào phòng hội thảo"


def test_unreachable_database_says_so_and_the_app_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONLA_DATABASE_URL", "postgresql://nobody:s3cret@127.0.0.1:1/none")
    get_board.clear()
    at = open_workshop()
    assert any("không dùng được" in e.value for e in at.error)
    shown = " ".join(str(getattr(el, "value", "")) for el in at.main)
    # Regression: a "technical detail" line showed the database host and port to anonymous visitors.
    assert "127.0.0.1" not in shown and "s3cret" not in shown and "nobody" not in shown and "psycopg" not in shown.lower()
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
    assert room_list(again)["Tên"].tolist() == ["Bền vững"]


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
    at.button(key="sidebar_reset").click().run()
    assert "new_coops" not in at.query_params
    click(at, "Mở kịch bản này")
    assert at.select_slider(key="sidebar_new_coops").value == 100
    assert at.query_params["new_coops"] in ("100", ["100"])


def test_joining_a_code_that_does_not_exist_says_so() -> None:
    """A mistyped (or expired) code is refused with a message instead of opening an empty room."""
    at = open_workshop()
    at.text_input(key="workshop_code").input("ab2cd")
    click(at, "Vào phòng")
    assert at.subheader[0].value == "Vào phòng hội thảo"
    assert any("Không có phòng AB2CD" in e.value for e in at.error)
    # The same through a link: the room parameter names no room.
    linked = open_workshop({"room": "AB2CD"})
    assert linked.subheader[0].value == "Vào phòng hội thảo"
    assert any("Không có phòng AB2CD" in e.value for e in linked.error)


def test_joining_a_fresh_room_with_the_right_code_does_not_warn() -> None:
    """Regression: a participant joining the facilitator's new (still empty) room was told to check the code."""
    facilitator = open_workshop()
    room = new_room(facilitator)
    participant = open_workshop()
    participant.text_input(key="workshop_code").input(room.lower())
    click(participant, "Vào phòng")
    assert participant.subheader[0].value == f"Phòng {room}"
    assert not participant.warning and not participant.error


def test_a_refused_save_keeps_what_was_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A save during an outage says it was not saved, and the name typed is still there to try again."""
    at = open_workshop()
    room = new_room(at)

    real_save = Board.save

    def down(*_args: object, **_kwargs: object) -> None:
        raise UnavailableError("OperationalError: disk I/O error")

    monkeypatch.setattr(Board, "save", down)
    save(at, "Nhóm 3: thận trọng", "Nhóm 3")
    assert any(e.value.startswith("Chưa lưu.") and "không dùng được" in e.value for e in at.error)
    assert at.text_input(key="workshop_name").value == "Nhóm 3: thận trọng"
    assert "disk I/O" not in " ".join(str(getattr(el, "value", "")) for el in at.main)
    monkeypatch.setattr(Board, "save", real_save)  # the database is back
    click(at, "Lưu vào phòng")
    assert any("Đã lưu" in m.value for m in at.success)
    assert at.text_input(key="workshop_name").value == ""  # cleared once it landed
    assert [e.name for e in get_board().list_entries(room)] == ["Nhóm 3: thận trọng"]


def test_the_page_recovers_by_itself_when_the_database_is_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: after an outage the Workshop tab kept saying "unavailable" (the list sat after st.stop())."""
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the board's folder should be")
    monkeypatch.setenv("SONLA_BOARD_DB", str(blocked / "board.sqlite"))
    get_board.clear()
    at = open_workshop()
    assert any("không dùng được" in e.value for e in at.error)
    assert any("tự thử kết nối lại" in c.value for c in at.caption)
    blocked.unlink()  # the database can be used again; the same server, the same cached Board
    at.run()  # what the page's 5-second check triggers (a whole-app rerun) once the board answers
    assert not at.error and not at.exception
    assert at.subheader[0].value == "Vào phòng hội thảo"


def test_the_room_qr_code_is_made_only_when_asked_for() -> None:
    """A QR code took ~40 % of the Workshop page's server time under load (every lever move changes the link):
    it is drawn only while its expander is open, and each link's image is made once."""
    at = open_workshop()
    room = new_room(at)
    at.select_slider(key="sidebar_new_coops").set_value(120).run()
    assert not at.exception
    assert not at.get("imgs")  # no QR image on the page until the expander is opened
    assert any(e.label == f"Mã QR vào phòng {room} (để chiếu lên màn hình)" for e in at.expander)
    assert qr_png("http://x/workshop?room=ABCD") is qr_png("http://x/workshop?room=ABCD")
