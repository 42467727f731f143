"""Monte Carlo (MODEL.md §4): triangular draws inside each lever's range, reproducible by seed.

Sampling checks use indicators that depend on one lever only, so the exact
answer follows from the triangle's CDF by hand. For a triangle (a, c, b) with
mode c: P(X ≤ x) = (x − a)² / ((b − a)(c − a)) for x ≤ c, and
P(X > x) = (b − x)² / ((b − a)(b − c)) for x ≥ c. Tolerances are 4 standard
errors of the estimate.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from model.analysis import draw_levers, monte_carlo, monthly_quantile_frame, triangle_ends
from model.engine import MONTHS
from model.plan import INDICATOR_IDS, Plan
from tests.model.by_hand import DEFAULT_VERDICTS

DRAWS = 10_000


def _se(p: float, n: int = DRAWS) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_same_seed_same_numbers(plan: Plan) -> None:
    """A seed fixes the run (it travels in shared links): identical arrays, bit for bit."""
    first = monte_carlo(plan, plan.defaults(), draws=500, seed=42)
    second = monte_carlo(plan, plan.defaults(), draws=500, seed=42)
    for indicator in INDICATOR_IDS:
        # Exact equality on purpose: reproducibility means the very same floats.
        np.testing.assert_array_equal(first.samples[indicator], second.samples[indicator])
        np.testing.assert_array_equal(first.paths[indicator], second.paths[indicator])
    assert first.probability == second.probability


def test_other_seed_other_numbers(plan: Plan) -> None:
    first = monte_carlo(plan, plan.defaults(), draws=500, seed=42)
    other = monte_carlo(plan, plan.defaults(), draws=500, seed=43)
    assert not np.allclose(first.samples["coops"], other.samples["coops"])
    assert first.seed == 42
    assert other.seed == 43


@pytest.mark.parametrize("preset", ["default", "recent_trends", "cautious", "strong_support", "all_min", "all_max"])
def test_draws_stay_inside_lever_ranges(plan: Plan, preset: str) -> None:
    """Each triangle end is clipped to the range first, so no draw falls outside it."""
    if preset == "all_min":
        levers = plan.defaults() | {lv.id: lv.lo for lv in plan.numeric_levers}
    elif preset == "all_max":
        levers = plan.defaults() | {lv.id: lv.hi for lv in plan.numeric_levers}
    else:
        levers = plan.preset_levers(preset)
    drawn = draw_levers(plan, levers, 5_000, seed=7)
    for lv in plan.levers:
        values = drawn[lv.id]
        if not lv.is_number:
            assert values == levers[lv.id]  # the timing is held, not drawn
            continue
        assert isinstance(values, np.ndarray)
        assert values.shape == (5_000,)
        low, high = triangle_ends(lv, float(levers[lv.id]))
        assert lv.lo <= low <= high <= lv.hi
        assert values.min() >= low, lv.id
        assert values.max() <= high, lv.id


def test_triangle_ends_are_clipped(plan: Plan) -> None:
    # dissolution_rate 0 with spread (0, 3): ends 0 and 3.
    assert triangle_ends(plan.lever("dissolution_rate"), 0.0) == pytest.approx((0.0, 3.0))
    # new_coops 10 with spread (25, 15): 10 − 25 = −15 is clipped to the minimum 0.
    assert triangle_ends(plan.lever("new_coops"), 10.0) == pytest.approx((0.0, 25.0))
    # new_coops 295: 295 + 15 = 310 is clipped to the maximum 300.
    assert triangle_ends(plan.lever("new_coops"), 295.0) == pytest.approx((270.0, 300.0))


def test_zero_width_triangle_gives_the_value(plan: Plan) -> None:
    """A lever at an end of its range with no spread on the inside (dissolution 20: spread_up clipped) still draws."""
    drawn = draw_levers(plan, plan.defaults() | {"dissolution_rate": 20}, 1_000, seed=1)
    values = drawn["dissolution_rate"]
    assert isinstance(values, np.ndarray)
    # Triangle (20, 20, 20): ends max(0, 20 − 0) = 20 and min(20, 23) = 20.
    np.testing.assert_allclose(values, 20.0)


def test_probability_at_the_mode(plan: Plan) -> None:
    """The new_coops indicator is F itself: F ~ triangle(60, 85, 100).

    P(F ≥ 85) = (100 − 85)² / ((100 − 60)(100 − 85)) = 225 / 600 = 0.375.
    """
    result = monte_carlo(plan, plan.defaults(), draws=DRAWS, seed=2023)
    assert result.probability["new_coops"] == pytest.approx(0.375, abs=4 * _se(0.375))


def test_probability_in_a_tail(plan: Plan) -> None:
    """new_coops 80: F ~ triangle(55, 80, 95); P(F ≥ 85) = (95 − 85)² / ((95 − 55)(95 − 80)) = 100 / 600 = 1/6."""
    result = monte_carlo(plan, plan.defaults() | {"new_coops": 80}, draws=DRAWS, seed=11)
    assert result.probability["new_coops"] == pytest.approx(1 / 6, abs=4 * _se(1 / 6))


def test_probability_symmetric_triangle(plan: Plan) -> None:
    """new_unions 1 with spread (1, 1): U_new ~ triangle(0, 1, 2), so P(U_new ≥ 1) = 1/2 and unions = 6 + U_new ≥ 7 alike."""
    result = monte_carlo(plan, plan.defaults(), draws=DRAWS, seed=5)
    assert result.probability["new_unions"] == pytest.approx(0.5, abs=4 * _se(0.5))
    assert result.probability["unions"] == pytest.approx(result.probability["new_unions"], abs=1e-12)


def test_quantiles_of_a_one_lever_indicator(plan: Plan) -> None:
    """P10 / P50 / P90 of F ~ triangle(60, 85, 100), inverting the CDF by hand.

    P(F ≤ c) = 25/40 = 0.625 at the mode, so P10 and P50 are on the left side:
      (x − 60)² = 0.1·40·25 = 100 → x = 70;   (x − 60)² = 0.5·1,000 = 500 → x = 82.3607;
    P90 on the right: (100 − x)² = 0.1·40·15 = 60 → x = 92.2540.
    Standard error of a sample quantile: √(p(1 − p)/n) / density; densities 0.020,
    0.0447 and 0.0258 give 0.15, 0.11 and 0.12; 0.7 is more than 4 of them.
    """
    result = monte_carlo(plan, plan.defaults(), draws=DRAWS, seed=99)
    assert result.p10["new_coops"] == pytest.approx(70.0, abs=0.7)
    assert result.p50["new_coops"] == pytest.approx(60 + math.sqrt(500), abs=0.7)
    assert result.p90["new_coops"] == pytest.approx(100 - math.sqrt(60), abs=0.7)
    # The mean of a triangle is (a + b + c)/3 = 245/3 = 81.667; its sd √(1,225/18) = 8.25, SE 0.0825.
    assert result.samples["new_coops"].mean() == pytest.approx(245 / 3, abs=4 * 0.0825)


def test_agrees_with_numpy_triangular_sampler(plan: Plan) -> None:
    """A direct estimate from NumPy's own triangular sampler agrees within sampling error (two estimates: √2·SE)."""
    rng = np.random.default_rng(314)
    direct = float(np.mean(rng.triangular(60, 85, 100, size=DRAWS) >= 85))
    result = monte_carlo(plan, plan.defaults(), draws=DRAWS, seed=315)
    assert result.probability["new_coops"] == pytest.approx(direct, abs=4 * math.sqrt(2) * _se(0.375))


