"""Scenario validation and the scenario file (model/scenario.py).

Strict mode raises one ScenarioError listing every problem; lenient mode
repairs each one (clamp, round to step, drop) and reports it as a Problem.
"""

from __future__ import annotations

import json
import math
import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.plan import BASELINE_IDS, DEFAULT_PLAN_PATH, LEVER_IDS, Plan, PlanError, load_plan, parse_plan
from model.problems import Problem, english
from model.scenario import MAX_FILE_BYTES, ScenarioError, from_json, to_json, validate

_PLAN = load_plan()

# One of each kind of lever problem.
BROKEN_LEVERS: dict[str, Any] = {
    "bogus_lever": 1,  # unknown lever
    "new_coops": "abc",  # text that is not a number
    "income_growth": True,  # a bool is not a number
    "dissolution_rate": 25,  # outside 0–20
    "member_growth": 2.3,  # not on the 0.5 step from −10
    "formation_timing": "sideways",  # not one of even / front / back
}


def _changes_by_key(changes: list[Problem]) -> dict[str, Problem]:
    return {c.field: c for c in changes}


def test_defaults_are_valid(plan: Plan) -> None:
    scenario, changes = validate(plan)
    assert changes == []
    assert scenario.levers == plan.defaults()
    assert scenario.baseline == {}
    assert scenario.plan_id == plan.id
    assert scenario.changed_levers(plan) == {}


def test_strict_lists_every_problem_at_once(plan: Plan) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, BROKEN_LEVERS)
    problems = caught.value.lines
    assert len(problems) == len(BROKEN_LEVERS)
    text = "\n".join(problems)
    assert "unknown lever 'bogus_lever'" in text
    assert "lever new_coops: 'abc' is not a number" in text
    assert "lever income_growth: expected a number, got bool" in text
    assert "lever dissolution_rate: 25 is outside 0–20" in text
    assert "lever member_growth: 2.3 is not on the step 0.5" in text
    assert "lever formation_timing: 'sideways' is not one of even, front, back" in text
    # The message joins them all.
    assert str(caught.value) == "; ".join(problems)


def test_lenient_repairs_and_reports_each(plan: Plan) -> None:
    scenario, changes = validate(plan, BROKEN_LEVERS, lenient=True)
    assert len(changes) == len(BROKEN_LEVERS)
    by_key = _changes_by_key(changes)
    assert by_key["bogus_lever"].code == "unknown"
    assert by_key["bogus_lever"].used is None
    assert "bogus_lever" not in scenario.levers
    # Not a number / not a choice: dropped, the default applies.
    assert by_key["new_coops"].code == "not_a_number"
    assert by_key["new_coops"].used is None
    assert scenario.levers["new_coops"] == pytest.approx(85)
    assert by_key["income_growth"].code == "not_a_number"
    assert scenario.levers["income_growth"] == pytest.approx(12)
    assert by_key["formation_timing"].code == "not_a_choice"
    assert scenario.levers["formation_timing"] == "even"
    # Out of range: clamped to the maximum.
    assert by_key["dissolution_rate"].code == "out_of_range"
    assert float(by_key["dissolution_rate"].used) == pytest.approx(20.0)  # type: ignore[arg-type]
    assert scenario.levers["dissolution_rate"] == pytest.approx(20.0)
    # Off step: (2.3 + 10) / 0.5 = 24.6 steps → 25 steps → −10 + 12.5 = 2.5.
    assert by_key["member_growth"].code == "off_step"
    assert scenario.levers["member_growth"] == pytest.approx(2.5)
    # A problem reads as one line: the strict message.
    assert str(by_key["dissolution_rate"]) == "lever dissolution_rate: 25 is outside 0–20"
    assert str(by_key["new_coops"]) == "lever new_coops: 'abc' is not a number"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (math.nan, "not_finite"),
        (math.inf, "not_finite"),
        (-math.inf, "not_finite"),
        ("nan", "not_finite"),
        ("x" * 10_000, "not_a_number"),
        ("9" * 100, "not_a_number"),  # numeric text longer than 64 characters is refused unparsed
        (False, "not_a_number"),
        (None, "not_a_number"),
        ([85], "not_a_number"),
        ({"value": 85}, "not_a_number"),
    ],
    ids=["nan", "inf", "-inf", "nan-text", "long-text", "long-digits", "bool", "none", "list", "dict"],
)
def test_unusable_values(plan: Plan, value: Any, reason: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {"new_coops": value})
    (problem,) = caught.value.lines
    assert problem.startswith("lever new_coops:")
    assert len(problem) < 120  # long input is shortened in the message
    scenario, changes = validate(plan, {"new_coops": value}, lenient=True)
    assert [c.code for c in changes] == [reason]
    assert len(changes[0].given) <= 40
    assert scenario.levers["new_coops"] == pytest.approx(85)


