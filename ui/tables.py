"""Tables the pages show and download, built from the model's numbers.

Display tables hold text already formatted for the session's language;
export tables (CSV, Excel) hold raw numbers with language-neutral ids.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from model.engine import scorecard, status_counts
from model.plan import Observation
from model.text import number, percent, signed, tr
from ui import cached, state
from ui.cached import BaselineItems, LeverItems
from ui.i18n import STATUS_ICONS, md_escape, status_label
from ui.keys import Keys

NBSP = "\u00a0"
ROW_HEIGHT = 35  # st.dataframe's default row height, px


# The app's one style, sent with every Markdown table (show_table) and with the phone panel's summary
# (ui/phone.py). Sent with them, not as a separate st.html style element ahead of the sidebar: that
# element made the browser re-mount the sidebar's sliders after the first run, so a slider focused
# then moved another one (6 of 8 page loads in Chromium).
# - Markdown tables (markdown_table): the first column names the indicator and keeps a readable width;
#   the others wrap. On a phone (≤ 640 px) a scorecard (show_table(..., key=SCORECARD_KEY…)) shows
#   indicator, status, projection and target only (no %, change, gap, unit, reported), with less padding:
#   390 px without scrolling sideways;
#   the caption right after it (about the "reported figure" column, not shown) is hidden too.
# - The phone panel (ui/phone.py, containers keyed phone_panel_<page> and phone_summary_<page>): shown on
#   a phone only, as a grid (slider and number side by side); its summary sticks below Streamlit's header
#   (3.75 rem) on an opaque background (the layout wrapper around the summary's container is the element
#   to make sticky: the container itself is exactly as tall as that wrapper, so it would have no room to
#   move); no English "Press Enter to apply" under its number inputs, and no clear button in them.
# - Compare (pages/compare.py): the wide grids above 640 px, the compact Markdown tables below.
# - A scorecard's status ("✅ → ❌ Missed" after a change) on one line above 640 px; on a phone it may
#   break after the arrow.
PHONE = "(max-width: 640px)"
WIDE = "(min-width: 641px)"
SCORECARD_KEY = "scorecard_"  # show_table(key=SCORECARD_KEY + page): the scorecard's compact layout
TABLE_CSS = f"""<style>
[data-testid="stMarkdownContainer"] table th:first-child,
[data-testid="stMarkdownContainer"] table td:first-child {{ min-width: 9em; }}
[data-testid="stMarkdownContainer"] table td {{ vertical-align: top; }}
@media {PHONE} {{
[data-testid="stMarkdownContainer"] table th:first-child,
[data-testid="stMarkdownContainer"] table td:first-child {{ min-width: 6.5em; }}
[data-testid="stMarkdownContainer"] table :is(th, td) {{ padding: 0.25rem 0.375rem; }}
[class*="st-key-{SCORECARD_KEY}"] table :is(th, td):is(:nth-child(3), :nth-child(n+6)) {{ display: none; }}
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-{SCORECARD_KEY}"]) + :has([data-testid="stCaptionContainer"]) {{
  display: none; }}
[class*="st-key-compare_wide"] {{ display: none; }}
[class*="st-key-phone_panel_"] {{ display: grid; grid-template-columns: minmax(0, 1fr) 8.25rem; gap: 0.75rem; align-items: end; }}
[class*="st-key-phone_panel_"] > :is([data-testid="stLayoutWrapper"], :has([data-testid="stCaptionContainer"])) {{
  grid-column: 1 / -1; }}
}}
@media {WIDE} {{ [class*="st-key-phone_panel_"], [class*="st-key-compare_phone"] {{ display: none; }}
[class*="st-key-{SCORECARD_KEY}"] td:nth-child(2) {{ white-space: nowrap; }} }}
[class*="st-key-phone_panel_"] [data-testid="stNumberInputClearButton"] {{ display: none; }}
[class*="st-key-compare_phone_levers"] td strong {{ background-color: #FFE8A3; color: #31333F; padding: 0 0.125rem; }}
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-phone_summary_"]) {{ position: sticky; top: 3.75rem; z-index: 10;
  background-color: Canvas; padding: 0.375rem 0; border-bottom: 1px solid rgba(128, 128, 128, 0.35); font-size: 0.9rem; }}
