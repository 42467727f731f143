"""Scenario page: every lever in its groups, shared with the sidebar; charts; the year-end table."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from apptools import make_app, markdown_tables
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.text import LANGS

PLAN = load_plan()
NUMERIC_LEVERS = [lv.id for lv in PLAN.levers if lv.is_number]


def scenario_page(lang: str = "vi") -> AppTest:
    return make_app("scenario", lang=lang)


def year_end_table(at: AppTest) -> pd.DataFrame:
    """The year-end table, indexed by indicator label (no-break spaces made plain)."""
    return markdown_tables(at)[0]  # indexed by the indicator label


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def vi_int(text: str) -> int:
    """ "36.069" (vi thousands separator) → 36069."""
    return int(text.replace(".", ""))


@pytest.mark.parametrize("lang", LANGS)
def test_every_lever_chart_and_table(lang: str) -> None:
    """(That the page runs and shows its title: tests/app/test_smoke.py.)"""
    at = scenario_page(lang)
    # Every lever of the plan has a control on this page: sliders for numbers, a radio for the timing.
    for lever_id in NUMERIC_LEVERS:
        assert at.select_slider(key=f"scenario_{lever_id}").value == pytest.approx(float(PLAN.lever(lever_id).default))
    assert at.radio(key="scenario_formation_timing").value == "even"
    # Five groups, in the plan's order, labelled in the session language.
    labels = [e.label for e in at.expander if e.label.startswith("**")]
    assert labels == [f"**{g.label(lang)}**" for g in PLAN.groups]
    # Default charts: coops, members, revenue per coop, workers.
    assert len(charts(at)) == 4
    assert len(markdown_tables(at)) == 1 and len(year_end_table(at)) == 17


def test_wide_view_and_empty_choice_do_not_break() -> None:
    at = scenario_page()
    at.toggle(key="scenario_show_reported").set_value(True).run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in charts(at)]
    # The wide view adds the reported figures: more layers than the 2023-only view.
    assert all(len(spec["layer"]) > 5 for spec in specs)
    at.multiselect(key="scenario_indicators_vi").set_value([]).run()
    assert not at.exception
    assert len(charts(at)) == 0
    assert at.info[0].value.startswith("Chưa chọn chỉ tiêu nào")


def test_new_coops_60_here_moves_table_and_sidebar() -> None:
    """815 + 60 = 875 coops: 97.2 % of 900, within the 5 % tolerance → close; 60 of 85 new coops → missed."""
    at = scenario_page()
    at.select_slider(key="scenario_new_coops").set_value(60).run()
    assert not at.exception
    table = year_end_table(at)
    assert table.loc["Tổng số hợp tác xã cuối năm", "Dự báo cuối năm"] == "875"
    assert table.loc["Tổng số hợp tác xã cuối năm", "Đánh giá"] == "🟡 Gần đạt"
    assert table.loc["Hợp tác xã thành lập mới", "Dự báo cuối năm"] == "60"
    assert table.loc["Hợp tác xã thành lập mới", "Đánh giá"] == "❌ Chưa đạt"
    # One scenario: the sidebar's slider for the same lever shows the new value.
    assert at.select_slider(key="sidebar_new_coops").value == 60
    # The moved lever is marked with its default; its group header counts it.
    assert "mặc định: 85" in at.select_slider(key="scenario_new_coops").label
    formation = next(e for e in at.expander if e.key == "scenario_group_formation")
    assert "1 đã đổi" in formation.label
    assert "mặc định" not in at.select_slider(key="scenario_dissolution_rate").label


def test_sidebar_lever_shows_on_this_page() -> None:
    at = scenario_page()
    at.select_slider(key="sidebar_members_per_new_coop").set_value(20).run()
    assert at.select_slider(key="scenario_members_per_new_coop").value == 20


def test_front_loaded_foundings_give_more_members_than_even() -> None:
    """Founding members grow with the rest for the months left in the year (+2 %/yr, g = 1.02^(1/12)).

    Even: 34,350·1.02 + 85·12/12 · Σ_{j=0..11} g^j = 35,037 + 1,020/12 · 12.109 ≈ 36,066.3.
    Front-loaded (weights (13 − m)/78): 35,037 + 1,020/78 · Σ_{j=0..11} (j + 1) g^j
    = 35,037 + 1,020/78 · 78.945 ≈ 36,069.4: earlier founders grow longer, about 3 more members.
    """
    at = scenario_page()
    even = vi_int(year_end_table(at).loc["Thành viên hợp tác xã", "Dự báo cuối năm"])
    at.radio(key="scenario_formation_timing").set_value("front").run()
    assert not at.exception
    front = vi_int(year_end_table(at).loc["Thành viên hợp tác xã", "Dự báo cuối năm"])
    assert even == pytest.approx(36_066, abs=1)
    assert front == pytest.approx(36_069, abs=1)
    assert front > even
    # Coops at year end do not depend on timing when nothing dissolves.
    assert year_end_table(at).loc["Tổng số hợp tác xã cuối năm", "Dự báo cuối năm"] == "900"
    assert "mặc định: Đều các tháng" in at.radio(key="scenario_formation_timing").label


def test_reset_group_puts_only_that_group_back() -> None:
    at = scenario_page()
    at.select_slider(key="scenario_new_coops").set_value(60).run()
    at.select_slider(key="scenario_revenue_growth").set_value(10.0).run()
    at.button(key="scenario_reset_formation").click().run()
    assert not at.exception
    assert at.select_slider(key="scenario_new_coops").value == 85
    assert at.select_slider(key="scenario_revenue_growth").value == pytest.approx(10.0)
    assert at.button(key="scenario_reset_formation").disabled
    assert not at.button(key="scenario_reset_revenue").disabled


def test_chosen_indicators_survive_a_language_switch() -> None:
    at = scenario_page()
    at.multiselect(key="scenario_indicators_vi").set_value(["worker_income", "unions"]).run()
    assert len(charts(at)) == 2
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.multiselect(key="scenario_indicators_en").value == ["worker_income", "unions"]
    assert len(charts(at)) == 2


# ---------------------------------------------------------------- charts (issue 9, item 6)


def test_reported_figure_labels_keep_off_the_path_and_the_target() -> None:
    """Issue 9: on the wide view the labels of reported figures collided with the projected path and the target's
    rule: "770" (Oct 2022) sat on the path rising from 815; "871" (Apr 2024, in operation) on the 900 rule; "34.350"
    members on the path's start. Near the plan year, a figure at or below the baseline-or-target goes under its
    point; others keep their places (588 in 2019 above)."""
    from ui.cached import get_observations
    from ui.scenario_charts import observation_frame

    at = make_app("scenario", lang="vi")
    assert not at.exception
    coops = observation_frame(get_observations(), "coops", lang="vi").set_index("label")["place"]
    assert coops["770"] == "below" and coops["871"] == "below" and coops["588"] == "above"
    members = observation_frame(get_observations(), "members", lang="vi").set_index("label")["place"]
    assert members["34.350"] == "below"


def test_chart_captions_name_the_colours_drawn() -> None:
    """Issue 9: captions said "orange" for the target's red-orange rule (ui.charts.TARGET, #D55E00), the colour
    a Compare scenario line could have. Each caption naming the target's colour says red-orange."""
    from model.text import tr
    from ui.charts import PROJECTION, TARGET

    assert (TARGET, PROJECTION) == ("#D55E00", "#0072B2")  # red-orange (vermillion) and blue
    for key in ("scenario.legend", "scenario.legend_wide", "compare.chart_note", "uncertainty.chart_note"):
        assert "đỏ cam" in tr("vi", key), key
        assert "red-orange" in tr("en", key), key
        assert "màu cam:" not in tr("vi", key) and "orange rule" not in tr("en", key).replace("red-orange", "")
