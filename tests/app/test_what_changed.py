"""What changed (issue 9, item 2): after a change the Overview's scorecard marks the targets whose status
flipped ("✅ → ❌") and shows how far each projection moved, against the previous scenario or, on demand,
against the plan's default."""

from __future__ import annotations

import pandas as pd
import pytest
from apptools import make_app, markdown_tables
from streamlit.testing.v1 import AppTest

from model.engine import project, statuses
from model.plan import load_plan
from model.settings import DEFAULT_TOLERANCE
from model.text import tr
from ui import tables

PLAN = load_plan()
TOL = DEFAULT_TOLERANCE  # the session's tolerance in these tests
NEW_COOPS = "Hợp tác xã thành lập mới"
COOPS = "Tổng số hợp tác xã cuối năm"


def card(at: AppTest) -> pd.DataFrame:
    """The Overview's scorecard as read (bold marks without their asterisks), indexed by the indicator."""
    return markdown_tables(at)[0].replace(r"^\*\*(.*)\*\*$", r"\1", regex=True)


def flipped_by_model(before: dict[str, object], after: dict[str, object]) -> set[str]:
    """The targets whose status differs between two scenarios, from the model alone."""
    a = statuses(PLAN, project(PLAN, PLAN.defaults() | before).year_end_dict(), TOL)
    b = statuses(PLAN, project(PLAN, PLAN.defaults() | after).year_end_dict(), TOL)
    return {i for i in a if a[i] != b[i]}


def marked(at: AppTest, lang: str = "vi") -> set[str]:
    """Labels of the rows whose status cell carries the "→" mark."""
    status = card(at)[tr(lang, "table.status")]
    return set(status.index[status.str.contains("→")])


def labels(ids: set[str], lang: str = "vi") -> set[str]:
    return {PLAN.target(i).label(lang) for i in ids}


def test_before_any_change_nothing_is_marked() -> None:
    at = make_app()
    assert not at.exception
    table = card(at)
    assert "Thay đổi" in table.columns
    assert (table["Thay đổi"] == "").all()
    assert marked(at) == set()
    assert any(c.value.startswith("Khi bạn thay đổi kịch bản") for c in at.caption)


def test_new_coops_85_to_60_marks_exactly_the_flipped_targets() -> None:
    at = make_app()
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    assert not at.exception
    expected = flipped_by_model({}, {"new_coops": 60})
    assert expected and "new_coops" in expected
    assert marked(at) == labels(expected)
    table = card(at)
    assert table.loc[NEW_COOPS, "Đánh giá"] == "✅ → ❌ Chưa đạt"
    assert table.loc[NEW_COOPS, "Thay đổi"] == "−25"
    assert table.loc[COOPS, "Thay đổi"] == "−25"  # 815 + 60 instead of 815 + 85
    # A projection the lever does not reach has an empty cell.
    assert table.loc[PLAN.target("unions").label("vi"), "Thay đổi"] == ""
    caption = next(c.value for c in at.caption if c.value.startswith("So với kịch bản trước"))
    assert f"{len(expected)} chỉ tiêu đổi đánh giá" in caption
    # The marks stay on a rerun that changed nothing (a page switch or language does not clear them).
    at.run()
    assert marked(at) == labels(expected)


def test_the_next_move_compares_with_the_one_before() -> None:
    at = make_app()
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    at.select_slider(key="sidebar_new_coops").set_value(50).run()
    assert card(at).loc[NEW_COOPS, "Thay đổi"] == "−10"
    assert marked(at) == labels(flipped_by_model({"new_coops": 60}, {"new_coops": 50}))


def test_against_the_plans_default_on_demand() -> None:
    at = make_app()
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    at.select_slider(key="sidebar_new_coops").set_value(50).run()
    at.toggle(key="overview_against_default").set_value(True).run()
    assert not at.exception
    table = card(at)
    assert table.loc[NEW_COOPS, "Thay đổi"] == "−35"
    assert marked(at) == labels(flipped_by_model({}, {"new_coops": 50}))
    assert any(c.value.startswith("So với kịch bản mặc định của kế hoạch") for c in at.caption)
    # Back at the defaults: nothing differs.
    at.select_slider(key="sidebar_new_coops").set_value(85).run()
    assert marked(at) == set()
    assert (card(at)["Thay đổi"] == "").all()
    assert any(c.value.startswith("Đây là kịch bản mặc định") for c in at.caption)
    # Off again: against the previous scenario (50 new coops).
    at.toggle(key="overview_against_default").set_value(False).run()
    assert card(at).loc[NEW_COOPS, "Thay đổi"] == "+35"


def test_english_view() -> None:
    at = make_app(lang="en")
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    table = card(at)
    new_coops = PLAN.target("new_coops").label("en")
    assert table.loc[new_coops, "Change"] == "−25"
    assert table.loc[new_coops, "Status"] == "✅ → ❌ Missed"
    assert marked(at, "en") == labels(flipped_by_model({}, {"new_coops": 60}), "en")


@pytest.mark.parametrize("page", ["scenario"])
def test_other_scorecards_keep_their_columns(page: str) -> None:
    """The Scenario page's year-end table has no "change" column (what changed is the Overview's)."""
    at = make_app(page)
    assert "Thay đổi" not in markdown_tables(at)[0].columns


def test_a_rerun_finds_the_table_in_the_cache() -> None:
    """Cheap: a rerun that changed nothing builds no table (the view is cached by both scenarios' values)."""
    at = make_app()
    at.select_slider(key="sidebar_new_coops").set_value(60).run()
    hits = tables._scorecard_view.cache_info().hits
    misses = tables._scorecard_view.cache_info().misses
    at.run()
    assert tables._scorecard_view.cache_info().misses == misses
    assert tables._scorecard_view.cache_info().hits > hits
