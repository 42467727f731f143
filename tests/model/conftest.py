"""Fixtures for the model tests: the plan (loaded once) and the invariant checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import numpy as np
import pytest

from model.engine import MONTHS, Projection
from model.plan import INDICATOR_IDS, Plan, load_plan

# Money and income per coop / union / worker: never negative (every growth rate is
# above −100 %, every first-year revenue is ≥ 0). Profits may be.
AMOUNT_IDS: tuple[str, ...] = ("revenue_per_coop", "worker_income", "revenue_per_union")
PROFIT_IDS: tuple[str, ...] = ("profit_per_coop", "profit_per_union")
# Every other indicator counts things (coops, persons, unions): never negative.
COUNT_IDS: tuple[str, ...] = tuple(i for i in INDICATOR_IDS if i not in AMOUNT_IDS + PROFIT_IDS)

# Relative slack for "≤" between two float paths built by the same operations.
SLACK = 1e-9


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan()


def check_invariants(proj: Projection, new_coops: np.ndarray | float, new_unions: np.ndarray | float) -> None:
    """Every invariant of MODEL.md §3 that holds for any valid levers and baseline."""
    for indicator, path in proj.paths.items():
        assert path.shape == (MONTHS + 1, proj.k), indicator
        assert np.all(np.isfinite(path)), f"{indicator}: not finite"
    for indicator in COUNT_IDS + AMOUNT_IDS:
        assert np.all(proj.paths[indicator] >= 0.0), f"{indicator}: negative"
    coops = proj.paths["coops"]
    bound = coops * (1.0 + SLACK) + SLACK
    assert np.all(proj.paths["hightech_coops"] <= bound), "hightech_coops above coops"
    assert np.all(proj.paths["value_chain_coops"] <= bound), "value_chain_coops above coops"
    managers = proj.paths["managers"]
    assert np.all(proj.paths["managers_trained"] <= managers * (1.0 + SLACK) + SLACK), "managers_trained above managers"
    # The flows: year end is exactly F and U_new, and the monthly path ends there too.
    np.testing.assert_allclose(proj.year_end["new_coops"], np.broadcast_to(new_coops, (proj.k,)), rtol=1e-12)
    np.testing.assert_allclose(proj.year_end["new_unions"], np.broadcast_to(new_unions, (proj.k,)), rtol=1e-12)
    np.testing.assert_allclose(proj.paths["new_coops"][MONTHS], proj.year_end["new_coops"], rtol=1e-9, atol=1e-9)
    # Foundings only accumulate.
    assert np.all(np.diff(proj.paths["new_coops"], axis=0) >= -SLACK)
    assert np.all(np.diff(proj.paths["unions"], axis=0) >= -SLACK)
    # Year-end values are the month-12 values (apart from the two flows).
    for indicator, value in proj.year_end.items():
        np.testing.assert_allclose(value, proj.paths[indicator][MONTHS], rtol=1e-9, atol=1e-9)


@pytest.fixture(scope="session")
def invariants() -> Callable[[Projection, np.ndarray | float, np.ndarray | float], None]:
    return check_invariants


def on_grid(value: float, lo: float, step: float) -> bool:
    """Exactly lo + k·step for a whole k, in decimal arithmetic on the numbers as written (no float slack):
    what a slider offers. Deliberately not model.plan.on_step, which allows a relative 1e-9."""
    k = (Decimal(repr(float(value))) - Decimal(repr(float(lo)))) / Decimal(repr(float(step)))
    return k == k.to_integral_value()


def assert_valid_levers(plan: Plan, levers: Mapping[str, float | str]) -> None:
    """Every numeric lever inside its range and on its step grid; the timing one of its choices."""
    for lv in plan.levers:
        value = levers[lv.id]
        if not lv.is_number:
            assert value in lv.choices, lv.id
            continue
        assert isinstance(value, float | int), lv.id
        assert lv.lo <= value <= lv.hi, f"{lv.id}: {value} outside {lv.lo}–{lv.hi}"
        assert on_grid(float(value), lv.lo, lv.step_size), f"{lv.id}: {value} off the step {lv.step_size}"


@pytest.fixture(scope="session")
def valid_levers() -> Callable[[Plan, Mapping[str, float | str]], None]:
    return assert_valid_levers
