"""Settings that several places share, each declared once: the engine, the CLI, links and pages read them here.

Tolerance (how far below a target still counts as "close"): the engine takes a fraction, people
and links give percent on a 0.5-point grid from 0 to 50. Monte Carlo draws: one range for the
Uncertainty page, a link and the CLI (50,000 draws keep a run's paths near 90 MB), and the seed.
"""

from __future__ import annotations

DEFAULT_TOLERANCE = 0.05  # 5 %: the "khoảng" (about) slack for "close"
DEFAULT_TOLERANCE_PERCENT = round(DEFAULT_TOLERANCE * 100, 10)  # the same as people, links and the CLI give it
TOLERANCE_STEP = 0.5  # percentage points: the setting's grid (sidebar, links)
MAX_TOLERANCE = 50.0  # percent: the largest tolerance anyone can set (sidebar, links, CLI)
TOLERANCE_OPTIONS: tuple[float, ...] = tuple(
    round(TOLERANCE_STEP * i, 1) for i in range(round(MAX_TOLERANCE / TOLERANCE_STEP) + 1)
)  # 0–50 % by 0.5

DEFAULT_DRAWS = 2_000  # Monte Carlo draws: the Uncertainty page's, a link's and the CLI's default
MIN_DRAWS = 100
MAX_DRAWS = 50_000
DEFAULT_SEED = 0  # Monte Carlo seed
MAX_SEED = 2**32 - 1  # the largest seed the page and a link take (the CLI takes any seed from 0)
