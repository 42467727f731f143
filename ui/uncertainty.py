"""Uncertainty page helpers: the Monte Carlo settings kept in session state,
the probability table and its plain-words reading ("reached in 37 of 100
plausible years" beside the current scenario, with the reason when the two
disagree), how many targets the draws reach, the lever draw ranges and the fan chart.

The seed lives in ``Keys.SEED`` (a plain key, not a widget's, so it survives
page switches and a share link can carry it); the number of draws in
``Keys.DRAWS``. The widgets on the page are synced to them (`widgets.synced`).
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping, MutableMapping
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from model.analysis import MonteCarloResult, triangle_ends
from model.engine import STATUSES, status_codes
from model.plan import Lever, Plan, Target
from model.settings import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, MAX_SEED, MIN_DRAWS
from model.text import number, percent, tr
from ui import widgets
from ui.charts import BAND, PROJECTION, TARGET, cached_spec, filled_spec, placeholder, style, vega_number_format
from ui.i18n import STATUS_ICONS
from ui.keys import Keys
from ui.scenario_charts import date_texts, month_axis, month_dates

DRAWS_STEP = 500
CHART_HEIGHT = 380  # plot, axes and the two-row legend below
SLOW_DRAWS = 10_000  # above this a run takes noticeable time: show a spinner
NEAR_TARGET = 0.01  # the current scenario within 1 % of a target "sits on" it: about half the years fall short
MAIN_PULL = 0.25  # a lever named as a reason pulls at least this share of the strongest pull
REASON_LEVERS = 2  # at most this many levers named in a reason


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        return int(value.strip())
    return None


def settings(session: MutableMapping[str, Any]) -> tuple[int, int, list[str]]:
    """(draws, seed, problems): read and repair the stored settings, initializing missing ones.

    A value that is not a whole number in range (e.g. from a tampered link) is
    replaced by the default or clamped; each repair is named in ``problems``
    as a strings-file key with its values, for the page to show.
    """
    problems: list[str] = []
    seed = _as_int(session.get(Keys.SEED, DEFAULT_SEED))
    if seed is None or not 0 <= seed <= MAX_SEED:
        if Keys.SEED in session:
            problems.append("seed")
        seed = DEFAULT_SEED
    draws = _as_int(session.get(Keys.DRAWS, DEFAULT_DRAWS))
    if draws is None:
        problems.append("draws")
        draws = DEFAULT_DRAWS
    elif not MIN_DRAWS <= draws <= MAX_DRAWS:
        problems.append("draws")
        draws = min(max(draws, MIN_DRAWS), MAX_DRAWS)
    session[Keys.SEED] = seed
    session[Keys.DRAWS] = draws
    return draws, seed, problems


def new_seed(session: MutableMapping[str, Any]) -> None:
    """Button callback: a fresh random seed (shown, so a run can be repeated)."""
    session[Keys.SEED] = secrets.randbelow(1_000_000)


def reading_key(probability: float) -> str:
    """Words for a probability of reaching a target (keys of ``uncertainty.reading``)."""
    if probability >= 0.95:
        return "almost_certain"
    if probability >= 0.80:
        return "likely"
    if probability > 0.20:
        return "uncertain"
    if probability > 0.05:
        return "unlikely"
    return "very_unlikely"


def margin_text(draws: int, lang: str) -> str:
    """The widest 95 % sampling error of a probability from ``draws`` draws (at p = 50 %), in points."""
    margin = 1.96 * math.sqrt(0.25 / draws)
    return percent(margin, lang, 1)


def in_100(probability: float, lang: str) -> str:
    """A probability as "in N of 100 years": 37; "more than 99" / "fewer than 1" rather than a rounded 100 or 0."""
    if 0.995 <= probability < 1.0:
        return tr(lang, "uncertainty.in100_more", n=99)
    if 0.0 < probability < 0.005:
        return tr(lang, "uncertainty.in100_less", n=1)
    return str(round(probability * 100))


def central_status(target: Target, value: float) -> str:
    """reached / missed of the current scenario (close counts as not reached, like the draws)."""
    return STATUSES[int(status_codes(np.array([value]), target.value)[0])]


def summary_table(plan: Plan, result: MonteCarloResult, year_end: Mapping[str, float], *, lang: str) -> pd.DataFrame:
    """One row per target: in how many of 100 years it is reached, a reading, the current scenario, target,
    low / middle / high year (P10 / P50 / P90), unit."""
    rows = []
    for target in plan.targets:
        p = result.probability[target.id]
        d = target.decimals
        central = float(year_end[target.id])
        central_text = f"{number(central, lang, d)} {STATUS_ICONS[central_status(target, central)]}"
        rows.append(
            {
                # The years right after the name: on a phone it is the column still in view.
                tr(lang, "table.indicator"): target.label(lang),
                tr(lang, "uncertainty.col_probability"): in_100(p, lang),
                tr(lang, "uncertainty.col_reading"): tr(lang, "uncertainty.reading." + reading_key(p)),
                tr(lang, "uncertainty.col_central"): central_text,
                tr(lang, "table.target"): number(target.value, lang, d),
                tr(lang, "uncertainty.col_p10"): number(result.p10[target.id], lang, d),
                tr(lang, "uncertainty.col_p50"): number(result.p50[target.id], lang, d),
                tr(lang, "uncertainty.col_p90"): number(result.p90[target.id], lang, d),
                tr(lang, "table.unit"): target.unit(lang),
            }
        )
    return pd.DataFrame(rows)


def column_help(lang: str) -> dict[str, str]:
    """Column header → its explanation (with the technical term), for the table's tooltips."""
    return {
        tr(lang, f"uncertainty.col_{col}"): tr(lang, f"uncertainty.col_{col}_help")
        for col in ("probability", "central", "p10", "p50", "p90")
    }


