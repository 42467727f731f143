"""Overview: the headline and the scorecard of all 17 targets, with reported figures beside them."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import STATUS_ICONS, t
from ui.phone import participant_panel
from ui.tables import SCORECARD_KEY, scorecard_view, show_table

state.require_app()
plan = state.get_plan()
lang = state.lang()
year_end = state.year_end(*state.scenario_key())

st.title(t("overview.title"))
preset_id = state.matching_preset()
scenario_name = plan.preset(preset_id).label(lang) if preset_id else t("sidebar.custom")
st.caption(t("overview.scenario_label", name=scenario_name))
participant_panel("overview", year_end=year_end)  # on a phone: the result kept in view and the main levers in the page

view = scorecard_view(year_end)
st.subheader(view.headline)
counts = view.counts
st.markdown(
    " · ".join(f"{STATUS_ICONS[s]} **{counts[s]}** {t('status.' + s)}" for s in ("reached", "close", "missed"))
)

show_table(view.markdown, key=SCORECARD_KEY + "overview")
st.caption(t("overview.reported_note"))
st.info(t("overview.assumptions_note"), icon="ℹ️")
