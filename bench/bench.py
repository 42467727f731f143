"""Benchmark: median timings beside their budgets (a report, not a test; always exits 0).

    .venv/bin/python bench/bench.py                 # every section
    .venv/bin/python bench/bench.py --only model    # one section (repeatable)
    .venv/bin/python bench/bench.py --quick         # fewer repeats, for a quick look

Each section is a function returning Measurements; add one to SECTIONS to
extend the report (e.g. the Streamlit app's page timings).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from model.analysis import goal_seek_table, goal_seek_targets, monte_carlo, plan_implied, sensitivity  # noqa: E402
from model.engine import project  # noqa: E402
from model.plan import Plan, load_plan  # noqa: E402

SCENARIOS = 10_000  # the batch size the budgets are written for
MC_DRAWS = 10_000


from common import Measurement, Settings, median_time  # noqa: E402


def random_levers(plan: Plan, count: int, seed: int) -> dict[str, np.ndarray]:
    """`count` valid scenarios as arrays: every numeric lever on its step grid in range, mixed timings."""
    rng = np.random.default_rng(seed)
    levers: dict[str, np.ndarray] = {}
    for lv in plan.levers:
        if lv.is_number:
            steps = round((lv.hi - lv.lo) / lv.step_size)
            levers[lv.id] = np.round(lv.lo + rng.integers(0, steps + 1, size=count) * lv.step_size, 10)
        else:
            levers[lv.id] = rng.choice(np.array(lv.choices), size=count)
    return levers


# ---------------------------------------------------------------- sections


def model_section(settings: Settings) -> list[Measurement]:
    """The pure model: projections, the analyses of MODEL.md §4."""
    plan = load_plan()
    defaults = plan.defaults()
    out: list[Measurement] = []

    one = median_time(lambda: project(plan, defaults), repeats=settings.repeats(200, 30))
    out.append(Measurement("one projection (defaults)", one, budget=1e-3))

    batch = random_levers(plan, SCENARIOS, seed=2023)
    vectorized = median_time(lambda: project(plan, batch), repeats=settings.repeats(20))
    out.append(Measurement(f"{SCENARIOS:,} scenarios vectorized", vectorized, budget=30e-3))

    # The same scenarios one by one, as plain Python values (what a page would pass).
    singles = [
        {lid: str(arr[j]) if arr.dtype.kind in "US" else float(arr[j]) for lid, arr in batch.items()} for j in range(SCENARIOS)
    ]

    def loop() -> None:
        for row in singles:
            project(plan, row)

    looped = median_time(loop, repeats=settings.repeats(3, 1), warmup=0)
    out.append(Measurement(f"{SCENARIOS:,} single projections in a loop", looped))
    out.append(Measurement("loop / vectorized", looped / vectorized, budget=100.0, unit="×", higher_is_better=True))

    targets = median_time(lambda: goal_seek_targets(plan, defaults), repeats=settings.repeats(20))
    out.append(Measurement("goal seek, 17 targets × main lever", targets, budget=100e-3))

    def monte_carlo_with_band() -> None:
        result = monte_carlo(plan, defaults, draws=MC_DRAWS, seed=0)
        result.band("coops")

    mc = median_time(monte_carlo_with_band, repeats=settings.repeats(20))
    out.append(Measurement(f"Monte Carlo {MC_DRAWS:,} draws + one band", mc, budget=50e-3))

    implied = median_time(lambda: plan_implied(plan, defaults), repeats=settings.repeats(10))
    out.append(Measurement("plan-implied scenario", implied))
    table = median_time(lambda: goal_seek_table(plan, defaults), repeats=settings.repeats(10))
    out.append(Measurement("goal seek table, 17 × 25", table))
    tornado = median_time(lambda: sensitivity(plan, defaults, indicator="coops"), repeats=settings.repeats(50, 10))
    out.append(Measurement("sensitivity (one indicator)", tornado))
    return out


@dataclass(frozen=True)
class Section:
    name: str
    run: Callable[[Settings], list[Measurement]]


def app_section(settings: Settings) -> list[Measurement]:
    from bench_app import app_section as run  # imports Streamlit: only when asked for

    return run(settings)


def browser_section(settings: Settings) -> list[Measurement]:
    from bench_browser import browser_section as run  # starts servers and Chromium

    return run(settings)


SECTIONS: list[Section] = [
    Section("model", model_section),
    Section("app", app_section),
    Section("browser", browser_section),
]


# ------------------------------------------------------------------ report


def _show(m: Measurement, value: float | None) -> str:
    if value is None:
        return ""
    if m.unit == "×":
        return f"{value:,.2f}×" if value < 10 else f"{value:,.0f}×"
    if value < 1e-3:
        return f"{value * 1e6:,.0f} µs"
    if value < 1.0:
        return f"{value * 1e3:,.1f} ms"
    return f"{value:,.2f} s"


def report(results: list[tuple[str, list[Measurement]]]) -> str:
    rows = [("section", "measurement", "median", "budget", "status")]
    for section, measurements in results:
        for m in measurements:
            budget = "" if m.budget is None else ("≥ " if m.higher_is_better else "≤ ") + _show(m, m.budget)
            rows.append((section, m.name, _show(m, m.value), budget, m.status))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), r[3].rjust(widths[3]), r[4]]
        lines.append("  ".join(cells))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    budgeted = [(s, m) for s, ms in results for m in ms if m.budget is not None]
    over = [f"{s}: {m.name}" for s, m in budgeted if m.status == "OVER"]
    if over:
        summary = f"bench: {len(over)} of {len(budgeted)} budgets OVER — " + "; ".join(over)
    else:
        summary = f"bench: all {len(budgeted)} budgets met"
    return "\n".join([*lines, "", summary])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=[s.name for s in SECTIONS],
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(s.name for s in SECTIONS)}",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier medians)")
    args = parser.parse_args(argv)
    settings = Settings(quick=args.quick)
    chosen = [s for s in SECTIONS if not args.only or s.name in args.only]
    results = [(s.name, s.run(settings)) for s in chosen]
    print(report(results))
    return 0  # the benchmark reports; it does not fail a build


if __name__ == "__main__":
    sys.exit(main())
