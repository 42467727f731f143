"""The projection of MODEL.md §3, vectorized over K scenarios, and target status.

Every lever may be a scalar or an array of K values; every output is an array
of K (monthly paths K × 13, month 0 = the baseline at 31 Dec 2022). One
scenario is the K = 1 case of the same code. Levers arrive in the plan's units
(percent for rates); they become fractions here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from model.plan import BASELINE_IDS, INDICATOR_IDS, LEVER_IDS, TIMINGS, Plan
from model.settings import DEFAULT_TOLERANCE

MONTHS = 12
Status = Literal["reached", "close", "missed"]
STATUSES: tuple[Status, ...] = ("reached", "close", "missed")

_TIMING_WEIGHTS: dict[str, np.ndarray] = {
    "even": np.full(MONTHS, 1.0 / MONTHS),
    "front": (13.0 - np.arange(1, MONTHS + 1)) / 78.0,
    "back": np.arange(1, MONTHS + 1) / 78.0,
}
_TIMING_CODES = {name: i for i, name in enumerate(TIMINGS)}
_WEIGHT_TABLE = np.stack([_TIMING_WEIGHTS[name] for name in TIMINGS])  # 3 × 12


def timing_weights(timing: str | np.ndarray | list[str]) -> np.ndarray:
    """Formation weights w_m, shape K × 12 (rows sum to 1)."""
    codes = np.vectorize(_TIMING_CODES.__getitem__, otypes=[int])(np.atleast_1d(np.asarray(timing)))
    return _WEIGHT_TABLE[codes]


@dataclass(frozen=True)
class Projection:
    """Monthly paths of every indicator, and the K year-end values.

    ``paths`` are month-major (13 × K, contiguous per month); ``monthly``
    gives the same numbers as K × 13 views.
    """

    paths: dict[str, np.ndarray]
    year_end: dict[str, np.ndarray]

    @property
    def monthly(self) -> dict[str, np.ndarray]:
        return {i: p.T for i, p in self.paths.items()}

    @property
    def k(self) -> int:
        return len(self.year_end["coops"])

    def frame(self, scenario: int = 0) -> pd.DataFrame:
        """Tidy table of one scenario: month 0–12 as index, one column per indicator id."""
        df = pd.DataFrame({i: self.paths[i][:, scenario] for i in INDICATOR_IDS})
        df.index = pd.RangeIndex(MONTHS + 1, name="month")
        return df

    def year_end_dict(self, scenario: int = 0) -> dict[str, float]:
        return {i: float(self.year_end[i][scenario]) for i in INDICATOR_IDS}


def _k_of(values: Mapping[str, object]) -> int:
    k = 1
    for lid, v in values.items():
        n = np.size(v)
        if np.ndim(v) > 1:
            raise ValueError(f"{lid}: expected a scalar or a 1-D array")
        if n != 1:
            if k != 1 and n != k:
                raise ValueError(f"{lid}: has {n} values where others have {k}")
            k = n
    return k


def _over(
    defaults: Mapping[str, object], given: Mapping[str, object] | None, known: Sequence[str], what: str
) -> dict[str, object]:
    """``given`` over ``defaults``; a KeyError names the ids not in ``known``."""
    out = dict(defaults)
    if given:
        unknown = set(given) - set(known)
        if unknown:
            raise KeyError(f"unknown {what}: {', '.join(sorted(unknown))}")
        out.update(given)
    return out


def project(
    plan: Plan,
    levers: Mapping[str, float | str | np.ndarray] | None = None,
    baseline: Mapping[str, float | np.ndarray] | None = None,
) -> Projection:
    """Run MODEL.md §3 for K scenarios at once.

    ``levers`` may name any subset of the plan's levers (the rest take their
    defaults); ``baseline`` any subset of the baseline (the rest from the plan).
    Values are taken as given: validation is `model.scenario`'s job.
    """
    lv = _over(plan.defaults(), levers, LEVER_IDS, "lever(s)")
    b = _over(plan.baseline_values(), baseline, BASELINE_IDS, "baseline value(s)")
    k = max(_k_of(lv), _k_of(b))
    percent = plan.percent_levers  # levers given in percent in the plan; the equations take fractions

    def num(name: str) -> np.ndarray:
        x = np.asarray(lv[name], dtype=float)
        if name in percent:
            x = x / 100.0
        return np.broadcast_to(x, (k,)).astype(float, copy=False)

    def base(name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(b[name], dtype=float), (k,))

    w = np.broadcast_to(timing_weights(lv["formation_timing"]), (k, MONTHS))  # K × 12
    F = num("new_coops")
    U_new = num("new_unions")
    n = F[:, None] * w  # new coops per month, K × 12
    u = U_new[:, None] * w

    delta = num("dissolution_rate")
    keep = (1.0 - delta) ** (1.0 / 12.0)  # 1 − q, the monthly survival factor
    grow_M = keep * (1.0 + num("member_growth")) ** (1.0 / 12.0)
    grow_W = keep * (1.0 + num("worker_growth")) ** (1.0 / 12.0)
    grow_X = (1.0 + num("union_worker_growth")) ** (1.0 / 12.0)

    members_new = num("members_per_new_coop")
    workers_new = num("workers_per_new_coop")
    managers_new = num("managers_per_new_coop")
    trained_new = managers_new * num("trained_share_new_managers")
    trained_month = num("managers_trained_per_year") / 12.0
    hightech_new = num("hightech_share_new")
    hightech_month = num("hightech_adoptions") / 12.0
    chain_new = num("value_chain_share_new")
    chain_month = num("value_chain_links") / 12.0
    union_coops_new = num("coops_per_new_union")
    union_joins_month = num("union_coop_joins") / 12.0
    union_workers_new = num("workers_per_new_union")

    # Month-major storage (13 × K) keeps each month's K values contiguous;
    # the results are handed out transposed (K × 13).
    shape = (MONTHS + 1, k)
    S, A, M, W, G, T, H, V, U, C, X = (np.empty(shape) for _ in range(11))
    S[0] = base("coops")
    A[0] = 0.0
    M[0] = base("members")
    W[0] = base("workers")
    G[0] = base("managers")
    T[0] = base("managers_trained")
    H[0] = base("hightech_coops")
    V[0] = base("value_chain_coops")
    U[0] = base("unions")
    C[0] = base("union_member_coops")
    X[0] = base("union_workers")
    nT = np.ascontiguousarray(n.T)  # 12 × K
    uT = np.ascontiguousarray(u.T)
    for m in range(1, MONTHS + 1):
        nm = nT[m - 1]
        um = uT[m - 1]
        np.multiply(S[m - 1], keep, out=S[m])
        A[m] = A[m - 1] * keep + nm
        N_m = S[m] + A[m]
        M[m] = M[m - 1] * grow_M + nm * members_new
        W[m] = W[m - 1] * grow_W + nm * workers_new
        G[m] = G[m - 1] * keep + nm * managers_new
        np.minimum(G[m], T[m - 1] * keep + nm * trained_new + trained_month, out=T[m])
        np.minimum(N_m, H[m - 1] * keep + nm * hightech_new + hightech_month, out=H[m])
        np.minimum(N_m, V[m - 1] * keep + nm * chain_new + chain_month, out=V[m])
        U[m] = U[m - 1] + um
        C[m] = C[m - 1] + um * union_coops_new + union_joins_month
        X[m] = X[m - 1] * grow_X + um * union_workers_new

    N = S + A
    # Below, arrays are month-major: 13 × K (or 13 × 1 for per-month factors).
    months = (np.arange(MONTHS + 1, dtype=float) / 12.0)[:, None]  # m / 12
    R0 = base("revenue_per_coop")
    existing_revenue = R0 * (1.0 + num("revenue_growth")) ** months
    with np.errstate(divide="ignore", invalid="ignore"):
        R = np.where(N > 0, (S * existing_revenue + A * num("new_coop_revenue")) / N, R0)
    P = num("profit_margin") * R
    I = base("worker_income") * (1.0 + num("income_growth")) ** months  # noqa: E741
    U0 = base("unions")
    RU0 = base("revenue_per_union")
    existing_union_revenue = U0 * RU0 * (1.0 + num("union_revenue_growth")) ** months
    with np.errstate(divide="ignore", invalid="ignore"):
        RU = np.where(U > 0, (existing_union_revenue + (U - U0) * num("new_union_revenue")) / U, RU0)
    PU = num("union_profit_margin") * RU

    # The two flows count foundings (not reduced by dissolution): cumulative sums.
    founded = np.zeros(shape)
    np.cumsum(nT, axis=0, out=founded[1:])
    unions_founded = np.zeros(shape)
    np.cumsum(uT, axis=0, out=unions_founded[1:])

    paths = {
        "new_coops": founded,
        "coops": N,
        "members": M,
        "revenue_per_coop": R,
        "profit_per_coop": P,
        "workers": W,
        "worker_income": I,
        "managers": G,
        "managers_trained": T,
        "hightech_coops": H,
        "value_chain_coops": V,
        "new_unions": unions_founded,
        "unions": U,
        "union_member_coops": C,
        "union_workers": X,
        "revenue_per_union": RU,
        "profit_per_union": PU,
    }
    year_end = {i: path[MONTHS].copy() for i, path in paths.items()}
    # The flows are exactly F and U_new, not a sum with rounding error.
    year_end["new_coops"] = F.copy()
    year_end["new_unions"] = U_new.copy()
    return Projection(paths=paths, year_end=year_end)


def project_many(
    plan: Plan, scenarios: Sequence[tuple[Mapping[str, float | str], Mapping[str, float]]]
) -> Projection:
    """K scenarios, each its levers and baseline values, in one vectorized projection.

    A lever or baseline value a scenario does not name takes the plan's (so
    baselines may differ between scenarios). Scenario k is index k of every
    output; no scenarios give empty arrays (K = 0).
    """
    base = plan.baseline_values()
    levers: dict[str, np.ndarray] = {}
    for lv in plan.levers:
        values = [s.get(lv.id, lv.default) for s, _ in scenarios]
        levers[lv.id] = np.array(values, dtype=float if lv.is_number else object)
    baseline = {b: np.array([s.get(b, base[b]) for _, s in scenarios], dtype=float) for b in BASELINE_IDS}
    return project(plan, levers, baseline)


def status_codes(values: np.ndarray, target: float, tolerance: float = DEFAULT_TOLERANCE) -> np.ndarray:
    """0 = reached, 1 = close, 2 = missed, elementwise (index into STATUSES)."""
    v = np.asarray(values, dtype=float)
    reached = v >= target * (1.0 - 1e-9)
    close = v >= target * (1.0 - tolerance)
    return np.where(reached, 0, np.where(close, 1, 2))


def status_of(value: float, target: float, tolerance: float = DEFAULT_TOLERANCE) -> Status:
    """reached / close / missed for one value (MODEL.md §1.1)."""
    return STATUSES[int(status_codes(np.asarray([value]), target, tolerance)[0])]


def statuses(plan: Plan, year_end: Mapping[str, float], tolerance: float = DEFAULT_TOLERANCE) -> dict[str, Status]:
    """Status of every target for one scenario's year-end values."""
    return {t.id: status_of(year_end[t.id], t.value, tolerance) for t in plan.targets}


