"""The projection against numbers worked out by hand (MODEL.md §3 and its worked check).

Every golden number below comes from the arithmetic in the comment next to it,
done from the equations of MODEL.md, never from running the engine. Closed
forms replace the month-by-month recursions: with a constant monthly factor r
and a constant monthly inflow a, X_12 = X_0·r^12 + a·Σ_{j=0}^{11} r^j
= X_0·r^12 + a·(r^12 − 1)/(r − 1).
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine import project, status_of
from model.plan import Plan


def year_end(plan: Plan, levers: dict | None = None, baseline: dict | None = None) -> dict[str, float]:
    return project(plan, levers or {}, baseline).year_end_dict()


def geometric(r: float, months: int = 12) -> float:
    """Σ_{j=0}^{months−1} r^j: what a constant monthly inflow adds up to under monthly factor r."""
    return (r**months - 1.0) / (r - 1.0)


# --------------------------------------------------- MODEL.md worked check


def test_worked_check_with_defaults(plan: Plan) -> None:
    """MODEL.md §3 worked check: defaults, δ = 0 so q = 0."""
    y = year_end(plan)
    # coops: 815 + 85 = 900.
    assert y["coops"] == pytest.approx(900.0, rel=1e-12)
    # revenue per coop: (815·2,000·1.03 + 85·800) / 900 = (1,678,900 + 68,000) / 900 = 1,746,900 / 900 = 1,941.0.
    assert y["revenue_per_coop"] == pytest.approx(1941.0, rel=1e-12)
    # worker income: 48·1.12 = 53.76.
    assert y["worker_income"] == pytest.approx(53.76, rel=1e-12)
    # unions: 6 + 1 = 7.
    assert y["unions"] == pytest.approx(7.0, rel=1e-12)
    # union member coops: 30 + 1·5 + 3 = 38.
    assert y["union_member_coops"] == pytest.approx(38.0, rel=1e-12)
    # members: M_m = M_{m-1}·r + (85/12)·12 with r = 1.02^(1/12), i.e. a constant
    # inflow of 85 founding members a month (7.083 coops × 12 members).
    # M_12 = 34,350·1.02 + 85·(r^12 − 1)/(r − 1) = 35,037 + 85·0.02/(r − 1).
    # r − 1 = e^(ln 1.02 / 12) − 1 = e^0.00165021894 − 1 = 0.00165158130,
    # 0.02 / 0.00165158130 = 12.1096067, × 85 = 1,029.3166,
    # so M_12 = 36,066.3166 (MODEL.md: "about 36,066", the founders' growth "+9").
    assert y["members"] == pytest.approx(36_066.3166, abs=0.01)
    assert y["members"] == pytest.approx(34_350 * 1.02 + 85 * geometric(1.02 ** (1 / 12)), rel=1e-12)


def test_worked_check_statuses(plan: Plan) -> None:
    """The reached / missed verdicts of the worked check, at the default 5 % tolerance."""
    y = year_end(plan)
    targets = plan.target_values()
    # 900 ≥ 900 → reached; 7 ≥ 7 → reached.
    assert status_of(y["coops"], targets["coops"]) == "reached"
    assert status_of(y["unions"], targets["unions"]) == "reached"
    # 1,941 < 0.95·3,000 = 2,850; 53.76 < 0.95·60 = 57; 38 < 0.95·55 = 52.25; 36,066 < 0.95·40,000 = 38,000.
    for indicator in ("revenue_per_coop", "worker_income", "union_member_coops", "members"):
        assert status_of(y[indicator], targets[indicator]) == "missed", indicator


def test_defaults_every_other_indicator(plan: Plan) -> None:
    """The other eleven indicators at the defaults, by hand (δ = 0 throughout)."""
    y = year_end(plan)
    targets = plan.target_values()
    expected = {
        # The two flows: F = 85, U_new = 1 (both reached).
        "new_coops": (85.0, "reached"),
        "new_unions": (1.0, "reached"),
        # 10 % of 1,941.0 = 194.1 < 285 → missed.
        "profit_per_coop": (194.1, "missed"),
        # W_12 = 9,000·1.04 + (85·8/12)·(r^12 − 1)/(r − 1), r = 1.04^(1/12):
        # r − 1 = 0.00327374, 0.04 / 0.00327374 = 12.21844, × 56.667 = 692.378 → 10,052.378;
        # < 0.95·11,000 = 10,450 → missed.
        "workers": (10_052.378, "missed"),
        # G = 3,050 + 85·3.5 = 3,347.5; ≥ 0.95·3,368 = 3,199.6 → close.
        "managers": (3_347.5, "close"),
        # T = 630 + 85·3.5·0.15 + 40 = 630 + 44.625 + 40 = 714.625 (below G, so min() does not bind) → reached.
        "managers_trained": (714.625, "reached"),
        # H = 300 + 85·0.20 + 20 = 337; ≥ 332.5 → close.
        "hightech_coops": (337.0, "close"),
        # V = 120 + 85·0.10 + 15 = 143.5; ≥ 142.5 → close.
        "value_chain_coops": (143.5, "close"),
        # X_12 = 600·1.05 + (40/12)·(r^12 − 1)/(r − 1), r = 1.05^(1/12):
        # r − 1 = 0.00407412, 0.05 / 0.00407412 = 12.27258, × 3.3333 = 40.9086 → 670.909; < 760 → missed.
        "union_workers": (670.909, "missed"),
        # RU = (6·4,000·1.05 + 1·2,000) / 7 = (25,200 + 2,000) / 7 = 3,885.714; < 4,750 → missed.
        "revenue_per_union": (27_200 / 7, "missed"),
        # 10 % of that = 388.571; < 475 → missed.
        "profit_per_union": (2_720 / 7, "missed"),
    }
    for indicator, (value, status) in expected.items():
        assert y[indicator] == pytest.approx(value, rel=1e-6), indicator
        assert status_of(y[indicator], targets[indicator]) == status, indicator


def test_default_paths_mid_year(plan: Plan) -> None:
    """Month 6 of the default paths: half the foundings, half a year of growth."""
    frame = project(plan).frame()
    # Even timing: 6 months × 85/12 = 42.5 new coops → 815 + 42.5 = 857.5.
    assert frame.loc[6, "coops"] == pytest.approx(857.5, rel=1e-12)
    assert frame.loc[6, "new_coops"] == pytest.approx(42.5, rel=1e-12)
    # I_6 = 48·1.12^(6/12) = 48·1.0583005 = 50.79843.
    assert frame.loc[6, "worker_income"] == pytest.approx(48 * 1.12**0.5, rel=1e-12)
    assert frame.loc[6, "worker_income"] == pytest.approx(50.79843, rel=1e-6)
    # Month 0 is the baseline itself.
    assert frame.loc[0, "coops"] == pytest.approx(815.0)
    assert frame.loc[0, "members"] == pytest.approx(34_350.0)
    assert frame.loc[0, "revenue_per_coop"] == pytest.approx(2_000.0)


# ------------------------------------------------------- further scenarios


# k = 0.88^(1/12), the monthly survival factor at δ = 12 %:
# ln 0.88 = −0.127833372, / 12 = −0.010652781, k = e^−0.010652781 = 0.989403759,
# 1 − k = 0.010596241, and Σ_{j=0}^{11} k^j = (1 − k^12)/(1 − k) = 0.12 / 0.010596241 = 11.324771.


def test_dissolution_without_new_coops(plan: Plan) -> None:
    """δ = 12 %, F = 0: every stock of the existing coops shrinks by the factor 0.88 over the year."""
    y = year_end(plan, {"dissolution_rate": 12, "new_coops": 0})
    # coops: 815·0.88 = 717.2.
    assert y["coops"] == pytest.approx(717.2, rel=1e-12)
    # revenue per coop: only pre-existing coops, so S cancels: R = 2,000·1.03 = 2,060.
    assert y["revenue_per_coop"] == pytest.approx(2_060.0, rel=1e-12)
    # members: 34,350·0.88·1.02 = 34,350·0.8976 = 30,832.56.
    assert y["members"] == pytest.approx(30_832.56, rel=1e-12)
    # workers: 9,000·0.88·1.04 = 8,236.8.
    assert y["workers"] == pytest.approx(8_236.8, rel=1e-12)
    # managers: 3,050·0.88 = 2,684.
    assert y["managers"] == pytest.approx(2_684.0, rel=1e-12)
    # trained: 630·0.88 + (40/12)·11.324771 = 554.4 + 37.74924 = 592.14924 (≤ 2,684, so min() does not bind).
    assert y["managers_trained"] == pytest.approx(592.14924, rel=1e-7)
    # high tech: 300·0.88 + (20/12)·11.324771 = 264 + 18.87462 = 282.87462.
    assert y["hightech_coops"] == pytest.approx(282.87462, rel=1e-7)
    # value chains: 120·0.88 + (15/12)·11.324771 = 105.6 + 14.15596 = 119.75596.
    assert y["value_chain_coops"] == pytest.approx(119.75596, rel=1e-7)
    # The flow is the number founded: 0 → missed; 717.2 < 855 → missed.
    assert y["new_coops"] == pytest.approx(0.0, abs=1e-12)
    assert status_of(y["coops"], 900) == "missed"
    # Unions are untouched by coop dissolution: 6 + 1 = 7.
    assert y["unions"] == pytest.approx(7.0, rel=1e-12)


# Coops founded in 2023 and still active at year end, δ = 12 %, F = 85:
# A_12 = F·Σ_m w_m·k^(12−m); with j = 12 − m:
#   even:  (F/12)·Σ k^j                      = (85/12)·11.324771            = 80.21713
#   front: w_m = (13 − m)/78 = (j + 1)/78:  (F/78)·Σ_{j=0}^{11} (j + 1)·k^j,
#          Σ (j + 1)·k^j = (1 − 13·k^12 + 12·k^13)/(1 − k)^2 = 72.17377   → 78.65091
#   back:  w_m = m/78 = (12 − j)/78:         (F/78)·(13·Σ k^j − Σ (j + 1)·k^j)
#          = (85/78)·(147.22202 − 72.17377) = (85/78)·75.04825          → 81.78334
# Early foundings are exposed to dissolution longer, so front < even < back.
# Coops N = S + A with S = 815·0.88 = 717.2; revenue per coop R = (S·2,000·1.03 + A·800) / N with
# S·2,060 = 1,477,432:
#   even:  N = 797.41713, R = (1,477,432 + 64,173.704) / 797.41713 = 1,541,605.704 / 797.41713 = 1,933.2488
#   front: N = 795.85091, R = (1,477,432 + 62,920.728) / 795.85091 = 1,540,352.728 / 795.85091 = 1,935.4790
#   back:  N = 798.98334, R = (1,477,432 + 65,426.672) / 798.98334 = 1,542,858.672 / 798.98334 = 1,931.0273


@pytest.mark.parametrize(
    ("timing", "coops", "revenue"),
    [
        ("even", 797.41713, 1_933.2488),
        ("front", 795.85091, 1_935.4790),
        ("back", 798.98334, 1_931.0273),
    ],
)
def test_timing_with_dissolution(plan: Plan, timing: str, coops: float, revenue: float) -> None:
    """δ = 12 %, F = 85: coops = 815·0.88 + A_12, and revenue per coop mixes the two cohorts (numbers above)."""
    y = year_end(plan, {"dissolution_rate": 12, "formation_timing": timing})
    # Hand values to 5 decimals (coops) and 4 (revenue): tolerances of half a unit in the last digit.
    assert y["coops"] == pytest.approx(coops, abs=5e-6)
    assert y["revenue_per_coop"] == pytest.approx(revenue, abs=5e-5)
    # The founding count is not reduced by dissolution.
    assert y["new_coops"] == pytest.approx(85.0, rel=1e-12)


def test_timing_order_with_dissolution(plan: Plan) -> None:
    """Front-loaded foundings face dissolution longest: coops(front) < coops(even) < coops(back)."""
    proj = project(plan, {"dissolution_rate": 12, "formation_timing": np.array(["front", "even", "back"])})
    front, even, back = proj.year_end["coops"]
    # By hand (above): 795.851 < 797.417 < 798.983.
    assert front == pytest.approx(795.851, abs=1e-3)
    assert even == pytest.approx(797.417, abs=1e-3)
    assert back == pytest.approx(798.983, abs=1e-3)


def test_timing_without_dissolution_leaves_coops(plan: Plan) -> None:
    """δ = 0: timing moves when coops are founded, not how many: 815 + 85 = 900 for each timing."""
    for timing in ("even", "front", "back"):
        assert year_end(plan, {"formation_timing": timing})["coops"] == pytest.approx(900.0, rel=1e-12)


def test_front_timing_members(plan: Plan) -> None:
    """δ = 0, front timing: founders join earlier and grow longer with the existing members.

    M_12 = 34,350·1.02 + 12·85·Σ_m w_m·r^(12−m), r = 1.02^(1/12), w_m = (j + 1)/78 (j = 12 − m).
    With ε = ln 1.02 / 12 = 0.00165022 and r^j = 1 + jε + j²ε²/2 + j³ε³/6 + …:
    Σ (j + 1)·r^j = Σ(j + 1) + ε·Σ j(j + 1) + ε²/2·Σ j²(j + 1) + ε³/6·Σ j³(j + 1)
                  = 78 + 572ε + 2,431ε² + 7,388ε³ = 78 + 0.943926 + 0.006620 + 0.000033 = 78.950579,
    / 78 = 1.0121869, × 1,020 = 1,032.431 → 36,069.431 (even timing gave 36,066.317).
    Closed form of the same sum: (1 − 13·r^12 + 12·r^13)/(1 − r)^2.
    """
    y = year_end(plan, {"formation_timing": "front"})
    # 35,037 + 1,020·1.0121869 = 35,037 + 1,032.43064 = 36,069.43064; the factor is good to ±5e-8, × 1,020 ≈ ±5e-5.
    assert y["members"] == pytest.approx(36_069.43064, abs=1e-4)


def test_revenue_growth_that_reaches_3000(plan: Plan) -> None:
    """revenue_growth 61.5 %: (815·2,000·1.615 + 85·800) / 900 = (2,632,450 + 68,000) / 900 = 3,000.5."""
    y = year_end(plan, {"revenue_growth": 61.5})
    assert y["revenue_per_coop"] == pytest.approx(3_000.5, rel=1e-12)
    assert status_of(y["revenue_per_coop"], 3_000) == "reached"
    # Profit at the default 10 %: 300.05 ≥ 300 → reached.
    assert y["profit_per_coop"] == pytest.approx(300.05, rel=1e-12)
    assert status_of(y["profit_per_coop"], 300) == "reached"


def test_no_new_union(plan: Plan) -> None:
    """new_unions 0: the unions stay the 6 existing ones."""
    y = year_end(plan, {"new_unions": 0})
    targets = plan.target_values()
    # unions 6 < 0.95·7 = 6.65 → missed; new unions 0 → missed.
    assert y["unions"] == pytest.approx(6.0, rel=1e-12)
    assert status_of(y["unions"], targets["unions"]) == "missed"
    assert y["new_unions"] == pytest.approx(0.0, abs=1e-12)
    # RU = 6·4,000·1.05 / 6 = 4,200; profit 10 % = 420.
    assert y["revenue_per_union"] == pytest.approx(4_200.0, rel=1e-12)
    assert y["profit_per_union"] == pytest.approx(420.0, rel=1e-12)
    # Members 30 + 3 joins = 33; workers 600·1.05 = 630.
    assert y["union_member_coops"] == pytest.approx(33.0, rel=1e-12)
    assert y["union_workers"] == pytest.approx(630.0, rel=1e-12)


def test_union_coop_joins_reach_55(plan: Plan) -> None:
    """union_coop_joins 20: 30 + 1·5 + 20 = 55 → reached."""
    y = year_end(plan, {"union_coop_joins": 20})
    assert y["union_member_coops"] == pytest.approx(55.0, rel=1e-12)
    assert status_of(y["union_member_coops"], 55) == "reached"


def test_income_growth_25_reaches_60(plan: Plan) -> None:
    """income_growth 25 %: 48·1.25 = 60 exactly on paper; the 1e-9 slack absorbs float rounding."""
    y = year_end(plan, {"income_growth": 25})
    assert y["worker_income"] == pytest.approx(60.0, rel=1e-12)
    assert status_of(y["worker_income"], 60) == "reached"


def test_fewer_new_coops(plan: Plan) -> None:
    """new_coops 60: coops 815 + 60 = 875 ≥ 0.95·900 = 855 → close; the flow 60 < 0.95·85 = 80.75 → missed."""
    y = year_end(plan, {"new_coops": 60})
    assert y["coops"] == pytest.approx(875.0, rel=1e-12)
    assert status_of(y["coops"], 900) == "close"
    assert y["new_coops"] == pytest.approx(60.0, rel=1e-12)
    assert status_of(y["new_coops"], 85) == "missed"
    # R = (1,678,900 + 60·800) / 875 = 1,726,900 / 875 = 1,973.6.
    assert y["revenue_per_coop"] == pytest.approx(1_973.6, rel=1e-12)
    # Managers 3,050 + 60·3.5 = 3,260.
    assert y["managers"] == pytest.approx(3_260.0, rel=1e-12)


def test_trained_managers_capped_by_managers(plan: Plan) -> None:
    """T = min(G, …): with 3,000 of 3,050 managers trained and 1,000 more trained a year, T meets G and stays on it.

    Month 1: G_1 = 3,050 + (85/12)·3.5 = 3,074.79; uncapped T would be
    3,000 + 24.79·1.00 + 1,000/12 = 3,108.12 > G_1, so T_1 = G_1; from then on the
    uncapped step adds more than G does, so T_m = G_m and T_12 = G_12 = 3,347.5.
    """
    y = year_end(
        plan,
        {"managers_trained_per_year": 1000, "trained_share_new_managers": 100},
        baseline={"managers_trained": 3000},
    )
    assert y["managers"] == pytest.approx(3_347.5, rel=1e-12)
    assert y["managers_trained"] == pytest.approx(3_347.5, rel=1e-12)


def test_trained_managers_below_cap(plan: Plan) -> None:
    """Without the cap binding: T = 630 + 85·3.5·1.00 + 1,000 = 1,927.5 < G = 3,347.5."""
    y = year_end(plan, {"managers_trained_per_year": 1000, "trained_share_new_managers": 100})
    assert y["managers_trained"] == pytest.approx(1_927.5, rel=1e-12)


def test_hightech_and_value_chain_capped_by_coops(plan: Plan) -> None:
    """H = min(N, …) and V = min(N, …): with nearly every coop already in, the stocks end equal to N = 900.

    H_0 = 800, 500 adoptions a year: month 1 uncapped 800 + 41.67 + 1.42 = 843.08 > N_1 = 822.08,
    so H sits on N from month 1: H_12 = 900. V_0 = 815 = N_0 and 300 links a year: V_m = N_m → 900.
    Uncapped, V would be 815 + 8.5 + 300 = 1,123.5.
    """
    y = year_end(
        plan,
        {"hightech_adoptions": 500, "value_chain_links": 300},
        baseline={"hightech_coops": 800, "value_chain_coops": 815},
    )
    assert y["hightech_coops"] == pytest.approx(900.0, rel=1e-12)
    assert y["value_chain_coops"] == pytest.approx(900.0, rel=1e-12)


def test_baseline_override_shifts_the_start(plan: Plan) -> None:
    """A baseline override replaces the plan's value: 1,000 coops at the start → 1,000 + 85 = 1,085."""
    y = year_end(plan, baseline={"coops": 1000})
    assert y["coops"] == pytest.approx(1_085.0, rel=1e-12)
    # R = (1,000·2,060 + 85·800) / 1,085 = 2,128,000 / 1,085 = 1,961.290.
    assert y["revenue_per_coop"] == pytest.approx(2_128_000 / 1_085, rel=1e-12)
