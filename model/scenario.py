"""Scenarios: validation of lever and baseline values, and the scenario file (JSON).

Strict validation raises one ScenarioError listing every problem. Lenient
validation (for share links and uploads the app repairs) clamps, rounds or
drops what is wrong and reports each repair. The same checks serve both; every
problem is a model.problems.Problem (its words: model.problems.english, ui.problems).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.plan import BASELINE_IDS, DIVISOR_BASELINES, Lever, Plan, on_step, parts_over_wholes, round_baseline, short_number
from model.problems import Problem, english
from model.text import clean_label

FORMAT = "sonla-coop-scenario"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024
# No baseline stock or average is anywhere near a billion (coops ~10^3, members ~10^4,
# revenue ~10^3 million VND): larger values are typing or tampering, not data.
MAX_BASELINE = 1e9


class ScenarioError(ValueError):
    """Invalid scenario values: ``problems`` (each a Problem), ``lines`` (each in English, one line)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        self.lines = [english(p) for p in self.problems]
        super().__init__("; ".join(self.lines))


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


def check_lever(lv: Lever, value: Any) -> tuple[float | str | None, Problem | None]:
    """(repaired value or None to drop, the problem or None when valid) for one lever value."""
    shown = str(value)[:40]
    if lv.kind == "choice":
        if isinstance(value, str) and value in lv.choices:
            return value, None
        return None, Problem("not_a_choice", lv.id, shown, params={"choices": ", ".join(lv.choices)})
    x = _as_number(value)
    if x is None:
        params = {} if isinstance(value, str) else {"type": type(value).__name__}
        return None, Problem("not_a_number", lv.id, shown, params=params)
    if not math.isfinite(x):
        return None, Problem("not_finite", lv.id, shown, params={"value": x})
    if not lv.lo <= x <= lv.hi:
        fixed = lv.snap(x)
        return fixed, Problem("out_of_range", lv.id, shown, str(fixed), {"value": x, "lo": lv.lo, "hi": lv.hi})
    if not on_step(x, lv.lo, lv.step_size):
        fixed = lv.snap(x)
        return fixed, Problem("off_step", lv.id, shown, str(fixed), {"value": x, "step": lv.step_size})
    return x, None


def check_baseline_value(key: str, value: Any, *, decimals: int) -> tuple[float | None, Problem | None]:
    """(repaired value or None, the problem or None when valid) for one baseline override.

    A value is used at ``decimals`` decimals (Plan.baseline_decimals: what the editor shows), so
    that the value in use and its text are the same number. A finer value is off that step:
    lenient validation rounds it. Coops and unions must stay more than 0 once rounded (the model
    divides by them): 0.00001 coops is refused, and the plan's value applies.
    """
    field_, shown = f"baseline.{key}", str(value)[:40]
    x = _as_number(value)
    if x is None:
        return None, Problem("not_a_number", field_, shown)
    if not math.isfinite(x):
        return None, Problem("not_finite", field_, shown, params={"value": x})
    x += 0.0  # -0.0 → 0.0
    # Checked before the clamp below: clamping a negative count of coops or
    # unions to 0 would give a value that strict validation rejects.
    positive = key in DIVISOR_BASELINES
    if positive and x <= 0:
        return None, Problem("out_of_range", field_, shown, params={"bound": "positive", "value": x})
    if x < 0:
        return 0.0, Problem("out_of_range", field_, shown, short_number(0.0), {"bound": "negative", "value": x})
    if x > MAX_BASELINE:
        params = {"bound": "most", "value": x, "most": MAX_BASELINE}
        return MAX_BASELINE, Problem("out_of_range", field_, shown, short_number(MAX_BASELINE), params)
    rounded = round_baseline(x, decimals)
    if positive and rounded <= 0:
        # 0.00001 coops would be shown as "0", which the editor cannot take back: refused, not rounded.
        return None, Problem("out_of_range", field_, shown, params={"bound": "precision", "value": x, "decimals": decimals})
    if rounded != x:
        params = {"value": x, "step": 10.0**-decimals, "decimals": decimals}
        return rounded, Problem("off_step", field_, shown, short_number(rounded), params)
    return x, None


