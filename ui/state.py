"""The one place the scenario lives: session state, cached plan and projections.

Session keys (set once, in `init_state`, called by app.py on every run):
  ``levers``    dict lever id → value (plan units: percent for rates)
  ``baseline``  dict baseline id → override value (only the overridden ones)
  ``lang``      "vi" | "en" (the language radio's own key)
  ``tolerance`` percent, for "close"
Widgets never own the scenario: each lever widget has its own key per page,
is set from ``levers`` before it is drawn and writes back in its callback, so
the same lever moved on any page is seen on every other.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, MutableMapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from model.analysis import (
    MonteCarloResult,
    PlanImplied,
    goal_seek_table,
    monte_carlo,
    plan_implied,
    sensitivity,
)
from model.engine import DEFAULT_TOLERANCE, project, statuses
from model.plan import Lever, Observation, Plan, load_observations, load_plan
from model.text import DEFAULT_LANG, number
from ui.links import DEFAULT_DRAWS, DEFAULT_SEED, LinkState, build_params, parse_params

# The levers a leader or a participant moves first: the sidebar's and the phone panel's (ui/phone.py).
MAIN_LEVERS: tuple[str, ...] = ("new_coops", "dissolution_rate", "members_per_new_coop", "revenue_growth", "income_growth")

LeverItems = tuple[tuple[str, Any], ...]
BaselineItems = tuple[tuple[str, float], ...]


@st.cache_resource(show_spinner=False)
def get_plan() -> Plan:
    """The shipped plan, loaded and checked once per server process (immutable)."""
    return load_plan()


@st.cache_resource(show_spinner=False)
def get_observations() -> tuple[Observation, ...]:
    return load_observations()


def init_state() -> None:
    """Fill in every session key that is missing (first run of a session)."""
    plan = get_plan()
    ss = st.session_state
    if "levers" not in ss:
        ss["levers"] = dict(plan.defaults())
    if "baseline" not in ss:
        ss["baseline"] = {}
    if "lang" not in ss:
        ss["lang"] = DEFAULT_LANG
    if "tolerance" not in ss:
        ss["tolerance"] = DEFAULT_TOLERANCE * 100
    if "mc_seed" not in ss:
        ss["mc_seed"] = DEFAULT_SEED


def leave_legacy_pages_mode() -> None:
    """Called first thing in app.py: never run a session's first script run in Streamlit's legacy mode.

    Streamlit keeps a legacy mode for apps with a ``pages/`` folder, on until
    an entry script calls st.navigation: on a freshly started server the first
    session's first run happens inside it. Widgets made in that run get other
    ids than in every later run, so on the first interaction they are all
    re-created (the slider loses focus, a widget's value falls back to its
    default). Switching the mode off and rerunning before any widget exists
    avoids all of that.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def require_app() -> None:
    """Make sure a page runs inside app.py (shared sidebar and state), never on its own.

    In the legacy mode above, the first request to a deep link such as
    ``/scenario`` on a freshly started server runs ``pages/scenario.py``
    directly, without app.py. Each page calls this first: it switches that
    mode off and reruns, so app.py (and st.navigation) runs this time.
    """
    if "levers" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()


def load_link() -> LinkState | None:
    """On a session's first run, take the scenario from the URL (a shared link).

    Returns what was read (with the problems found) the first time, None after.
    """
    ss = st.session_state
    if ss.get("link_loaded"):
        return None
    ss["link_loaded"] = True
    raw = {key: st.query_params.get_all(key) for key in st.query_params}
    if not raw:
        return None
    link = parse_params(get_plan(), raw)
    ss["levers"] = link.levers
    ss["baseline"] = link.baseline
    if link.lang is not None:
        ss["lang"] = link.lang
    if link.seed is not None:
        ss["mc_seed"] = link.seed
    if link.draws is not None:
        ss["mc_draws"] = link.draws
    if link.tolerance is not None:
        ss["tolerance"] = link.tolerance
    if link.room is not None:
        ss["workshop_room"] = link.room
    return link


