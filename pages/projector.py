"""Projector: the whole room at once, for the facilitator's beamer (large type, no sidebar).

Per target how many participants' live scenarios reach it, per lever how the room set it, and who is
at how many of the 17 targets. A watcher looks at the room every few seconds (one indexed read) and
redraws the page only when a participant moved, joined or left.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from model.settings import DEFAULT_SEED
from store import BoardError, UnavailableError
from ui import cached, projector, state, workshop
from ui.i18n import md_escape, t
from ui.keys import Keys
from ui.links import build_params, share_url
from ui.tables import markdown_table

state.require_app()
plan = cached.get_plan()
lang = state.lang()
board = workshop.get_board()

REFRESH = dt.timedelta(seconds=2)  # the projector's data is at most this old, plus one redraw

st.markdown(projector.PROJECTOR_CSS, unsafe_allow_html=True)  # large type, no sidebar: for a beamer

room = workshop.room()
if room is None:
    st.title(t("projector.title_no_room"))
    st.info(t("projector.no_room"))
    st.page_link("pages/workshop.py", label=t("projector.to_workshop"), icon=":material/groups:")
    st.stop()
if workshop.live_on():
    workshop.set_room(room, live=False)  # the facilitator's projector tab is not a participant


def _marker() -> tuple[object, ...] | None:
    """What changes when anything the projector shows changes: live moves, joins, leaves, saves."""
    try:
        return (*board.live_changed_at(room), board.changed_at(room))
    except BoardError:
        return None


@st.fragment(run_every=REFRESH)
def _watch() -> None:
    """Draws nothing: one cheap read every few seconds, the page is redrawn only on a change.

    Called at the end of a full run it only starts its timer: looking then would see the moves made
    while the page was drawn and redraw at once, again and again while a room of 40 keeps moving
    (measured: 2 redraws finished in 30 s, the data 30 s old). Those moves wait for the next tick.
    """
    if st.session_state.pop(Keys.PROJECTOR_JUST_DRAWN, False):
        return
    if _marker() != st.session_state.get(Keys.PROJECTOR_SEEN):
        st.rerun(scope="app")


def _open_url(levers: dict, baseline: dict) -> str:
    """A link that opens a participant's scenario on the Overview in a new tab (without the room: whoever
    opens it does not join the room as a participant)."""
    params = build_params(plan, levers=levers, baseline=baseline, lang=lang, seed=DEFAULT_SEED, tolerance=state.tolerance() * 100)
    return share_url("overview", params)  # relative: the Overview next to this page, wherever the app is served


with st.container(key="projector"):
    try:
        marker = _marker()
        if marker is None:
            raise UnavailableError("marker")
        rows = board.live_entries(room)
        saved = board.room(room)
    except BoardError as err:
        st.title(t("projector.title", room=room))
        st.error(workshop.error_text(err))
        st.caption(t("workshop.retrying"))
        st.session_state[Keys.PROJECTOR_SEEN] = None
        st.session_state[Keys.PROJECTOR_JUST_DRAWN] = True
        _watch()
        st.stop()
    st.session_state[Keys.PROJECTOR_SEEN] = marker
    view = projector.room_view(plan, rows, state.tolerance())
    now = dt.datetime.now(dt.UTC).astimezone(workshop.viewer_timezone())
    st.title(t("projector.title", room=room))
    st.markdown(
        t(
            "projector.summary",
            n=len(view.participants),
            saved=saved.entries if saved else 0,
            time=now.strftime("%H:%M:%S"),
        )
    )
    if not view.participants:
        st.info(t("projector.empty", room=room))
    else:
        col_targets, col_people = st.columns([3, 2], gap="large")
        with col_targets:
            st.subheader(t("projector.targets_heading"))
            st.caption(t("projector.targets_caption"))
            with st.container(key="projector_wide_targets"):
                st.vega_lite_chart(projector.targets_chart(plan, view, lang), width="stretch")
            with st.container(key="projector_narrow_targets"):
                rows = projector.target_rows(plan, view, lang)
                st.markdown(markdown_table(rows, right=list(rows[0])[1:]))
        with col_people:
            st.subheader(t("projector.people_heading"))
            st.caption(t("projector.people_caption"))
            total = len(plan.targets)
            lines = []
            for p in view.participants:
                who = md_escape(p.name) if p.name else t("projector.anonymous", id=p.id)
                group = f" · {md_escape(p.group)}" if p.group else ""
                result = t("projector.result", reached=p.reached, total=total, close=p.close)
                lines.append(f"1. [{who}]({_open_url(dict(p.levers), dict(p.baseline))}){group} — {result}")
            st.markdown("\n".join(lines))
        st.subheader(t("projector.levers_heading"))
        st.caption(t("projector.levers_caption"))
        spreads = view.moved_levers()  # the levers the room is discussing: anyone moved them
        if not spreads:
            st.info(t("projector.none_moved"))
        else:
            chart = projector.levers_chart(plan, spreads, lang)
            if chart is not None:
                with st.container(key="projector_wide_levers"):
                    st.vega_lite_chart(chart, width="content")
            with st.container(key="projector_lever_table"):
                st.markdown(markdown_table(projector.lever_rows(plan, spreads, lang, len(view.participants))))
st.session_state[Keys.PROJECTOR_JUST_DRAWN] = True
_watch()