def test_numeric_text_and_float_noise_accepted(plan: Plan) -> None:
    """Share links carry text: " 90 " is 90. 0.1·3·5 = 1.5000000000000002 is on the 0.5 step (float noise)."""
    scenario, changes = validate(plan, {"new_coops": " 90 ", "dissolution_rate": 0.1 * 3 * 5})
    assert changes == []
    assert scenario.levers["new_coops"] == pytest.approx(90.0)
    assert scenario.levers["dissolution_rate"] == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("lever", "value", "used"),
    [
        ("new_coop_revenue", 830, 850.0),  # 16.6 steps of 50 → 17 → 850
        ("new_coop_revenue", 12_345, 10_000.0),  # above the range → the maximum
        ("member_growth", -50, -10.0),  # below the range → the minimum
        ("managers_per_new_coop", 3.7, 3.5),  # (3.7 − 1)/0.5 = 5.4 → 5 → 3.5
    ],
)
def test_lenient_snaps_to_the_grid(plan: Plan, lever: str, value: float, used: float) -> None:
    scenario, (change,) = validate(plan, {lever: value}, lenient=True)
    assert scenario.levers[lever] == pytest.approx(used)
    assert float(change.used) == pytest.approx(used)  # type: ignore[arg-type]


def test_long_unknown_key_is_shortened(plan: Plan) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {"k" * 500: 1})
    assert len(caught.value.lines[0]) < 80


# ------------------------------------------------------ baseline overrides


@pytest.mark.parametrize(
    ("override", "message", "reason", "used"),
    [
        ({"members": -5}, "baseline members: -5 is negative", "out_of_range", 0.0),
        ({"members": "lots"}, "baseline members: 'lots' is not a number", "not_a_number", None),
        ({"members": math.nan}, "baseline members: nan is not a finite number", "not_finite", None),
        ({"members": True}, "baseline members: 'True' is not a number", "not_a_number", None),
        ({"unions": 0}, "baseline unions: must be more than 0", "out_of_range", None),
        ({"coops": -5}, "baseline coops: must be more than 0", "out_of_range", None),
        (
            {"managers_trained": 4000},
            "baseline managers_trained: 4000 is more than managers 3050",
            "inconsistent",
            3050.0,
        ),
    ],
)
def test_baseline_problems(plan: Plan, override: dict, message: str, reason: str, used: float | None) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {}, override)
    assert message in caught.value.lines
    scenario, changes = validate(plan, {}, override, lenient=True)
    (key,) = override
    change = _changes_by_key(changes)[f"baseline.{key}"]
    assert change.code == reason
    if used is None:
        assert change.used is None
        assert key not in scenario.baseline  # the plan's value applies
    else:
        assert float(change.used) == pytest.approx(used)  # type: ignore[arg-type]
        assert scenario.baseline[key] == pytest.approx(used)
    # What lenient mode produces, strict mode accepts.
    validate(plan, scenario.levers, scenario.baseline)


def test_negative_coops_are_dropped_not_zeroed(plan: Plan) -> None:
    """Regression: a negative coops override was clamped to 0, which strict validation then refused
    ("must be more than 0"), and which dragged hightech_coops and value_chain_coops down to 0 with it."""
    scenario, changes = validate(plan, {}, {"coops": -5}, lenient=True)
    assert scenario.baseline == {}
    assert [c.field for c in changes] == ["baseline.coops"]


def test_smaller_coops_caps_the_parts(plan: Plan) -> None:
    """100 coops at the start: high-tech (300) and value-chain (120) coops are capped at 100."""
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {}, {"coops": 100})
    assert set(caught.value.lines) == {
        "baseline hightech_coops: 300 is more than coops 100",
        "baseline value_chain_coops: 120 is more than coops 100",
    }
    scenario, _ = validate(plan, {}, {"coops": 100}, lenient=True)
    assert scenario.baseline == pytest.approx({"coops": 100.0, "hightech_coops": 100.0, "value_chain_coops": 100.0})