def link_params() -> dict[str, str]:
    """The current scenario as the URL's query parameters."""
    return build_params(
        get_plan(),
        levers=levers(),
        baseline=baseline_overrides(),
        lang=lang(),
        seed=_int_or(st.session_state.get("mc_seed"), DEFAULT_SEED),
        tolerance=float(st.session_state.get("tolerance", DEFAULT_TOLERANCE * 100)),
        draws=_int_or(st.session_state.get("mc_draws"), DEFAULT_DRAWS),
        room=st.session_state.get("workshop_room"),
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
    return st.session_state.get("lang", DEFAULT_LANG)


def levers() -> dict[str, Any]:
    return st.session_state["levers"]


def baseline_overrides() -> dict[str, float]:
    return st.session_state["baseline"]


def tolerance() -> float:
    """Tolerance for "close" as a fraction."""
    return float(st.session_state.get("tolerance", DEFAULT_TOLERANCE * 100)) / 100.0


def set_levers(values: Mapping[str, Any], *, replace: bool = False) -> None:
    """Change levers (replace=True: start from the defaults first)."""
    plan = get_plan()
    new = dict(plan.defaults()) if replace else dict(levers())
    new.update(values)
    st.session_state["levers"] = new


def set_baseline(overrides: Mapping[str, float]) -> None:
    st.session_state["baseline"] = dict(overrides)


def reset() -> None:
    """Back to the defaults: levers, baseline, tolerance."""
    set_levers({}, replace=True)
    set_baseline({})
    st.session_state["tolerance"] = DEFAULT_TOLERANCE * 100


def items(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A hashable, order-independent key for st.cache_data."""
    return tuple(sorted(mapping.items()))


def scenario_key() -> tuple[LeverItems, BaselineItems]:
    return items(levers()), items(baseline_overrides())


def matching_preset() -> str | None:
    """The id of the preset the current levers equal exactly, if any."""
    plan = get_plan()
    current = levers()
    for preset in plan.presets:
        if plan.preset_levers(preset.id) == current:
            return preset.id
    return None


# ----------------------------------------------------------- cached compute
# Keyed by the hashable lever and baseline items: a rerun that changed
# neither recomputes nothing.


# Not st.cache_data: a hit there hashes the arguments and unpickles a copy of the result (~0.5 ms), and
# every run asks for the year-end values several times (sidebar, live share, phone panel, page). The
# values are shared by every session, so they are read-only.
@functools.lru_cache(maxsize=4096)
def year_end(lever_items: LeverItems, baseline_items: BaselineItems) -> Mapping[str, float]:
    return MappingProxyType(project(get_plan(), dict(lever_items), dict(baseline_items)).year_end_dict())


@st.cache_data(show_spinner=False, max_entries=256)
def monthly(lever_items: LeverItems, baseline_items: BaselineItems) -> pd.DataFrame:
    return project(get_plan(), dict(lever_items), dict(baseline_items)).frame(0)


@st.cache_data(show_spinner=False, max_entries=32)
def montecarlo_result(lever_items: LeverItems, baseline_items: BaselineItems, draws: int, seed: int) -> MonteCarloResult:
    # No tolerance: the probability of reaching a target does not depend on it (only "close" does),
    # so one cached run serves every tolerance and moving the tolerance slider reruns no draws.
    result = monte_carlo(get_plan(), dict(lever_items), draws=draws, seed=seed, baseline=dict(baseline_items))
    return result.compact()  # the cache pickles its values: keep bands, not 13 × draws paths


@st.cache_data(show_spinner=False, max_entries=64)
def goal_seek_all(lever_items: LeverItems, baseline_items: BaselineItems) -> pd.DataFrame:
    """Every target × every numeric lever: one row each (indicator, lever, value, kind, reachable, best)."""
    results = goal_seek_table(get_plan(), dict(lever_items), baseline=dict(baseline_items))
    return pd.DataFrame([r.__dict__ for r in results])


@st.cache_data(show_spinner=False, max_entries=64)
def implied(lever_items: LeverItems, baseline_items: BaselineItems, tol: float) -> PlanImplied:
    return plan_implied(get_plan(), dict(lever_items), baseline=dict(baseline_items), tolerance=tol)


@st.cache_data(show_spinner=False, max_entries=128)
def tornado(lever_items: LeverItems, baseline_items: BaselineItems, indicator: str) -> pd.DataFrame:
    return sensitivity(get_plan(), dict(lever_items), indicator=indicator, baseline=dict(baseline_items))


def statuses_of(year_end_values: Mapping[str, float]) -> dict[str, str]:
    """reached / close / missed of every target, with the session's tolerance."""
    return dict(statuses(get_plan(), year_end_values, tolerance()))


# ------------------------------------------------------------ lever widgets


def is_integer_lever(lv: Lever) -> bool:
    return all(float(x).is_integer() for x in (lv.lo, lv.hi, lv.step_size, float(lv.default)))


@functools.cache
def lever_options(lever_id: str) -> tuple[float, ...]:
    """Every value a lever can take (its step grid), as the slider's options."""
    lv = get_plan().lever(lever_id)
    n = round((lv.hi - lv.lo) / lv.step_size)
    grid = np.round(lv.lo + np.arange(n + 1) * lv.step_size, 10)
    if is_integer_lever(lv):
        return tuple(int(x) for x in grid)
    return tuple(float(x) for x in grid)


def snap_lever_value(lever_id: str, value: float) -> int | float:
    """The grid value nearest to ``value``, inside the lever's range (a typed 2.3 on a 0.5 grid is 2.5)."""
    lv = get_plan().lever(lever_id)
    options = lever_options(lever_id)
    if not np.isfinite(value):
        return options[0] if value < 0 else options[-1]
    index = int(np.floor((min(max(float(value), lv.lo), lv.hi) - lv.lo) / lv.step_size + 0.5))  # halves go up
    return options[min(max(index, 0), len(options) - 1)]


@functools.cache
def _option_labels(lever_id: str, language: str) -> dict[float, str]:
    lv = get_plan().lever(lever_id)
    return {x: number(x, language, lv.decimals) for x in lever_options(lever_id)}


def format_lever_value(lever_id: str, value: Any, language: str) -> str:
    """A lever value in the locale's format (choices by their label)."""
    lv = get_plan().lever(lever_id)
    if not lv.is_number:
        return lv.choice_label(str(value), language)
    labels = _option_labels(lever_id, language)
    return labels.get(value) or number(float(value), language, lv.decimals)


def indicator_select(label: str, *, key: str) -> str:
    """A picker of the 17 indicators (labels in the session language); returns the chosen id.

    The choice lives under ``key``; the widget's key carries the language, because a widget
    whose option labels change keeps showing the old ones in the browser.
    """
    plan = get_plan()
    language = lang()
    labels = {target.id: target.label(language) for target in plan.targets}
    chosen = st.session_state.get(key)
    if chosen not in labels:
        chosen = plan.targets[0].id
        st.session_state[key] = chosen
    widget_key = f"{key}_{language}"
    st.session_state[widget_key] = chosen

    def _changed() -> None:
        st.session_state[key] = st.session_state[widget_key]

    st.selectbox(label, options=list(labels), format_func=labels.__getitem__, key=widget_key, on_change=_changed)
    return str(st.session_state[key])


TOLERANCE_OPTIONS: tuple[float, ...] = tuple(round(0.5 * i, 1) for i in range(101))  # 0–50 % by 0.5


@functools.cache
def _tolerance_labels(language: str) -> dict[float, str]:
    return {x: number(x, language, 1) + "%" for x in TOLERANCE_OPTIONS}


def _on_tolerance_change() -> None:
    st.session_state["tolerance"] = float(st.session_state["sidebar_tolerance"])


def tolerance_widget(*, label: str, help_text: str) -> None:
    """The "close" tolerance in percent, a slider like the levers (labels in the locale's format).

    The value lives in ``tolerance`` (session state); the widget is synced to it.
    """
    language = lang()
    current = float(st.session_state.get("tolerance", DEFAULT_TOLERANCE * 100))
    value = min(TOLERANCE_OPTIONS, key=lambda x: abs(x - current))
    st.session_state["sidebar_tolerance"] = value
    labels = _tolerance_labels(language)
    st.select_slider(
        label,
        options=TOLERANCE_OPTIONS,
        format_func=labels.__getitem__,
        key="sidebar_tolerance",
        help=help_text,
        on_change=_on_tolerance_change,
    )


PUSHED_KEY = "widgets_pushed"  # widget key → what the browser showed before the app set a new value


def push(key: str, value: Any) -> None:
    """Set a synced widget's value before drawing it (the scenario moved elsewhere), remembering what the
    browser showed before, until the browser reports the new value.

    One lever has several widgets (sidebar, page, phone panel, value box). The browser sends every
    widget's value with every rerun; until it has drawn this run's values, it still sends the old value of
    a widget the app changed, and that looks like the user moving it back: two quick key presses on the
    sidebar slider set the lever back to where it was (seen in Chromium). `stale_echo` tells them apart.
    """
    ss = st.session_state
    pushed = ss.setdefault(PUSHED_KEY, {})
    if key in ss:
        before = ss[key]
        if before != value:
            pushed[key] = before
        else:
            pushed.pop(key, None)  # the browser shows what the app set: nothing stale can come any more
    ss[key] = value


def stale_echo(key: str) -> bool:
    """True when a widget's "change" is the browser sending again the value the app replaced (see `push`):
    its callback must ignore it. A person cannot move a widget the app just moved back to exactly its
    old value before the browser has even drawn the new one."""
    pushed = st.session_state.get(PUSHED_KEY, {})
    return key in pushed and st.session_state.get(key) == pushed[key]


def _on_lever_change(lever_id: str, widget_key: str) -> None:
    if stale_echo(widget_key):
        return
    value = st.session_state[widget_key]
    lv = get_plan().lever(lever_id)
    st.session_state["levers"] = {**levers(), lever_id: value if not lv.is_number else float(value)}


def lever_widget(lever_id: str, *, page: str, label: str, help_text: str | None = None) -> None:
    """Draw one lever's control (a slider on its step grid, or a radio for a choice).

    The widget key is ``{page}_{lever_id}``; its value is set from the
    scenario before drawing, and the callback writes it back.
    """
    plan = get_plan()
    lv = plan.lever(lever_id)
    key = f"{page}_{lever_id}"
    language = lang()
    current = levers()[lever_id]
    if not lv.is_number:
        push(key, current)
        st.radio(
            label,
            options=list(lv.choices),
            format_func=lambda c: lv.choice_label(c, language),
            key=key,
            help=help_text,
            horizontal=True,
            on_change=_on_lever_change,
            args=(lever_id, key),
        )
        return
    options = lever_options(lever_id)
    value = int(current) if is_integer_lever(lv) else float(current)
    if value not in _option_labels(lever_id, language):
        # A value off the grid (should not happen: inputs are validated); show the nearest.
        value = min(options, key=lambda x: abs(x - value))
    push(key, value)
    labels = _option_labels(lever_id, language)
    st.select_slider(
        label,
        options=options,
        format_func=labels.__getitem__,
        key=key,
        help=help_text,
        on_change=_on_lever_change,
        args=(lever_id, key),
    )


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
    ss["levers"] = dict((plan or get_plan()).defaults()) | dict(scenario_levers)
    ss["baseline"] = dict(baseline)
