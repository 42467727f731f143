"""Problems in words, in the session's language: the one place a model.problems.Problem becomes text.

``describe``: a sentence naming the value and what is wrong (uploads, the baseline editor, the
Compare page). ``link_line``: one line of a repaired link's report ("what: «given» reason, used").
The words are in data/strings under ``problem``; nothing here parses text. No Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from model.plan import BASELINE_IDS, Plan, on_step
from model.problems import FILE_CODES, Problem
from model.text import number, tolerance_text, tr
from ui.links import BASELINE_PREFIX, PARAM_DRAWS, PARAM_LANG, PARAM_ROOM, PARAM_SEED, PARAM_TOLERANCE

BASELINE_FIELD = "baseline."  # a problem's field for a baseline value (model.scenario)
SETTING_KEYS = frozenset({PARAM_LANG, PARAM_SEED, PARAM_DRAWS, PARAM_TOLERANCE, PARAM_ROOM})  # named in a link's report


def quoted(text: str, lang: str) -> str:
    """«…» in Vietnamese, “…” in English."""
    return f"«{text}»" if lang == "vi" else f"“{text}”"


def _finite(text: str) -> float | None:
    """The finite number a problem's text holds (its given or used value), None when it holds none."""
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _num_text(text: str | None, lang: str) -> str:
    """A number given as text, in the locale's format (kept as it was when it is not a number)."""
    if text is None:
        return ""
    x = _finite(text)
    if x is None:
        return text
    decimals = 0 if x.is_integer() else min(len(f"{x:g}".split(".")[-1]), 4)
    return number(x, lang, decimals)


def _typed_text(text: str, lang: str) -> str:
    """A number as typed, in the locale's format with all its decimals (815,5; 0,00001); as given when
    it has more than 9 decimals (1e-300) or is not a plain number. Never rounded: it says what was refused."""
    x = _finite(text)
    if x is None or round(x, 9) != x:
        return text
    decimals = len(f"{x:.9f}".rstrip("0").partition(".")[2])
    return number(x, lang, decimals)


def _baseline_name(plan: Plan, baseline_id: str, lang: str) -> str:
    return quoted(plan.target(baseline_id).label(lang) if baseline_id in BASELINE_IDS else baseline_id, lang)


def _precision(plan: Plan, baseline_id: str, name: str, given: str, lang: str) -> str:
    """A baseline value with more decimals than it is kept with (815.5 coops): said with every decimal typed."""
    decimals = plan.baseline_decimals(baseline_id)
    key = "whole" if decimals == 0 else "too_precise"
    return tr(lang, f"problem.{key}", name=name, given=given, decimals=decimals)


def _file_field(text: str | None) -> str:
    """A file's field name or plan id as the model's English quotes it (escapes of controls kept visible)."""
    return repr(text or "")[1:-1]


def _file(problem: Problem, lang: str) -> str:
    code, p = problem.code, problem.params
    if code == "bad_json_at":
        return tr(lang, "problem.bad_json_at", line=p["line"], column=p["column"])
    if code == "too_large":
        return tr(lang, "problem.too_large", kib=p["kib"])
    if code == "unknown_field":
        return tr(lang, "problem.unknown_field", field=_file_field(problem.field))
    if code == "other_plan":
        return tr(lang, "problem.other_plan", other=_file_field(problem.given), this=_file_field(problem.used))
    if code == "other_version":
        return tr(lang, "problem.other_version", version=str(problem.given)[:20], current=problem.used)
    return tr(lang, f"problem.{code}")


def _baseline(plan: Plan, problem: Problem, lang: str) -> str:
    bid = problem.field.removeprefix(BASELINE_FIELD)
    given_text = problem.given or ""
    given = _typed_text(given_text, lang)
    name = _baseline_name(plan, bid, lang)
    code = problem.code
    if code == "unknown":
        return tr(lang, "problem.unknown_baseline", name=quoted(bid, lang))
    if code in ("not_a_number", "not_finite"):
        return tr(lang, "problem.baseline_not_a_number", name=name, given=given_text)
    if code == "inconsistent":
        whole = str(problem.params["whole"])  # the whole the part belongs to (model.scenario.validate)
        return tr(
            lang,
            "problem.more_than_whole",
            name=name,
            given=given,
            whole=_baseline_name(plan, whole, lang),
            whole_value=_num_text(problem.used, lang),
        )
    if code == "off_step" and bid in BASELINE_IDS:
        return _precision(plan, bid, name, given, lang)
    if code == "out_of_range" and bid in BASELINE_IDS:
        bound = problem.params.get("bound")  # which bound the value broke (model.scenario.check_baseline_value)
        if bound == "most":
            most = number(float(problem.params["most"]), lang, 0)
            return tr(lang, "problem.baseline_too_large", name=name, given=given, most=most)
        if bound == "positive":
            return tr(lang, "problem.must_be_positive", name=name, given=given)
        if bound == "precision":  # more than 0, but 0 at the value's precision (0.00001 coops)
            return _precision(plan, bid, name, given, lang)
        if bound == "negative":
            return tr(lang, "problem.negative", name=name, given=given)
    return tr(lang, "problem.unusable", name=name, given=given)


