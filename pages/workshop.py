"""Workshop: a room (short code) where groups save named scenarios; list, load, compare, delete.

Every board action can be refused (limits, PIN, the database down): each refusal is a message in the
session's language, nothing typed is lost, and the page recovers by itself when the database is back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from store import BoardError, Room, UnavailableError, normalize_room
from ui import cached, phone, state, widgets, workshop
from ui.i18n import md_escape, t
from ui.keys import Keys
from ui.share import current_url, qr_png
from ui.tables import scorecard_view, show_table

state.require_app()
lang = state.lang()
board = workshop.get_board()


if workshop.room() is None:
    st.title(t("workshop.title"))
    st.caption(t("workshop.intro"))
else:
    # A participant arriving from the room's link on a phone: the room, the levers and the result come first.
    st.caption(t("workshop.title"))


viewer_tz = workshop.viewer_timezone()


@st.fragment(run_every=dt.timedelta(seconds=5))
def _wait_for_the_board() -> None:
    """While the database is down: look again every few seconds and redraw the whole page once it is back."""
    try:
        board.check()
    except UnavailableError:
        return
    st.rerun(scope="app")  # runs once: on the next run the board is there and this fragment is not drawn


def _room_info(code: str) -> tuple[object, Room | None]:
    """(the room's change time, the room: None when never made, mistyped or expired). One indexed read of
    the change time on a run where nothing changed (a participant's lever move): the room, and the list
    below, are read again only after a change."""
    changed = board.changed_at(code)
    return changed, workshop.session_memo(Keys.ROOM_CACHE, (code, changed), lambda: board.room(code), reuse=changed is not None)


info: Room | None = None
room_changed: object = None  # the room's change time, read this run by _room_info
try:
    if workshop.room() is None:
        board.check()
    else:
        room_changed, info = _room_info(workshop.room())
    available = True
except UnavailableError:
    # The reason (host, driver message) is in the server log, not on a page anyone can open.
    available = False
    st.error(t("workshop.error.unavailable"), icon="⚠️")
    st.caption(t("workshop.retrying"))
    _wait_for_the_board()


def _join() -> None:
    ss = st.session_state
    try:
        code = normalize_room(ss.get(Keys.JOIN_CODE, ""))
        found = board.room(code)
    except BoardError as err:
        ss[Keys.JOIN_ERROR] = workshop.error_text(err)
        return
    if found is None:
        # Never made, mistyped, or expired: say so instead of opening an empty room nobody else is in.
        ss[Keys.JOIN_ERROR] = t("workshop.no_room", room=code, days=board.limits.room_idle_days)
        return
    workshop.set_room(code, live=True)  # a participant: their scenario is shared live (they can turn it off)
    ss.pop(Keys.JOIN_ERROR, None)


def _new_room() -> None:
    try:
        # The tab that creates the room is the facilitator's: it does not share its own scenario live.
        workshop.set_room(board.new_room(owner_token=workshop.owner_token()), live=False)
        st.session_state.pop(Keys.JOIN_ERROR, None)
    except BoardError as err:
        st.session_state[Keys.JOIN_ERROR] = workshop.error_text(err)


def _leave() -> None:
    workshop.set_room(None)  # also takes this tab's live scenario off the board
    st.session_state.pop(Keys.LIST_CACHE, None)


room = workshop.room()
if room is not None and available and info is None:
    # A room from a link or an earlier visit may have expired (or never existed: a typed link).
    st.session_state[Keys.JOIN_ERROR] = t("workshop.no_room", room=room, days=board.limits.room_idle_days)
    workshop.set_room(None)
    room = None

if room is None:
    if not available:
        st.stop()
    st.subheader(t("workshop.join_heading"))
    col_code, col_join = st.columns([3, 1], vertical_alignment="bottom")
    col_code.text_input(t("workshop.code_label"), key=Keys.JOIN_CODE, max_chars=8, placeholder=t("workshop.code_placeholder"))
    col_join.button(t("workshop.join"), on_click=_join, width="stretch")
    st.button(t("workshop.new_room"), on_click=_new_room, help=t("workshop.new_room_help"))
    if Keys.JOIN_ERROR in st.session_state:
        st.error(st.session_state.pop(Keys.JOIN_ERROR))
    st.stop()

# ------------------------------------------------------------------ in a room
st.subheader(t("workshop.room_heading", room=room))
# On a phone (the room link's landing page): the main levers in the page and the result in view while they move.
year_end = cached.year_end(*state.scenario_key())
phone.participant_panel("workshop", year_end=year_end)
st.caption(t("workshop.room_help"))
if info is not None:
    if info.keep or info.expires_at is None:
        st.caption(t("workshop.room_kept"))
    else:
        expires = info.expires_at.astimezone(viewer_tz).strftime("%H:%M %d/%m/%Y")
        if info.entries:
            st.caption(t("workshop.room_expires", date=expires, days=board.limits.room_idle_days))
        else:
            st.caption(t("workshop.room_expires_empty", date=expires, hours=board.limits.empty_room_idle_hours))
col_leave, col_qr = st.columns([1, 3], vertical_alignment="top")
col_leave.button(t("workshop.leave"), on_click=_leave)
# The link opens this room with the current scenario: put it on the projector. Drawn only while
# open (a QR code takes ~40 ms to make, and every lever move changes the link).
qr_box = col_qr.expander(t("workshop.qr_open", room=room), key="workshop_qr", on_change="rerun")
if qr_box.open:
    with qr_box:
        st.image(qr_png(current_url()), caption=t("workshop.qr_caption", room=room), width=240)


# ------------------------------------------------------------------ live
def _live_toggled(on: bool) -> None:
    workshop.set_room(room, live=bool(on))


with st.container(border=True):
    label, help_text = t("workshop.live_toggle"), t("workshop.live_help")
    widgets.synced(st.toggle, label, help=help_text, key=Keys.LIVE_TOGGLE, value=workshop.live_on(), save=_live_toggled)
    if workshop.live_on():
        col_who, col_team = st.columns(2)
        # Typed once: the name and group the projector shows beside this tab's live scenario. Kept under
        # their own keys (a widget's value is forgotten on pages that do not draw it).
        for column, stable, label, limit in (
            (col_who, Keys.LIVE_NAME, "workshop.live_name", board.limits.name_chars),
            (col_team, Keys.LIVE_GROUP, "workshop.live_group", board.limits.group_chars),
        ):
            value = st.session_state.get(stable, "")
            widgets.synced(column.text_input, t(label), max_chars=limit, store=stable, key=Keys.typed(stable), value=value)
        live_error = st.session_state.get(Keys.LIVE_ERROR)
        if live_error is not None:
            st.warning(t("workshop.live_failed", reason=workshop.error_text(live_error)))
        else:
            st.caption(t("workshop.live_on", room=room))
    else:
        st.caption(t("workshop.live_off"))
st.page_link("pages/projector.py", label=t("workshop.to_projector"), icon=":material/co_present:")


def _save() -> None:
    """The form's submit: what was typed stays in the boxes unless the save landed."""
    ss = st.session_state
    name, group = ss.get(Keys.SAVE_NAME, ""), ss.get(Keys.SAVE_GROUP, "")
    try:
        entry = board.save(
            room,
            name=name,
            group=group,
            scenario_json=workshop.current_scenario_json(name),
            owner_token=workshop.owner_token(),
        )
    except BoardError as err:
        ss[Keys.SAVE_NOTICE] = ("error", t("workshop.not_saved", reason=workshop.error_text(err)))
        return
    ss[Keys.SAVE_NOTICE] = ("success", t("workshop.saved", name=md_escape(entry.name)))
    ss[Keys.SAVE_NAME] = ""


counts_now = scorecard_view(year_end).counts  # cached with the Overview's
with st.form("workshop_save", clear_on_submit=False):
    st.markdown(f"**{t('workshop.save_heading')}**")
    st.caption(
        t(
            "workshop.current_result",
            reached=counts_now["reached"],
            close=counts_now["close"],
            total=sum(counts_now.values()),
        )
    )
    col_name, col_group = st.columns(2)
    col_name.text_input(t("workshop.name_label"), max_chars=board.limits.name_chars, key=Keys.SAVE_NAME)
    col_group.text_input(t("workshop.group_label"), max_chars=board.limits.group_chars, key=Keys.SAVE_GROUP)
    st.form_submit_button(t("workshop.save"), type="primary", on_click=_save)
workshop.show_notice(Keys.SAVE_NOTICE)


def _delete(entry_id: int) -> None:
    try:
        board.delete_entry(room, entry_id, owner_token=workshop.owner_token(), pin=workshop.facilitator_pin())
        st.session_state[Keys.NOTICE] = ("success", t("workshop.deleted"))
    except BoardError as err:
        st.session_state[Keys.NOTICE] = ("error", workshop.error_text(err))


def _load(entry_id: int) -> None:
    try:
        entry = board.get_entry(room, entry_id)
        loaded = workshop.apply_entry(entry)
        message = t("workshop.loaded", name=md_escape(entry.name))
        if loaded.notices or loaded.changes:
            message += " " + t("workshop.loaded_repaired", n=len(loaded.notices) + len(loaded.changes))
        st.session_state[Keys.NOTICE] = ("success", message)
    except BoardError as err:
        st.session_state[Keys.NOTICE] = ("error", workshop.error_text(err))


def _room_entries() -> tuple[object, list, list[workshop.EntryResult]]:
    """(the room's change time, its entries, their projections); read and projected again only when the
    room changed (the change time _room_info read this run; read again when it could not: the database
    was down a moment ago)."""
    changed = room_changed if available else board.changed_at(room)

    def read_and_project() -> tuple[list, list[workshop.EntryResult]]:
        entries = board.list_entries(room)
        return entries, workshop.project_entries(entries)

    entries, results = workshop.session_memo(Keys.LIST_CACHE, (room, changed), read_and_project, reuse=changed is not None)
    return changed, entries, results


@st.fragment(run_every=dt.timedelta(seconds=5))
def _watch_the_room() -> None:
    """Every few seconds, one indexed read of the room's change time; the page is drawn again only
    when another tab saved or deleted something (or the board became unavailable). Draws nothing:
    an idle workshop costs one tiny query per tab every 5 s, not a redraw of the list."""
    if st.session_state.pop(Keys.WORKSHOP_JUST_DRAWN, False):
        return  # called by the full run that just drew the list: only start the timer (see pages/projector.py)
    try:
        changed = board.changed_at(room)
    except BoardError:
        changed = None
    if changed != st.session_state.get(Keys.WORKSHOP_SEEN):
        st.rerun(scope="app")  # at most once per change: the app run records what it drew


def _drawn(name: str, build: Callable[[], str], changed: object, *key: object) -> str:
    """A table of the room, built again only when the room changed (or the language, tolerance or ``key``):
    a lever move of a participant on this page redraws the page but not the room's tables."""
    return workshop.session_memo(f"{Keys.TABLES_CACHE}_{name}", (room, changed, lang, state.tolerance(), *key), build)


def board_list() -> None:
    """The room's entries, with load/delete, and the groups side by side."""
    try:
        changed, entries, results = _room_entries()
    except BoardError as err:
        st.session_state[Keys.WORKSHOP_SEEN] = None
        st.error(workshop.error_text(err))
        return
    st.session_state[Keys.WORKSHOP_SEEN] = changed
    workshop.show_notice(Keys.NOTICE)
    st.markdown(f"**{t('workshop.list_heading', n=len(entries))}**")
    if not entries:
        st.info(t("workshop.empty"))
        return
    show_table(_drawn("list", lambda: workshop.list_table(results, viewer_tz), changed, str(viewer_tz)))

    by_id = {e.id: e for e in entries}
    ids = list(by_id)
    chosen = st.selectbox(
        t("workshop.pick_label"),
        options=ids,
        format_func=lambda i: workshop.entry_label(by_id[i]),
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

    compare_groups(entries, results, changed)


def _compare_changed(ids: list[int]) -> None:
    picked = set(st.session_state[Keys.COMPARE_PICK])
    st.session_state[Keys.COMPARE_OFF] = {i for i in ids if i not in picked}


def compare_groups(entries: list, results: list[workshop.EntryResult], changed: object) -> None:
    """Every saved scenario of the room side by side: 17 rows, the target beside each indicator."""
    st.markdown(f"**{t('workshop.compare_heading')}**")
    by_id = {e.id: e for e in entries}
    ids = list(by_id)
    off = st.session_state.get(Keys.COMPARE_OFF, set())
    st.session_state[Keys.COMPARE_PICK] = [i for i in ids if i not in off]
    st.multiselect(
        t("workshop.compare_label"),
        options=ids,
        format_func=lambda i: workshop.entry_label(by_id[i]),
        key=Keys.COMPARE_PICK,
        on_change=_compare_changed,
        args=(ids,),
        placeholder=t("workshop.compare_placeholder"),
    )
    picked = [r for r in results if r.entry.id not in off]
    if not picked:
        return
    show_table(_drawn("compare", lambda: workshop.compare_table(picked), changed, tuple(sorted(off))))
    st.caption(t("workshop.compare_caption"))


board_list()
st.session_state[Keys.WORKSHOP_JUST_DRAWN] = True
_watch_the_room()


# ---------------------------------------------------------------- facilitator
def _try_pin() -> None:
    pin = st.session_state.get(Keys.PIN, "")
    st.session_state[Keys.PIN] = ""
    if not pin:
        return
    try:
        ok = workshop.try_pin(pin)
    except BoardError as err:
        st.session_state[Keys.PIN_NOTICE] = ("error", workshop.error_text(err))
        return
    st.session_state[Keys.PIN_NOTICE] = ("success", t("workshop.pin_ok")) if ok else ("error", t("workshop.pin_wrong"))


def _keep(keep: bool) -> None:
    try:
        board.keep_room(room, keep, pin=workshop.facilitator_pin(), owner_token=workshop.owner_token())
    except BoardError as err:
        st.session_state[Keys.PIN_NOTICE] = ("error", workshop.error_text(err))


def _clear() -> None:
    try:
        removed = board.clear_room(room, pin=workshop.facilitator_pin(), owner_token=workshop.owner_token())
        st.session_state[Keys.NOTICE] = ("success", t("workshop.cleared", n=removed))
    except BoardError as err:
        st.session_state[Keys.NOTICE] = ("error", workshop.error_text(err))
    st.session_state[Keys.CLEAR_CONFIRM] = False


with st.expander(t("workshop.facilitator_heading")):
    if not board.has_pin:
        st.info(t("workshop.facilitator_off", min=board.limits.pin_min_chars))
    elif workshop.is_facilitator():
        st.success(t("workshop.facilitator_on", room=room))
        kept = bool(info and info.keep)
        st.toggle(
            t("workshop.keep_room"),
            value=kept,
            help=t("workshop.keep_help", days=board.limits.room_idle_days),
            key=f"workshop_keep_{room}_{kept}",
            on_change=_keep,
            args=(not kept,),
        )
        confirm = st.checkbox(t("workshop.clear_confirm", room=room), key=Keys.CLEAR_CONFIRM)
        st.button(t("workshop.clear_room"), on_click=_clear, disabled=not confirm, type="secondary")
    else:
        try:
            wait = board.pin_wait(workshop.owner_token())
        except BoardError as err:
            wait = 0
            st.error(workshop.error_text(err))
        if wait:
            st.warning(t("workshop.error.pin_wait", wait=workshop.wait_text(wait)))
        else:
            st.text_input(t("workshop.pin_label"), type="password", key=Keys.PIN)
            st.button(t("workshop.pin_submit"), on_click=_try_pin)
    workshop.show_notice(Keys.PIN_NOTICE)
