"""Compare: two to six scenarios side by side — year-end values and status, the levers that differ, overlay charts."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.engine import status_matrix
from model.scenario import MAX_FILE_BYTES
from store import BoardError
from ui import cached, compare, exports, state, widgets, workshop
from ui.exports import render_compare_downloads
from ui.i18n import heading, md_escape, t
from ui.keys import Keys

state.require_app()
plan = cached.get_plan()
lang = state.lang()
tol = state.tolerance()
session = st.session_state

st.title(t("compare.title"))
st.caption(t("compare.intro"))

loaded_name = session.pop(Keys.COMPARE_LOADED, None)
if loaded_name:
    st.success(t("compare.loaded", name=md_escape(loaded_name)))

room = workshop.room()
if room is not None:

    def _add_room() -> None:
        try:
            workshop.add_room_to_compare(session)
        except BoardError as err:
            session[Keys.COMPARE_ROOM_ERROR] = workshop.error_text(err)

    st.button(t("compare.add_room", room=room), key="compare_add_room", on_click=_add_room, help=t("compare.add_room_help"))
    if Keys.COMPARE_ROOM_ERROR in session:
        st.error(session.pop(Keys.COMPARE_ROOM_ERROR))

# The picker is drawn above the uploader but after it has run, so a file
# added on this run is already in the options (and picked).
picker = st.container()

files = st.file_uploader(
    t("compare.upload_label"),
    type=list(compare.UPLOAD_TYPES),
    accept_multiple_files=True,
    key="compare_upload",
    help=t("compare.upload_help"),
    max_upload_size=max(1, MAX_FILE_BYTES // (1024 * 1024)),
)
for file in files or []:
    outcome = compare.add_upload(session, plan, file_id=file.file_id, file_name=file.name, data=file.getvalue())
    if outcome.status == "rejected":
        problems = exports.problem_list(outcome.problems, lang, plan)
        st.error(t("compare.upload_error", file=md_escape(outcome.file_name), problems=problems))
        continue
    version = compare.version_text(outcome)
    if version is not None:
        st.warning(
            t(
                "compare.upload_version",
                file=md_escape(outcome.file_name),
                version=md_escape(version),
                plan=plan.version,
            )
        )
    if outcome.renamed and outcome.key is not None:
        shown = compare.upload_name(session, outcome.key, lang)
        st.info(t("compare.upload_renamed", file=md_escape(outcome.file_name), name=md_escape(shown)))
    if outcome.status == "duplicate":
        st.info(t("compare.upload_duplicate", file=md_escape(outcome.file_name)))
if session.get(Keys.COMPARE_UPLOADS):
    st.button(t("compare.clear_uploads"), key="compare_clear_uploads", on_click=compare.clear_uploads, args=(session,))

options = compare.option_ids(plan, session)
labels = compare.option_labels(plan, session, lang)
compare.sanitize_selection(session, options)
with picker:
    st.multiselect(
        t("compare.pick"),
        options=options,
        format_func=labels.__getitem__,
        key=Keys.COMPARE_SELECTION,
        max_selections=compare.MAX_SCENARIOS,
        help=t("compare.pick_help"),
        placeholder=t("compare.pick_placeholder"),
    )


@st.fragment
def overlay(candidates: list[compare.Candidate], monthly: dict[str, np.ndarray]) -> None:
    """The overlay chart of one indicator: choosing another reruns only this part."""
    indicator = widgets.indicator_select(t("compare.indicator"), key=Keys.COMPARE_INDICATOR)
    target = plan.target(indicator)
    unit = target.unit(lang)
    frame = compare.monthly_frame(candidates, monthly, indicator)
    names = [c.name for c in candidates]
    spec = compare.overlay_spec_filled(frame, names=names, target=target.value, unit=unit, decimals=target.decimals, lang=lang)
    st.markdown(heading(target.label(lang), unit))
    st.vega_lite_chart(spec, width="stretch", alt=t("compare.chart_alt", label=target.label(lang)))
    st.caption(t("compare.chart_note"))


selection = list(session[Keys.COMPARE_SELECTION])
if len(selection) < compare.MIN_SCENARIOS:
    st.warning(t("compare.need_two", min=compare.MIN_SCENARIOS, max=compare.MAX_SCENARIOS))
else:
    lever_items, baseline_items = state.scenario_key()
    candidates = compare.resolve(
        plan,
        selection,
        labels=labels,
        session=session,
        current_levers=state.levers(),
        current_baseline=state.baseline_overrides(),
        implied_levers=lambda: cached.implied(lever_items, baseline_items, tol).levers,
    )
    result = compare.project_many(compare.scenario_items(candidates))
    year_end, monthly = result["year_end"], result["monthly"]

    # ---------------------------------------------------------------- year end
    st.subheader(t("compare.results_title"))
    statuses = status_matrix(plan, year_end, tol)  # once: the headline and the table both show them
    st.markdown(compare.headline_lines(plan, candidates, statuses, lang=lang))
    table = compare.year_end_table(plan, candidates, year_end, statuses, lang=lang)
    compare.show_wide_or_phone(
        "year_end",
        table,
        rows=len(table),
        pinned=t("table.indicator"),
        phone_tables=compare.year_end_phone_tables(table, candidates, lang=lang),
    )
    st.caption(compare.legend_text(lang, tol))
    render_compare_downloads([c.name for c in candidates], year_end)
    if state.baseline_overrides() and any(compare.uses_current_baseline(c) for c in candidates):
        st.caption(t("compare.baseline_note"))

    # ---------------------------------------------------------------- levers
    st.subheader(t("compare.levers_title"))
    diff = compare.differing_levers(plan, candidates, lang=lang)
    if diff is None:
        st.info(t("compare.no_differences"))
    else:
        diff_table, differs = diff
        compare.show_wide_or_phone(
            "levers",
            compare.highlight(diff_table, differs),
            rows=len(diff_table),
            pinned=t("compare.col_lever"),
            phone_tables=compare.levers_phone_tables(diff_table, differs, candidates, lang=lang),
        )
        st.caption(t("compare.levers_note"))

    # ---------------------------------------------------------------- chart
    st.subheader(t("compare.chart_title"))
    overlay(candidates, monthly)

    # ---------------------------------------------------------------- load
    others = [c for c in candidates if c.id != compare.CURRENT]
    if others:
        st.subheader(t("compare.load_title"))
        st.caption(t("compare.load_note"))
        for c in others:
            st.button(
                t("compare.load_button", name=md_escape(c.name)),
                key=f"compare_load_{c.id}",
                on_click=compare.load_into_current,
                args=(c.levers, c.baseline, c.name),
            )
