"""Goal seek (MODEL.md §4 "what it takes"): the lever value at which an indicator just reaches its target.

Every "crossing" answer, projected, must give the indicator within 1e-6
(relative) of the target and reach it; "unreachable" must miss at both ends of
the range; "no_effect" must leave the indicator where it was.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from model.analysis import GoalSeekResult, goal_seek, goal_seek_many, goal_seek_table, goal_seek_targets
from model.engine import project, status_of
from model.plan import Plan


def _project_each(plan: Plan, levers: dict, settings: Sequence[tuple[str, float]], baseline: dict | None = None) -> list[dict]:
    """One projection per (lever, value) with the others held, batched into one call."""
    if not settings:
        return []
    batch: dict[str, np.ndarray | float | str] = dict(levers)
    for lid in {lid for lid, _ in settings}:
        batch[lid] = np.full(len(settings), float(levers[lid]))
    for j, (lid, value) in enumerate(settings):
        arr = batch[lid]
        assert isinstance(arr, np.ndarray)
        arr[j] = value
    proj = project(plan, batch, baseline)
    return [proj.year_end_dict(j) for j in range(len(settings))]


def check_results(plan: Plan, levers: dict, results: list[GoalSeekResult], baseline: dict | None = None) -> None:
    targets = plan.target_values()
    now = project(plan, levers, baseline).year_end_dict()
    crossing = [r for r in results if r.kind in ("crossing", "always")]
    at_value = _project_each(plan, levers, [(r.lever, float(r.value)) for r in crossing], baseline)  # type: ignore[arg-type]
    for r, y in zip(crossing, at_value, strict=True):
        target = targets[r.indicator]
        assert r.reachable, r
        lv = plan.lever(r.lever)
        assert r.value is not None and lv.lo <= r.value <= lv.hi, r
        assert status_of(y[r.indicator], target) == "reached", r
        if r.kind == "crossing":
            assert y[r.indicator] == pytest.approx(target, rel=1e-6), r
    others = [r for r in results if r.kind in ("unreachable", "no_effect")]
    ends = _project_each(
        plan, levers, [(r.lever, end) for r in others for end in (plan.lever(r.lever).lo, plan.lever(r.lever).hi)], baseline
    )
    for i, r in enumerate(others):
        at_lo, at_hi = ends[2 * i][r.indicator], ends[2 * i + 1][r.indicator]
        target = targets[r.indicator]
        assert r.value is None, r
        if r.kind == "unreachable":
            assert not r.reachable, r
            assert status_of(at_lo, target) != "reached", r
            assert status_of(at_hi, target) != "reached", r
            assert r.best_indicator == pytest.approx(max(at_lo, at_hi), rel=1e-9), r
        else:
            assert at_lo == pytest.approx(now[r.indicator], rel=1e-9, abs=1e-9), r
            assert at_hi == pytest.approx(now[r.indicator], rel=1e-9, abs=1e-9), r
            assert r.reachable == (status_of(now[r.indicator], target) == "reached"), r


@pytest.mark.parametrize("preset", ["default", "recent_trends", "cautious", "strong_support"])
def test_every_target_with_its_main_lever(plan: Plan, preset: str) -> None:
    levers = plan.preset_levers(preset)
    results = goal_seek_targets(plan, levers)
    assert [(r.indicator, r.lever) for r in results] == [(t.id, t.main_lever) for t in plan.targets]
    check_results(plan, levers, results)


@pytest.mark.parametrize("preset", ["default", "cautious"])
def test_full_table(plan: Plan, preset: str) -> None:
    """17 targets × 25 numeric levers in one batched solve."""
    levers = plan.preset_levers(preset)
    results = goal_seek_table(plan, levers)
    assert len(results) == 17 * 25
    kinds = {r.kind for r in results}
    assert {"crossing", "unreachable", "no_effect"} <= kinds
    check_results(plan, levers, results)


def _main(results: list[GoalSeekResult], indicator: str) -> GoalSeekResult:
    (r,) = [r for r in results if r.indicator == indicator]
    return r


def test_known_values_at_defaults(plan: Plan) -> None:
    """Goal-seek answers worked out by hand from the default year-end values."""
    results = goal_seek_targets(plan, plan.defaults())
    hand = {
        # (3,000·900 − 85·800) / (815·2,000) − 1 = 2,632,000 / 1,630,000 − 1 = 0.6147239 → 61.47239 %.
        "revenue_per_coop": 61.47239264,
        # 60 / 48 − 1 = 0.25 → 25 %.
        "worker_income": 25.0,
        # 55 − 30 − 1·5 = 20 joins a year (C grows linearly).
        "union_member_coops": 20.0,
        # 815 + F = 900 → F = 85; and the flow itself: F = 85.
        "coops": 85.0,
        "new_coops": 85.0,
        # 3,050 + 85·m = 3,368 → m = 318 / 85 = 3.7411765.
        "managers": 318 / 85,
        # 630 + 85·3.5·0.15 + y = 700 → y = 700 − 674.625 = 25.375.
        "managers_trained": 25.375,
        # 300 + 85·0.2 + a = 350 → a = 33.
        "hightech_coops": 33.0,
        # 120 + 85·0.1 + l = 150 → l = 21.5.
        "value_chain_coops": 21.5,
        # 6 + U = 7 → U = 1, and the flow U = 1.
        "unions": 1.0,
        "new_unions": 1.0,
        # (6·4,000·(1 + g) + 2,000) / 7 = 5,000 → 1 + g = 33,000 / 24,000 = 1.375 → 37.5 %.
        "revenue_per_union": 37.5,
        # margin · 1,941.0 = 300 → 15.455951 %.
        "profit_per_coop": 100 * 300 / 1941.0,
        # margin · 27,200/7 = 500 → 3,500 / 27,200 = 12.867647 %.
        "profit_per_union": 100 * 3_500 / 27_200,
    }
    for indicator, value in hand.items():
        r = _main(results, indicator)
        assert r.kind == "crossing", r
        assert r.value == pytest.approx(value, rel=1e-6), indicator


def test_decreasing_relation(plan: Plan) -> None:
    """coops fall as dissolution rises: the answer is the highest dissolution rate that still reaches 900."""
    levers = plan.defaults() | {"new_coops": 120}
    (r,) = goal_seek(plan, levers, indicator="coops", lever="dissolution_rate")
    assert r.kind == "crossing"
    assert not r.increasing
    assert r.value is not None
    check_results(plan, levers, [r])
    # A little more dissolution misses the target.
    y = project(plan, levers | {"dissolution_rate": r.value + 0.01}).year_end_dict()
    assert y["coops"] < 900


def test_unreachable_reports_the_best_end(plan: Plan) -> None:
    """members by new coops alone: at F = 300, M = 35,037 + 300·12.1096067 = 38,669.88 < 40,000."""
    (r,) = goal_seek(plan, plan.defaults(), indicator="members", lever="new_coops")
    assert r.kind == "unreachable"
    assert r.value is None
    assert not r.reachable
    assert r.best == pytest.approx(300.0)
    assert r.best_indicator == pytest.approx(38_669.88, abs=0.01)


def test_always_reached(plan: Plan) -> None:
    """With 900 coops at the start, coops reach 900 at any F: the answer is the end that needs least, F = 0."""
    baseline = {"coops": 900}
    (r,) = goal_seek(plan, plan.defaults(), indicator="coops", lever="new_coops", baseline=baseline)
    assert r.kind == "always"
    assert r.reachable
    assert r.value == pytest.approx(0.0)
    check_results(plan, plan.defaults(), [r], baseline)


def test_no_effect(plan: Plan) -> None:
    """Members per new coop do not change the number of coops."""
    (r,) = goal_seek(plan, plan.defaults(), indicator="coops", lever="members_per_new_coop")
    assert r.kind == "no_effect"
    assert r.value is None
    assert r.reachable  # 900 is reached anyway


def test_one_indicator_against_every_lever(plan: Plan) -> None:
    results = goal_seek(plan, plan.defaults(), indicator="revenue_per_coop")
    assert [r.lever for r in results] == [lv.id for lv in plan.numeric_levers]
    check_results(plan, plan.defaults(), results)


def test_baseline_override_goal_seek(plan: Plan) -> None:
    """With 700 coops at the start, 900 needs F = 200 (δ = 0)."""
    (r,) = goal_seek(plan, plan.defaults(), indicator="coops", lever="new_coops", baseline={"coops": 700})
    assert r.value == pytest.approx(200.0, rel=1e-6)


def test_unknown_names_raise(plan: Plan) -> None:
    with pytest.raises(KeyError):
        goal_seek(plan, plan.defaults(), indicator="happiness")
    with pytest.raises(KeyError):
        goal_seek(plan, plan.defaults(), indicator="coops", lever="formation_timing")
    assert goal_seek_many(plan, plan.defaults(), []) == []
