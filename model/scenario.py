"""Scenarios: validation of lever and baseline values, and the scenario file (JSON).

Strict validation raises one ScenarioError listing every problem. Lenient
validation (for share links and uploads the app repairs) clamps, rounds or
drops what is wrong and reports each change. The same checks serve both.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.plan import BASELINE_IDS, Lever, Plan, baseline_problems, on_step, round_baseline
from model.text import clean_label

FORMAT = "sonla-coop-scenario"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024
# No baseline stock or average is anywhere near a billion (coops ~10^3, members ~10^4,
# revenue ~10^3 million VND): larger values are typing or tampering, not data.
MAX_BASELINE = 1e9


class ScenarioError(ValueError):
    """Invalid scenario values; ``problems`` lists each one in a line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Change:
    """One repair made by lenient validation: what was given, what is used instead."""

    key: str
    given: str
    used: str | None  # None: dropped (the default or plan value applies)
    reason: str  # "unknown", "not_a_number", "not_finite", "out_of_range", "off_step", "not_a_choice", "inconsistent"

    def __str__(self) -> str:
        used = "ignored" if self.used is None else f"used {self.used}"
        return f"{self.key}: {self.given!r} {self.reason.replace('_', ' ')}, {used}"


@dataclass(frozen=True)
class Scenario:
    """A complete, valid scenario: every lever, and the baseline overrides (maybe none)."""

    plan_id: str
    plan_version: str
    levers: dict[str, float | str]
    baseline: dict[str, float] = field(default_factory=dict)
    name: str = ""

    def changed_levers(self, plan: Plan) -> dict[str, float | str]:
        """Levers that differ from the plan's defaults."""
        return {k: v for k, v in self.levers.items() if v != plan.lever(k).default}


def _fmt(v: float) -> str:
    return f"{v:g}"


def _as_number(value: Any) -> float | None:
    """A float from a number or numeric text; None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an int too large for a float (a 400-digit number in a file)
            return math.inf
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 64:
            return None
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _snap(value: float, lv: Lever) -> float:
    """Nearest value on the lever's step grid, inside its range, tidy as a float."""
    # Clamp first: a huge value (1e308) would overflow the step count.
    clamped = min(max(value, lv.lo), lv.hi)
    k = round((clamped - lv.lo) / lv.step_size)
    snapped = min(max(lv.lo + k * lv.step_size, lv.lo), lv.hi)
    return round(snapped, 10)


def check_lever(lv: Lever, value: Any) -> tuple[float | str | None, str | None, str | None]:
    """(repaired value or None to drop, reason, message) for one lever value; reason None when valid."""
    if lv.kind == "choice":
        if isinstance(value, str) and value in lv.choices:
            return value, None, None
        shown = str(value)[:40]
        return None, "not_a_choice", f"lever {lv.id}: {shown!r} is not one of {', '.join(lv.choices)}"
    x = _as_number(value)
    if x is None:
        shown = str(value)[:40]
        if isinstance(value, str):
            msg = f"lever {lv.id}: {shown!r} is not a number"
        else:
            msg = f"lever {lv.id}: expected a number, got {type(value).__name__}"
        return None, "not_a_number", msg
    if not math.isfinite(x):
        return None, "not_finite", f"lever {lv.id}: {x} is not a finite number"
    if not lv.lo <= x <= lv.hi:
        return _snap(x, lv), "out_of_range", f"lever {lv.id}: {_fmt(x)} is outside {_fmt(lv.lo)}–{_fmt(lv.hi)}"
    if not on_step(x, lv.lo, lv.step_size):
        return _snap(x, lv), "off_step", f"lever {lv.id}: {_fmt(x)} is not on the step {_fmt(lv.step_size)}"
    return x, None, None