</style>"""


def show_table(markdown: str, *, key: str | None = None) -> None:
    """A Markdown table from markdown_table, with TABLE_CSS. HTML is allowed for the style alone: every
    cell went through md_escape, so no text in a cell can become a tag. ``key``: a container around it
    (SCORECARD_KEY + page: the scorecard's compact layout on a phone)."""
    if key is None:
        st.markdown(f"{markdown}\n\n{TABLE_CSS}", unsafe_allow_html=True)
        return
    with st.container(key=key):
        st.markdown(f"{markdown}\n\n{TABLE_CSS}", unsafe_allow_html=True)


def table_height(rows: int) -> int:
    """Height that shows every row of a st.dataframe without an inner scroll bar."""
    return (rows + 1) * ROW_HEIGHT + 3


def grid(table: Any, *, key: str, rows: int | None = None, column_config: Mapping[str, Any] | None = None) -> None:
    """A table as a full-width grid showing every row (no inner scroll bar), without the index: how every
    page shows a DataFrame (``rows``: give it for a Styler, whose length is its data's)."""
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=table_height(len(table) if rows is None else rows),
        key=key,
        column_config=dict(column_config) if column_config else None,
    )


def reality_check(indicator_id: str) -> Observation | None:
    """The reported figure after the baseline that is closest in time to the projection (31 Dec 2023).

    For coops that is "871 in operation, April 2024" rather than a 2025 count.
    """
    plan = cached.get_plan()
    year_end_date = dt.date(plan.meta.year, 12, 31)
    obs = [o for o in cached.get_observations() if o.indicator == indicator_id and o.date > plan.meta.baseline_date]
    return min(obs, key=lambda o: abs((o.date - year_end_date).days)) if obs else None


def observation_text(o: Observation, language: str | None = None) -> str:
    """"871 · in operation · 9 Apr 2024": value, scope and date together, always."""
    language = language or state.lang()
    qualifier = tr(language, f"qualifier.{o.qualifier}") + " " if o.qualifier else ""
    return f"{qualifier}{number(o.value, language)} · {o.scope(language)} · {o.date_label(language)}"


@dataclass(frozen=True)
class ScorecardView:
    """What the Overview and Scenario pages show of one scenario: status counts, the headline, the table.

    With a reference scenario (the previous one, or the plan's default) the table also says what changed:
    a "change" column (the projection minus the reference's, in the target's precision; empty when
    unchanged) and, in the status cell of each target whose status flipped, the old status ("🟡 → ❌").
    """

    counts: Mapping[str, int]  # reached / close / missed
    statuses: Mapping[str, str]  # target id → reached / close / missed
    headline: str
    rows: tuple[Mapping[str, str], ...]  # column header → text, one per target, in the plan's order
    markdown: str
    flipped: tuple[str, ...] = ()  # target ids whose status differs from the reference's, in the plan's order
    moved: int = 0  # targets whose projection changed (at their precision)


YearEndKey = tuple[tuple[str, float], ...]


def _change_text(change: float, language: str, decimals: int) -> str:
    """"+15" / "−25" at the target's precision; empty when it rounds to nothing."""
    if not math.isfinite(change) or round(change, decimals) == 0:
        return ""
    return signed(change, language, decimals)


# Built once per (year-end values, reference values, tolerance, language) in the server process:
# participants of a workshop move the same sliders through the same values, so most reruns find their
# table here. No pandas on a hit; on a miss, one scorecard per scenario.
@functools.lru_cache(maxsize=4096)
def _scorecard_view(
    year_end: YearEndKey, reference: YearEndKey | None, changes: bool, tolerance: float, language: str
) -> ScorecardView:
    plan = cached.get_plan()
    card = scorecard(plan, dict(year_end), tolerance).to_dict("index")
    before = scorecard(plan, dict(reference), tolerance).to_dict("index") if reference is not None else None
    rows = []
    strong = []
    flipped = []
    moved = 0
    for target in plan.targets:
        r = card[target.id]
        o = reality_check(target.id)
        status = status_label(r["status"], language)
        change = ""
        was = r["status"]
        if before is not None:
            was = before[target.id]["status"]
            change = _change_text(r["value"] - before[target.id]["value"], language, target.decimals)
            moved += bool(change)
        # No-break spaces: "❌ Chưa đạt" stays on one line in a narrow column.
        status = status.replace(" ", NBSP)
        if was != r["status"]:
            flipped.append(target.id)
            # The old status by its icon, an arrow, then the new one in words: a mark, not a colour. The
            # line may break after the arrow (a phone's narrow column).
            status = f"{STATUS_ICONS[was]}{NBSP}→ {status}"
        row = {
            tr(language, "table.indicator"): target.label(language),
            tr(language, "table.status"): status,
            # "By how much" next to the status: what a phone shows without scrolling sideways.
            tr(language, "table.percent"): percent(r["percent"] / 100.0, language, 1),
            tr(language, "table.projected"): number(r["value"], language, target.decimals),
            tr(language, "table.target"): number(target.value, language, target.decimals),
        }
        if changes:
            # Sixth, after the target: a phone hides it with the columns after it (TABLE_CSS).
            row[tr(language, "table.change")] = change
        rows.append(
            row
            | {
                tr(language, "table.gap"): signed(r["gap"], language, target.decimals),
                tr(language, "table.unit"): target.unit(language),
                tr(language, "table.reported"): observation_text(o, language) if o else "",
            }
        )
        marked = was != r["status"]
        strong.append({tr(language, "table.status"): marked, tr(language, "table.change"): marked})
    statuses = [card[target.id]["status"] for target in plan.targets]
    counts = status_counts(statuses)
    numbers = [
        tr(language, key) for key in ("table.projected", "table.change", "table.target", "table.percent", "table.gap")
    ]
    return ScorecardView(
        counts=counts,
        statuses={target.id: card[target.id]["status"] for target in plan.targets},
        headline=tr(language, "overview.headline", reached=counts["reached"], total=len(statuses), close=counts["close"]),
        rows=tuple(rows),
        markdown=markdown_table(rows, right=numbers, strong=strong),
        flipped=tuple(flipped),
        moved=moved,
    )