def test_unknown_baseline_key(plan: Plan) -> None:
    with pytest.raises(ScenarioError, match="unknown baseline value 'cooperatives'"):
        validate(plan, {}, {"cooperatives": 5})


def test_levers_and_baseline_problems_together(plan: Plan) -> None:
    with pytest.raises(ScenarioError) as caught:
        validate(plan, {"dissolution_rate": -1, "new_unions": 0.5}, {"workers": -3, "x": 1})
    assert len(caught.value.lines) == 4


_ANY_VALUE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.text(max_size=80),
    st.booleans(),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(
    levers=st.dictionaries(st.sampled_from([*LEVER_IDS, "bogus"]), _ANY_VALUE, max_size=8),
    baseline=st.dictionaries(st.sampled_from([*BASELINE_IDS, "bogus"]), _ANY_VALUE, max_size=5),
)
def test_lenient_output_passes_strict(levers: dict, baseline: dict) -> None:
    """Whatever comes in, lenient validation returns a scenario that strict validation accepts unchanged."""
    scenario, _ = validate(_PLAN, levers, baseline, lenient=True)
    again, no_changes = validate(_PLAN, scenario.levers, scenario.baseline)
    assert no_changes == []
    assert again.levers == scenario.levers
    assert again.baseline == scenario.baseline
    for value in scenario.levers.values():
        assert isinstance(value, str) or math.isfinite(value)


# ------------------------------------------------------------- the file


def test_round_trip(plan: Plan) -> None:
    scenario, _ = validate(
        plan,
        {"new_coops": 60, "formation_timing": "back", "revenue_growth": 12.5},
        {"coops": 800, "members": 30_000},
        name="Thử nghiệm — cautious",
    )
    text = to_json(plan, scenario)
    doc = json.loads(text)
    assert doc["format"] == "sonla-coop-scenario"
    assert doc["plan"] == {"id": plan.id, "version": plan.version}
    loaded = from_json(plan, text)
    assert loaded.notices == []
    assert loaded.changes == []
    assert loaded.scenario.name == "Thử nghiệm — cautious"
    assert loaded.scenario.baseline == pytest.approx(scenario.baseline)
    for key, value in scenario.levers.items():
        if isinstance(value, str):
            assert loaded.scenario.levers[key] == value
        else:
            assert loaded.scenario.levers[key] == pytest.approx(value)
    assert set(loaded.scenario.changed_levers(plan)) == {"new_coops", "formation_timing", "revenue_growth"}
    # Bytes (an upload) load the same.
    assert from_json(plan, text.encode("utf-8")).scenario == loaded.scenario


def _doc(the_plan: Plan, /, **fields: Any) -> dict[str, Any]:
    """A valid scenario file of the defaults as a dict, with some top-level fields replaced or added."""
    scenario, _ = validate(the_plan)
    return json.loads(to_json(the_plan, scenario)) | fields


def test_broken_json(plan: Plan) -> None:
    with pytest.raises(ScenarioError) as caught:
        from_json(plan, '{"levers": {')
    assert caught.value.lines[0].startswith("not valid JSON (line 1")


@pytest.mark.parametrize("text", ["[1, 2, 3]", '"a string"', "42", "null"])
def test_not_an_object(plan: Plan, text: str) -> None:
    with pytest.raises(ScenarioError, match="must hold a JSON object"):
        from_json(plan, text)


def test_other_plan_id(plan: Plan) -> None:
    doc = _doc(plan, plan={"id": "hanoi-2023", "version": "1.0"})
    with pytest.raises(ScenarioError, match="made for plan 'hanoi-2023', not 'sonla-2023'"):
        from_json(plan, json.dumps(doc))


def test_other_plan_version_is_a_notice(plan: Plan) -> None:
    doc = _doc(plan, plan={"id": plan.id, "version": "0.9"})
    loaded = from_json(plan, json.dumps(doc))
    assert [english(n) for n in loaded.notices] == [f"made for plan version 0.9, this is version {plan.version}"]