def check_baseline_value(key: str, value: Any, *, decimals: int) -> tuple[float | None, str | None, str | None]:
    """(repaired value or None, reason, message) for one baseline override.

    A value is used at ``decimals`` decimals (Plan.baseline_decimals: what the editor shows), so
    that the value in use and its text are the same number. A finer value is off that step:
    lenient validation rounds it. Coops and unions must stay more than 0 once rounded (the model
    divides by them): 0.00001 coops is refused, and the plan's value applies.
    """
    x = _as_number(value)
    if x is None:
        return None, "not_a_number", f"baseline {key}: {str(value)[:40]!r} is not a number"
    if not math.isfinite(x):
        return None, "not_finite", f"baseline {key}: {x} is not a finite number"
    x += 0.0  # -0.0 → 0.0
    # Checked before the clamp below: clamping a negative count of coops or
    # unions to 0 would give a value that strict validation rejects.
    positive = key in ("unions", "coops")
    if positive and x <= 0:
        return None, "out_of_range", f"baseline {key}: must be more than 0"
    if x < 0:
        return 0.0, "out_of_range", f"baseline {key}: {_fmt(x)} is negative"
    if x > MAX_BASELINE:
        return MAX_BASELINE, "out_of_range", f"baseline {key}: {_fmt(x)} is more than {_fmt(MAX_BASELINE)}"
    rounded = round_baseline(x, decimals)
    if positive and rounded <= 0:
        # 0.00001 coops would be shown as "0", which the editor cannot take back: refused, not rounded.
        return None, "out_of_range", f"baseline {key}: must be more than 0 ({_fmt(x)} is 0 at {decimals} decimals)"
    if rounded != x:
        step = _fmt(10.0**-decimals)
        return rounded, "off_step", f"baseline {key}: {_fmt(x)} is not on the step {step} (it has more than {decimals} decimals)"
    return x, None, None


def validate(
    plan: Plan,
    levers: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
    *,
    lenient: bool = False,
    name: str = "",
) -> tuple[Scenario, list[Change]]:
    """Check lever values (any subset; the rest default) and baseline overrides.

    Strict (default): raise ScenarioError listing every problem.
    Lenient: repair each problem (clamp to range, round to step, drop what is
    not usable) and return the list of changes beside the scenario.
    """
    problems: list[str] = []
    changes: list[Change] = []
    values: dict[str, float | str] = dict(plan.defaults())
    known = {lv.id: lv for lv in plan.levers}
    for key, raw in (levers or {}).items():
        lv = known.get(key)
        if lv is None:
            problems.append(f"unknown lever {str(key)[:40]!r}")
            changes.append(Change(str(key)[:40], str(raw)[:40], None, "unknown"))
            continue
        fixed, reason, msg = check_lever(lv, raw)
        if reason is None:
            assert fixed is not None
            values[key] = fixed
            continue
        assert msg is not None
        problems.append(msg)
        changes.append(Change(key, str(raw)[:40], None if fixed is None else str(fixed), reason))
        if fixed is not None:
            values[key] = fixed

    overrides: dict[str, float] = {}
    for key, raw in (baseline or {}).items():
        if key not in BASELINE_IDS:
            problems.append(f"unknown baseline value {str(key)[:40]!r}")
            changes.append(Change(f"baseline.{str(key)[:40]}", str(raw)[:40], None, "unknown"))
            continue
        fixed_b, reason, msg = check_baseline_value(key, raw, decimals=plan.baseline_decimals(key))
        if reason is not None:
            assert msg is not None
            problems.append(msg)
            changes.append(Change(f"baseline.{key}", str(raw)[:40], None if fixed_b is None else _fmt(fixed_b), reason))
        if fixed_b is not None:
            overrides[key] = fixed_b
    full = plan.baseline_values() | overrides
    for msg in baseline_problems(full, plan.parts):
        problems.append(f"baseline {msg}")
        # Repair: cap the part at the whole it belongs to.
        part = msg.split(":")[0]
        whole = plan.whole_of(part)
        changes.append(Change(f"baseline.{part}", _fmt(full[part]), _fmt(full[whole]), "inconsistent"))
        overrides[part] = full[whole]

    if problems and not lenient:
        raise ScenarioError(problems)
    scenario = Scenario(plan_id=plan.id, plan_version=plan.version, levers=values, baseline=overrides, name=name)
    return scenario, changes


