"""Target status (MODEL.md §1.1): reached at value ≥ target·(1 − 1e-9), close within the tolerance, missed otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import DEFAULT_TOLERANCE, STATUSES, project, scorecard, status_codes, status_of, statuses
from model.plan import Plan


@pytest.mark.parametrize(
    ("value", "target", "status"),
    [
        (100.0, 100.0, "reached"),
        (150.0, 100.0, "reached"),
        (100.0 * (1 - 1e-10), 100.0, "reached"),  # inside the 1e-9 slack for float rounding
        (100.0 * (1 - 1e-8), 100.0, "close"),  # outside the slack: not reached
        (95.0, 100.0, "close"),  # exactly target·(1 − 5 %)
        (94.99, 100.0, "missed"),
        (0.0, 100.0, "missed"),
        (-5.0, 100.0, "missed"),
        (59.99999999, 60.0, "reached"),  # 48·1.25 computed in floats
    ],
)
def test_status_rules(value: float, target: float, status: str) -> None:
    assert status_of(value, target) == status


def test_default_tolerance_is_five_percent() -> None:
    assert pytest.approx(0.05) == DEFAULT_TOLERANCE


@pytest.mark.parametrize(
    ("value", "tolerance", "status"),
    [
        (91.0, 0.10, "close"),  # 91 ≥ 90
        (89.0, 0.10, "missed"),
        (96.0, 0.0, "missed"),  # no slack: anything short is missed
        (100.0, 0.0, "reached"),
        (51.0, 0.5, "close"),
        (49.0, 0.5, "missed"),
    ],
)
def test_tolerance_parameter(value: float, tolerance: float, status: str) -> None:
    assert status_of(value, 100.0, tolerance) == status


def test_status_codes_vectorized() -> None:
    """status_codes is elementwise and indexes into STATUSES."""
    codes = status_codes(np.array([120.0, 100.0, 97.0, 90.0]), 100.0)
    assert [STATUSES[c] for c in codes] == ["reached", "reached", "close", "missed"]
    codes = status_codes(np.array([97.0, 90.0]), 100.0, tolerance=0.2)
    assert [STATUSES[c] for c in codes] == ["close", "close"]


def test_scorecard_columns_and_values(plan: Plan) -> None:
    """The scorecard: one row per target, value / target / percent / gap / status."""
    card = scorecard(plan, project(plan).year_end_dict())
    assert list(card.index) == [t.id for t in plan.targets]
    assert list(card.columns) == ["value", "target", "percent", "gap", "status"]
    # revenue per coop: 1,941 of 3,000 = 64.7 %, gap −1,059.
    row = card.loc["revenue_per_coop"]
    assert row["percent"] == pytest.approx(64.7, rel=1e-12)
    assert row["gap"] == pytest.approx(-1_059.0, rel=1e-12)
    assert row["status"] == "missed"
    # managers 3,347.5 of 3,368: close at 5 %, missed at 0.5 %.
    assert card.loc["managers", "status"] == "close"
    tight = scorecard(plan, project(plan).year_end_dict(), tolerance=0.005)
    assert tight.loc["managers", "status"] == "missed"


def test_statuses_matches_status_of(plan: Plan) -> None:
    year_end = project(plan).year_end_dict()
    by_target = statuses(plan, year_end)
    for t in plan.targets:
        assert by_target[t.id] == status_of(year_end[t.id], t.value)
