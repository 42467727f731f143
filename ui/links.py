"""Share links: the URL's query parameters are the scenario.

A link holds each lever that differs from its default (by lever id), the
baseline overrides (``b_<id>``), the language, the plan id and version, the
Monte Carlo seed and the tolerance when not at their defaults; the page is
the URL's path. Parsing is lenient: whatever is wrong in a (possibly
tampered) link is clamped or ignored and reported (a model.problems.Problem
whose field is the link's key), and the rest applies.
A number is read only as the app writes it (ASCII digits, sign, point,
exponent) and a value not used exactly as written is reported: a link never
gives a silently different number. No Streamlit here, so the rules can be
tested directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from model.plan import BASELINE_IDS, Plan
from model.problems import Problem
from model.scenario import validate
from model.settings import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    DEFAULT_TOLERANCE_PERCENT,
    MAX_DRAWS,
    MAX_SEED,
    MAX_TOLERANCE,
    MIN_DRAWS,
    TOLERANCE_STEP,
)
from model.text import LANGS
from store.board import BoardError, normalize_room

PARAM_LANG = "lang"
PARAM_PLAN = "plan"
PARAM_VERSION = "v"
PARAM_SEED = "seed"
PARAM_DRAWS = "draws"
PARAM_TOLERANCE = "tol"
PARAM_ROOM = "room"
BASELINE_PREFIX = "b_"
MAX_VALUE_CHARS = 64  # longer values are not numbers anyone typed
MAX_PARAMS = 200  # a link with more keys than this is cut; the rest is reported

# Numbers as a link holds them: ASCII only. Python's float() and int() also take digits of other
# scripts ("١٢٠", "５") and underscores ("1_000"); a link is machine-made, so those are not numbers.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)  # read, then reported as not finite
_INTEGER = re.compile(r"[+-]?[0-9]+")
# A "+" typed into a link arrives as a space (form encoding), so spaces around a number are allowed.
_SPACES = " "


@dataclass
class LinkState:
    levers: dict[str, Any]
    baseline: dict[str, float]
    lang: str | None = None
    seed: int | None = None
    tolerance: float | None = None  # percent
    draws: int | None = None
    room: str | None = None  # workshop room code
    problems: list[Problem] = field(default_factory=list)  # each one not used as given (used: what is instead)
    other_version: str | None = None  # the plan version the link was made for, if not this one
    other_plan: str | None = None


def _fmt(value: float) -> str:
    """Shortest text for a number in a URL: 60, 2.5, 61.5 (no trailing .0)."""
    return f"{value:.12g}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def is_link_number(text: str) -> bool:
    """True for a number written as the app writes one (or nan/inf, which are then reported as not finite)."""
    core = text.strip(_SPACES)
    return bool(_NUMBER.fullmatch(core) or _NOT_FINITE.fullmatch(core))


def _same_number(text: str, used: float) -> bool:
    """True when the number written in the link is exactly the value used (no rounding by float parsing either)."""
    core = text.strip(_SPACES)
    if not _NUMBER.fullmatch(core):
        return False
    return Decimal(core) == Decimal(repr(float(used)))


def build_params(
    plan: Plan,
    *,
    levers: Mapping[str, Any],
    baseline: Mapping[str, float],
    lang: str,
    seed: int,
    tolerance: float,
    draws: int = DEFAULT_DRAWS,
    room: str | None = None,
) -> dict[str, str]:
    """Query parameters for the scenario: only what differs from the defaults, plus plan and language."""
    params: dict[str, str] = {}
    for lv in plan.levers:
        value = levers.get(lv.id, lv.default)
        if value != lv.default:
            params[lv.id] = str(value) if not lv.is_number else _fmt(float(value))
    plan_base = plan.baseline_values()
    for key, value in sorted(baseline.items()):
        if key in plan_base and value != plan_base[key]:
            params[BASELINE_PREFIX + key] = _fmt(float(value))
    if seed != DEFAULT_SEED:
        params[PARAM_SEED] = str(int(seed))
    if draws != DEFAULT_DRAWS:
        params[PARAM_DRAWS] = str(int(draws))
    if not math.isclose(tolerance, DEFAULT_TOLERANCE_PERCENT):
        params[PARAM_TOLERANCE] = _fmt(tolerance)
    if room:
        params[PARAM_ROOM] = room
    params[PARAM_LANG] = lang
    params[PARAM_PLAN] = plan.id
    params[PARAM_VERSION] = plan.version
    return params


def share_url(base_url: str | None, params: Mapping[str, str]) -> str:
    """The full link: the page's URL (without query) and the parameters."""
    return f"{base_url or ''}?{urlencode(params)}"