# ------------------------------------------------------------ why the draws and the current scenario differ


LOPSIDED = frozenset({"only_up", "only_down", "more_down", "more_up"})  # lever shapes whose range leans to one side


def lever_shape(lv: Lever, value: float) -> str:
    """Where a lever's range lies around its value: only_up, only_down, more_down, more_up, even or fixed."""
    low, high = triangle_ends(lv, value)
    down, up = value - low, high - value
    room = 1e-9 * max(1.0, abs(value))
    if down <= room and up <= room:
        return "fixed"
    if down <= room:
        return "only_up"
    if up <= room:
        return "only_down"
    if abs(down - up) <= room:
        return "even"
    return "more_down" if down > up else "more_up"


def lever_range_text(lv: Lever, value: float, lang: str) -> str:
    """ "Dissolution rate can only rise from 0.0" / "New coops moves from 60 to 100 around 85"."""
    low, high = triangle_ends(lv, value)
    shape = lever_shape(lv, value)
    values = {
        "lever": lv.label(lang),
        "value": number(value, lang, lv.decimals),
        "low": number(low, lang, lv.decimals),
        "high": number(high, lang, lv.decimals),
    }
    key = {"only_up": "lever_only_up", "only_down": "lever_only_down"}.get(shape, "lever_range")
    return tr(lang, f"uncertainty.{key}", **values)


def disagreement_reason(
    plan: Plan,
    target: Target,
    *,
    central: float,
    probability: float,
    pulls: pd.Series,
    levers: Mapping[str, Any],
    lang: str,
) -> str | None:
    """Why the current scenario and the draws disagree on a target, in one line; None when they agree.

    They disagree when the current scenario reaches the target but fewer than half of the draws do, or
    misses it while half or more reach it. Reasons, as they apply: the current scenario sits on (or just
    by) the target; the ranges of the levers that pull the indicator the other way are lopsided (named,
    the strongest first); else the levers together.
    """
    reached = central_status(target, central) == "reached"
    if reached == (probability >= 0.5):
        return None
    parts = []
    d = target.decimals
    if abs(central - target.value) <= NEAR_TARGET * abs(target.value):
        same = number(central, lang, d) == number(target.value, lang, d)
        key = "why_on_target" if same else ("why_just_above" if reached else "why_just_below")
        parts.append(tr(lang, f"uncertainty.{key}", value=number(central, lang, d), target=number(target.value, lang, d)))
    side = -1.0 if reached else 1.0  # the pulls that explain: down when reached centrally, up when missed
    explaining = pulls[pulls * side > 0].abs().sort_values(ascending=False, kind="stable")
    named: list[str] = []
    if not explaining.empty:
        strongest = float(explaining.iloc[0])
        for lever_id, pull in explaining.items():
            lv = plan.lever(str(lever_id))
            value = float(levers.get(lv.id, lv.default))
            if pull < MAIN_PULL * strongest or len(named) == REASON_LEVERS:
                break
            if lever_shape(lv, value) in LOPSIDED:
                named.append(lever_range_text(lv, value, lang))
    if named:
        parts.append(tr(lang, "uncertainty.why_lopsided", levers="; ".join(named)))
    elif not parts:
        parts.append(tr(lang, "uncertainty.why_together_down" if reached else "uncertainty.why_together_up"))
    return "; ".join(parts)