def _without_spread(plan: Plan) -> Plan:
    """The plan with every lever's spread set to 0: each draw is the lever's value itself."""
    levers = tuple(lv.model_copy(update={"spread_down": 0.0, "spread_up": 0.0}) for lv in plan.levers)
    return dataclasses.replace(plan, levers=levers, path=f"{plan.path} (no spread)")


# Year-end values of the defaults, by hand (tests/model/test_hand_calculations.py, MODEL.md §3 worked check).
DEFAULTS_BY_HAND = {
    "coops": 900.0,  # 815 + 85
    "new_coops": 85.0,
    "revenue_per_coop": 1_941.0,  # (815·2,000·1.03 + 85·800) / 900
    "worker_income": 53.76,  # 48·1.12
    "members": 36_066.31657,  # 34,350·1.02 + 85·(r^12 − 1)/(r − 1), r = 1.02^(1/12)
    "managers": 3_347.5,  # 3,050 + 85·3.5
    "unions": 7.0,  # 6 + 1
    "union_member_coops": 38.0,  # 30 + 1·5 + 3
    "revenue_per_union": 27_200 / 7,  # (6·4,000·1.05 + 2,000) / 7
}
REACHED_AT_DEFAULTS = {indicator for indicator, verdict in DEFAULT_VERDICTS.items() if verdict == "reached"}