# ------------------------------------------------------------ the file format


def to_json(plan: Plan, scenario: Scenario) -> str:
    """The scenario file: plan id and version, every lever, baseline overrides."""
    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "plan": {"id": plan.id, "version": plan.version},
        "name": scenario.name,
        "levers": scenario.levers,
        "baseline": scenario.baseline,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    changes: list[Change]
    notices: list[str]  # e.g. made for another plan version


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(doc: dict[str, Any], *, keep: tuple[str, ...]) -> None:
    """Lone surrogates (valid JSON escapes like "\\ud800", but not text) become U+FFFD in every key and string.

    They cannot be encoded as UTF-8, so a problem message quoting one could not
    be shown. The top-level fields in ``keep`` are left for their own rule (the
    name: model.text.clean_label drops them). In place, without recursion: the
    nesting may be as deep as the JSON parser allows.
    """
    stack: list[dict[str, Any] | list[Any]] = [doc]
    while stack:
        node = stack.pop()
        items = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        if isinstance(node, dict):
            node.clear()
        for key, value in items:
            if isinstance(value, str) and not (node is doc and key in keep):
                value = _LONE_SURROGATE.sub("\ufffd", value)
            elif isinstance(value, dict | list):
                stack.append(value)
            if isinstance(node, dict):
                node[_LONE_SURROGATE.sub("\ufffd", key)] = value
            else:
                node[key] = value


def from_json(plan: Plan, text: str | bytes, *, lenient: bool = False) -> LoadedScenario:
    """Parse and validate a scenario file. Strict: ScenarioError listing every problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise ScenarioError([f"file is larger than {MAX_FILE_BYTES // 1024} KiB"])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError(["file is not UTF-8 text"]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError([f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"]) from None
    except RecursionError:
        raise ScenarioError(["not valid JSON (nested too deeply)"]) from None
    except ValueError as err:  # e.g. an integer with more digits than Python converts
        raise ScenarioError([f"not valid JSON ({str(err)[:80]})"]) from None
    if not isinstance(doc, dict):
        raise ScenarioError(["the file must hold a JSON object"])
    _replace_lone_surrogates(doc, keep=("name",))
    problems: list[str] = []
    if doc.get("format", FORMAT) != FORMAT:
        problems.append(f"format {str(doc.get('format'))[:40]!r} is not {FORMAT!r}")
    levers = doc.get("levers", {})
    if not isinstance(levers, dict):
        problems.append("levers must be an object of lever id → value")
        levers = {}
    baseline = doc.get("baseline", {}) or {}
    if not isinstance(baseline, dict):
        problems.append("baseline must be an object of id → value")
        baseline = {}
    name = doc.get("name", "")
    if not isinstance(name, str):
        problems.append("name must be text")
        name = ""
    name = clean_label(name, limit=80)  # the one rule for names: no controls, broken or invisible-only text
    unknown_top = set(doc) - {"format", "format_version", "plan", "name", "levers", "baseline"}
    for key in sorted(unknown_top):
        problems.append(f"unknown field {key[:40]!r}")
    notices: list[str] = []
    meta = doc.get("plan", {})
    if not isinstance(meta, dict):
        problems.append("plan must be an object with id and version")
        meta = {}
    plan_id, plan_version = meta.get("id"), meta.get("version")
    if plan_id is not None and plan_id != plan.id:
        problems.append(f"made for plan {str(plan_id)[:40]!r}, not {plan.id!r}")
    elif plan_version is not None and str(plan_version) != plan.version:
        notices.append(f"made for plan version {str(plan_version)[:20]}, this is version {plan.version}")
    try:
        scenario, changes = validate(plan, levers, baseline, lenient=lenient, name=name)
    except ScenarioError as err:
        raise ScenarioError(problems + err.problems) from None
    if problems and not lenient:
        raise ScenarioError(problems)
    # Lenient: the file-level problems (other plan, unknown fields, …) were
    # ignored; say so rather than load the file silently.
    notices.extend(problems)
    return LoadedScenario(scenario=scenario, changes=changes, notices=notices)