def target_lines(
    plan: Plan,
    result: MonteCarloResult,
    year_end: Mapping[str, float],
    pulls: pd.DataFrame,
    levers: Mapping[str, Any],
    *,
    lang: str,
) -> list[str]:
    """One Markdown line per target: "reached in N of 100 plausible years", the current scenario beside it,
    and, when the two disagree, why."""
    lines = []
    for target in plan.targets:
        p = result.probability[target.id]
        central = float(year_end[target.id])
        status = central_status(target, central)
        line = tr(
            lang,
            "uncertainty.line",
            label=target.label(lang),
            n=in_100(p, lang),
            reading=tr(lang, "uncertainty.reading." + reading_key(p)).lower(),
            central=number(central, lang, target.decimals),
            target=number(target.value, lang, target.decimals),
            unit=target.unit(lang),
            status=f"{STATUS_ICONS[status]} {tr(lang, 'status.' + status).lower()}",
        )
        reason = disagreement_reason(
            plan, target, central=central, probability=p, pulls=pulls[target.id], levers=levers, lang=lang
        )
        if reason:
            line += "  \n⚠️ " + tr(lang, "uncertainty.line_why", reason=reason)
        lines.append(line)
    return lines


def reached_summary(plan: Plan, result: MonteCarloResult, *, lang: str) -> str:
    """In half of the draws at least 9 of 17 targets are reached (80 % reach 7 to 11); all 17 in 0 %.

    Quantiles of whole counts (inverted CDF): at least p50 targets in half of
    the draws or more, and p10 to p90 in at least 80 % of them.
    """
    counts = result.reached_per_draw
    p10, p50, p90 = (int(x) for x in np.quantile(counts, [0.1, 0.5, 0.9], method="inverted_cdf"))
    total = len(plan.targets)
    return tr(
        lang,
        "uncertainty.reached_summary",
        p50=p50,
        p10=p10,
        p90=p90,
        total=total,
        all=in_100(float(np.mean(counts == total)), lang),
    )


def central_count_text(plan: Plan, result: MonteCarloResult, year_end: Mapping[str, float], *, lang: str) -> str:
    """The current scenario's count of targets reached, and why a typical year reaches fewer (or more)."""
    counts = result.reached_per_draw
    p50 = int(np.quantile(counts, 0.5, method="inverted_cdf"))
    total = len(plan.targets)
    reached = {t.id: central_status(t, float(year_end[t.id])) == "reached" for t in plan.targets}
    central = sum(reached.values())
    text = tr(lang, "uncertainty.central_count", central=central, total=total)
    if central > p50:
        edge = sum(1 for t in plan.targets if reached[t.id] and result.probability[t.id] < 0.5)
        text += " " + tr(lang, "uncertainty.count_fewer", edge=edge, total=total)
    elif central < p50:
        edge = sum(1 for t in plan.targets if not reached[t.id] and result.probability[t.id] >= 0.5)
        text += " " + tr(lang, "uncertainty.count_more", edge=edge)
    return text


def draw_ranges(plan: Plan, levers: Mapping[str, Any], *, lang: str) -> pd.DataFrame:
    """Each numeric lever: its current value and the range its draws come from."""
    rows = []
    for lv in plan.numeric_levers:
        value = float(levers.get(lv.id, lv.default))
        low, high = triangle_ends(lv, value)
        rows.append(
            {
                tr(lang, "uncertainty.col_lever"): lv.label(lang),
                tr(lang, "uncertainty.col_value"): widgets.format_lever_value(lv.id, levers.get(lv.id, lv.default), lang),
                tr(lang, "uncertainty.col_range"): tr(
                    lang,
                    "uncertainty.range",
                    low=number(low, lang, lv.decimals),
                    high=number(high, lang, lv.decimals),
                ),
                tr(lang, "uncertainty.col_shape"): tr(lang, "uncertainty.shape_" + lever_shape(lv, value)),
                tr(lang, "table.unit"): lv.unit(lang),
            }
        )
    return pd.DataFrame(rows)


def lopsided_note(plan: Plan, levers: Mapping[str, Any], *, lang: str, examples: int = 3) -> str | None:
    """The note under the ranges when some lie to one side of the current value (they come from the plan's
    data, MODEL.md § 2 spreads): how many, and the first few as examples."""
    leaning = []
    for lv in plan.numeric_levers:
        value = float(levers.get(lv.id, lv.default))
        if lever_shape(lv, value) in LOPSIDED:
            leaning.append(lever_range_text(lv, value, lang))
    if not leaning:
        return None
    return tr(lang, "uncertainty.lopsided_note", count=len(leaning), examples="; ".join(leaning[:examples]))


