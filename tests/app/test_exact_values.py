"""Exact values (issue 9, item 1): every numeric lever typed in the locale's format and stepped with − / +.

The box (ui/exact.py) is the same widget in the sidebar, on the Scenario page and in the phone panel
(tests/app/test_phone.py covers the panel); here: how typed text is read, the sidebar and the Scenario
page, and the thousands of a large lever in a page of its own.
"""

from __future__ import annotations

import pytest
from apptools import make_app
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.text import number, tr
from ui.exact import Reading, exact_key, popover_key, read_number

PLAN = load_plan()
LANGS = ("vi", "en")


# ------------------------------------------------------------------ reading typed text


@pytest.mark.parametrize(
    ("lang", "text", "decimals", "expected"),
    [
        # The session's own format: read silently.
        ("vi", "61,5", 1, Reading(61.5, False)),
        ("vi", "5.000", 0, Reading(5000.0, False)),
        ("vi", "50.000", 0, Reading(50000.0, False)),  # exactly how the app writes 50 000: no note
        ("vi", "3.000,5", 1, Reading(3000.5, False)),
        ("vi", "−3,5", 1, Reading(-3.5, False)),  # the typographic minus the app shows
        ("vi", " 12 %", 1, Reading(12.0, False)),
        ("en", "61.5", 1, Reading(61.5, False)),
        ("en", "5,000", 0, Reading(5000.0, False)),
        ("en", "50,000", 0, Reading(50000.0, False)),
        ("en", "+3,000.5", 1, Reading(3000.5, False)),
        # Valid only the other language's way (a point then one digit groups no thousands): read so, and said.
        ("vi", "61.5", 1, Reading(61.5, True)),
        ("en", "61,5", 1, Reading(61.5, True)),
        ("en", "3.000,5", 1, Reading(3000.5, True)),
        # Valid both ways with different meanings: the session's way, and said unless written as the app would.
        ("en", "50.000", 0, Reading(50.0, True)),  # English reads 50 (a Vietnamese habit meant 50 000)
        ("vi", "1,500", 1, Reading(1.5, True)),  # Vietnamese reads 1,5 (an English habit meant 1 500)
        ("en", "1,500", 0, Reading(1500.0, False)),
    ],
)
def test_read_number(lang: str, text: str, decimals: int, expected: Reading) -> None:
    assert read_number(text, lang, decimals=decimals) == expected


@pytest.mark.parametrize("text", ["abc", "", "1.2.3,4,5", "12abc", "nan", "inf", "1e5", "--3", "5 HTX"])
@pytest.mark.parametrize("lang", LANGS)
def test_no_number(lang: str, text: str) -> None:
    assert read_number(text, lang, decimals=1) is None


# ------------------------------------------------------------------ the sidebar


def opened(page: str | None = None, *, lang: str = "vi") -> AppTest:
    """The app with the sidebar's boxes open (each lever's "Type a value, − / +" popover, as clicked)."""
    at = make_app(page, lang=lang)
    for lever_id in PLAN.main_levers:
        at.session_state[popover_key("sidebar", lever_id)] = True
    return at.run()


def test_sidebar_boxes_are_drawn_when_opened() -> None:
    """Cost: the sidebar is drawn on every page of every run; its boxes only while their popover is open."""
    at = make_app()
    assert not [w for w in at.text_input if w.key.startswith("sidebar_")]
    at.session_state[popover_key("sidebar", "new_coops")] = True
    at.run()
    assert [w.key for w in at.text_input if w.key.startswith("sidebar_")] == [exact_key("sidebar", "new_coops")]
    at.button(key=exact_key("sidebar", "new_coops") + "_up").click().run()  # stays open while used
    assert sidebar_box(at, "new_coops").value == "86"


