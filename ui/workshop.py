"""The workshop board for the pages: the cached Board, the room and owner token of this tab,
and the board's errors in the session's language.

The board is optional: if its database is unreachable, the Workshop page says so
and every other page keeps working.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from model.engine import project_many
from model.scenario import LoadedScenario, Scenario, from_json, to_json
from store import Board, BoardError, Entry, Limits, UnavailableError, board_pin, new_owner_token, normalize_room
from ui import cached, state
from ui.i18n import indicator_value, t
from ui.keys import Keys
from ui.tables import markdown_table, scorecard_view

# While a participant's page is open, the live row is refreshed this often even without a move, so it
# stays fresh; a closed tab stops refreshing and its row drops out after Limits.live_idle_seconds.
LIVE_HEARTBEAT = dt.timedelta(seconds=30)

_log = logging.getLogger(__name__)
T = TypeVar("T")


def _secret(name: str) -> str | None:
    """A value from .streamlit/secrets.toml, or None when there is no secrets file or no such key."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, KeyError, OSError, StreamlitSecretNotFoundError):
        return None
    return None if value is None else str(value)


def _limits() -> Limits:
    try:
        return Limits.from_environ(os.environ)
    except ValueError as err:
        _log.error("workshop board limits: %s; using the defaults", err)
        return Limits()


@st.cache_resource(show_spinner=False)
def get_board() -> Board:
    """One Board per server (it holds no per-user state; its engine is thread-safe).

    Database: secrets ``database_url``, else SONLA_DATABASE_URL, else the
    SQLite file SONLA_BOARD_DB or .board/board.sqlite. PIN: secrets
    ``board_pin``, else SONLA_BOARD_PIN (at least 8 characters, or facilitator
    actions are off). Limits: SONLA_LIMIT_<NAME> (see store.Limits).
    """
    return Board(
        _secret("database_url"), plan=cached.get_plan(), pin=_secret("board_pin") or board_pin(os.environ), limits=_limits()
    )


def owner_token() -> str:
    """A random token for this browser tab: it may delete what it saved; limits count per token."""
    if Keys.OWNER not in st.session_state:
        st.session_state[Keys.OWNER] = new_owner_token()
    return st.session_state[Keys.OWNER]


def room() -> str | None:
    return st.session_state.get(Keys.ROOM)


def set_room(code: str | None, *, live: bool | None = None) -> None:
    """Enter a room (code normalized; BoardError for a bad code) or leave it (None).

    ``live``: share this tab's scenario live in the room (participants joining: on; the tab that
    created the room, the facilitator's: off). Leaving the room takes the live scenario away.
    """
    ss = st.session_state
    ss[Keys.ROOM] = None if code is None else normalize_room(code)
    if live is not None:
        ss[Keys.LIVE] = live
    if code is None or not ss.get(Keys.LIVE, True):
        stop_live()


def viewer_timezone() -> dt.tzinfo:
    """The browser's time zone; Vietnam's (UTC+7) when the browser does not say."""
    try:
        return ZoneInfo(st.context.timezone or "Asia/Ho_Chi_Minh")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone(dt.timedelta(hours=7))


def live_on() -> bool:
    """Whether this tab shares its current scenario with its room (on by default in a room)."""
    return room() is not None and bool(st.session_state.get(Keys.LIVE, True))


def stop_live() -> None:
    """Take this tab's live scenario off the board (leaving the room, or sharing turned off)."""
    ss = st.session_state
    if ss.pop(Keys.LIVE_SENT, None) is None:
        return  # nothing was shared from this tab
    try:
        get_board().stop_live(owner_token())
    except BoardError as err:
        _log.warning("live scenario not removed: %s", err)


