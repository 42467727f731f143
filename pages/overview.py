"""Overview: the headline and the scorecard of all 17 targets, with reported figures beside them."""

from __future__ import annotations

import streamlit as st

from ui import cached, state
from ui.exports import render_table_downloads
from ui.i18n import STATUS_ICONS, t
from ui.phone import participant_panel
from ui.tables import SCORECARD_KEY, default_scenario, previous_scenario, scorecard_view, show_table

state.require_app()
plan = cached.get_plan()
lang = state.lang()
year_end = cached.year_end(*state.scenario_key())

st.title(t("overview.title"))
preset_id = state.matching_preset()
scenario_name = plan.preset(preset_id).label(lang) if preset_id else t("sidebar.custom")
st.caption(t("overview.scenario_label", name=scenario_name))
participant_panel("overview", year_end=year_end)  # on a phone: the result kept in view and the main levers in the page

# What changed: against the scenario before the last change, or (on demand) the plan's default.
previous = previous_scenario()
head = st.container()  # the headline first; drawn once the toggle below has said what to compare with
against_default = st.toggle(
    t("overview.against_default"), key="overview_against_default", help=t("overview.against_default_help")
)
reference_key = default_scenario() if against_default else previous
reference = cached.year_end(*reference_key) if reference_key is not None else None
view = scorecard_view(year_end, reference, changes=True)
head.subheader(view.headline)
counts = view.counts
head.markdown(
    " · ".join(f"{STATUS_ICONS[s]} **{counts[s]}** {t('status.' + s)}" for s in ("reached", "close", "missed"))
)

if reference_key is None:
    st.caption(t("overview.no_previous"))
elif against_default and reference_key == state.scenario_key():
    st.caption(t("overview.is_default"))
else:
    what = "overview.changed_default" if against_default else "overview.changed_previous"
    st.caption(t(what, flipped=len(view.flipped), moved=view.moved))
show_table(view.markdown, key=SCORECARD_KEY + "overview")
st.caption(t("overview.reported_note"))
render_table_downloads("overview", what="year_end")
st.info(t("overview.assumptions_note"), icon="ℹ️")
