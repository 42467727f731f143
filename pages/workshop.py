"""Workshop: a room (short code) where groups save named scenarios; list, load, compare, delete."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from store import BoardError, UnavailableError
from ui import state, workshop
from ui.i18n import STATUS_ICONS, indicator_value, md_escape, t
from ui.share import current_url, qr_png

state.require_app()
plan = state.get_plan()
lang = state.lang()
board = workshop.get_board()

st.title(t("workshop.title"))
st.caption(t("workshop.intro"))

try:
    board.check()
except UnavailableError as err:
    st.error(t("workshop.error.unavailable"), icon="⚠️")
    st.caption(t("workshop.unavailable_detail", reason=err.reason))
    st.stop()


def _join() -> None:
    code = st.session_state.get("workshop_code", "")
    try:
        workshop.set_room(code)
        st.session_state.pop("workshop_join_error", None)
        joined = workshop.room()
        if joined is not None and not board.list_entries(joined):
            # A mistyped code opens an empty room: say so, or a group saves where nobody looks.
            st.session_state["workshop_room_notice"] = t("workshop.room_empty", room=joined)
    except BoardError as err:
        st.session_state["workshop_join_error"] = workshop.error_text(err)


def _new_room() -> None:
    try:
        workshop.set_room(board.new_room())
        st.session_state.pop("workshop_join_error", None)
    except BoardError as err:
        st.session_state["workshop_join_error"] = workshop.error_text(err)


def _leave() -> None:
    workshop.set_room(None)


room = workshop.room()
if room is None:
    st.subheader(t("workshop.join_heading"))
    col_code, col_join = st.columns([3, 1], vertical_alignment="bottom")
    col_code.text_input(t("workshop.code_label"), key="workshop_code", max_chars=8, placeholder=t("workshop.code_placeholder"))
    col_join.button(t("workshop.join"), on_click=_join, width="stretch")
    st.button(t("workshop.new_room"), on_click=_new_room, help=t("workshop.new_room_help"))
    if "workshop_join_error" in st.session_state:
        st.error(st.session_state["workshop_join_error"])
    st.stop()

# ------------------------------------------------------------------ in a room
head, qr_col = st.columns([3, 1])
with head:
    st.subheader(t("workshop.room_heading", room=room))
    st.caption(t("workshop.room_help"))
    st.button(t("workshop.leave"), on_click=_leave)
    if "workshop_room_notice" in st.session_state:
        st.warning(st.session_state.pop("workshop_room_notice"))
with qr_col:
    # The link opens this room with the current scenario: put it on the projector.
    st.image(qr_png(current_url()), caption=t("workshop.qr_caption", room=room), width=180)

with st.form("workshop_save", clear_on_submit=True):
    st.markdown(f"**{t('workshop.save_heading')}**")
    col_name, col_group = st.columns(2)
    name = col_name.text_input(t("workshop.name_label"), max_chars=board.limits.name_chars)
    group = col_group.text_input(t("workshop.group_label"), max_chars=board.limits.group_chars)
    if st.form_submit_button(t("workshop.save"), type="primary"):
        try:
            entry = board.save(
                room,
                name=name,
                group=group,
                scenario_json=workshop.current_scenario_json(name),
                owner_token=workshop.owner_token(),
            )
            st.success(t("workshop.saved", name=md_escape(entry.name)))
        except BoardError as err:
            st.error(workshop.error_text(err))


RERUN_APP = "workshop_rerun_app"  # set by a callback inside the fragment: the whole page must follow


def _delete(entry_id: int) -> None:
    st.session_state[RERUN_APP] = True
    try:
        board.delete_entry(
            room,
            entry_id,
            owner_token=workshop.owner_token(),
            pin=st.session_state.get(workshop.FACILITATOR_KEY),
        )
        st.session_state["workshop_notice"] = ("success", t("workshop.deleted"))
    except BoardError as err:
        st.session_state["workshop_notice"] = ("error", workshop.error_text(err))


def _load(entry_id: int) -> None:
    st.session_state[RERUN_APP] = True
    try:
        entry = board.get_entry(room, entry_id)
        loaded = workshop.apply_entry(entry)
        message = t("workshop.loaded", name=md_escape(entry.name))
        if loaded.notices or loaded.changes:
            message += " " + t("workshop.loaded_repaired", n=len(loaded.notices) + len(loaded.changes))
        st.session_state["workshop_notice"] = ("success", message)
    except BoardError as err:
        st.session_state["workshop_notice"] = ("error", workshop.error_text(err))


def _viewer_timezone() -> dt.tzinfo:
    """The browser's time zone; Vietnam's (UTC+7) when the browser does not say."""
    try:
        return ZoneInfo(st.context.timezone or "Asia/Ho_Chi_Minh")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone(dt.timedelta(hours=7))


viewer_tz = _viewer_timezone()


@st.fragment(run_every=dt.timedelta(seconds=5))
def board_list() -> None:
    """The room's entries, refreshed every few seconds so every group sees new saves."""
    if st.session_state.pop(RERUN_APP, False):
        # A load or delete changed the scenario or the list: rerun the whole app so the
        # sidebar, the link and the QR code follow (a fragment rerun would redraw only this list).
        st.rerun(scope="app")
    try:
        entries = board.list_entries(room)
    except BoardError as err:
        st.error(workshop.error_text(err))
        return
    notice = st.session_state.pop("workshop_notice", None)
    if notice:
        (st.success if notice[0] == "success" else st.error)(notice[1])
    st.markdown(f"**{t('workshop.list_heading', n=len(entries))}**")
    if not entries:
        st.info(t("workshop.empty"))
        return
    results = workshop.project_entries(entries)
    rows = []
    for r in results:
        statuses = state.statuses_of(r.year_end)
        reached = sum(s == "reached" for s in statuses.values())
        close = sum(s == "close" for s in statuses.values())
        rows.append(
            {
                t("workshop.col_name"): r.entry.name,  # user text: a plain cell, never Markdown or HTML
                t("workshop.col_group"): r.entry.group,
                t("workshop.col_reached"): f"{STATUS_ICONS['reached']} {reached} · {STATUS_ICONS['close']} {close}",
                t("workshop.col_coops"): indicator_value("coops", r.year_end["coops"]),
                t("workshop.col_time"): r.entry.created_at.astimezone(viewer_tz).strftime("%H:%M %d/%m"),
                t("workshop.col_mine"): "✓" if r.entry.owned_by(workshop.owner_token()) else "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

    by_id = {e.id: e for e in entries}
    ids = list(by_id)
    chosen = st.selectbox(
        t("workshop.pick_label"),
        options=ids,
        format_func=lambda i: f"{by_id[i].name} — {by_id[i].group}" if by_id[i].group else by_id[i].name,
        key="workshop_pick",
    )
    if chosen is not None:
        c_load, c_delete = st.columns(2)
        c_load.button(t("workshop.load"), on_click=_load, args=(chosen,), width="stretch")
        may_delete = by_id[chosen].owned_by(workshop.owner_token()) or workshop.is_facilitator()
        c_delete.button(
            t("workshop.delete"),
            on_click=_delete,
            args=(chosen,),
            disabled=not may_delete,
            help=None if may_delete else t("workshop.delete_help"),
            width="stretch",
        )

    st.markdown(f"**{t('workshop.compare_heading')}**")
    compare_ids = st.multiselect(
        t("workshop.compare_label"),
        options=ids,
        default=ids[: min(len(ids), 4)],
        format_func=lambda i: by_id[i].name,
        max_selections=6,
        key="workshop_compare",
    )
    if compare_ids:
        chosen_results = [r for r in results if r.entry.id in compare_ids]
        table = {
            t("table.indicator"): [target.label(lang) for target in plan.targets],
        }
        for r in chosen_results:
            statuses = state.statuses_of(r.year_end)
            column = f"{r.entry.name} (#{r.entry.id})"
            table[column] = [
                f"{indicator_value(target.id, r.year_end[target.id])} {STATUS_ICONS[statuses[target.id]]}"
                for target in plan.targets
            ]
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
        st.caption(t("workshop.compare_caption"))


board_list()

with st.expander(t("workshop.facilitator_heading")):
    if workshop.is_facilitator():
        st.success(t("workshop.facilitator_on"))
    elif workshop.pin_locked():
        st.error(t("workshop.pin_locked"))
    else:
        pin = st.text_input(t("workshop.pin_label"), type="password", key="workshop_pin")
        if st.button(t("workshop.pin_submit")) and pin:
            if workshop.try_pin(pin):
                st.rerun()
            else:
                st.error(t("workshop.pin_wrong"))
