"""The plan-implied scenario and the sensitivity tornado (MODEL.md §4)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model.analysis import plan_implied, sensitivity
from model.engine import project, status_of
from model.plan import Plan
from model.scenario import validate

# ------------------------------------------------------ plan-implied scenario


def _assert_honest(plan: Plan, implied, baseline: dict | None = None) -> None:
    """The reported status of each target is the status of the implied levers, projected afresh."""
    y = project(plan, implied.levers, baseline).year_end_dict()
    for t in plan.targets:
        assert implied.status[t.id] == status_of(y[t.id], t.value), t.id
    assert implied.all_reached == all(status_of(y[t.id], t.value) == "reached" for t in plan.targets)


def test_from_defaults_reaches_all_17(plan: Plan, valid_levers: Callable[..., None]) -> None:
    implied = plan_implied(plan, plan.defaults())
    assert len(implied.status) == 17
    assert implied.all_reached, {k: v for k, v in implied.status.items() if v != "reached"}
    _assert_honest(plan, implied)
    # Every lever on its slider: in range, on its step, so strict validation accepts the scenario.
    valid_levers(plan, implied.levers)
    validate(plan, implied.levers)
    assert [s.indicator for s in implied.steps] == [t.id for t in plan.targets]
    assert all(s.reachable for s in implied.steps)


def test_from_defaults_hand_values(plan: Plan) -> None:
    """Solved values rounded to the step in the direction that keeps the target reached (by hand)."""
    levers = plan_implied(plan, plan.defaults()).levers
    # 61.4724 % rounded up to the 0.5 step → 61.5 (R = 3,000.5, see test_hand_calculations).
    assert levers["revenue_growth"] == pytest.approx(61.5)
    # 60 / 48 − 1 = 25 % exactly on the grid.
    assert levers["income_growth"] == pytest.approx(25.0)
    # 318 / 85 = 3.741 managers per new coop, up to the 0.5 step → 4.0.
    assert levers["managers_per_new_coop"] == pytest.approx(4.0)
    # With 4.0 managers: 630 + 85·4·0.15 + y ≥ 700 → y ≥ 19, up to the step 5 → 20.
    assert levers["managers_trained_per_year"] == pytest.approx(20.0)
    # 150 − 120 − 8.5 = 21.5 links, up to the step 1 → 22; 350 − 300 − 17 = 33 adoptions.
    assert levers["value_chain_links"] == pytest.approx(22.0)
    assert levers["hightech_adoptions"] == pytest.approx(33.0)
    # 55 − 30 − 5 = 20 joins; 85 new coops; 1 new union; 37.5 % union revenue growth.
    assert levers["union_coop_joins"] == pytest.approx(20.0)
    assert levers["new_coops"] == pytest.approx(85.0)
    assert levers["new_unions"] == pytest.approx(1.0)
    assert levers["union_revenue_growth"] == pytest.approx(37.5)
    # Profit after revenue 3,000.5: 300 / 3,000.5 = 9.998 %, up to 10.0.
    assert levers["profit_margin"] == pytest.approx(10.0)
    # The timing is not a main lever: it stays as it was.
    assert levers["formation_timing"] == "even"


@pytest.mark.parametrize("preset", ["cautious", "recent_trends", "strong_support"])
def test_from_presets(plan: Plan, preset: str, valid_levers: Callable[..., None]) -> None:
    """From every preset the plan-implied scenario reaches all 17 targets (found: the cautious one too).

    Cautious keeps 3 % dissolution, so coops need F = 111 rather than 85.
    """
    implied = plan_implied(plan, plan.preset_levers(preset))
    _assert_honest(plan, implied)
    assert implied.all_reached, {k: v for k, v in implied.status.items() if v != "reached"}
    valid_levers(plan, implied.levers)
    validate(plan, implied.levers)
    if preset == "cautious":
        assert implied.levers["dissolution_rate"] == pytest.approx(3.0)
        assert implied.levers["new_coops"] > 85


def test_unreachable_target_is_reported_honestly(plan: Plan) -> None:
    """With 10,000 members at the start no member growth in range reaches 40,000: say so, do not claim it."""
    baseline = {"members": 10_000}
    implied = plan_implied(plan, plan.defaults(), baseline=baseline)
    step = next(s for s in implied.steps if s.indicator == "members")
    assert not step.reachable
    assert step.solved is None
    assert step.after == pytest.approx(plan.lever("member_growth").hi)  # the best value in range
    assert implied.status["members"] != "reached"
    assert not implied.all_reached
    _assert_honest(plan, implied, baseline)


@pytest.mark.parametrize("baseline", [{"coops": 900}, {"unions": 7}, {"coops": 950, "unions": 8}])
def test_shared_main_lever_keeps_earlier_target(plan: Plan, baseline: dict) -> None:
    """Regression: `coops` (and `unions`) share their main lever with `new_coops` (`new_unions`).

    With 900 coops at the start the coops solve is "always reached" and used to
    set new_coops back to 0, breaking the new_coops target solved just before.
    The shared lever now moves only in the direction that needs more.
    """
    implied = plan_implied(plan, plan.defaults(), baseline=baseline)
    assert implied.levers["new_coops"] == pytest.approx(85.0)
    assert implied.levers["new_unions"] == pytest.approx(1.0)
    assert implied.all_reached, {k: v for k, v in implied.status.items() if v != "reached"}
    _assert_honest(plan, implied, baseline)


def test_does_not_change_its_input(plan: Plan) -> None:
    levers = plan.defaults()
    before = dict(levers)
    plan_implied(plan, levers)
    assert levers == before


# ---------------------------------------------------------------- sensitivity


def test_coops_tornado(plan: Plan) -> None:
    """coops at the defaults (δ = 0): only new_coops and dissolution_rate move it.

    new_coops spread (25, 15): 815 + 60 = 875 and 815 + 100 = 915 → swing 40.
    dissolution_rate spread (0, 3): 900 at 0 %; at 3 %, k = 0.97^(1/12), 1 − k = 0.00253505,
    coops = 815·0.97 + (85/12)·0.03/(1 − k) = 790.55 + 7.08333·11.83409 = 874.375 → swing 25.625.
    """
    df = sensitivity(plan, plan.defaults(), indicator="coops")
    assert list(df["swing"]) == sorted(df["swing"], reverse=True)
    top = df.iloc[0]
    assert top["lever"] == "new_coops"
    assert top["low"] == pytest.approx(60.0)
    assert top["high"] == pytest.approx(100.0)
    assert top["at_low"] == pytest.approx(875.0, rel=1e-12)
    assert top["at_high"] == pytest.approx(915.0, rel=1e-12)
    assert top["swing"] == pytest.approx((85 + 15) - (85 - 25), rel=1e-12)
    second = df.iloc[1]
    assert second["lever"] == "dissolution_rate"
    k = 0.97 ** (1 / 12)
    assert second["swing"] == pytest.approx(900 - (815 * 0.97 + 85 / 12 * 0.03 / (1 - k)), rel=1e-10)
    assert second["swing"] == pytest.approx(25.625, abs=1e-3)
    # Every other lever, and the timing at δ = 0, leaves coops at 900: swing 0.
    rest = df.iloc[2:]
    assert len(rest) == 24  # 23 numeric levers + formation_timing
    np.testing.assert_allclose(rest["swing"].to_numpy(dtype=float), 0.0, atol=1e-9)
    assert "formation_timing" in set(rest["lever"])
    np.testing.assert_allclose(df["base"].to_numpy(dtype=float), 900.0, rtol=1e-12)


def test_worker_income_tornado(plan: Plan) -> None:
    """Worker income depends on income_growth only: 48·1.08 = 51.84 and 48·1.16 = 55.68 → swing 3.84."""
    df = sensitivity(plan, plan.defaults(), indicator="worker_income")
    top = df.iloc[0]
    assert top["lever"] == "income_growth"
    assert top["at_low"] == pytest.approx(51.84, rel=1e-12)
    assert top["at_high"] == pytest.approx(55.68, rel=1e-12)
    assert top["swing"] == pytest.approx(3.84, rel=1e-10)
    np.testing.assert_allclose(df.iloc[1:]["swing"].to_numpy(dtype=float), 0.0, atol=1e-12)


@pytest.mark.parametrize("indicator", ["members", "revenue_per_coop", "managers_trained", "revenue_per_union"])
def test_tornado_shape(plan: Plan, indicator: str) -> None:
    df = sensitivity(plan, plan.preset_levers("cautious"), indicator=indicator)
    assert list(df.columns) == ["lever", "low", "high", "at_low", "at_high", "base", "swing"]
    assert len(df) == 26
    assert set(df["lever"]) == {lv.id for lv in plan.levers}
    swings = df["swing"].to_numpy(dtype=float)
    assert np.all(np.diff(swings) <= 0)
    assert np.all(swings >= 0)
    base = project(plan, plan.preset_levers("cautious")).year_end_dict()[indicator]
    assert df["base"].iloc[0] == pytest.approx(base, rel=1e-12)
    timing = df[df["lever"] == "formation_timing"].iloc[0]
    assert (timing["low"], timing["high"]) == ("front", "back")


def test_tornado_unknown_indicator(plan: Plan) -> None:
    with pytest.raises(KeyError):
        sensitivity(plan, plan.defaults(), indicator="happiness")
