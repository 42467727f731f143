"""Scenario: every lever in its five groups, month-by-month charts with targets and
reported figures, and the year-end table."""

from __future__ import annotations

import streamlit as st

from ui import cached, exact, state, widgets
from ui.exports import render_table_downloads
from ui.i18n import t
from ui.keys import Keys
from ui.scenario_charts import chart_summary, chart_title, chosen_indicators, indicator_spec_with_path
from ui.scenario_levers import changed_in_group, group_expander, group_levers, lever_label, reset_group
from ui.tables import SCORECARD_KEY, headline, scorecard_view, show_table

state.require_app()
plan = cached.get_plan()
lang = state.lang()
year_end = cached.year_end(*state.scenario_key())
monthly = cached.monthly(*state.scenario_key())

st.title(t("scenario.title"))
st.caption(t("scenario.intro"))
st.markdown(f"**{headline(year_end)}**")

levers_col, charts_col = st.columns([2, 3], gap="large")

with levers_col:
    st.subheader(t("scenario.levers"))
    for index, group in enumerate(plan.groups):
        # Value boxes (− , value, +: three widgets each) in open groups only.
        box = group_expander(group, lang, first=index == 0)
        with box:
            with st.container(key=f"{exact.STACK}scenario_{group.id}"):
                for lever in group_levers(group):
                    widgets.lever_widget(lever.id, page="scenario", label=lever_label(lever, lang), help_text=lever.help(lang))
                    if box.open and lever.is_number:
                        box_key, box_label = exact.exact_key("scenario", lever.id), exact.box_label(lever.id, lang)
                        exact.exact_box(lever.id, key=box_key, label=box_label, language=lang)
            st.button(
                t("scenario.reset_group"),
                key=f"scenario_reset_{group.id}",
                on_click=reset_group,
                args=(group.id,),
                disabled=not changed_in_group(group),
                help=t("scenario.reset_group_help"),
            )

with charts_col:
    st.subheader(t("scenario.charts"))
    widgets.synced(
        st.multiselect,
        t("scenario.pick"),
        options=[target.id for target in plan.targets],
        format_func=lambda indicator_id: plan.target(indicator_id).label(lang),
        placeholder=t("scenario.pick_placeholder"),
        select_all=False,
        wrap=True,  # every chosen indicator visible, also on a phone
        store=Keys.CHART_IDS,
        key=Keys.labelled(Keys.CHART_PICKER, lang),
        value=chosen_indicators(),
        stored=list,
    )
    wide = st.toggle(t("scenario.show_reported"), key="scenario_show_reported", help=t("scenario.show_reported_help"))
    st.caption(t("scenario.legend_wide") if wide else t("scenario.legend"))
    chosen = chosen_indicators()
    if not chosen:
        st.info(t("scenario.pick_none"))
    for start in range(0, len(chosen), 2):
        for cell, indicator_id in zip(st.columns(2), chosen[start : start + 2], strict=False):
            with cell:
                st.markdown(chart_title(indicator_id, lang))
                st.caption(chart_summary(indicator_id, year_end[indicator_id], tolerance=state.tolerance()))
                spec = indicator_spec_with_path(monthly, indicator_id, lang=lang, wide=wide)
                st.vega_lite_chart(spec, width="stretch")

st.subheader(t("scenario.year_end"))
st.markdown(f"**{headline(year_end)}**")
# The same table as the overview (every row visible, no inner scrolling); what changed is on the overview.
show_table(scorecard_view(year_end).markdown, key=SCORECARD_KEY + "scenario")
st.caption(t("overview.reported_note"))
# The downloads under what they export: the year-end table and the month-by-month paths of the charts.
render_table_downloads("scenario", what="monthly")
