"""Many scenarios at once (`project_many`) and their statuses counted (`status_matrix`, `status_counts`),
checked against numbers worked out by hand and against one projection per scenario."""

from __future__ import annotations

import numpy as np

from model.engine import StatusMatrix, project, project_many, status_counts, status_matrix
from model.plan import INDICATOR_IDS, Plan

# Three scenarios around the flows' targets (new coops 85, new unions 1, unions 7; tolerance 5 %, so
# "close" for new coops from 80.75): the year-end flows equal the levers, unions = baseline + new unions.
THREE = [
    ({"new_coops": 85}, {}),  # 85 new coops: reached; 1 new union (default): 6 + 1 = 7 unions, both reached
    ({"new_coops": 81, "new_unions": 0}, {}),  # 81 ≥ 80.75: close; no new union: missed; 6 unions: missed
    ({"new_coops": 80, "new_unions": 0}, {"unions": 7.0}),  # 80 < 80.75: missed; no new union; 7 + 0 = 7: reached
]


def test_project_many_by_hand(plan: Plan) -> None:
    year_end = project_many(plan, THREE).year_end
    assert list(year_end["new_coops"]) == [85.0, 81.0, 80.0]
    assert list(year_end["new_unions"]) == [1.0, 0.0, 0.0]
    # The third scenario's own baseline; a year's formations add up to U_new up to rounding.
    np.testing.assert_allclose(year_end["unions"], [7.0, 6.0, 7.0], rtol=1e-12)


def test_statuses_of_three_scenarios_by_hand(plan: Plan) -> None:
    matrix = status_matrix(plan, project_many(plan, THREE).year_end, 0.05)
    assert matrix.k == 3
    assert list(matrix.of("new_coops")) == [0, 1, 2]
    assert [matrix.scenario(k)["new_unions"] for k in range(3)] == ["reached", "missed", "missed"]
    assert [matrix.scenario(k)["unions"] for k in range(3)] == ["reached", "missed", "reached"]
    per_target = matrix.per_target()
    assert per_target["new_coops"] == {"reached": 1, "close": 1, "missed": 1}
    assert per_target["new_unions"] == {"reached": 1, "close": 0, "missed": 2}
    assert per_target["unions"] == {"reached": 2, "close": 0, "missed": 1}
    # With no slack the scenario at 81 new coops misses too.
    assert list(status_matrix(plan, project_many(plan, THREE).year_end, 0.0).of("new_coops")) == [0, 2, 2]


def test_counts_of_a_small_matrix_by_hand() -> None:
    # Two targets, three scenarios: a = reached, close, missed; b = reached, reached, missed.
    matrix = StatusMatrix(("a", "b"), np.array([[0, 1, 2], [0, 0, 2]]))
    assert matrix.per_scenario() == [
        {"reached": 2, "close": 0, "missed": 0},
        {"reached": 1, "close": 1, "missed": 0},
        {"reached": 0, "close": 0, "missed": 2},
    ]
    assert matrix.per_target() == {"a": {"reached": 1, "close": 1, "missed": 1}, "b": {"reached": 2, "close": 0, "missed": 1}}
    assert matrix.scenario(1) == {"a": "close", "b": "reached"}


def test_status_counts_by_hand() -> None:
    assert status_counts(["reached", "missed", "reached"]) == {"reached": 2, "close": 0, "missed": 1}
    assert status_counts([]) == {"reached": 0, "close": 0, "missed": 0}


def test_no_scenarios(plan: Plan) -> None:
    """An empty room: K = 0, empty arrays, every target counted 0 times."""
    proj = project_many(plan, [])
    assert proj.k == 0
    matrix = status_matrix(plan, proj.year_end)
    assert matrix.per_scenario() == []
    assert matrix.per_target()["coops"] == {"reached": 0, "close": 0, "missed": 0}


def test_many_at_once_equals_one_by_one(plan: Plan) -> None:
    """Every preset and the three scenarios above, at once and one at a time: the same numbers, the same statuses."""
    scenarios = [*THREE, *((plan.preset_levers(p.id), {"coops": 850.0}) for p in plan.presets)]
    many = project_many(plan, scenarios)
    for k, (levers, baseline) in enumerate(scenarios):
        one = project(plan, levers, baseline)
        for i in INDICATOR_IDS:
            np.testing.assert_allclose(many.year_end[i][k], one.year_end[i][0], rtol=1e-12, err_msg=i)
            np.testing.assert_allclose(many.monthly[i][k], one.monthly[i][0], rtol=1e-12, err_msg=i)
    matrix = status_matrix(plan, many.year_end, 0.05)
    counts = matrix.per_scenario()
    for k, (levers, baseline) in enumerate(scenarios):
        one = status_matrix(plan, project(plan, levers, baseline).year_end, 0.05)
        assert matrix.scenario(k) == one.scenario(0)
        assert counts[k] == one.per_scenario()[0]