def share_live() -> None:
    """Called once per run (end of app.py) and by the heartbeat: send this tab's current scenario to its
    room when it changed since the last send (or the last send is a heartbeat old). One write per move;
    a run that changed nothing costs a comparison. The board's refusal is kept for the Workshop page."""
    if not live_on():
        return
    ss = st.session_state
    code = room()
    name, group = str(ss.get(Keys.LIVE_NAME, "")), str(ss.get(Keys.LIVE_GROUP, ""))
    what = (code, state.scenario_key(), name, group)
    sent = ss.get(Keys.LIVE_SENT)
    now = time.monotonic()
    if sent is not None and sent[0] == what and now - sent[1] < LIVE_HEARTBEAT.total_seconds():
        return
    recently = sent is not None and now - sent[1] < LIVE_HEARTBEAT.total_seconds()
    if isinstance(ss.get(Keys.LIVE_ERROR), UnavailableError) and recently:
        return  # the database was down a moment ago: do not make every move wait for its time-out
    counts = scorecard_view(cached.year_end(*state.scenario_key())).counts
    try:
        get_board().share_live(
            code,
            owner_token=owner_token(),
            name=name,
            group=group,
            scenario_json=current_scenario_json(name),
            reached=counts["reached"],
            close=counts["close"],
        )
    except BoardError as err:
        ss[Keys.LIVE_ERROR] = err
        ss[Keys.LIVE_SENT] = (what, now)  # do not retry on every run: the heartbeat tries again
        return
    ss.pop(Keys.LIVE_ERROR, None)
    ss[Keys.LIVE_SENT] = (what, now)


@st.fragment(run_every=LIVE_HEARTBEAT)
def live_heartbeat() -> None:
    """Draws nothing; keeps this tab's live row fresh while the page is open (see LIVE_HEARTBEAT)."""
    share_live()


def wait_text(seconds: int) -> str:
    """ "45 s" / "3 min" in the session's language."""
    if seconds < 90:
        return t("workshop.wait_seconds", n=int(seconds))
    return t("workshop.wait_minutes", n=max(1, round(seconds / 60)))


def error_text(err: BoardError) -> str:
    """The board's refusal in the session's language (never its technical reason: that goes to the log)."""
    params = dict(err.params)
    if "seconds" in params:
        params["wait"] = wait_text(int(params["seconds"]))
    try:
        return t(f"workshop.error.{err.code}", **params)
    except (KeyError, IndexError):
        return t(f"workshop.error.{err.code}")


def is_facilitator() -> bool:
    """Facilitator rights hold in the room where the PIN was entered, not in another."""
    grant = st.session_state.get(Keys.FACILITATOR)
    return isinstance(grant, dict) and grant.get("room") is not None and grant.get("room") == room()


def facilitator_pin() -> str | None:
    """The PIN to pass with a facilitator action in the current room (None elsewhere)."""
    return st.session_state[Keys.FACILITATOR]["pin"] if is_facilitator() else None


def try_pin(pin: str) -> bool:
    """Check the facilitator PIN for the current room; the board counts wrong tries and makes them wait.
    A right PIN turns this tab's live sharing off (the switch turns it on again).

    BoardError("pin_wait", seconds=…) while tries must wait, ("pin_not_set") without a usable PIN,
    ("unavailable") when the database cannot be reached.
    """
    code = room()
    if code is None:
        return False
    if get_board().verify_pin(pin, owner_token=owner_token()):
        st.session_state[Keys.FACILITATOR] = {"room": code, "pin": pin}
        # The facilitator's tab is not a participant, as the tab that created the room is not: a facilitator
        # who reopened the room's link (a new session, sharing on) stops showing on the projector.
        set_room(code, live=False)
        return True
    return False


def current_scenario_json(name: str) -> str:
    plan = cached.get_plan()
    scenario = Scenario(
        plan_id=plan.id,
        plan_version=plan.version,
        levers=dict(state.levers()),
        baseline=dict(state.baseline_overrides()),
        name=name,
    )
    return to_json(plan, scenario)


def load_entry(entry: Entry) -> LoadedScenario:
    """Parse a saved scenario (lenient: an entry saved under an older plan version still loads)."""
    return from_json(cached.get_plan(), entry.scenario_json, lenient=True)


def apply_entry(entry: Entry) -> LoadedScenario:
    loaded = load_entry(entry)
    state.make_current(loaded.scenario.levers, loaded.scenario.baseline)
    return loaded


@dataclass(frozen=True)
class EntryResult:
    entry: Entry
    year_end: dict[str, float]


def project_entries(entries: Sequence[Entry]) -> list[EntryResult]:
    """Year-end values of several saved scenarios in one vectorized projection (baselines may differ)."""
    scenarios = [load_entry(e).scenario for e in entries]
    proj = project_many(cached.get_plan(), [(s.levers, s.baseline) for s in scenarios])
    return [EntryResult(e, proj.year_end_dict(i)) for i, e in enumerate(entries)]


