"""The workshop board for the pages: the cached Board, the room and owner token of this tab,
and the board's errors in the session's language.

The board is optional: if its database is unreachable, the Workshop page says so
and every other page keeps working.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from model.engine import project
from model.scenario import LoadedScenario, Scenario, from_json, to_json
from store import Board, BoardError, Entry, board_pin, new_owner_token, normalize_room
from ui import state
from ui.i18n import t

ROOM_KEY = "workshop_room"
OWNER_KEY = "workshop_owner"
FACILITATOR_KEY = "workshop_facilitator"
PIN_TRIES_KEY = "workshop_pin_tries"
MAX_PIN_TRIES = 5  # per tab
ROOM_PIN_TRIES = 30  # per room within LOCK_SECONDS: at most ~180 guesses an hour at a 4-digit PIN
LOCK_SECONDS = 600.0


def _secret(name: str) -> str | None:
    """A value from .streamlit/secrets.toml, or None when there is no secrets file or no such key."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, KeyError, OSError, StreamlitSecretNotFoundError):
        return None
    return None if value is None else str(value)


@st.cache_resource(show_spinner=False)
def get_board() -> Board:
    """One Board per server (it holds no per-user state; its engine is thread-safe).

    Database: secrets ``database_url``, else SONLA_DATABASE_URL, else the
    SQLite file SONLA_BOARD_DB or .board/board.sqlite. PIN: secrets
    ``board_pin``, else SONLA_BOARD_PIN.
    """
    return Board(_secret("database_url"), plan=state.get_plan(), pin=_secret("board_pin") or board_pin(os.environ))


def owner_token() -> str:
    """A random token for this browser tab: it may delete what it saved."""
    if OWNER_KEY not in st.session_state:
        st.session_state[OWNER_KEY] = new_owner_token()
    return st.session_state[OWNER_KEY]


def room() -> str | None:
    return st.session_state.get(ROOM_KEY)


def set_room(code: str | None) -> None:
    """Enter a room (code normalized; BoardError for a bad code) or leave it (None)."""
    st.session_state[ROOM_KEY] = None if code is None else normalize_room(code)


def error_text(err: BoardError) -> str:
    """The board's refusal in the session's language."""
    try:
        return t(f"workshop.error.{err.code}", **err.params)
    except (KeyError, IndexError):
        return t(f"workshop.error.{err.code}")


def is_facilitator() -> bool:
    return bool(st.session_state.get(FACILITATOR_KEY))


class PinGuard:
    """Wrong-PIN attempts per room, counted for the whole server.

    A tab gets MAX_PIN_TRIES wrong tries (session state); the room as a whole
    ROOM_PIN_TRIES within LOCK_SECONDS, so reloading cannot brute-force the PIN,
    while one participant's few wrong guesses cannot lock the facilitator out.
    Thread-safe: one per server.
    """

    def __init__(self, *, tries: int = ROOM_PIN_TRIES, seconds: float = LOCK_SECONDS) -> None:
        self._tries, self._seconds = tries, seconds
        self._wrong: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, room_code: str, now: float) -> list[float]:
        recent = [t for t in self._wrong.get(room_code, []) if now - t < self._seconds]
        self._wrong[room_code] = recent
        return recent

    def locked(self, room_code: str, *, now: float | None = None) -> bool:
        with self._lock:
            return len(self._recent(room_code, time.monotonic() if now is None else now)) >= self._tries

    def record_wrong(self, room_code: str, *, now: float | None = None) -> None:
        with self._lock:
            self._recent(room_code, time.monotonic() if now is None else now).append(
                time.monotonic() if now is None else now
            )


@st.cache_resource(show_spinner=False)
def pin_guard() -> PinGuard:
    return PinGuard(tries=ROOM_PIN_TRIES, seconds=LOCK_SECONDS)


def try_pin(pin: str) -> bool:
    """Check the facilitator PIN: a few wrong tries per tab, more per room on the server."""
    code = room() or ""
    guard = pin_guard()
    if pin_locked():
        return False
    if get_board().is_facilitator(pin):
        st.session_state[FACILITATOR_KEY] = pin
        return True
    st.session_state[PIN_TRIES_KEY] = int(st.session_state.get(PIN_TRIES_KEY, 0)) + 1
    guard.record_wrong(code)
    return False


def pin_locked() -> bool:
    """This tab has used its tries, or the room has had too many wrong PINs lately."""
    return int(st.session_state.get(PIN_TRIES_KEY, 0)) >= MAX_PIN_TRIES or pin_guard().locked(room() or "")


def current_scenario_json(name: str) -> str:
    plan = state.get_plan()
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
    return from_json(state.get_plan(), entry.scenario_json, lenient=True)


def apply_entry(entry: Entry) -> LoadedScenario:
    loaded = load_entry(entry)
    state.set_levers(loaded.scenario.levers, replace=True)
    state.set_baseline(loaded.scenario.baseline)
    return loaded


@dataclass(frozen=True)
class EntryResult:
    entry: Entry
    year_end: dict[str, float]


def project_entries(entries: Sequence[Entry]) -> list[EntryResult]:
    """Year-end values of several saved scenarios in one vectorized projection (baselines may differ)."""
    if not entries:
        return []
    plan = state.get_plan()
    scenarios = [load_entry(e).scenario for e in entries]
    lever_arrays: dict[str, Any] = {}
    for lv in plan.levers:
        values = [s.levers[lv.id] for s in scenarios]
        lever_arrays[lv.id] = np.array(values, dtype=object if not lv.is_number else float)
    base = plan.baseline_values()
    baseline_arrays = {b: np.array([s.baseline.get(b, base[b]) for s in scenarios], dtype=float) for b in base}
    proj = project(plan, lever_arrays, baseline_arrays)
    return [EntryResult(e, proj.year_end_dict(i)) for i, e in enumerate(entries)]


def add_room_to_compare(session: Any) -> int:
    """Put the room's saved scenarios (newest six) among the Compare page's scenarios and pick them.

    Returns how many were added; the board's errors are left to the caller.
    """
    from ui import compare  # the Compare page's own state (imported here: it is page-specific)

    code = room()
    if code is None:
        return 0
    entries = get_board().list_entries(code)[: compare.MAX_SCENARIOS]
    uploads = session.setdefault(compare.UPLOADS_KEY, {})
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
    selection = [s for s in session.get(compare.SELECTION_KEY, []) if s not in picked]
    session[compare.SELECTION_KEY] = (selection + picked)[: compare.MAX_SCENARIOS]
    return len(picked)
