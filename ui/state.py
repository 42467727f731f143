"""The scenario in the session: its keys filled in, read from and written to the URL, read and changed.

The keys are declared in `ui.keys.Keys`; the scenario is ``Keys.LEVERS`` (lever id → value, plan units:
percent for rates), ``Keys.BASELINE`` (the overridden baseline values), ``Keys.LANG``, ``Keys.TOLERANCE``
(percent), the Monte Carlo ``Keys.SEED`` / ``Keys.DRAWS`` and the workshop ``Keys.ROOM``: what a link
carries. Widgets never own the scenario (see ui/widgets.py); cached model calls are in ui/cached.py.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from model.engine import statuses
from model.plan import Plan
from model.settings import DEFAULT_DRAWS, DEFAULT_SEED, DEFAULT_TOLERANCE_PERCENT
from model.text import DEFAULT_LANG
from ui.cached import BaselineItems, LeverItems, get_plan, items
from ui.keys import Keys
from ui.links import LinkState, build_params, parse_params


def init_state() -> None:
    """Fill in every session key that is missing (first run of a session)."""
    plan = get_plan()
    ss = st.session_state
    if Keys.LEVERS not in ss:
        ss[Keys.LEVERS] = dict(plan.defaults())
    if Keys.BASELINE not in ss:
        ss[Keys.BASELINE] = {}
    if Keys.LANG not in ss:
        ss[Keys.LANG] = DEFAULT_LANG
    if Keys.TOLERANCE not in ss:
        ss[Keys.TOLERANCE] = DEFAULT_TOLERANCE_PERCENT
    if Keys.SEED not in ss:
        ss[Keys.SEED] = DEFAULT_SEED


# ---------------------------------------------------- Streamlit's legacy pages/ mode
# Why this is here: the project keeps its pages in pages/ (the layout names it), and Streamlit keeps a
# legacy mode for apps with a ``pages/`` folder, on until an entry script calls st.navigation. On a freshly
# started server the first session's first run happens inside it: widgets made in that run get other ids
# than in every later run, so on the first interaction they are all re-created (the slider loses focus, a
# widget's value falls back to its default); and the first request to a deep link such as ``/scenario``
# runs ``pages/scenario.py`` directly, without app.py. Switching the mode off and rerunning before any
# widget exists avoids all of that. Only these two functions touch it here; the served app
# (deploy/asgi.py) also switches the mode off at server start, so there the first session never sees it.


def _leave_legacy_mode() -> None:
    PagesManager.uses_pages_directory = False
    st.rerun()


def leave_legacy_pages_mode() -> None:
    """Called first thing in app.py: never run a session's first script run in Streamlit's legacy mode."""
    if PagesManager.uses_pages_directory:
        _leave_legacy_mode()


def require_app() -> None:
    """Called first thing on each page: it runs inside app.py (shared sidebar and state), never on its own."""
    if Keys.LEVERS not in st.session_state:
        _leave_legacy_mode()


# ---------------------------------------------------------- the link
def load_link() -> LinkState | None:
    """On a session's first run, take the scenario from the URL (a shared link).

    Returns what was read (with the problems found) the first time, None after.
    """
    ss = st.session_state
    if ss.get(Keys.LINK_LOADED):
        return None
    ss[Keys.LINK_LOADED] = True
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    if not raw:
        return None
    link = parse_params(get_plan(), raw)
    ss[Keys.LEVERS] = link.levers
    ss[Keys.BASELINE] = link.baseline
    if link.lang is not None:
        ss[Keys.LANG] = link.lang
    if link.seed is not None:
        ss[Keys.SEED] = link.seed
    if link.draws is not None:
        ss[Keys.DRAWS] = link.draws
    if link.tolerance is not None:
        ss[Keys.TOLERANCE] = link.tolerance
    if link.room is not None:
        ss[Keys.ROOM] = link.room
    return link


def link_params() -> dict[str, str]:
    """The current scenario as the URL's query parameters."""
    return build_params(
        get_plan(),
        levers=levers(),
        baseline=baseline_overrides(),
        lang=lang(),
        seed=_int_or(st.session_state.get(Keys.SEED), DEFAULT_SEED),
        tolerance=tolerance_percent(),
        draws=_int_or(st.session_state.get(Keys.DRAWS), DEFAULT_DRAWS),
        room=st.session_state.get(Keys.ROOM),
    )


def _int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def sync_url() -> None:
    """Write the scenario into the URL when it changed (the link is the scenario)."""
    params = link_params()
    if st.query_params.to_dict() != params or any(len(st.query_params.get_all(k)) > 1 for k in st.query_params):
        st.query_params.from_dict(params)


def lang() -> str:
    return st.session_state.get(Keys.LANG, DEFAULT_LANG)


def levers() -> dict[str, Any]:
    return st.session_state[Keys.LEVERS]


def baseline_overrides() -> dict[str, float]:
    return st.session_state[Keys.BASELINE]


def tolerance_percent() -> float:
    """Tolerance for "close" in percent (as the slider and the link show it)."""
    return float(st.session_state.get(Keys.TOLERANCE, DEFAULT_TOLERANCE_PERCENT))


def tolerance() -> float:
    """Tolerance for "close" as a fraction."""
    return tolerance_percent() / 100.0


def set_levers(values: Mapping[str, Any], *, replace: bool = False) -> None:
    """Change levers (replace=True: start from the defaults first)."""
    plan = get_plan()
    new = dict(plan.defaults()) if replace else dict(levers())
    new.update(values)
    st.session_state[Keys.LEVERS] = new


def set_baseline(overrides: Mapping[str, float]) -> None:
    st.session_state[Keys.BASELINE] = dict(overrides)


def reset() -> None:
    """Back to the defaults: levers, baseline, tolerance."""
    set_levers({}, replace=True)
    set_baseline({})
    st.session_state[Keys.TOLERANCE] = DEFAULT_TOLERANCE_PERCENT


def scenario_key() -> tuple[LeverItems, BaselineItems]:
    """The session's scenario as the cached calls' key (ui/cached.py)."""
    return items(levers()), items(baseline_overrides())


def matching_preset() -> str | None:
    """The id of the preset the current levers equal exactly, if any."""
    plan = get_plan()
    current = levers()
    for preset in plan.presets:
        if plan.preset_levers(preset.id) == current:
            return preset.id
    return None


def statuses_of(year_end_values: Mapping[str, float]) -> dict[str, str]:
    """reached / close / missed of every target, with the session's tolerance."""
    return dict(statuses(get_plan(), year_end_values, tolerance()))


def make_current(
    scenario_levers: Mapping[str, Any],
    baseline: Mapping[str, float],
    *,
    session: MutableMapping[str, Any] | None = None,
    plan: Plan | None = None,
) -> None:
    """Make a scenario the current one: its levers over the plan's defaults and its baseline overrides,
    nothing kept of the scenario before. ``session``: st.session_state unless given (the upload handler's)."""
    ss = st.session_state if session is None else session
    ss[Keys.LEVERS] = dict((plan or get_plan()).defaults()) | dict(scenario_levers)
    ss[Keys.BASELINE] = dict(baseline)
