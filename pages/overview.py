"""Overview: the headline and the scorecard of all 17 targets, with reported figures beside them."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import STATUS_ICONS, t
from ui.tables import headline, scorecard_table, status_counts, styled_scorecard

state.require_app()
plan = state.get_plan()
lang = state.lang()
year_end = state.year_end(*state.scenario_key())

st.title(t("overview.title"))
preset_id = state.matching_preset()
scenario_name = plan.preset(preset_id).label(lang) if preset_id else t("sidebar.custom")
st.caption(t("overview.scenario_label", name=scenario_name))

st.subheader(headline(year_end))
counts = status_counts(year_end)
st.markdown(
    " · ".join(f"{STATUS_ICONS[s]} **{counts[s]}** {t('status.' + s)}" for s in ("reached", "close", "missed"))
)

table = scorecard_table(year_end)
st.table(styled_scorecard(table))
st.caption(t("overview.reported_note"))
st.info(t("overview.assumptions_note"), icon="ℹ️")