def sidebar_box(at: AppTest, lever_id: str):  # AppTest's TextInput
    return at.text_input(key=exact_key("sidebar", lever_id))


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize(("lang", "typed"), [("vi", "61,5"), ("en", "61.5")])
def test_typing_in_the_sidebar_sets_the_lever_exactly(lang: str, typed: str) -> None:
    """Revenue growth 61.5 (the plan-implied value): 117 presses of the slider's arrow key, one typed value here."""
    at = opened(lang=lang)
    assert sidebar_box(at, "revenue_growth").value == number(3.0, lang, 1)  # vi 3,0 / en 3.0
    sidebar_box(at, "revenue_growth").set_value(typed).run()
    assert not at.exception
    assert at.session_state["levers"]["revenue_growth"] == pytest.approx(61.5)
    assert at.select_slider(key="sidebar_revenue_growth").value == pytest.approx(61.5)
    assert sidebar_box(at, "revenue_growth").value == typed
    assert not [c for c in captions(at) if typed in c]  # on the grid, the session's format: no note


@pytest.mark.parametrize(("lang", "typed", "read"), [("vi", "61.5", "61,5"), ("en", "61,5", "61.5")])
def test_the_other_convention_is_read_and_said(lang: str, typed: str, read: str) -> None:
    at = opened(lang=lang)
    sidebar_box(at, "revenue_growth").set_value(typed).run()
    assert at.session_state["levers"]["revenue_growth"] == pytest.approx(61.5)
    (note,) = [c for c in captions(at) if "61" in c]
    assert note.startswith(tr(lang, "phone.read_as", typed=typed.replace(".", r"\."), read=read, example=number(1234.5, lang, 1)))
    assert note.endswith(tr(lang, "phone.used", used=read))


@pytest.mark.parametrize("lang", LANGS)
def test_minus_and_plus_in_the_sidebar(lang: str) -> None:
    at = opened(lang=lang)
    at.button(key=exact_key("sidebar", "members_per_new_coop") + "_up").click().run()
    assert at.session_state["levers"]["members_per_new_coop"] == 13
    at.button(key=exact_key("sidebar", "income_growth") + "_down").click().run()
    assert at.session_state["levers"]["income_growth"] == pytest.approx(11.5)
    assert sidebar_box(at, "income_growth").value == number(11.5, lang, 1)
    assert at.select_slider(key="sidebar_income_growth").value == pytest.approx(11.5)


@pytest.mark.parametrize("lang", LANGS)
def test_bad_text_keeps_the_lever_and_says_so(lang: str) -> None:
    at = opened(lang=lang)
    sidebar_box(at, "new_coops").set_value("abc").run()
    assert not at.exception
    assert at.session_state["levers"]["new_coops"] == 85
    assert sidebar_box(at, "new_coops").value == "85"  # the box shows the value kept
    note = "⚠️ " + tr(lang, "phone.not_a_number", typed="abc", used="85", example=number(1234.5, lang, 1))
    assert note in captions(at)
    at.run()  # said once
    assert note not in captions(at)


def test_an_emptied_box_keeps_the_lever_silently() -> None:
    at = opened()
    sidebar_box(at, "dissolution_rate").set_value("").run()
    assert at.session_state["levers"]["dissolution_rate"] == 0.0
    assert sidebar_box(at, "dissolution_rate").value == "0,0"
    assert not [c for c in captions(at) if c.startswith("⚠️")]


# ------------------------------------------------------------------ the Scenario page


def scenario_box(at: AppTest, lever_id: str):
    return at.text_input(key=exact_key("scenario", lever_id))


@pytest.mark.parametrize("lang", LANGS)
def test_sidebar_slider_and_scenario_box_agree(lang: str) -> None:
    at = opened("scenario", lang=lang)
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    assert scenario_box(at, "new_coops").value == "60"
    scenario_box(at, "dissolution_rate").set_value(number(4.5, lang, 1)).run()
    assert at.session_state["levers"]["dissolution_rate"] == pytest.approx(4.5)
    assert at.select_slider(key="sidebar_dissolution_rate").value == pytest.approx(4.5)
    assert at.select_slider(key="scenario_dissolution_rate").value == pytest.approx(4.5)
    assert sidebar_box(at, "dissolution_rate").value == number(4.5, lang, 1)
    # The Scenario page's + and the sidebar's box.
    at.button(key=exact_key("scenario", "new_coops") + "_up").click().run()
    assert sidebar_box(at, "new_coops").value == "61"
    assert at.select_slider(key="sidebar_new_coops").value == 61


