"""Shared pieces of the benchmarks: a measurement line, settings, a median timer, a percentile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measurement:
    """One line of the report. `value` is seconds unless `unit` says otherwise (e.g. "×" for a ratio)."""

    name: str
    value: float
    budget: float | None = None  # None: informational only
    unit: str = "s"
    higher_is_better: bool = False  # a ratio must be at least its budget; a time at most

    @property
    def status(self) -> str:
        if self.budget is None:
            return "info"
        ok = self.value >= self.budget if self.higher_is_better else self.value <= self.budget
        return "OK" if ok else "OVER"


@dataclass(frozen=True)
class Settings:
    quick: bool

    def repeats(self, full: int, quick: int = 3) -> int:
        return quick if self.quick else full


def median_time(fn: Callable[[], object], *, repeats: int, warmup: int = 1) -> float:
    """Median wall time of fn() over `repeats` runs after `warmup` untimed runs (time.perf_counter)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–1): the sorted values' element at round(q·(n−1)); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
