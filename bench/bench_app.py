"""Benchmark section "app": server-side rerun of a page after a lever change (AppTest, warm).

A warm rerun is what a leader waits for after moving a slider: the scenario
changed, caches hold everything else. Budgets: Overview ≤ 80 ms, Scenario ≤ 150 ms.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time

from common import ROOT, Measurement, Settings

sys.path.insert(0, str(ROOT / "tests" / "app"))

import apptools

PAGES = (("overview", 80e-3), ("scenario", 150e-3))


def rerun_after_lever_change(page: str, *, moves: int) -> float:
    """Median time of at.run() right after the sidebar's new-coops slider moved."""
    at = apptools.make_app(page)
    slider = "sidebar_new_coops"
    # Warm up: each value once, so caches hold them as they would for a user going back and forth.
    for v in (60, 61, 60):
        at.select_slider(key=slider).set_value(v).run()
    times = []
    for v in range(100, 100 + moves):
        at.select_slider(key=slider).set_value(v)  # a value not cached yet: a real recompute
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].message}")
    return statistics.median(times)


def app_section(settings: Settings) -> list[Measurement]:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    apptools.install()
    moves = settings.repeats(20, 5)
    return [
        Measurement(f"{page} rerun after a lever change (AppTest, warm)", rerun_after_lever_change(page, moves=moves), budget=b)
        for page, b in PAGES
    ]
