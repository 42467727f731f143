"""Tables the pages show and download, built from the model's numbers.

Display tables hold text already formatted for the session's language;
export tables (CSV, Excel) hold raw numbers with language-neutral ids.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from model.engine import scorecard
from model.plan import Observation
from model.text import number, percent, signed, tr
from ui import state
from ui.i18n import STATUS_ICONS, md_escape, t

NBSP = "\u00a0"
ROW_HEIGHT = 35  # st.dataframe's default row height, px


# Markdown tables (see markdown_table): the first column names the indicator and keeps a readable
# width on a phone; the others wrap. Sent with the table (show_table): a separate st.html style element
# ahead of the sidebar made the browser re-mount the sidebar's sliders after the first run, so a
# slider focused then moved another one (6 of 8 page loads in Chromium).
TABLE_CSS = """<style>
[data-testid="stMarkdownContainer"] table th:first-child,
[data-testid="stMarkdownContainer"] table td:first-child { min-width: 9em; }
[data-testid="stMarkdownContainer"] table td { vertical-align: top; }
</style>"""


def show_table(markdown: str) -> None:
    """A Markdown table from markdown_table, with TABLE_CSS. HTML is allowed for the style alone: every
    cell went through md_escape, so no text in a cell can become a tag."""
    st.markdown(f"{markdown}\n\n{TABLE_CSS}", unsafe_allow_html=True)


def table_height(rows: int) -> int:
    """Height that shows every row of a st.dataframe without an inner scroll bar."""
    return (rows + 1) * ROW_HEIGHT + 3


def reality_check(indicator_id: str) -> Observation | None:
    """The reported figure after the baseline that is closest in time to the projection (31 Dec 2023).

    For coops that is "871 in operation, April 2024" rather than a 2025 count.
    """
    plan = state.get_plan()
    year_end_date = dt.date(plan.meta.year, 12, 31)
    obs = [o for o in state.get_observations() if o.indicator == indicator_id and o.date > plan.meta.baseline_date]
    return min(obs, key=lambda o: abs((o.date - year_end_date).days)) if obs else None


def observation_text(o: Observation, language: str | None = None) -> str:
    """"871 · in operation · 9 Apr 2024": value, scope and date together, always."""
    language = language or state.lang()
    qualifier = tr(language, f"qualifier.{o.qualifier}") + " " if o.qualifier else ""
    return f"{qualifier}{number(o.value, language)} · {o.scope(language)} · {o.date_label(language)}"


@dataclass(frozen=True)
class ScorecardView:
    """What the Overview and Scenario pages show of one scenario: status counts, the headline, the table."""

    counts: Mapping[str, int]  # reached / close / missed
    headline: str
    rows: tuple[Mapping[str, str], ...]  # column header → text, one per target, in the plan's order
    markdown: str


# Built once per (year-end values, tolerance, language) in the server process: participants of a
# workshop move the same sliders through the same values, so most reruns find their table here.
@functools.lru_cache(maxsize=4096)
def _scorecard_view(year_end: tuple[tuple[str, float], ...], tolerance: float, language: str) -> ScorecardView:
    plan = state.get_plan()
    card = scorecard(plan, dict(year_end), tolerance).to_dict("index")
    rows = []
    for target in plan.targets:
        r = card[target.id]
        o = reality_check(target.id)
        status = f"{STATUS_ICONS[r['status']]} {tr(language, 'status.' + r['status'])}"
        rows.append(
            {
                tr(language, "table.indicator"): target.label(language),
                # No-break spaces: "❌ Chưa đạt" stays on one line in a narrow column.
                tr(language, "table.status"): status.replace(" ", NBSP),
                # "By how much" next to the status: what a phone shows without scrolling sideways.
                tr(language, "table.percent"): percent(r["percent"] / 100.0, language, 1),
                tr(language, "table.projected"): number(r["value"], language, target.decimals),
                tr(language, "table.target"): number(target.value, language, target.decimals),
                tr(language, "table.gap"): signed(r["gap"], language, target.decimals),
                tr(language, "table.unit"): target.unit(language),
                tr(language, "table.reported"): observation_text(o, language) if o else "",
            }
        )
    statuses = [card[target.id]["status"] for target in plan.targets]
    counts = {s: statuses.count(s) for s in ("reached", "close", "missed")}
    numbers = [tr(language, key) for key in ("table.projected", "table.target", "table.percent", "table.gap")]
    return ScorecardView(
        counts=counts,
        headline=tr(language, "overview.headline", reached=counts["reached"], total=len(statuses), close=counts["close"]),
        rows=tuple(rows),
        markdown=markdown_table(rows, right=numbers),
    )


def scorecard_view(year_end: Mapping[str, float]) -> ScorecardView:
    """The scorecard of a scenario's year-end values in the session's language and tolerance."""
    key = tuple(sorted((k, float(v)) for k, v in year_end.items()))
    return _scorecard_view(key, float(state.tolerance()), state.lang())


def status_counts(year_end: Mapping[str, float]) -> Mapping[str, int]:
    return scorecard_view(year_end).counts


def headline(year_end: Mapping[str, float]) -> str:
    return scorecard_view(year_end).headline


def year_end_export(year_end: Mapping[str, float]) -> pd.DataFrame:
    """Raw year-end numbers for CSV/Excel: id, label, unit, value, target, percent, gap, status."""
    plan = state.get_plan()
    language = state.lang()
    card = scorecard(plan, year_end, state.tolerance())
    out = card.reset_index()
    out.insert(1, "label", [plan.target(i).label(language) for i in out["id"]])
    out.insert(2, "unit", [plan.target(i).unit(language) for i in out["id"]])
    # Status as a code (reached/close/missed, for machines) and as the word people read.
    out["status_label"] = [t(f"status.{s}") for s in out["status"]]
    return out


def markdown_table(rows: Sequence[Mapping[str, object]], *, right: Sequence[str] = ()) -> str:
    """A GitHub-flavoured Markdown table of text cells (escaped: shown literally), ``right`` columns right-aligned.

    Far cheaper to build than a pandas Styler for st.table (no per-cell CSS, no Arrow), and the
    browser lays it out as a plain HTML table: every row visible, text wraps, no inner scrolling.
    The first column keeps a readable width on a phone (TABLE_CSS).
    """
    columns = list(rows[0]) if rows else []
    header = "| " + " | ".join(md_escape(str(c)) for c in columns) + " |"  # md_escape escapes "|" too
    rule = "|" + "|".join("---:" if c in right else ":---" for c in columns) + "|"
    body = ["| " + " | ".join(md_escape(str(row[c])) for c in columns) + " |" for row in rows]
    return "\n".join([header, rule, *body])