def test_off_grid_on_the_scenario_page_snaps_with_a_note() -> None:
    """Dissolution moves in 0.5 steps: 2,3 is 2,5; 25 is above the 0–20 range: 20,0."""
    at = make_app("scenario")
    scenario_box(at, "dissolution_rate").set_value("2,3").run()
    assert at.session_state["levers"]["dissolution_rate"] == pytest.approx(2.5)
    assert scenario_box(at, "dissolution_rate").value == "2,5"
    assert tr("vi", "phone.snapped", typed="2,3", step="0,5", used="2,5") in captions(at)
    scenario_box(at, "dissolution_rate").set_value("25").run()
    assert at.session_state["levers"]["dissolution_rate"] == pytest.approx(20.0)
    assert tr("vi", "phone.clamped", typed="25", lo="0,0", hi="20,0", used="20,0") in captions(at)


def test_scenario_boxes_in_open_groups_only() -> None:
    """Cost: a box is three widgets, drawn for the levers of open groups (the first one is open at first);
    a closed group's levers keep their sliders."""
    at = make_app("scenario")
    keys = {w.key for w in at.text_input}
    assert exact_key("scenario", "new_coops") in keys and exact_key("scenario", "dissolution_rate") in keys
    assert exact_key("scenario", "new_coop_revenue") not in keys
    assert at.select_slider(key="scenario_new_coop_revenue").value == 800
    at.session_state["scenario_group_revenue"] = True  # the browser opens the expander
    at.run()
    assert scenario_box(at, "new_coop_revenue").value == "800"
    assert not [w for w in at.text_input if w.key == exact_key("scenario", "formation_timing")]  # a choice: no box


# ------------------------------------------------------------------ thousands


def _boxes() -> None:
    import streamlit as st

    from ui import exact, state

    state.init_state()
    with st.container(key=f"{exact.STACK}test"):
        for lever_id in ("new_coop_revenue", "new_union_revenue"):
            exact.exact_box(lever_id, key=exact.exact_key("test", lever_id), label=lever_id, language=state.lang())


def boxes(lang: str) -> AppTest:
    at = AppTest.from_function(_boxes, default_timeout=60)
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize(("lang", "typed"), [("vi", "5.000"), ("en", "5,000")])
def test_thousands_in_the_locale_format(lang: str, typed: str) -> None:
    """New coops' revenue (0–10 000 million VND, steps of 50): shown and typed with the thousands separator."""
    at = boxes(lang)
    box = at.text_input(key=exact_key("test", "new_coop_revenue"))
    assert box.value == "800"
    box.set_value(typed).run()
    assert at.session_state["levers"]["new_coop_revenue"] == 5000
    assert at.text_input(key=exact_key("test", "new_coop_revenue")).value == typed
    assert not at.caption
    at.text_input(key=exact_key("test", "new_union_revenue")).set_value(number(15000, lang)).run()
    assert at.session_state["levers"]["new_union_revenue"] == 15000
    assert at.text_input(key=exact_key("test", "new_union_revenue")).value == number(15000, lang)  # 15.000 / 15,000


@pytest.mark.parametrize(("lang", "typed", "used"), [("vi", "50.000", "10.000"), ("en", "50,000", "10,000")])
def test_thousands_above_the_range_use_its_top(lang: str, typed: str, used: str) -> None:
    at = boxes(lang)
    at.text_input(key=exact_key("test", "new_coop_revenue")).set_value(typed).run()
    assert at.session_state["levers"]["new_coop_revenue"] == 10000
    assert at.text_input(key=exact_key("test", "new_coop_revenue")).value == used
    assert [c.value for c in at.caption] == [tr(lang, "phone.clamped", typed=typed, lo="0", hi=used, used=used)]


def test_steps_stop_at_the_ends() -> None:
    at = boxes("en")
    at.text_input(key=exact_key("test", "new_coop_revenue")).set_value("9,950").run()
    up = exact_key("test", "new_coop_revenue") + "_up"
    at.button(key=up).click().run()
    assert at.session_state["levers"]["new_coop_revenue"] == 10000
    assert at.button(key=up).disabled
    assert not at.button(key=exact_key("test", "new_coop_revenue") + "_down").disabled
