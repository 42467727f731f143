"""Analyses on the same equations (MODEL.md §4): Monte Carlo, goal seek,
plan-implied scenario, sensitivity. Each calls `engine.project` once per
batch with arrays of scenarios; none has a second copy of the equations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from model.engine import MONTHS, project, status_codes, statuses
from model.plan import INDICATOR_IDS, Lever, Plan
from model.settings import DEFAULT_DRAWS, DEFAULT_SEED, DEFAULT_TOLERANCE

LeverValues = Mapping[str, float | str]
Baseline = Mapping[str, float] | None

# ---------------------------------------------------------------- Monte Carlo


@dataclass(frozen=True)
class MonteCarloResult:
    draws: int
    seed: int
    probability: dict[str, float]  # P(status reached) per indicator
    p10: dict[str, float]
    p50: dict[str, float]
    p90: dict[str, float]
    samples: dict[str, np.ndarray]  # indicator → year-end value of each draw
    paths: dict[str, np.ndarray]  # indicator → 13 × draws monthly paths (empty once compact)
    bands: dict[str, np.ndarray] = field(default_factory=dict)  # indicator → 3 × 13, when precomputed
    reached_per_draw: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # targets each draw reaches

    def band(self, indicator: str) -> np.ndarray:
        """Monthly P10, P50, P90 of one indicator: 3 × 13 (computed on demand from the paths)."""
        if indicator in self.bands:
            return self.bands[indicator]
        return np.percentile(self.paths[indicator], [10, 50, 90], axis=1)

    def compact(self) -> MonteCarloResult:
        """The same result with every band precomputed and the monthly paths dropped.

        At 50,000 draws the paths take about 90 MB; the compact result keeps
        the year-end samples (about 7 MB) and 17 small bands — fit for a cache.
        """
        bands = {i: self.band(i) for i in self.paths} | self.bands
        return replace(self, paths={}, bands=bands)

    def summary(self, plan: Plan) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "target": [t.value for t in plan.targets],
                "probability": [self.probability[t.id] for t in plan.targets],
                "p10": [self.p10[t.id] for t in plan.targets],
                "p50": [self.p50[t.id] for t in plan.targets],
                "p90": [self.p90[t.id] for t in plan.targets],
            },
            index=pd.Index([t.id for t in plan.targets], name="id"),
        )


def triangle_ends(lv: Lever, value: float) -> tuple[float, float]:
    """The triangle's ends: value − down and value + up, each clipped to the lever's range."""
    return max(lv.lo, value - lv.spread_down), min(lv.hi, value + lv.spread_up)


def draw_levers(plan: Plan, levers: LeverValues, draws: int, seed: int) -> dict[str, np.ndarray | str]:
    """Triangular draws (mode = the lever's value) for every numeric lever; choices held."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray | str] = {}
    for lv in plan.levers:
        value = levers.get(lv.id, lv.default)
        if not lv.is_number:
            out[lv.id] = str(value)
            continue
        mode = float(value)
        left, right = triangle_ends(lv, mode)
        u = rng.random(draws)  # drawn for every lever, so a seed fixes each lever's stream
        width = right - left
        if width <= 0:
            out[lv.id] = np.full(draws, mode)
            continue
        c = (mode - left) / width
        # Inverse CDF of the triangle (left, mode, right).
        lower = left + np.sqrt(u * width * (mode - left))
        upper = right - np.sqrt((1.0 - u) * width * (right - mode))
        out[lv.id] = np.where(u < c, lower, upper)
    return out


def monte_carlo(
    plan: Plan,
    levers: LeverValues,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    baseline: Baseline = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> MonteCarloResult:
    """Probability of reaching each target, P10/P50/P90 year-end, monthly P10–P90 bands."""
    if draws < 1:
        raise ValueError("draws must be at least 1")
    sampled = draw_levers(plan, levers, draws, seed)
    proj = project(plan, sampled, baseline)
    ids = list(INDICATOR_IDS)
    ends = np.stack([proj.year_end[i] for i in ids])  # I × K
    q = np.percentile(ends, [10, 50, 90], axis=1)  # 3 × I
    targets = plan.target_values()
    reached = {i: status_codes(proj.year_end[i], targets[i], tolerance) == 0 for i in ids}  # draws each target is reached in
    prob = {i: float(np.mean(reached[i])) for i in ids}
    return MonteCarloResult(
        draws=draws,
        seed=seed,
        probability=prob,
        p10={i: float(q[0, j]) for j, i in enumerate(ids)},
        p50={i: float(q[1, j]) for j, i in enumerate(ids)},
        p90={i: float(q[2, j]) for j, i in enumerate(ids)},
        samples={i: proj.year_end[i] for i in ids},
        paths=proj.paths,
        reached_per_draw=np.sum(np.stack([reached[i] for i in ids]), axis=0),
    )


def lever_pulls(plan: Plan, levers: Mapping[str, float | str], baseline: Mapping[str, float] | None = None) -> pd.DataFrame:
    """How far each lever's draws pull each indicator from the current scenario, on average.

    Rows: numeric levers; columns: indicators. A lever drawn from the triangle (low, value, high) moves an
    indicator f by (f(low) + f(high) − 2 f(value)) / 3 on average (exact for an f linear in the lever):
    zero for a range centred on the value, negative when the range leans to the side that lowers f.
    One vectorized projection of 2 × levers + 1 scenarios, others held at their current values.
    """
    current = plan.defaults() | dict(levers)
    numeric = plan.numeric_levers
    n = len(numeric)
    batch: dict[str, object] = {lv.id: np.full(2 * n + 1, float(current[lv.id])) for lv in numeric}
    for j, lv in enumerate(numeric):
        low, high = triangle_ends(lv, float(current[lv.id]))
        batch[lv.id][j] = low
        batch[lv.id][n + j] = high
    for lv in plan.levers:
        if not lv.is_number:
            batch[lv.id] = str(current[lv.id])
    year_end = project(plan, batch, dict(baseline or {})).year_end
    pulls = {}
    for target in plan.targets:
        y = np.asarray(year_end[target.id], dtype=float)
        pulls[target.id] = (y[:n] + y[n : 2 * n] - 2.0 * y[2 * n]) / 3.0
    return pd.DataFrame(pulls, index=[lv.id for lv in numeric])



# ------------------------------------------------------------------ goal seek

GoalKind = Literal["crossing", "always", "unreachable", "no_effect"]


@dataclass(frozen=True)
class GoalSeekResult:
    """The lever value that just reaches an indicator's target, others held.

    kind: "crossing" — value is where the target is just reached;
    "always" — reached across the whole range (value: the end that needs least);
    "unreachable" — never reached in range (value None; best is the best end);
    "no_effect" — the lever does not move the indicator (value None).
    """

    indicator: str
    lever: str
    value: float | None
    reachable: bool
    kind: GoalKind
    best: float  # the lever value giving the best indicator value found
    best_indicator: float  # the indicator at `best`
    increasing: bool  # whether the indicator rises with the lever


_GRID = 33  # points per refinement pass
_PASSES = 9  # each pass narrows the bracket by 32: 32^9 ≈ 3.5e13


def _evaluate(
    plan: Plan,
    levers: LeverValues,
    baseline: Baseline,
    problems: Sequence[tuple[str, str]],
    grids: np.ndarray,
) -> np.ndarray:
    """Indicator values for len(problems) × G grid points, in one projection call."""
    n_prob, g = grids.shape
    batch: dict[str, np.ndarray | float | str] = dict(levers)
    base_values = plan.defaults() | dict(levers)
    for lid in {lever for _, lever in problems}:
        batch[lid] = np.full(n_prob * g, float(base_values[lid]))
    for j, (_, lid) in enumerate(problems):
        arr = batch[lid]
        assert isinstance(arr, np.ndarray)
        arr[j * g : (j + 1) * g] = grids[j]
    proj = project(plan, batch, baseline)
    out = np.empty((n_prob, g))
    for j, (indicator, _) in enumerate(problems):
        out[j] = proj.year_end[indicator][j * g : (j + 1) * g]
    return out


def goal_seek_many(
    plan: Plan,
    levers: LeverValues,
    problems: Sequence[tuple[str, str]],
    *,
    baseline: Baseline = None,
) -> list[GoalSeekResult]:
    """Solve several (indicator, lever) goal seeks at once, by bracketing on a grid.

    Each pass evaluates _GRID points inside every problem's bracket in one
    vectorized projection and keeps the cell where the target is first
    reached; the reached end of the final bracket is returned, so the answer
    always reaches the target (MODEL.md: "just reaches").
    """
    if not problems:
        return []
    targets = plan.target_values()
    lo = np.array([plan.lever(lid).lo for _, lid in problems])
    hi = np.array([plan.lever(lid).hi for _, lid in problems])
    goal = np.array([targets[ind] * (1.0 - 1e-9) for ind, _ in problems])
    t_goal = np.array([targets[ind] for ind, _ in problems])

    first = _evaluate(plan, levers, baseline, problems, np.linspace(lo, hi, _GRID, axis=1))
    f_lo, f_hi = first[:, 0], first[:, -1]
    span = np.maximum(np.abs(first).max(axis=1), 1.0)
    flat = (first.max(axis=1) - first.min(axis=1)) <= 1e-12 * span
    increasing = f_hi >= f_lo

    # Work in a coordinate where the indicator rises: x = lever (increasing) or −lever.
    a = np.where(increasing, lo, -hi)
    b = np.where(increasing, hi, -lo)
    grid0 = np.linspace(a, b, _GRID, axis=1)
    vals = np.where(increasing[:, None], first, first[:, ::-1])
    reached_any = (vals >= goal[:, None]).any(axis=1)
    always = vals[:, 0] >= goal
    best_idx = np.argmax(vals, axis=1)
    best_x = grid0[np.arange(len(problems)), best_idx]
    best_f = vals[np.arange(len(problems)), best_idx]

    need = reached_any & ~always & ~flat
    # Bracket [a, b]: f(a) < goal <= f(b) for the problems that need solving.
    idx = np.argmax(vals >= goal[:, None], axis=1)  # first grid point that reaches
    idx = np.maximum(idx, 1)
    a = np.where(need, grid0[np.arange(len(problems)), idx - 1], a)
    b = np.where(need, grid0[np.arange(len(problems)), idx], b)
    f_b = np.where(need, vals[np.arange(len(problems)), idx], np.nan)
    active = np.flatnonzero(need)
    for _ in range(_PASSES):
        if active.size == 0:
            break
        sub = [problems[i] for i in active]
        grid = np.linspace(a[active], b[active], _GRID, axis=1)
        signs = np.where(increasing[active], 1.0, -1.0)[:, None]
        f = _evaluate(plan, levers, baseline, sub, grid * signs)
        ok = f >= goal[active, None]
        ok[:, -1] = True  # b reached by construction (guards rounding at the edge)
        j = np.maximum(np.argmax(ok, axis=1), 1)
        rows = np.arange(active.size)
        a[active] = grid[rows, j - 1]
        b[active] = grid[rows, j]
        f_b[active] = f[rows, j]
        # Stop refining a problem once its value is on target to 1e-12 relative.
        done = np.abs(f_b[active] - t_goal[active]) <= 1e-12 * np.abs(t_goal[active])
        active = active[~done]

    results = []
    for i, (indicator, lid) in enumerate(problems):
        sign = 1.0 if increasing[i] else -1.0
        if flat[i]:
            kind: GoalKind = "no_effect"
            value = None
            reachable = bool(always[i])
        elif always[i]:
            kind, value, reachable = "always", float(sign * grid0[i, 0]), True
        elif not reached_any[i]:
            kind, value, reachable = "unreachable", None, False
        else:
            kind, value, reachable = "crossing", float(sign * b[i]), True
        results.append(
            GoalSeekResult(
                indicator=indicator,
                lever=lid,
                value=value,
                reachable=reachable,
                kind=kind,
                best=float(sign * best_x[i]),
                best_indicator=float(best_f[i]),
                increasing=bool(increasing[i]),
            )
        )
    return results


def goal_seek(
    plan: Plan,
    levers: LeverValues,
    *,
    indicator: str,
    lever: str | None = None,
    baseline: Baseline = None,
) -> list[GoalSeekResult]:
    """Goal seek one indicator against one lever, or against every numeric lever."""
    if indicator not in INDICATOR_IDS:
        raise KeyError(f"unknown indicator {indicator!r}")
    if lever is not None and (lever not in {lv.id for lv in plan.numeric_levers}):
        raise KeyError(f"unknown numeric lever {lever!r}")
    lever_ids = [lever] if lever else [lv.id for lv in plan.numeric_levers]
    return goal_seek_many(plan, levers, [(indicator, lid) for lid in lever_ids], baseline=baseline)


def goal_seek_targets(plan: Plan, levers: LeverValues, *, baseline: Baseline = None) -> list[GoalSeekResult]:
    """Each target against its main lever (from the plan's targets table), in one batch."""
    return goal_seek_many(plan, levers, [(t.id, t.main_lever) for t in plan.targets], baseline=baseline)


def goal_seek_table(plan: Plan, levers: LeverValues, *, baseline: Baseline = None) -> list[GoalSeekResult]:
    """Every target × every numeric lever (17 × 25 problems), in one batched solve."""
    problems = [(t.id, lv.id) for t in plan.targets for lv in plan.numeric_levers]
    return goal_seek_many(plan, levers, problems, baseline=baseline)


# ------------------------------------------------------ plan-implied scenario


@dataclass(frozen=True)
class ImpliedStep:
    indicator: str
    lever: str
    before: float
    solved: float | None  # unrounded goal-seek value (None if unreachable / no effect)
    after: float  # rounded to the step, kept reaching the target
    reachable: bool


@dataclass(frozen=True)
class PlanImplied:
    levers: dict[str, float | str]
    steps: list[ImpliedStep]
    status: dict[str, str]  # status of every target in the implied scenario

    @property
    def all_reached(self) -> bool:
        return all(s == "reached" for s in self.status.values())


def _round_to_step(lv: Lever, value: float, *, up: bool) -> float:
    k = (value - lv.lo) / lv.step_size
    k = np.ceil(k - 1e-9) if up else np.floor(k + 1e-9)
    return float(min(max(round(lv.lo + k * lv.step_size, 10), lv.lo), lv.hi))


def plan_implied(
    plan: Plan,
    levers: LeverValues,
    *,
    baseline: Baseline = None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> PlanImplied:
    """Set each target's main lever, in table order, to the value that just reaches it.

    Each solve sees the values set before it; each solved value is rounded to
    the lever's step in the direction that keeps the target reached. A target
    that cannot be reached keeps the best value in range.
    """
    current: dict[str, float | str] = plan.defaults() | dict(levers)
    steps = []
    solved_levers: set[str] = set()  # levers already set for an earlier target
    for t in plan.targets:
        lv = plan.lever(t.main_lever)
        before = float(current[lv.id])
        (res,) = goal_seek_many(plan, current, [(t.id, lv.id)], baseline=baseline)
        if res.kind == "crossing" and res.value is not None:
            after = _round_to_step(lv, res.value, up=res.increasing)
        elif res.kind == "always" and res.value is not None:
            after = res.value
        elif res.kind == "unreachable":
            after = _round_to_step(lv, res.best, up=res.increasing)
        else:
            after = before
        if lv.id in solved_levers and res.reachable:
            # A lever shared with an earlier target (new_coops, new_unions):
            # move it only in the direction that needs more, so the earlier
            # target stays reached (e.g. a coops baseline of 900 needs no new
            # coops for `coops`, but `new_coops` still needs 85).
            after = max(after, before) if res.increasing else min(after, before)
        solved_levers.add(lv.id)
        current[lv.id] = after
        steps.append(ImpliedStep(t.id, lv.id, before, res.value, after, res.reachable))
    year_end = project(plan, current, baseline).year_end_dict()
    return PlanImplied(levers=current, steps=steps, status=statuses(plan, year_end, tolerance))


# ---------------------------------------------------------------- sensitivity


def sensitivity(
    plan: Plan,
    levers: LeverValues,
    *,
    indicator: str,
    baseline: Baseline = None,
) -> pd.DataFrame:
    """Tornado: each lever moved to the ends of its spread, others held; sorted by swing.

    Columns: lever, low, high (the lever values), at_low, at_high (the
    indicator there), base (the indicator now), swing = |at_high − at_low|.
    The timing lever is moved to "front" and "back".
    """
    if indicator not in INDICATOR_IDS:
        raise KeyError(f"unknown indicator {indicator!r}")
    current = plan.defaults() | dict(levers)
    numeric = plan.numeric_levers
    k = 2 * len(numeric) + 3  # lows, highs, base, timing front, timing back
    batch: dict[str, np.ndarray | float | str] = {}
    for lv in plan.numeric_levers:
        batch[lv.id] = np.full(k, float(current[lv.id]))
    ends = []
    for j, lv in enumerate(numeric):
        low, high = triangle_ends(lv, float(current[lv.id]))
        ends.append((low, high))
        arr = batch[lv.id]
        assert isinstance(arr, np.ndarray)
        arr[j] = low
        arr[len(numeric) + j] = high
    timing = np.full(k, str(current["formation_timing"]), dtype=object)
    timing[-2], timing[-1] = "front", "back"
    batch["formation_timing"] = timing
    y = project(plan, batch, baseline).year_end[indicator]
    base = float(y[2 * len(numeric)])
    rows = [
        {
            "lever": lv.id,
            "low": ends[j][0],
            "high": ends[j][1],
            "at_low": float(y[j]),
            "at_high": float(y[len(numeric) + j]),
        }
        for j, lv in enumerate(numeric)
    ]
    rows.append({"lever": "formation_timing", "low": "front", "high": "back", "at_low": float(y[-2]), "at_high": float(y[-1])})
    df = pd.DataFrame(rows)
    df["base"] = base
    df["swing"] = (df["at_high"] - df["at_low"]).abs()
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def monthly_quantile_frame(result: MonteCarloResult, indicator: str) -> pd.DataFrame:
    """Fan-chart data for one indicator: month, p10, p50, p90."""
    band = result.band(indicator)
    return pd.DataFrame({"month": np.arange(MONTHS + 1), "p10": band[0], "p50": band[1], "p90": band[2]})
