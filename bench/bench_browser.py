"""Benchmark section "browser": from a slider key press to the updated scorecard, in Chromium.

The same figure is measured in the same run for the bare page of
bench/bare_page.py, as bench/load.py does (a sidebar select slider of the same
301 options and 17 lines: what Streamlit itself costs), so the app's overhead
reads as a ratio. Budget: median ≤ 250 ms, p95 ≤ 500 ms; aim:
within 1.5× of the bare page.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Measurement, Settings, percentile

sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from appserver import CHROMIUM, CHROMIUM_ARGS, start_app, stop

# The "new coops founded" row of the scorecard shows the slider's value itself (the
# projection column is found by its header).
CELL_JS = """
([label, expected]) => {
  const headers = [...document.querySelectorAll('thead tr:first-child th')].map(h => h.innerText.trim());
  const column = headers.indexOf('Dự báo cuối năm');
  return column > 0 && [...document.querySelectorAll('tr')].some(row => {
    const cells = row.querySelectorAll('th, td');
    return cells.length > column && cells[0].innerText.trim() === label && cells[column].innerText.trim() === expected;
  });
}
"""
# The bare page writes "target N: value+N" for N = 1..17; the last line shows that the whole run's output arrived.
BARE_JS = "(expected) => [...document.querySelectorAll('p')].some(p => p.innerText.trim() === expected)"
SIDEBAR_SLIDER = '[data-testid="stSidebar"] input[type="range"]'


def _bare_line(value: int) -> str:
    return f"target 17: {value + 17}"


def _time_moves(page, thumb_selector: str, wait_js: str, arg_of, moves: int) -> list[float]:  # type: ignore[no-untyped-def]
    thumb = page.locator(thumb_selector).first
    thumb.focus()
    times = []
    for i in range(moves):
        expected = arg_of(86 + i)
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(wait_js, arg=expected, timeout=10_000)
        times.append(time.perf_counter() - start)
    return times


def browser_section(settings: Settings) -> list[Measurement]:
    from playwright.sync_api import sync_playwright

    moves = settings.repeats(20, 8)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        bare_script = tmp / "bare" / "bare_page.py"  # a folder of its own (no pages/ beside it), as in load.py
        bare_script.parent.mkdir()
        shutil.copy(ROOT / "bench" / "bare_page.py", bare_script)
        app_proc, app_url = start_app(tmp)
        bare_proc, bare_url = start_app(tmp, script=bare_script)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{bare_url}/")
                page.wait_for_function(BARE_JS, arg=_bare_line(85), timeout=30_000)
                bare = _time_moves(page, SIDEBAR_SLIDER, BARE_JS, _bare_line, moves)

                page.goto(f"{app_url}/?lang=vi")
                label = "Hợp tác xã thành lập mới"
                page.wait_for_function(CELL_JS, arg=[label, "85"], timeout=30_000)
                app = _time_moves(page, SIDEBAR_SLIDER, CELL_JS, lambda v: [label, str(v)], moves)
                browser.close()
        finally:
            stop(app_proc)
            stop(bare_proc)
    app_median, bare_median = statistics.median(app), statistics.median(bare)
    return [
        Measurement(f"key press → scorecard, median of {moves}", app_median, budget=250e-3),
        Measurement(f"key press → scorecard, p95 of {moves}", percentile(app, 0.95), budget=500e-3),
        Measurement("bare page (bench/bare_page.py), median", bare_median),
        Measurement("bare page (bench/bare_page.py), p95", percentile(bare, 0.95)),
        Measurement("app / bare page (medians), aim ≤ 1.5×", app_median / bare_median, unit="×"),
    ]
