"""Invariants swept over the corners (STYLE.md "sweep the corners"), and monotonicity.

Corners: all defaults, all levers at their minimum, all at their maximum, and
each numeric lever alone at its minimum and at its maximum; each crossed with
the three formation timings and with two baselines (the plan's, and a tiny one).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model.engine import project
from model.plan import TIMINGS, Plan, load_plan

_PLAN = load_plan()  # for building the parameter lists at collection time


def _corners(plan: Plan) -> dict[str, dict[str, float]]:
    numeric = plan.numeric_levers
    corners: dict[str, dict[str, float]] = {
        "defaults": {},
        "all_min": {lv.id: lv.lo for lv in numeric},
        "all_max": {lv.id: lv.hi for lv in numeric},
    }
    for lv in numeric:
        corners[f"{lv.id}_min"] = {lv.id: lv.lo}
        corners[f"{lv.id}_max"] = {lv.id: lv.hi}
    return corners


CORNERS = _corners(_PLAN)
# The smallest valid baseline: one coop and one union, every other stock 0.
TINY_BASELINE = {b.id: 0.0 for b in _PLAN.baseline} | {"coops": 1.0, "unions": 1.0}
BASELINES = {"plan_baseline": None, "tiny_baseline": TINY_BASELINE}


@pytest.mark.parametrize("baseline_name", list(BASELINES))
@pytest.mark.parametrize("timing", TIMINGS)
@pytest.mark.parametrize("corner", list(CORNERS))
def test_invariants_at_corner(plan: Plan, invariants: Callable[..., None], corner: str, timing: str, baseline_name: str) -> None:
    levers = plan.defaults() | CORNERS[corner] | {"formation_timing": timing}
    proj = project(plan, levers, BASELINES[baseline_name])
    invariants(proj, levers["new_coops"], levers["new_unions"])


def test_corners_batched_equal_one_at_a_time(plan: Plan) -> None:
    """All corners × timings in one vectorized call give the same numbers as one call each."""
    rows = [plan.defaults() | c | {"formation_timing": t} for c in CORNERS.values() for t in TIMINGS]
    batch = {lv.id: np.array([r[lv.id] for r in rows]) for lv in plan.levers}
    together = project(plan, batch)
    for j, row in enumerate(rows):
        alone = project(plan, row)
        for indicator, path in alone.paths.items():
            np.testing.assert_allclose(together.paths[indicator][:, j], path[:, 0], rtol=1e-12, atol=1e-12)


# (indicator, lever, direction): +1 non-decreasing, −1 non-increasing, +2 strictly increasing.
MONOTONE = [
    ("coops", "new_coops", +1),
    ("coops", "dissolution_rate", -1),
    ("members", "member_growth", +1),
    ("members", "members_per_new_coop", +1),
    ("members", "new_coops", +1),
    ("members", "dissolution_rate", -1),
    ("workers", "worker_growth", +1),
    ("workers", "workers_per_new_coop", +1),
    ("worker_income", "income_growth", +2),
    ("revenue_per_coop", "revenue_growth", +1),
    ("revenue_per_coop", "new_coop_revenue", +1),
    ("profit_per_coop", "profit_margin", +1),
    ("managers", "managers_per_new_coop", +1),
    ("managers", "dissolution_rate", -1),
    ("managers_trained", "managers_trained_per_year", +1),
    ("managers_trained", "trained_share_new_managers", +1),
    ("hightech_coops", "hightech_adoptions", +1),
    ("hightech_coops", "hightech_share_new", +1),
    ("value_chain_coops", "value_chain_links", +1),
    ("value_chain_coops", "value_chain_share_new", +1),
    ("new_coops", "new_coops", +2),
    ("new_unions", "new_unions", +2),
    ("unions", "new_unions", +2),
    ("union_member_coops", "union_coop_joins", +2),
    ("union_member_coops", "coops_per_new_union", +1),
    ("union_workers", "union_worker_growth", +2),
    ("union_workers", "workers_per_new_union", +1),
    ("revenue_per_union", "union_revenue_growth", +2),
    ("revenue_per_union", "new_union_revenue", +1),
    ("profit_per_union", "union_profit_margin", +1),
]
BASES = ["defaults", "all_min", "all_max"]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(("indicator", "lever", "direction"), MONOTONE, ids=[f"{i}-{lv}" for i, lv, _ in MONOTONE])
def test_monotone(plan: Plan, indicator: str, lever: str, direction: int, base: str) -> None:
    """The indicator moves one way only as the lever sweeps its whole range (41 points, one call)."""
    lv = plan.lever(lever)
    grid = np.linspace(lv.lo, lv.hi, 41)
    for timing in TIMINGS:
        levers = plan.defaults() | CORNERS[base] | {"formation_timing": timing, lever: grid}
        values = project(plan, levers).year_end[indicator]
        steps = np.diff(values) * (1 if direction > 0 else -1)
        scale = 1e-9 * max(1.0, float(np.abs(values).max()))
        assert np.all(steps >= -scale), f"{indicator} not monotone in {lever} ({timing})"
        if direction == 2:
            assert np.all(steps > 0), f"{indicator} not strictly increasing in {lever} ({timing})"


def test_projection_leaves_inputs_unchanged(plan: Plan) -> None:
    """The model changes none of its inputs (STYLE.md): lever arrays and the baseline mapping."""
    new_coops = np.array([60.0, 85.0, 100.0])
    baseline = {"coops": 815.0}
    project(plan, {"new_coops": new_coops}, baseline)
    np.testing.assert_array_equal(new_coops, [60.0, 85.0, 100.0])
    assert baseline == {"coops": 815.0}
    assert plan.lever("new_coops").default == 85
