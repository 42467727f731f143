"""The vectorized core (MODEL.md §4): K scenarios at once equal K single projections.

Hypothesis draws random valid scenarios (every numeric lever on its step grid
inside its range, any timing); the invariants must hold for each, and the
batch must agree with the one-at-a-time results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engine import MONTHS, project
from model.plan import INDICATOR_IDS, TIMINGS, Lever, Plan, load_plan
from model.scenario import validate

_PLAN = load_plan()  # hypothesis strategies are built at import time
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


def _on_grid(lv: Lever) -> st.SearchStrategy[float]:
    steps = round((lv.hi - lv.lo) / lv.step_size)
    return st.integers(0, steps).map(lambda k: round(lv.lo + k * lv.step_size, 10))


def _scenarios() -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {
        lv.id: _on_grid(lv) if lv.is_number else st.sampled_from(lv.choices) for lv in _PLAN.levers
    }
    return st.fixed_dictionaries(fields)


SCENARIO = _scenarios()


def _stack(plan: Plan, rows: list[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """K scenarios as one batch: every lever an array of K values (the timing an array of strings)."""
    return {lv.id: np.array([row[lv.id] for row in rows]) for lv in plan.levers}


def _assert_batch_equals_singles(plan: Plan, rows: list[Mapping[str, Any]]) -> None:
    together = project(plan, _stack(plan, rows))
    assert together.k == len(rows)
    for j, row in enumerate(rows):
        alone = project(plan, row)
        assert alone.k == 1
        for indicator in INDICATOR_IDS:
            np.testing.assert_allclose(together.paths[indicator][:, j], alone.paths[indicator][:, 0], rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(together.year_end[indicator][j], alone.year_end[indicator][0], rtol=1e-12, atol=1e-12)


@PROPERTY_SETTINGS
@given(levers=SCENARIO)
def test_invariants_hold_for_random_scenarios(plan: Plan, invariants: Callable[..., None], levers: dict[str, Any]) -> None:
    proj = project(plan, levers)
    invariants(proj, levers["new_coops"], levers["new_unions"])


@PROPERTY_SETTINGS
@given(levers=SCENARIO)
def test_random_scenarios_pass_strict_validation(plan: Plan, levers: dict[str, Any]) -> None:
    """A value on the step grid inside the range is what the sliders produce: strict validation accepts it."""
    scenario, changes = validate(plan, levers)
    assert changes == []
    for key, value in levers.items():
        if isinstance(value, str):
            assert scenario.levers[key] == value
        else:
            assert scenario.levers[key] == pytest.approx(value)


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(SCENARIO, min_size=1, max_size=6))
def test_batch_equals_one_at_a_time_property(plan: Plan, rows: list[dict[str, Any]]) -> None:
    _assert_batch_equals_singles(plan, rows)


def _random_rows(plan: Plan, count: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        row: dict[str, Any] = {}
        for lv in plan.levers:
            if lv.is_number:
                steps = round((lv.hi - lv.lo) / lv.step_size)
                row[lv.id] = round(lv.lo + int(rng.integers(0, steps + 1)) * lv.step_size, 10)
            else:
                row[lv.id] = str(rng.choice(lv.choices))
        rows.append(row)
    return rows


def test_fixed_batch_of_fifty_with_mixed_timings(plan: Plan, invariants: Callable[..., None]) -> None:
    """50 random scenarios, the timing an array of strings mixing even / front / back."""
    rows = _random_rows(plan, 50, seed=20230101)
    assert {row["formation_timing"] for row in rows} == set(TIMINGS)
    _assert_batch_equals_singles(plan, rows)
    batch = _stack(plan, rows)
    invariants(project(plan, batch), batch["new_coops"], batch["new_unions"])


def test_batch_over_baseline_arrays(plan: Plan) -> None:
    """Baseline values may be arrays of K too (one starting stock per scenario)."""
    coops = np.array([700.0, 815.0, 1_000.0])
    together = project(plan, None, {"coops": coops})
    # coops at year end: N0 + 85 each.
    np.testing.assert_allclose(together.year_end["coops"], coops + 85.0, rtol=1e-12)
    for j, n0 in enumerate(coops):
        alone = project(plan, None, {"coops": float(n0)})
        np.testing.assert_allclose(together.year_end["members"][j], alone.year_end["members"][0], rtol=1e-12)


def test_scalar_and_length_one_array_agree(plan: Plan) -> None:
    scalar = project(plan, {"new_coops": 60})
    array = project(plan, {"new_coops": np.array([60.0])})
    for indicator in INDICATOR_IDS:
        np.testing.assert_allclose(scalar.paths[indicator], array.paths[indicator], rtol=0, atol=0)


def test_projection_shapes_and_frame(plan: Plan) -> None:
    """paths are 13 × K (month-major), monthly K × 13, frame() a tidy month × indicator table."""
    proj = project(plan, {"new_coops": np.array([60.0, 85.0, 100.0, 120.0])})
    assert proj.k == 4
    for indicator in INDICATOR_IDS:
        assert proj.paths[indicator].shape == (MONTHS + 1, 4)
        assert proj.monthly[indicator].shape == (4, MONTHS + 1)
        assert proj.year_end[indicator].shape == (4,)
    frame = proj.frame(2)
    assert list(frame.columns) == list(INDICATOR_IDS)
    assert list(frame.index) == list(range(MONTHS + 1))
    assert frame.index.name == "month"
    # Scenario 2 has F = 100: coops 815 + 100 = 915.
    assert frame.loc[12, "coops"] == pytest.approx(915.0, rel=1e-12)
    assert proj.year_end_dict(2)["coops"] == pytest.approx(915.0, rel=1e-12)


def test_mismatched_lengths_raise(plan: Plan) -> None:
    with pytest.raises(ValueError, match="has 3 values where others have 2"):
        project(plan, {"new_coops": np.array([1.0, 2.0]), "new_unions": np.array([1.0, 2.0, 3.0])})


def test_two_dimensional_lever_raises(plan: Plan) -> None:
    with pytest.raises(ValueError, match="scalar or a 1-D array"):
        project(plan, {"new_coops": np.ones((2, 2))})


def test_unknown_lever_or_baseline_raises(plan: Plan) -> None:
    with pytest.raises(KeyError, match="unknown lever"):
        project(plan, {"new_cooperatives": 10})
    with pytest.raises(KeyError, match="unknown baseline"):
        project(plan, None, {"coop": 10})
