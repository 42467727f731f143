"""Overview: the headline and the scorecard of all 17 targets, with reported figures beside them."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import t
from ui.tables import headline, scorecard_table, status_counts

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
c1, c2, c3 = st.columns(3)
c1.metric(f"✅ {t('overview.reached')}", counts["reached"])
c2.metric(f"🟡 {t('overview.close')}", counts["close"])
c3.metric(f"❌ {t('overview.missed')}", counts["missed"])

st.dataframe(scorecard_table(year_end), hide_index=True, width="stretch", height="auto", key="overview_scorecard")
st.caption(t("overview.reported_note"))
st.info(t("overview.assumptions_note"), icon="ℹ️")