def validate(
    plan: Plan,
    levers: Mapping[str, Any] | None = None,
    baseline: Mapping[str, Any] | None = None,
    *,
    lenient: bool = False,
    name: str = "",
) -> tuple[Scenario, list[Problem]]:
    """Check lever values (any subset; the rest default) and baseline overrides.

    Strict (default): raise ScenarioError listing every problem.
    Lenient: repair each problem (clamp to range, round to step, drop what is
    not usable) and return the problems beside the scenario (``used``: the repair).
    """
    problems: list[Problem] = []
    values: dict[str, float | str] = dict(plan.defaults())
    known = {lv.id: lv for lv in plan.levers}
    for key, raw in (levers or {}).items():
        lv = known.get(key)
        if lv is None:
            problems.append(Problem("unknown", str(key)[:40], str(raw)[:40]))
            continue
        fixed, problem = check_lever(lv, raw)
        if problem is not None:
            problems.append(problem)
        if fixed is not None:
            values[key] = fixed

    overrides: dict[str, float] = {}
    for key, raw in (baseline or {}).items():
        if key not in BASELINE_IDS:
            problems.append(Problem("unknown", f"baseline.{str(key)[:40]}", str(raw)[:40], params={"kind": "baseline"}))
            continue
        fixed_b, problem = check_baseline_value(key, raw, decimals=plan.baseline_decimals(key))
        if problem is not None:
            problems.append(problem)
        if fixed_b is not None:
            overrides[key] = fixed_b
    full = plan.baseline_values() | overrides
    for part, whole in parts_over_wholes(full, plan.parts):
        # Repair: cap the part at the whole it belongs to.
        given, used = short_number(full[part]), short_number(full[whole])
        problems.append(Problem("inconsistent", f"baseline.{part}", given, used, {"whole": whole}))
        overrides[part] = full[whole]

    if problems and not lenient:
        raise ScenarioError(problems)
    scenario = Scenario(plan_id=plan.id, plan_version=plan.version, levers=values, baseline=overrides, name=name)
    return scenario, problems


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
    changes: list[Problem]  # the values repaired (lenient) — none when strict
    notices: list[Problem]  # e.g. made for another plan version; lenient: the file-level problems ignored


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
            raise ScenarioError([Problem("too_large", params={"kib": MAX_FILE_BYTES // 1024})])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioError([Problem("not_utf8")]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        at = {"line": err.lineno, "column": err.colno, "detail": err.msg}
        raise ScenarioError([Problem("bad_json_at", params=at)]) from None
    except RecursionError:
        raise ScenarioError([Problem("bad_json", params={"detail": "nested too deeply"})]) from None
    except ValueError as err:  # e.g. an integer with more digits than Python converts
        raise ScenarioError([Problem("bad_json", params={"detail": str(err)[:80]})]) from None
    if not isinstance(doc, dict):
        raise ScenarioError([Problem("not_object")])
    _replace_lone_surrogates(doc, keep=("name",))
    problems: list[Problem] = []
    if doc.get("format", FORMAT) != FORMAT:
        problems.append(Problem("bad_format", "format", str(doc.get("format"))[:40], params={"expected": FORMAT}))
    levers = doc.get("levers", {})
    if not isinstance(levers, dict):
        problems.append(Problem("levers_not_object", "levers"))
        levers = {}
    baseline = doc.get("baseline", {}) or {}
    if not isinstance(baseline, dict):
        problems.append(Problem("baseline_not_object", "baseline"))
        baseline = {}
    name = doc.get("name", "")
    if not isinstance(name, str):
        problems.append(Problem("name_not_text", "name"))
        name = ""
    name = clean_label(name, limit=80)  # the one rule for names: no controls, broken or invisible-only text
    unknown_top = set(doc) - {"format", "format_version", "plan", "name", "levers", "baseline"}
    for key in sorted(unknown_top):
        problems.append(Problem("unknown_field", key[:40]))
    notices: list[Problem] = []
    meta = doc.get("plan", {})
    if not isinstance(meta, dict):
        problems.append(Problem("plan_not_object", "plan"))
        meta = {}
    plan_id, plan_version = meta.get("id"), meta.get("version")
    if plan_id is not None and plan_id != plan.id:
        problems.append(Problem("other_plan", "plan.id", str(plan_id)[:40], plan.id))
    elif plan_version is not None and str(plan_version) != plan.version:
        notices.append(Problem("other_version", "plan.version", str(plan_version), plan.version))
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
