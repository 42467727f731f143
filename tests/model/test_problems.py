"""Problems as data (model/problems.py): every validation path of the model reports a Problem, and the
English the command line prints is made from it (model.problems.english), never parsed back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.cli import main
from model.plan import Plan
from model.problems import Problem, english
from model.scenario import ScenarioError, from_json, to_json, validate


def test_a_lever_problem_carries_what_the_words_need(plan: Plan) -> None:
    _, (problem,) = validate(plan, {"dissolution_rate": 25}, lenient=True)
    assert problem == Problem("out_of_range", "dissolution_rate", "25", "20.0", {"value": 25.0, "lo": 0.0, "hi": 20.0})
    assert english(problem) == str(problem) == "lever dissolution_rate: 25 is outside 0–20"


@pytest.mark.parametrize(
    ("baseline", "bound"),
    [({"members": -5}, "negative"), ({"coops": 0}, "positive"), ({"coops": 0.00001}, "precision"), ({"members": 2e9}, "most")],
)
def test_a_baseline_problem_names_the_bound_it_broke(plan: Plan, baseline: dict[str, float], bound: str) -> None:
    """The words say which bound (the code alone, out_of_range, does not): no caller re-derives it from the value."""
    _, (problem,) = validate(plan, {}, baseline, lenient=True)
    assert problem.code == "out_of_range"
    assert problem.params["bound"] == bound


def test_a_part_larger_than_its_whole_names_the_whole(plan: Plan) -> None:
    _, (problem,) = validate(plan, {}, {"managers_trained": 4000}, lenient=True)
    assert (problem.code, problem.field) == ("inconsistent", "baseline.managers_trained")
    assert (problem.given, problem.used) == ("4000", "3050")
    assert problem.params == {"whole": "managers"}
    assert english(problem) == "baseline managers_trained: 4000 is more than managers 3050"


def test_strict_error_carries_the_problems_and_their_english(plan: Plan) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {"bogus": 1, "new_coops": "abc"})
    assert [p.code for p in caught.value.problems] == ["unknown", "not_a_number"]
    assert caught.value.lines == [english(p) for p in caught.value.problems]
    assert str(caught.value) == "unknown lever 'bogus'; lever new_coops: 'abc' is not a number"


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (b'{"levers": {', "bad_json_at", {"line": 1, "column": 13, "detail": "Expecting property name enclosed in double quotes"}),  # noqa: E501
        (b"\xff", "not_utf8", {}),
        (b"[1]", "not_object", {}),
        (b" " * (256 * 1024 + 1), "too_large", {"kib": 256}),
    ],
)
def test_a_file_that_cannot_be_read_is_one_problem(plan: Plan, data: bytes, code: str, params: dict[str, object]) -> None:
    with pytest.raises(ScenarioError) as caught:
        from_json(plan, data)
    (problem,) = caught.value.problems
    assert (problem.code, dict(problem.params)) == (code, params)


def test_file_level_problems_come_before_value_problems(plan: Plan) -> None:
    doc = json.loads(to_json(plan, validate(plan)[0])) | {"colour": 1, "plan": {"id": "hanoi"}}
    doc["levers"]["dissolution_rate"] = 99
    with pytest.raises(ScenarioError) as caught:
        from_json(plan, json.dumps(doc))
    problems = caught.value.problems
    assert [(p.code, p.field) for p in problems] == [
        ("unknown_field", "colour"),
        ("other_plan", "plan.id"),
        ("out_of_range", "dissolution_rate"),
    ]
    assert (problems[1].given, problems[1].used) == ("hanoi", plan.id)


def test_another_plan_version_is_a_notice_problem(plan: Plan) -> None:
    doc = json.loads(to_json(plan, validate(plan)[0])) | {"plan": {"id": plan.id, "version": "0.9"}}
    (notice,) = from_json(plan, json.dumps(doc)).notices
    assert (notice.code, notice.given, notice.used) == ("other_version", "0.9", plan.version)


def test_cli_prints_the_problems_english(plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command-line path: the file's problems, as english() words them, on one line."""
    doc = json.loads(to_json(plan, validate(plan)[0]))
    doc["levers"]["dissolution_rate"] = 25
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["run", "--scenario", str(path)]) == 2
    assert capsys.readouterr().err == "error: s.json: lever dissolution_rate: 25 is outside 0–20\n"
    # Made for another version: a note, from the notice problem.
    doc = json.loads(to_json(plan, validate(plan)[0])) | {"plan": {"id": plan.id, "version": "0.9"}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["run", "--scenario", str(path), "--format", "csv"]) == 0
    assert f"note: s.json: made for plan version 0.9, this is version {plan.version}\n" in capsys.readouterr().err