def parse_params(plan: Plan, raw: Mapping[str, Sequence[str]]) -> LinkState:
    """Read a link's parameters (each key → all its values), repairing what is wrong."""
    problems: list[Problem] = []
    single: dict[str, str] = {}
    for i, (key, values) in enumerate(raw.items()):
        if i >= MAX_PARAMS:
            problems.append(Problem("too_many", _short(key), f"+{len(raw) - MAX_PARAMS}"))
            break
        if not values:
            continue
        if len(values) > 1:
            # Repeated keys: the last one wins, as in a form; the rest is reported.
            problems.append(Problem("repeated", _short(key), ", ".join(_short(v) for v in values[:-1]), _short(values[-1])))
        single[key] = values[-1]

    state = LinkState(levers={}, baseline={})
    lever_ids = {lv.id for lv in plan.levers}
    numeric_ids = {lv.id for lv in plan.numeric_levers}
    lever_values: dict[str, str] = {}
    baseline_values: dict[str, str] = {}
    for key, value in single.items():
        if len(value) > MAX_VALUE_CHARS:
            problems.append(Problem("too_long", _short(key), _short(value)))
            continue
        if key in lever_ids:
            if key in numeric_ids and not is_link_number(value):
                problems.append(Problem("not_a_number", key, _short(value)))
            else:
                lever_values[key] = value
        elif key.startswith(BASELINE_PREFIX) and key[len(BASELINE_PREFIX) :] in BASELINE_IDS:
            if is_link_number(value):
                baseline_values[key[len(BASELINE_PREFIX) :]] = value
            else:
                problems.append(Problem("not_a_number", key, _short(value)))
        elif key == PARAM_LANG:
            if value in LANGS:
                state.lang = value
            else:
                problems.append(Problem("not_a_choice", key, _short(value)))
        elif key == PARAM_SEED:
            state.seed = _parse_int(key, value, problems, lo=0, hi=MAX_SEED)
        elif key == PARAM_DRAWS:
            state.draws = _parse_int(key, value, problems, lo=MIN_DRAWS, hi=MAX_DRAWS)
        elif key == PARAM_TOLERANCE:
            state.tolerance = _parse_tolerance(value, problems)
        elif key == PARAM_ROOM:
            try:
                state.room = normalize_room(value)
            except BoardError:
                problems.append(Problem("bad_room", key, _short(value)))
        elif key == PARAM_PLAN:
            if value != plan.id:
                state.other_plan = _short(value)
        elif key == PARAM_VERSION:
            if value != plan.version:
                state.other_version = _short(value)
        else:
            problems.append(Problem("unknown", _short(key), _short(value)))

    scenario, changes = validate(plan, lever_values, baseline_values, lenient=True)
    changed = set()
    for change in changes:
        key = change.field.replace("baseline.", BASELINE_PREFIX, 1)
        changed.add(key)
        problems.append(replace(change, field=key))
    state.levers = dict(scenario.levers)
    state.baseline = dict(scenario.baseline)
    # Validation compares floats with a little slack (1e-9 of a step) and float() itself rounds
    # ("60.0000000000000001" is 60.0): a value accepted that way is put on the slider's grid and
    # reported unless the link wrote exactly the value used.
    for key, text in lever_values.items():
        if key in changed or key not in numeric_ids:
            continue
        used = plan.lever(key).snap(float(state.levers[key]))
        if not _same_number(text, used):
            problems.append(Problem("off_step", key, _short(text), _fmt(used)))
        state.levers[key] = used
    for bid, text in baseline_values.items():
        key = BASELINE_PREFIX + bid
        if key in changed or bid not in state.baseline:
            continue
        if not _same_number(text, state.baseline[bid]):
            problems.append(Problem("off_step", key, _short(text), _fmt(state.baseline[bid])))
    state.problems = problems
    return state


def _parse_int(key: str, value: str, problems: list[Problem], *, lo: int, hi: int) -> int | None:
    """A whole number in [lo, hi] (ASCII digits): clamped when outside, ignored when not a whole number."""
    core = value.strip(_SPACES)
    if not _INTEGER.fullmatch(core):
        problems.append(Problem("not_a_number", key, _short(value)))
        return None
    number = int(core)
    if not lo <= number <= hi:
        clamped = min(max(number, lo), hi)
        problems.append(Problem("out_of_range", key, _short(value), str(clamped)))
        return clamped
    return number


def _parse_tolerance(value: str, problems: list[Problem]) -> float | None:
    """The "close" tolerance in percent: clamped to 0–MAX_TOLERANCE and put on the setting's grid, each change reported."""
    if not is_link_number(value):
        problems.append(Problem("not_a_number", PARAM_TOLERANCE, _short(value)))
        return None
    tol = float(value.strip(_SPACES))
    if not math.isfinite(tol):
        problems.append(Problem("not_finite", PARAM_TOLERANCE, _short(value)))
        return None
    if not 0 <= tol <= MAX_TOLERANCE:
        clamped = min(max(tol, 0.0), MAX_TOLERANCE)
        problems.append(Problem("out_of_range", PARAM_TOLERANCE, _short(value), _fmt(clamped)))
        return clamped
    snapped = round(tol / TOLERANCE_STEP) * TOLERANCE_STEP
    # Reported unless the link wrote exactly a value of the grid: 2e-81 and 2.5000000000000001 are not.
    if not _same_number(value, snapped):
        problems.append(Problem("off_step", PARAM_TOLERANCE, _short(value), _fmt(snapped)))
    return snapped