def year_end_key(year_end: Mapping[str, float]) -> YearEndKey:
    return tuple(sorted((k, float(v)) for k, v in year_end.items()))


def scorecard_view(
    year_end: Mapping[str, float], reference: Mapping[str, float] | None = None, *, changes: bool = False
) -> ScorecardView:
    """The scorecard of a scenario's year-end values in the session's language and tolerance. ``changes``:
    with the "change" column (empty until there is a ``reference``, another scenario's year-end values);
    with a reference, the targets whose status differs from it are marked ("🟡 → ❌")."""
    ref = year_end_key(reference) if reference is not None else None
    return _scorecard_view(year_end_key(year_end), ref, changes or ref is not None, float(state.tolerance()), state.lang())


# ------------------------------------------------------------ what changed
# One session key: the scenario a scorecard last showed and the one before it, as scenario keys
# (lever and baseline items). Their year-end values come from cached.year_end's shared cache, so the
# session keeps no copy of them. ui/phone.py's "phone_statuses" is not reused: it holds the current
# scenario's values and, of the previous one, only the targets that flipped (not every projection),
# and it is updated only on pages that draw the phone panel.


def previous_scenario() -> tuple[LeverItems, BaselineItems] | None:
    """The scenario shown before the current one changed (None until the first change).

    A rerun that did not change the scenario (a page switch, the language, the tolerance) keeps the
    same previous scenario, so the marks stay until the next change.
    """
    ss = st.session_state
    current = state.scenario_key()
    shown = ss.get(Keys.SHOWN_SCENARIOS)
    if shown is None:
        ss[Keys.SHOWN_SCENARIOS] = {"current": current, "previous": None}
        return None
    if shown["current"] != current:
        shown = {"current": current, "previous": shown["current"]}
        ss[Keys.SHOWN_SCENARIOS] = shown
    return shown["previous"]


def default_scenario() -> tuple[LeverItems, BaselineItems]:
    """The plan's default scenario: every lever at its default, the plan's baseline."""
    return cached.items(cached.get_plan().defaults()), ()


def headline(year_end: Mapping[str, float]) -> str:
    return scorecard_view(year_end).headline


def markdown_table(
    rows: Sequence[Mapping[str, object]],
    *,
    right: Sequence[str] = (),
    strong: Sequence[Mapping[str, bool]] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table of text cells (escaped: shown literally), ``right`` columns right-aligned,
    the cells ``strong`` marks (one mapping column → bool per row) in bold.

    Far cheaper to build than a pandas Styler for st.table (no per-cell CSS, no Arrow), and the
    browser lays it out as a plain HTML table: every row visible, text wraps, no inner scrolling.
    The first column keeps a readable width on a phone (TABLE_CSS).
    """
    columns = list(rows[0]) if rows else []
    header = "| " + " | ".join(md_escape(str(c)) for c in columns) + " |"  # md_escape escapes "|" too
    rule = "|" + "|".join("---:" if c in right else ":---" for c in columns) + "|"

    def cell(i: int, row: Mapping[str, object], c: str) -> str:
        text = md_escape(str(row[c]))
        return f"**{text}**" if strong is not None and text and strong[i].get(c) else text

    body = ["| " + " | ".join(cell(i, row, c) for c in columns) + " |" for i, row in enumerate(rows)]
    return "\n".join([header, rule, *body])
