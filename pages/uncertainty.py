"""Uncertainty: thousands of plausible years around the current scenario (Monte Carlo) — in how many of
100 each target is reached, beside the current scenario and why they differ; low / middle / high years,
the month-by-month band and, next to it, the range each lever moves in. Years tried and their code (the
seed) are settings."""

from __future__ import annotations

import contextlib

import streamlit as st

from model.settings import MAX_DRAWS, MAX_SEED, MIN_DRAWS
from ui import cached, state, widgets
from ui import uncertainty as mc
from ui.i18n import heading, num, t
from ui.keys import Keys
from ui.tables import grid

state.require_app()
plan = cached.get_plan()
lang = state.lang()
session = st.session_state

st.title(t("uncertainty.title"))
st.caption(t("uncertainty.intro"))

draws, seed, problems = mc.settings(session)
for problem in problems:
    st.warning(t("uncertainty.repaired_" + problem, seed=num(seed), draws=num(draws)))

col_draws, col_seed, col_button = st.columns([2, 2, 1], vertical_alignment="bottom")
with col_draws:
    widgets.synced(
        st.number_input,
        t("uncertainty.draws"),
        min_value=MIN_DRAWS,
        max_value=MAX_DRAWS,
        step=mc.DRAWS_STEP,
        help=t("uncertainty.draws_help"),
        store=Keys.DRAWS,
        key=Keys.DRAWS_WIDGET,
        value=draws,
        stored=int,
    )
with col_seed:
    widgets.synced(
        st.number_input,
        t("uncertainty.seed"),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        help=t("uncertainty.seed_help"),
        store=Keys.SEED,
        key=Keys.SEED_WIDGET,
        value=seed,
        stored=int,
    )
with col_button:
    st.button(t("uncertainty.new_seed"), key="uncertainty_new_seed", on_click=mc.new_seed, args=(session,), width="stretch")

lever_items, baseline_items = state.scenario_key()
# A spinner only for a run long enough to notice (no show_time: its "(0.4 seconds)" is English).
running = st.spinner(t("uncertainty.running", draws=num(draws))) if draws > mc.SLOW_DRAWS else contextlib.nullcontext()
with running:
    result = cached.montecarlo_result(lever_items, baseline_items, draws, seed)

# ---------------------------------------------------------------- in plain words
year_end = cached.year_end(lever_items, baseline_items)
levers = state.levers()
pulls = cached.pulls(lever_items, baseline_items)
st.subheader(t("uncertainty.table_title", draws=num(draws), seed=seed))
st.markdown(mc.reached_summary(plan, result, lang=lang))
st.markdown(mc.central_count_text(plan, result, year_end, lang=lang))
st.markdown(f"**{t('uncertainty.per_target_title')}**")
st.markdown("\n".join("- " + line for line in mc.target_lines(plan, result, year_end, pulls, levers, lang=lang)))

# ---------------------------------------------------------------- table
summary = mc.summary_table(plan, result, year_end, lang=lang)
helps = mc.column_help(lang)
grid(
    summary,
    key="uncertainty_table",
    column_config={
        t("table.indicator"): st.column_config.TextColumn(pinned=True),
        **{column: st.column_config.TextColumn(help=text) for column, text in helps.items()},
    },
)
st.caption(t("uncertainty.table_note", draws=num(draws), margin=mc.margin_text(draws, lang)))

# ---------------------------------------------------------------- fan chart
st.subheader(t("uncertainty.chart_title"))


@st.fragment
def fan(result: mc.MonteCarloResult, scenario: tuple[cached.LeverItems, cached.BaselineItems]) -> None:
    """The fan chart of one indicator: choosing another reruns only this part."""
    indicator = widgets.indicator_select(t("uncertainty.indicator"), key=Keys.UNCERTAINTY_INDICATOR)
    target = plan.target(indicator)
    unit = target.unit(lang)
    projection = cached.monthly(*scenario)[indicator]
    year = plan.meta.year
    frame = mc.fan_frame(result, projection, indicator, year=year, lang=lang)
    spec = mc.fan_spec_filled(frame, target=target.value, unit=unit, decimals=target.decimals, year=year, lang=lang)
    st.markdown(heading(target.label(lang), unit))
    st.vega_lite_chart(spec, width="stretch", alt=t("uncertainty.chart_alt", label=target.label(lang)))
    st.caption(t("uncertainty.chart_note"))


fan(result, (lever_items, baseline_items))

# ---------------------------------------------------------------- the ranges, next to the chart
st.subheader(t("uncertainty.ranges_title"))
st.markdown(t("uncertainty.method"))
note = mc.lopsided_note(plan, levers, lang=lang)
if note:
    st.info(note, icon=":material/info:")
ranges = mc.draw_ranges(plan, levers, lang=lang)
grid(
    ranges,
    key="uncertainty_ranges",
    column_config={t("uncertainty.col_lever"): st.column_config.TextColumn(pinned=True)},
)