def test_unknown_fields_and_wrong_shapes(plan: Plan) -> None:
    doc = _doc(plan, colour="blue", levers=[1, 2], baseline="none", name=5, format="other-format")
    with pytest.raises(ScenarioError) as caught:
        from_json(plan, json.dumps(doc))
    problems = caught.value.lines
    assert "unknown field 'colour'" in problems
    assert "levers must be an object of lever id → value" in problems
    assert "baseline must be an object of id → value" in problems
    assert "name must be text" in problems
    assert "format 'other-format' is not 'sonla-coop-scenario'" in problems


def test_file_and_lever_problems_listed_together(plan: Plan) -> None:
    doc = _doc(plan, plan={"id": "other"}, colour=1)
    doc["levers"]["dissolution_rate"] = 99
    with pytest.raises(ScenarioError) as caught:
        from_json(plan, json.dumps(doc))
    assert len(caught.value.lines) == 3


def test_lenient_file_reports_what_it_ignored(plan: Plan) -> None:
    """Regression: a lenient load of a file made for another plan, with unknown fields, used to
    succeed with no notice at all; the ignored problems are now notices."""
    doc = _doc(plan, plan={"id": "other", "version": "1.0"}, colour="blue")
    doc["levers"]["dissolution_rate"] = 99
    loaded = from_json(plan, json.dumps(doc), lenient=True)
    assert "made for plan 'other', not 'sonla-2023'" in [english(n) for n in loaded.notices]
    assert "unknown field 'colour'" in [english(n) for n in loaded.notices]
    assert [c.field for c in loaded.changes] == ["dissolution_rate"]
    assert loaded.scenario.levers["dissolution_rate"] == pytest.approx(20.0)


def test_oversized_and_non_utf8_uploads(plan: Plan) -> None:
    with pytest.raises(ScenarioError, match="larger than 256 KiB"):
        from_json(plan, b" " * (MAX_FILE_BYTES + 1))
    with pytest.raises(ScenarioError, match="not UTF-8"):
        from_json(plan, b'{"name": "\xff"}')


def test_long_name_is_shortened(plan: Plan) -> None:
    loaded = from_json(plan, json.dumps(_doc(plan, name="n" * 1000)))
    assert len(loaded.scenario.name) == 80


@pytest.mark.parametrize("value", [1e308, "1e308", -1.7e308, 8.98846567431158e307])
def test_huge_values_are_out_of_range_not_a_crash(plan: Plan, value: Any) -> None:
    """Regression (found by hypothesis): a huge finite value such as 1e308 in a share link overflowed
    the step count (OverflowError) instead of being reported as out of range and clamped."""
    with pytest.raises(ScenarioError, match=r"lever dissolution_rate: .* is outside 0–20"):
        validate(plan, {"dissolution_rate": value})
    scenario, (change,) = validate(plan, {"dissolution_rate": value}, lenient=True)
    assert change.code == "out_of_range"
    expected = 20.0 if float(value) > 0 else 0.0
    assert scenario.levers["dissolution_rate"] == pytest.approx(expected)


def test_huge_baseline_is_capped(plan: Plan) -> None:
    """Regression: a baseline of 1e28 (link, editor, upload) passed validation and then crashed every page
    in Babel's number formatting (decimal.InvalidOperation)."""
    with pytest.raises(ScenarioError, match="is more than"):
        validate(plan, baseline={"members": 1e28})
    scenario, (change,) = validate(plan, baseline={"members": 1e28}, lenient=True)
    assert scenario.baseline["members"] == pytest.approx(1e9)
    assert change.code == "out_of_range"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # nested too deeply for the JSON parser
        '{"levers": {"new_coops": ' + "9" * 400 + "}}",  # an int too large for a float
        '{"levers": {"new_coops": ' + "9" * 5000 + "}}",  # more digits than Python converts
    ],
    ids=["deep", "bigint", "huge-int"],
)
def test_hostile_json_is_a_scenario_error(plan: Plan, text: str) -> None:
    """Regression: these files raised RecursionError / OverflowError / ValueError instead of ScenarioError."""
    with pytest.raises(ScenarioError):
        from_json(plan, text)


# ------------------------------------------- baseline precision (issue 12)