def status_counts(of: Iterable[str]) -> dict[Status, int]:
    """How many of these statuses are reached, close and missed (each key present, 0 when none)."""
    found = list(of)
    return {s: found.count(s) for s in STATUSES}


@dataclass(frozen=True)
class StatusMatrix:
    """The status of every target in each of K scenarios: ``codes`` is targets × K (index into STATUSES)."""

    target_ids: tuple[str, ...]
    codes: np.ndarray

    @property
    def k(self) -> int:
        return self.codes.shape[1]

    def of(self, target_id: str) -> np.ndarray:
        """One target's K status codes."""
        return self.codes[self.target_ids.index(target_id)]

    def scenario(self, k: int) -> dict[str, Status]:
        """Target id → status in scenario k."""
        return {tid: STATUSES[int(c)] for tid, c in zip(self.target_ids, self.codes[:, k], strict=True)}

    def per_scenario(self) -> list[dict[Status, int]]:
        """For each scenario: how many targets it reaches, is close to, misses."""
        counts = self._counts(axis=0)
        return [{s: int(counts[i][k]) for i, s in enumerate(STATUSES)} for k in range(self.k)]

    def per_target(self) -> dict[str, dict[Status, int]]:
        """For each target: how many of the K scenarios reach it, are close, miss it."""
        counts = self._counts(axis=1)
        return {tid: {s: int(counts[i][j]) for i, s in enumerate(STATUSES)} for j, tid in enumerate(self.target_ids)}

    def _counts(self, axis: int) -> np.ndarray:
        return np.stack([np.sum(self.codes == i, axis=axis) for i in range(len(STATUSES))])


def status_matrix(plan: Plan, year_end: Mapping[str, np.ndarray], tolerance: float = DEFAULT_TOLERANCE) -> StatusMatrix:
    """The statuses of K scenarios' year-end values (indicator id → K values, e.g. `project_many`'s)."""
    ids = tuple(t.id for t in plan.targets)
    k = len(np.atleast_1d(year_end[ids[0]])) if ids else 0
    codes = np.array([status_codes(year_end[t.id], t.value, tolerance) for t in plan.targets], dtype=int).reshape(len(ids), k)
    return StatusMatrix(ids, codes)


def scorecard(plan: Plan, year_end: Mapping[str, float], tolerance: float = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """One row per target: value, target, percent of target, gap, status (language-neutral)."""
    rows = []
    for t in plan.targets:
        value = float(year_end[t.id])
        rows.append(
            {
                "id": t.id,
                "value": value,
                "target": t.value,
                "percent": 100.0 * value / t.value,
                "gap": value - t.value,
                "status": status_of(value, t.value, tolerance),
            }
        )
    return pd.DataFrame(rows).set_index("id")

