"""Tables the pages show and download, built from the model's numbers.

Display tables hold text already formatted for the session's language;
export tables (CSV, Excel) hold raw numbers with language-neutral ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from model.engine import scorecard
from model.plan import Observation
from ui import state
from ui.i18n import indicator_value, num, pct, sgn, status_label, t

NBSP = "\u00a0"
ROW_HEIGHT = 35  # st.dataframe's default row height, px


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


def observation_text(o: Observation) -> str:
    """"871 · in operation · 9 Apr 2024": value, scope and date together, always."""
    language = state.lang()
    qualifier = t(f"qualifier.{o.qualifier}") + " " if o.qualifier else ""
    return f"{qualifier}{num(o.value)} · {o.scope(language)} · {o.date_label(language)}"


def scorecard_table(year_end: Mapping[str, float], *, with_observations: bool = True) -> pd.DataFrame:
    """The 17 targets for display: projected, target, % of target, gap, status (icon and word)."""
    plan = state.get_plan()
    language = state.lang()
    card = scorecard(plan, year_end, state.tolerance())
    rows = []
    for target in plan.targets:
        r = card.loc[target.id]
        row = {
            t("table.indicator"): target.label(language),
            # No-break spaces: "❌ Chưa đạt" stays on one line in a narrow column.
            t("table.status"): status_label(str(r["status"])).replace(" ", NBSP),
            # "By how much" next to the status: what a phone shows without scrolling sideways.
            t("table.percent"): pct(r["percent"] / 100.0, 1),
            t("table.projected"): indicator_value(target.id, r["value"]),
            t("table.target"): indicator_value(target.id, target.value),
            t("table.gap"): sgn(r["gap"], target.decimals),
            t("table.unit"): target.unit(language),
        }
        if with_observations:
            o = reality_check(target.id)
            row[t("table.reported")] = observation_text(o) if o else ""
        rows.append(row)
    return pd.DataFrame(rows)


def status_counts(year_end: Mapping[str, float]) -> dict[str, int]:
    card = scorecard(state.get_plan(), year_end, state.tolerance())
    counts = card["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in ("reached", "close", "missed")}


def headline(year_end: Mapping[str, float]) -> str:
    c = status_counts(year_end)
    return t("overview.headline", reached=c["reached"], total=sum(c.values()), close=c["close"])


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


def styled_scorecard(table: pd.DataFrame) -> Styler:
    """The scorecard for st.table: labels keep a readable width on phones, numbers align right."""
    indicator, status, unit = t("table.indicator"), t("table.status"), t("table.unit")
    numbers = [t("table.projected"), t("table.target"), t("table.percent"), t("table.gap")]
    return (
        table.set_index(indicator)
        .style.set_properties(subset=[status], **{"white-space": "nowrap"})
        .set_properties(subset=numbers, **{"text-align": "right", "white-space": "nowrap"})
        .set_properties(subset=[unit], **{"min-width": "6em"})
        .set_table_styles([{"selector": "th.row_heading", "props": "min-width: 10em;"}])
    )
