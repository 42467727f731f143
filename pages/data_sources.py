"""Data & sources: the targets in the source's words, the baseline with provenance (and its editor),
reported figures 2019–2025, the model's equations; downloads and the scenario upload first."""

from __future__ import annotations

import streamlit as st

from ui import cached, state
from ui.data_sources import (
    EQUATIONS,
    editor_frame,
    editor_key,
    observation_spec_filled,
    observations_table,
    observed_indicators,
    overridden_lines,
    overrides_from_editor,
    split_baseline,
    symbol_table,
    targets_table,
)
from ui.exports import render_downloads, render_upload, scenario_label
from ui.i18n import md_escape, t
from ui.keys import Keys
from ui.tables import grid, table_height

state.require_app()
plan = cached.get_plan()
lang = state.lang()
observations = cached.get_observations()

st.title(t("data_sources.title"))
st.caption(t("data_sources.intro"))

# ---------------------------------------------------------------- downloads
# Near the top (the page is long): every file of the current scenario, and the scenario upload.
st.subheader(t("exports.title"))
st.caption(t("exports.caption"))
name = st.text_input(
    t("exports.name"), key="data_sources_scenario_name", max_chars=80, help=t("exports.name_help"), placeholder=scenario_label()
)
render_downloads("data_sources", name=name)
render_upload("data_sources")

# ------------------------------------------------------------------ targets
st.subheader(t("data_sources.targets.title"))
st.markdown(t("data_sources.targets.source", title=plan.meta.source_title))
targets = targets_table(plan, lang)
grid(targets, key="data_sources_targets")
st.caption(t("data_sources.targets.caption"))

# ----------------------------------------------------------------- baseline
st.subheader(t("data_sources.baseline.title"))
st.caption(t("data_sources.baseline.caption"))
overrides = state.baseline_overrides()
generation = int(st.session_state.get(Keys.BASELINE_EDITS, 0))
shown = editor_frame(plan, overrides, lang)
edited = st.data_editor(
    shown,
    key=editor_key(overrides, generation),
    hide_index=True,
    width="stretch",
    height=table_height(len(plan.baseline)),
    num_rows="fixed",
    disabled=["id", "label", "unit", "overridden", "plan_value", "provenance", "note", "date", "source", "symbol"],
    column_order=["label", "value", "unit", "overridden", "plan_value", "provenance", "note", "date", "source", "symbol"],
    column_config={
        # Not pinned and medium width: on a phone the value column must still be in view.
        "label": st.column_config.TextColumn(t("data_sources.col.indicator"), width="medium"),
        "value": st.column_config.TextColumn(t("data_sources.col.value_used"), help=t("data_sources.baseline.value_help")),
        "unit": st.column_config.TextColumn(t("data_sources.col.unit")),
        "overridden": st.column_config.TextColumn(t("data_sources.col.overridden")),
        "plan_value": st.column_config.TextColumn(t("data_sources.col.plan_value")),
        "provenance": st.column_config.TextColumn(t("data_sources.col.provenance")),
        "note": st.column_config.TextColumn(t("data_sources.col.note")),
        "date": st.column_config.TextColumn(t("data_sources.col.date")),
        "source": st.column_config.LinkColumn(t("data_sources.col.source"), display_text=r"https?://(?:www\.)?([^/]+)/.*"),
        "symbol": st.column_config.TextColumn(t("data_sources.col.symbol")),
    },
)
# Only cells the user changed count (their text differs from `shown`). After applying or turning
# them down the editor gets a new key, so the next run starts with no edits and cannot rerun
# again: one rerun per edit, never one caused by the editor's own output.
wanted = overrides_from_editor(plan, shown, edited, overrides, lang)
if wanted != overrides:
    accepted, problems = split_baseline(plan, state.levers(), wanted, previous=overrides, lang=lang)
    if problems:
        # Turned-down cells go back to the values in use; the rest applies.
        st.session_state[Keys.BASELINE_REJECTED] = problems
    st.session_state[Keys.BASELINE_EDITS] = generation + 1
    state.set_baseline(accepted)
    st.rerun()
rejected = st.session_state.pop(Keys.BASELINE_REJECTED, None)
if rejected:
    st.error(t("data_sources.baseline.rejected") + "\n\n" + "\n".join(f"- {md_escape(p)}" for p in rejected), icon="🚫")

lines = overridden_lines(plan, overrides, lang)
if lines:
    st.info(t("data_sources.baseline.overridden") + "\n\n" + "\n".join(f"- {line}" for line in lines), icon="✏️")


def _restore() -> None:
    state.set_baseline({})


st.button(
    t("data_sources.baseline.restore"),
    key="data_sources_restore",
    icon="↩️",
    disabled=not overrides,
    help=t("data_sources.baseline.restore_help"),
    on_click=_restore,
)

# ------------------------------------------------------------- observations
st.subheader(t("data_sources.obs.title"))
st.caption(t("data_sources.obs.caption"))
year_end = cached.year_end(*state.scenario_key())
indicators = observed_indicators(plan, observations)
for row_start in range(0, len(indicators), 3):
    # One row of three panels at a time, so on a phone they stack in the plan's order.
    for column, indicator in zip(st.columns(3), indicators[row_start : row_start + 3], strict=False):
        target = plan.target(indicator)
        with column:
            st.markdown(f"**{target.label(lang)}** ({target.unit(lang)})")
            spec = observation_spec_filled(indicator, projected=year_end[indicator], lang=lang)
            st.vega_lite_chart(spec, width="stretch", key=f"data_sources_obs_{indicator}")

table = observations_table(plan, observations, lang)
grid(
    table,
    key="data_sources_observations",
    column_config={
        t("data_sources.col.source"): st.column_config.LinkColumn(display_text=r"https?://(?:www\.)?([^/]+)/.*"),
    },
)

# ---------------------------------------------------------------- equations
st.subheader(t("data_sources.eq.title"))
st.markdown(t("data_sources.eq.intro"))
with st.expander(t("data_sources.eq.show"), expanded=False):
    for key, latex in EQUATIONS:
        st.markdown(t(f"data_sources.eq.{key}"))
        st.latex(latex)
    st.markdown(f"**{t('data_sources.eq.symbols')}**")
    st.markdown(symbol_table(plan, lang))