@pytest.mark.parametrize(
    ("key", "value"),
    [("coops", 0.00001), ("unions", 0.00001), ("coops", 1e-300), ("unions", "0.4"), ("coops", "1e-05")],
)
def test_coops_and_unions_that_are_0_at_their_precision_are_refused(plan: Plan, key: str, value: Any) -> None:
    """Regression (issue 12): b_coops=0.00001 passed validation (> 0), was shown as "0" by the editor and
    looped the page. Counts are whole (the indicator's decimals): 0.00001 coops is 0, so it is refused —
    strict names it, lenient drops it (the plan's value applies)."""
    with pytest.raises(ScenarioError, match=rf"baseline {key}: must be more than 0 \(.* is 0 at 0 decimals\)"):
        validate(plan, baseline={key: value})
    scenario, changes = validate(plan, baseline={key: value}, lenient=True)
    assert scenario.baseline == {}
    assert [(c.code, c.field, c.given, c.used) for c in changes] == [("out_of_range", f"baseline.{key}", str(value), None)]


@pytest.mark.parametrize(
    ("key", "value", "used"),
    [
        ("members", 34350.5, 34351.0),  # half up, as people round (Python's round() gives 34350)
        ("members", 1e-300, 0.0),
        ("unions", 0.5, 1.0),
        ("revenue_per_coop", 1941.25, 1941.3),  # one decimal, as its indicator
        ("worker_income", 48.125, 48.13),  # two decimals
        ("worker_income", 0.1 + 0.2, 0.3),
    ],
)
def test_values_finer_than_their_precision(plan: Plan, key: str, value: float, used: float) -> None:
    """Strict: refused, naming the value and the step. Lenient: rounded to the step (like a lever off its step)."""
    decimals = plan.baseline_decimals(key)
    with pytest.raises(ScenarioError, match=rf"baseline {key}: .* is not on the step .* more than {decimals} decimals"):
        validate(plan, baseline={key: value})
    scenario, (change,) = validate(plan, baseline={key: value}, lenient=True)
    assert change.code == "off_step"
    assert scenario.baseline[key] == pytest.approx(used, abs=1e-12)
    assert change.used is not None and float(change.used) == pytest.approx(used, abs=1e-12)
    validate(plan, baseline=scenario.baseline)  # the repaired value passes strict validation


@pytest.mark.parametrize(
    ("key", "value"),
    [("coops", 300), ("unions", 1), ("members", 0), ("revenue_per_coop", 1941.2), ("worker_income", 48.05), ("members", 1e9)],
)
def test_values_at_their_precision_are_accepted(plan: Plan, key: str, value: float) -> None:
    scenario, changes = validate(plan, baseline={key: value})
    assert changes == []
    assert scenario.baseline[key] == pytest.approx(value)


def test_precision_comes_from_the_plan(plan: Plan) -> None:
    """One declaration: a baseline value has the decimals of its indicator (counts whole, money 1–2)."""
    for b in plan.baseline:
        assert plan.baseline_decimals(b.id) == plan.target(b.id).decimals
    assert plan.baseline_decimals("coops") == 0
    assert plan.baseline_decimals("revenue_per_coop") == 1
    assert plan.baseline_decimals("worker_income") == 2


def test_a_plan_baseline_finer_than_its_precision_is_a_plan_error() -> None:
    raw = tomllib.loads(DEFAULT_PLAN_PATH.read_text(encoding="utf-8"))
    next(b for b in raw["baseline"] if b["id"] == "coops")["value"] = 815.5
    with pytest.raises(PlanError, match=r"baseline coops: value 815\.5 has more than 0 decimals"):
        parse_plan(raw)


def test_one_grid_rule_for_every_path(plan: Plan) -> None:
    """Lever.snap is the rule for links, files, typed values and "what it takes": dissolution_rate moves by
    0.5 on 0–20, so 2.25 (a half step) goes up to 2.5, as the value box takes it (a link and a file used to
    take it to 2.0, Python's round-half-even)."""
    lv = plan.lever("dissolution_rate")
    assert (lv.snap(2.25), lv.snap(2.2), lv.snap(2.3)) == (2.5, 2.0, 2.5)
    assert (lv.snap(2.01, toward="up"), lv.snap(2.0, toward="up"), lv.snap(2.49, toward="down")) == (2.5, 2.0, 2.0)
    assert (lv.snap(1e308), lv.snap(-5.0), lv.snap(-1e308, toward="up")) == (20.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        lv.snap(math.nan)
    _, (problem,) = validate(plan, {"dissolution_rate": 2.25}, lenient=True)
    assert (problem.code, problem.used) == ("off_step", "2.5")