def fan_frame(result: MonteCarloResult, projection: pd.Series, indicator: str, *, year: int, lang: str) -> pd.DataFrame:
    """Months 0–12 (as dates, the Scenario page's axis): P10, P50, P90 of the draws and the current scenario."""
    band = result.band(indicator)  # 3 × 13
    return pd.DataFrame(
        {
            "date": month_dates(year, band.shape[1]),
            "date_text": date_texts(year, lang, band.shape[1]),
            "p10": band[0],
            "p50": band[1],
            "p90": band[2],
            "projection": projection.to_numpy(dtype=float),
        }
    )


@st.cache_data(show_spinner=False, max_entries=64)
def fan_spec(*, target: float, unit: str, decimals: int, year: int, lang: str) -> dict[str, Any]:
    """The fan chart as a Vega-Lite spec, built once per indicator and language.

    Only the band and the lines move with the scenario: they are the inline
    values "months" (13 rows: no Arrow conversion per rerun), filled in by `fan_spec_filled`.
    """
    chart = fan_chart(
        alt.InlineData(values=placeholder("months")), target=target, unit=unit, decimals=decimals, year=year, lang=lang
    )
    return cached_spec(style(chart, lang=lang, height=CHART_HEIGHT), validate=False)


def fan_spec_filled(frame: pd.DataFrame, *, target: float, unit: str, decimals: int, year: int, lang: str) -> dict[str, Any]:
    """The cached fan chart with this scenario's months (a `fan_frame`): ready for st.vega_lite_chart."""
    spec = fan_spec(target=target, unit=unit, decimals=decimals, year=year, lang=lang)
    return filled_spec(spec, {}, {"months": frame.to_dict("records")})


def fan_chart(
    frame: pd.DataFrame | alt.InlineData, *, target: float, unit: str, decimals: int, year: int, lang: str
) -> alt.LayerChart:
    """P10–P90 band, P50 line, the current scenario (dashed) and the target rule; month ends as dates."""
    fmt = vega_number_format(decimals)
    series = {
        "band": tr(lang, "uncertainty.series_band"),
        "p50": tr(lang, "uncertainty.series_p50"),
        "projection": tr(lang, "uncertainty.series_projection"),
        "target": tr(lang, "uncertainty.series_target"),
    }
    domain = list(series.values())
    colors = [BAND, PROJECTION, "#000000", TARGET]
    color_scale = alt.Scale(domain=domain, range=colors)
    legend = alt.Legend(title=None, columns=2, symbolType="stroke", symbolStrokeWidth=5, symbolOpacity=1, symbolSize=500)
    x_scale, x_axis = month_axis(year, lang)
    x = alt.X("date:T", scale=x_scale, axis=x_axis)
    color = alt.Color("series:N", scale=color_scale, legend=legend)

    def named(chart: alt.Chart, key: str) -> alt.Chart:
        # A constant "series" field per layer, so all layers share one colour legend.
        return chart.transform_calculate(series=json.dumps(series[key]))

    base = alt.Chart(frame)
    band = (
        named(base, "band")
        .mark_area(opacity=0.35)
        .encode(
            x=x,
            y=alt.Y("p10:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",~f")),
            y2="p90:Q",
            color=color,
        )
    )
    median = named(base, "p50").mark_line(strokeWidth=3).encode(x=x, y="p50:Q", color=color)
    projection = named(base, "projection").mark_line(strokeWidth=2, strokeDash=[6, 4]).encode(x=x, y="projection:Q", color=color)
    target_rule = (
        named(alt.Chart(pd.DataFrame({"target": [target]})), "target")
        .mark_rule(strokeDash=[8, 4], strokeWidth=2)
        .encode(
            y="target:Q",
            color=color,
            tooltip=[alt.Tooltip("target:Q", title=tr(lang, "uncertainty.tooltip_target", unit=unit), format=fmt)],
        )
    )
    # Invisible wide points carry the tooltip for the whole month (easier to hit on a phone).
    hover = base.mark_point(size=400, opacity=0).encode(
        x=x,
        y="p50:Q",
        tooltip=[
            alt.Tooltip("date_text:N", title=tr(lang, "uncertainty.tooltip_month")),
            alt.Tooltip("p10:Q", title=tr(lang, "uncertainty.tooltip_p10", unit=unit), format=fmt),
            alt.Tooltip("p50:Q", title=tr(lang, "uncertainty.tooltip_p50", unit=unit), format=fmt),
            alt.Tooltip("p90:Q", title=tr(lang, "uncertainty.tooltip_p90", unit=unit), format=fmt),
            alt.Tooltip("projection:Q", title=tr(lang, "uncertainty.tooltip_projection", unit=unit), format=fmt),
        ],
    )
    return alt.layer(band, median, projection, target_rule, hover)