def session_memo(slot: str, key: tuple[object, ...], build: Callable[[], T], *, reuse: bool = True) -> T:
    """``build()``, kept in this session under ``slot`` with ``key`` and built again only when the key changed
    (``reuse`` False: never taken from the memo). The Workshop page reruns on every lever move of its
    participant; the room is read, projected and drawn again only when it changed (its change time is in
    the key, with the language and tolerance where the text depends on them)."""
    memo = st.session_state.get(slot)
    if reuse and memo is not None and memo[0] == key:
        return memo[1]
    value = build()
    st.session_state[slot] = (key, value)
    return value


def show_notice(key: str) -> None:
    """The notice a callback left under ``key`` — ("success" | "error", text) — shown once."""
    notice = st.session_state.pop(key, None)
    if notice:
        kind, text = notice
        (st.success if kind == "success" else st.error)(text)


def entry_label(entry: Entry) -> str:
    """A saved scenario in a picker: "name — group" (the name alone without a group)."""
    return f"{entry.name} — {entry.group}" if entry.group else entry.name


def list_table(results: Sequence[EntryResult], tz: dt.tzinfo) -> str:
    """The room's saved scenarios as a Markdown table: name, group, targets reached, coops, time, mine."""
    total = len(cached.get_plan().targets)
    rows = []
    for r in results:
        counts = scorecard_view(r.year_end).counts
        rows.append(
            {
                t("workshop.col_name"): r.entry.name,  # user text: escaped by markdown_table, never markup
                t("workshop.col_group"): r.entry.group,
                t("workshop.col_reached"): t(
                    "workshop.reached_cell", reached=counts["reached"], total=total, close=counts["close"]
                ),
                t("workshop.col_coops"): indicator_value("coops", r.year_end["coops"]),
                t("workshop.col_time"): r.entry.created_at.astimezone(tz).strftime("%H:%M %d/%m"),
                t("workshop.col_mine"): "✓" if r.entry.owned_by(owner_token()) else "",
            }
        )
    return markdown_table(rows, right=[t("workshop.col_coops")])


def compare_table(picked: Sequence[EntryResult]) -> str:
    """Saved scenarios side by side as a Markdown table: 17 rows, the target beside each indicator."""
    plan, lang = cached.get_plan(), state.lang()
    names = [r.entry.name for r in picked]
    views = [scorecard_view(r.year_end) for r in picked]
    status_column = t("table.status")
    rows = []
    for i, target in enumerate(plan.targets):
        row = {
            t("table.indicator"): target.label(lang),
            t("table.target"): indicator_value(target.id, target.value),
        }
        for r, view, name in zip(picked, views, names, strict=True):
            column = name if names.count(name) == 1 else f"{name} (#{r.entry.id})"
            row[column] = f"{indicator_value(target.id, r.year_end[target.id])} {view.rows[i][status_column]}"
        rows.append(row)
    return markdown_table(rows, right=[c for c in rows[0] if c != t("table.indicator")])


def add_room_to_compare(session: Any) -> int:
    """Put the room's saved scenarios (newest six) among the Compare page's scenarios and pick them.

    Returns how many were added; the board's errors are left to the caller.
    """
    from ui import compare  # the Compare page's own state (imported here: it is page-specific)

    code = room()
    if code is None:
        return 0
    entries = get_board().list_entries(code)[: compare.MAX_SCENARIOS]
    uploads = session.setdefault(Keys.COMPARE_UPLOADS, {})
    picked: list[str] = []
    for entry in entries:
        scenario = load_entry(entry).scenario
        key = f"board-{entry.room}-{entry.id}"
        uploads[key] = {
            "name": f"{entry.room} · {entry.name}",
            "file": f"{entry.room}#{entry.id}",
            "levers": dict(scenario.levers),
            "baseline": dict(scenario.baseline),
        }
        picked.append(compare.UPLOAD_PREFIX + key)
    # Added after what is already picked (e.g. the current scenario), six at most.
    selection = [s for s in session.get(Keys.COMPARE_SELECTION, []) if s not in picked]
    session[Keys.COMPARE_SELECTION] = (selection + picked)[: compare.MAX_SCENARIOS]
    return len(picked)
