"""Problems as data: what was wrong with a value, a link or a file, and what was used instead.

Every validation path (scenario values, scenario files, share links, the baseline editor, the
command line, the workshop board) reports a ``Problem``; the words come later, from the Problem
alone: ``english`` here (the command line, ``ScenarioError``'s message) and ``ui.problems`` in
the session's language. No text is parsed back into a problem anywhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

# Every problem code, declared once. A value: it is not usable as given (and maybe repaired).
# A link: one of its parameters. A file: the scenario file as a whole.
ValueCode = Literal[  # a value: a scenario lever or baseline value, a link parameter
    "unknown",  # not a lever, baseline value (params: kind="baseline") or link parameter of this plan
    "repeated",  # a link parameter given more than once (the last one is used)
    "not_a_number",
    "not_finite",
    "out_of_range",  # params: value, lo, hi (levers); bound (baseline: positive | negative | most | precision)
    "off_step",  # params: value, step (levers); value, step, decimals (baseline)
    "not_a_choice",  # params: choices
    "too_long",
    "too_many",  # a link with more parameters than it may hold
    "inconsistent",  # a baseline part larger than its whole; params: whole
    "bad_room",
]
FileCode = Literal[  # a scenario file as a whole
    "too_large",  # params: kib
    "not_utf8",
    "bad_json_at",  # params: line, column, detail
    "bad_json",  # params: detail
    "not_object",
    "bad_format",  # params: expected
    "levers_not_object",
    "baseline_not_object",
    "name_not_text",
    "unknown_field",
    "plan_not_object",
    "other_plan",  # given: the file's plan id, used: this plan's
    "other_version",  # given: the file's plan version, used: this plan's (a notice: the file is still used)
]
Code = Literal[ValueCode, FileCode]
CODES: tuple[Code, ...] = get_args(Code)
FILE_CODES: frozenset[Code] = frozenset(get_args(FileCode))

Param = str | int | float


@dataclass(frozen=True)
class Problem:
    """One thing not used as given.

    ``field``: what it is about ("new_coops", "baseline.coops", a link key, a file field, "" for the
    whole file). ``given``: the value as given (shortened), ``used``: the value used instead (None:
    ignored, the default or plan value applies). ``params``: what the words need besides (a range,
    a step, a line and column).
    """

    code: Code
    field: str = ""
    given: str | None = None
    used: str | None = None
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return english(self)


def _fmt(v: Param) -> str:
    return f"{v:g}" if isinstance(v, int | float) else str(v)


def _value(problem: Problem) -> str:
    """A lever or baseline problem in English (the model's message)."""
    code, p = problem.code, problem.params
    baseline = problem.field.startswith("baseline.")
    key = problem.field.removeprefix("baseline.")
    head = f"baseline {key}" if baseline else f"lever {key}"
    if code == "unknown":  # a lever id may start with "baseline." too: params say which
        return f"unknown baseline value {key!r}" if p.get("kind") == "baseline" else f"unknown lever {problem.field!r}"
    if code == "not_a_number":
        if "type" in p:
            return f"{head}: expected a number, got {p['type']}"
        return f"{head}: {problem.given!r} is not a number"
    if code == "not_finite":
        return f"{head}: {p['value']} is not a finite number"
    if code == "not_a_choice":
        return f"{head}: {problem.given!r} is not one of {p['choices']}"
    if code == "out_of_range":
        bound = p.get("bound")
        if bound == "positive":
            return f"{head}: must be more than 0"
        if bound == "precision":
            return f"{head}: must be more than 0 ({_fmt(p['value'])} is 0 at {p['decimals']} decimals)"
        if bound == "negative":
            return f"{head}: {_fmt(p['value'])} is negative"
        if bound == "most":
            return f"{head}: {_fmt(p['value'])} is more than {_fmt(p['most'])}"
        return f"{head}: {_fmt(p['value'])} is outside {_fmt(p['lo'])}–{_fmt(p['hi'])}"
    if code == "off_step":
        if "decimals" in p:
            return f"{head}: {_fmt(p['value'])} is not on the step {_fmt(p['step'])} (it has more than {p['decimals']} decimals)"
        return f"{head}: {_fmt(p['value'])} is not on the step {_fmt(p['step'])}"
    if code == "inconsistent":
        return f"{head}: {problem.given} is more than {p['whole']} {problem.used}"
    used = "ignored" if problem.used is None else f"used {problem.used}"
    return f"{problem.field}: {problem.given!r} {code.replace('_', ' ')}, {used}"


# A whole file's problems in English: the field, given and used values and params fill them in.
_FILE_ENGLISH: dict[str, str] = {
    "too_large": "file is larger than {kib} KiB",
    "not_utf8": "file is not UTF-8 text",
    "bad_json_at": "not valid JSON (line {line}, column {column}: {detail})",
    "bad_json": "not valid JSON ({detail})",
    "not_object": "the file must hold a JSON object",
    "bad_format": "format {given!r} is not {expected!r}",
    "levers_not_object": "levers must be an object of lever id → value",
    "baseline_not_object": "baseline must be an object of id → value",
    "name_not_text": "name must be text",
    "unknown_field": "unknown field {field!r}",
    "plan_not_object": "plan must be an object with id and version",
    "other_plan": "made for plan {given!r}, not {used!r}",
    "other_version": "made for plan version {version}, this is version {used}",
}


def english(problem: Problem) -> str:
    """The problem in English, as the command line prints it and ScenarioError says it."""
    if problem.code not in FILE_CODES:
        return _value(problem)
    version = str(problem.given)[:20]
    return _FILE_ENGLISH[problem.code].format(
        field=problem.field, given=problem.given, used=problem.used, version=version, **problem.params
    )