def describe(problem: Problem, lang: str, plan: Plan) -> str:
    """A problem as one sentence in ``lang``, naming the value and what is wrong (a code it does not
    know for a value is said neutrally: the value cannot be used)."""
    if problem.code in FILE_CODES:
        return _file(problem, lang)
    if problem.field.startswith(BASELINE_FIELD):
        return _baseline(plan, problem, lang)
    given_text = problem.given or ""
    given = _typed_text(given_text, lang)
    known = {lv.id: lv for lv in plan.levers}
    lv = known.get(problem.field)
    if lv is None or problem.code == "unknown":
        return tr(lang, "problem.unknown_lever", name=quoted(problem.field, lang))
    name = quoted(lv.label(lang), lang)
    if problem.code == "not_a_choice":
        choices = ", ".join(lv.choice_label(c, lang) for c in lv.choices)
        return tr(lang, "problem.not_a_choice", name=name, given=given_text, choices=choices)
    if problem.code in ("not_a_number", "not_finite"):
        return tr(lang, "problem.lever_not_a_number", name=name, given=given_text)
    if problem.code == "out_of_range":
        lo, hi = number(lv.lo, lang, lv.decimals), number(lv.hi, lang, lv.decimals)
        return tr(lang, "problem.out_of_range", name=name, given=given, lo=lo, hi=hi, unit=lv.unit(lang))
    if problem.code == "off_step":
        return tr(lang, "problem.off_step", name=name, given=given, step=number(lv.step_size, lang, lv.decimals))
    return tr(lang, "problem.unusable", name=name, given=given)


def describe_all(problems: Iterable[Problem], lang: str, plan: Plan) -> list[str]:
    return [describe(p, lang, plan) for p in problems]


# ------------------------------------------------------------ share links


def _link_what(problem: Problem, lang: str, plan: Plan) -> str:
    """What a link's key is: a lever, a baseline value, a setting (by name and key), or just the key."""
    key = problem.field
    if key in {lv.id for lv in plan.levers}:
        return f"{plan.lever(key).label(lang)} ({key})"
    bid = key.removeprefix(BASELINE_PREFIX)
    if key.startswith(BASELINE_PREFIX) and bid in {b.id for b in plan.baseline}:
        return f"{tr(lang, 'links.baseline')} {plan.target(bid).label(lang)} ({key})"
    if key in SETTING_KEYS:
        return f"{tr(lang, 'links.key.' + key)} ({key})"
    return key


def _link_used(key: str, used: str, lang: str, plan: Plan) -> str:
    """A value the link repair used, in the locale's format when it is a number (2,5 not 2.5)."""
    value = _finite(used)
    if value is None:
        return used
    numeric = {lv.id: lv for lv in plan.numeric_levers}
    if key in numeric:
        lv = numeric[key]
        if value == 0 and lv.lo <= 0 <= lv.hi and on_step(0.0, lv.lo, lv.step_size):
            value = 0.0  # "-0" is the slider's 0
        return number(value, lang, lv.decimals)  # as the lever's slider shows it
    if key == PARAM_TOLERANCE:
        return tolerance_text(value, lang)
    bid = key.removeprefix(BASELINE_PREFIX)
    if key.startswith(BASELINE_PREFIX) and bid in BASELINE_IDS:
        return number(value, lang, plan.baseline_decimals(bid), trim=True)  # as the editor shows it
    return number(value, lang, 0 if value.is_integer() else 2)


def _link_reason(problem: Problem, lang: str, plan: Plan) -> str:
    """Why a value was not used as written; a baseline value off its step has too many decimals (no slider)."""
    bid = problem.field.removeprefix(BASELINE_PREFIX)
    if problem.code == "off_step" and problem.field.startswith(BASELINE_PREFIX) and bid in BASELINE_IDS:
        decimals = plan.baseline_decimals(bid)
        if decimals == 0:
            return tr(lang, "problem.reason.off_step_whole")
        return tr(lang, "problem.reason.off_step_decimals", decimals=decimals)
    return tr(lang, f"problem.reason.{problem.code}")


def link_line(problem: Problem, lang: str, plan: Plan, *, escape: Callable[[str], str] = str) -> str:
    """One problem of a link as a sentence (links.problem), the link's text passed through ``escape``."""
    used = None if problem.used is None else _link_used(problem.field, problem.used, lang, plan)
    return tr(
        lang,
        "links.problem",
        what=escape(_link_what(problem, lang, plan)),
        given=escape(problem.given or ""),
        reason=_link_reason(problem, lang, plan),
        used=escape(tr(lang, "links.ignored") if used is None else tr(lang, "links.used", value=used)),
    )