def test_without_spread_every_draw_is_the_scenario(plan: Plan) -> None:
    """No spread: all 200 draws equal the hand-calculated defaults, and P10 = P50 = P90 = that value."""
    result = monte_carlo(_without_spread(plan), plan.defaults(), draws=200, seed=17)
    for indicator, value in DEFAULTS_BY_HAND.items():
        np.testing.assert_allclose(result.samples[indicator], value, rtol=1e-9, err_msg=indicator)
        assert (result.p10[indicator], result.p50[indicator], result.p90[indicator]) == pytest.approx((value,) * 3, rel=1e-9)
    # The monthly paths too: month 6 of even timing is 815 + 6·85/12 = 857.5 coops in every draw.
    np.testing.assert_allclose(result.paths["coops"][6], 857.5, rtol=1e-12)


def test_probability_counts_reached_draws_only(plan: Plan) -> None:
    """Without spread every draw has the defaults' verdicts: probability 1 for the 5 reached targets and 0 for
    the other 12, the 3 close ones included (close is not reached)."""
    result = monte_carlo(_without_spread(plan), plan.defaults(), draws=50, seed=8)
    assert result.probability == {t.id: 1.0 if t.id in REACHED_AT_DEFAULTS else 0.0 for t in plan.targets}
    assert result.reached_per_draw.tolist() == [5] * 50  # every draw reaches the 5 targets the defaults reach


def test_probability_does_not_depend_on_the_close_tolerance(plan: Plan) -> None:
    """The tolerance only widens "close": the chance of reaching a target is the same at 0 % and at 50 %."""
    # The defaults (not a preset far from every target: "cautious" reaches nothing in any draw, which would
    # make the comparison 0 == 0): several targets are reached in some draws and missed in others.
    strict = monte_carlo(plan, plan.defaults(), draws=2_000, seed=8, tolerance=0.0)
    loose = monte_carlo(plan, plan.defaults(), draws=2_000, seed=8, tolerance=0.5)
    assert sum(0 < p < 1 for p in strict.probability.values()) >= 3
    assert loose.probability == strict.probability


def test_samples_follow_the_equations_draw_by_draw(plan: Plan) -> None:
    """Each year-end sample is month 12 of its own path, and U = 6 + U_new in every draw (MODEL.md §3)."""
    result = monte_carlo(plan, plan.defaults(), draws=300, seed=17)
    for indicator in INDICATOR_IDS:
        np.testing.assert_allclose(result.samples[indicator], result.paths[indicator][MONTHS], rtol=1e-12, err_msg=indicator)
    np.testing.assert_allclose(result.samples["unions"], 6.0 + result.samples["new_unions"], rtol=1e-12)
    assert result.samples["new_unions"].std() > 0  # the unions were drawn: the identity is not 7 = 6 + 1 only


def test_quantiles_ordered_and_bands(plan: Plan) -> None:
    result = monte_carlo(plan, plan.preset_levers("cautious"), draws=3_000, seed=3)
    for indicator in INDICATOR_IDS:
        assert result.p10[indicator] <= result.p50[indicator] <= result.p90[indicator], indicator
        assert result.samples[indicator].shape == (3_000,)
        assert result.paths[indicator].shape == (MONTHS + 1, 3_000)
        band = result.band(indicator)
        assert band.shape == (3, MONTHS + 1)
        assert np.all(band[0] <= band[1]) and np.all(band[1] <= band[2])
        np.testing.assert_allclose(band[:, MONTHS], [result.p10[indicator], result.p50[indicator], result.p90[indicator]])
    # Month 0 is the baseline in every draw: a band of zero width at 815 coops.
    np.testing.assert_allclose(result.band("coops")[:, 0], 815.0)
    frame = monthly_quantile_frame(result, "coops")
    assert list(frame.columns) == ["month", "p10", "p50", "p90"]
    assert len(frame) == MONTHS + 1


def test_summary_frame(plan: Plan) -> None:
    result = monte_carlo(plan, plan.defaults(), draws=200, seed=0)
    summary = result.summary(plan)
    assert list(summary.index) == [t.id for t in plan.targets]
    assert list(summary.columns) == ["target", "probability", "p10", "p50", "p90"]
    assert summary["probability"].between(0, 1).all()


@pytest.mark.parametrize("draws", [0, -1, -100])
def test_fewer_than_one_draw_raises(plan: Plan, draws: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        monte_carlo(plan, plan.defaults(), draws=draws)


def test_one_draw_works(plan: Plan) -> None:
    result = monte_carlo(plan, plan.defaults(), draws=1, seed=0)
    assert result.samples["coops"].shape == (1,)
    assert result.p10["coops"] == pytest.approx(result.p90["coops"])
