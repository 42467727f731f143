"""Uncertainty page helpers: the Monte Carlo settings kept in session state,
the probability table, how many targets the draws reach, the lever draw
ranges and the fan chart.

The seed lives in ``st.session_state["mc_seed"]`` (a plain key, not a widget's,
so it survives page switches and a share link can carry it); the number of
draws in ``"mc_draws"``. The widgets on the page are synced to them.
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
from model.engine import status_codes
from model.plan import Plan
from model.text import number, percent, tr
from ui import state
from ui.charts import BAND, PROJECTION, TARGET, cached_spec, filled_spec, placeholder, style, vega_number_format
from ui.links import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, MAX_SEED, MIN_DRAWS

SEED_KEY = "mc_seed"
DRAWS_KEY = "mc_draws"
SEED_WIDGET = "uncertainty_seed"
DRAWS_WIDGET = "uncertainty_draws"
DRAWS_STEP = 500
CHART_HEIGHT = 380  # plot, axes and the two-row legend below
SLOW_DRAWS = 10_000  # above this a run takes noticeable time: show a spinner


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
    seed = _as_int(session.get(SEED_KEY, DEFAULT_SEED))
    if seed is None or not 0 <= seed <= MAX_SEED:
        if SEED_KEY in session:
            problems.append("seed")
        seed = DEFAULT_SEED
    draws = _as_int(session.get(DRAWS_KEY, DEFAULT_DRAWS))
    if draws is None:
        problems.append("draws")
        draws = DEFAULT_DRAWS
    elif not MIN_DRAWS <= draws <= MAX_DRAWS:
        problems.append("draws")
        draws = min(max(draws, MIN_DRAWS), MAX_DRAWS)
    session[SEED_KEY] = seed
    session[DRAWS_KEY] = draws
    # The widgets show the stored values (set before they are drawn).
    session[SEED_WIDGET] = seed
    session[DRAWS_WIDGET] = draws
    return draws, seed, problems


def on_seed_change(session: MutableMapping[str, Any]) -> None:
    session[SEED_KEY] = int(session[SEED_WIDGET])


def on_draws_change(session: MutableMapping[str, Any]) -> None:
    session[DRAWS_KEY] = int(session[DRAWS_WIDGET])


def new_seed(session: MutableMapping[str, Any]) -> None:
    """Button callback: a fresh random seed (shown, so a run can be repeated)."""
    session[SEED_KEY] = secrets.randbelow(1_000_000)


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


def probability_text(probability: float, lang: str) -> str:
    """A probability as a percent; "> 99 %" / "< 1 %" rather than a rounded 100 % or 0 %."""
    if 0.995 <= probability < 1.0:
        return f"> {percent(0.99, lang)}"
    if 0.0 < probability < 0.005:
        return f"< {percent(0.01, lang)}"
    return percent(probability, lang)


def summary_table(plan: Plan, result: MonteCarloResult, *, lang: str) -> pd.DataFrame:
    """One row per target: probability of reaching it, a reading, target, P10 / P50 / P90, unit."""
    rows = []
    for target in plan.targets:
        p = result.probability[target.id]
        d = target.decimals
        rows.append(
            {
                # Probability right after the name: on a phone it is the column still in view.
                tr(lang, "table.indicator"): target.label(lang),
                tr(lang, "uncertainty.col_probability"): probability_text(p, lang),
                tr(lang, "uncertainty.col_reading"): tr(lang, "uncertainty.reading." + reading_key(p)),
                tr(lang, "table.target"): number(target.value, lang, d),
                tr(lang, "uncertainty.col_p10"): number(result.p10[target.id], lang, d),
                tr(lang, "uncertainty.col_p50"): number(result.p50[target.id], lang, d),
                tr(lang, "uncertainty.col_p90"): number(result.p90[target.id], lang, d),
                tr(lang, "table.unit"): target.unit(lang),
            }
        )
    return pd.DataFrame(rows)


def targets_reached_per_draw(plan: Plan, result: MonteCarloResult) -> np.ndarray:
    """How many of the targets each draw reaches (an array of ``draws`` counts)."""
    reached = [status_codes(result.samples[t.id], t.value) == 0 for t in plan.targets]
    return np.sum(reached, axis=0)


def reached_summary(plan: Plan, result: MonteCarloResult, *, lang: str) -> str:
    """In half of the draws at least 9 of 17 targets are reached (80 % reach 7 to 11); all 17 in 0 %.

    Quantiles of whole counts (inverted CDF): at least p50 targets in half of
    the draws or more, and p10 to p90 in at least 80 % of them.
    """
    counts = targets_reached_per_draw(plan, result)
    p10, p50, p90 = (int(x) for x in np.quantile(counts, [0.1, 0.5, 0.9], method="inverted_cdf"))
    total = len(plan.targets)
    return tr(
        lang,
        "uncertainty.reached_summary",
        p50=p50,
        p10=p10,
        p90=p90,
        total=total,
        all=probability_text(float(np.mean(counts == total)), lang),
    )


def draw_ranges(plan: Plan, levers: Mapping[str, Any], *, lang: str) -> pd.DataFrame:
    """Each numeric lever: its current value and the range its draws come from."""
    rows = []
    for lv in plan.numeric_levers:
        value = float(levers.get(lv.id, lv.default))
        low, high = triangle_ends(lv, value)
        rows.append(
            {
                tr(lang, "uncertainty.col_lever"): lv.label(lang),
                tr(lang, "uncertainty.col_value"): state.format_lever_value(lv.id, levers.get(lv.id, lv.default), lang),
                tr(lang, "uncertainty.col_range"): tr(
                    lang,
                    "uncertainty.range",
                    low=number(low, lang, lv.decimals),
                    high=number(high, lang, lv.decimals),
                ),
                tr(lang, "table.unit"): lv.unit(lang),
            }
        )
    return pd.DataFrame(rows)


def fan_frame(result: MonteCarloResult, projection: pd.Series, indicator: str) -> pd.DataFrame:
    """Month 0–12: P10, P50, P90 of the draws and the projection with the current values."""
    band = result.band(indicator)  # 3 × 13
    return pd.DataFrame(
        {
            "month": np.arange(band.shape[1]),
            "p10": band[0],
            "p50": band[1],
            "p90": band[2],
            "projection": projection.to_numpy(dtype=float),
        }
    )


@st.cache_data(show_spinner=False, max_entries=64)
def fan_spec(*, target: float, unit: str, decimals: int, lang: str) -> dict[str, Any]:
    """The fan chart as a Vega-Lite spec, built once per indicator and language.

    Only the band and the lines move with the scenario: they are the inline
    values "months" (13 rows: no Arrow conversion per rerun), filled in by `fan_spec_filled`.
    """
    chart = fan_chart(alt.InlineData(values=placeholder("months")), target=target, unit=unit, decimals=decimals, lang=lang)
    return cached_spec(style(chart, lang=lang, height=CHART_HEIGHT), validate=False)


def fan_spec_filled(frame: pd.DataFrame, *, target: float, unit: str, decimals: int, lang: str) -> dict[str, Any]:
    """The cached fan chart with this scenario's months (a `fan_frame`): ready for st.vega_lite_chart."""
    spec = fan_spec(target=target, unit=unit, decimals=decimals, lang=lang)
    return filled_spec(spec, {}, {"months": frame.to_dict("records")})


def fan_chart(frame: pd.DataFrame | alt.InlineData, *, target: float, unit: str, decimals: int, lang: str) -> alt.LayerChart:
    """P10–P90 band, P50 line, the projection with the current values (dashed) and the target rule."""
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
    x = alt.X(
        "month:Q",
        title=tr(lang, "uncertainty.month_axis"),
        scale=alt.Scale(domain=[0, 12], nice=False),
        axis=alt.Axis(values=list(range(13)), format="d"),
    )
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
            alt.Tooltip("month:Q", title=tr(lang, "uncertainty.tooltip_month"), format="d"),
            alt.Tooltip("p10:Q", title=tr(lang, "uncertainty.tooltip_p10", unit=unit), format=fmt),
            alt.Tooltip("p50:Q", title=tr(lang, "uncertainty.tooltip_p50", unit=unit), format=fmt),
            alt.Tooltip("p90:Q", title=tr(lang, "uncertainty.tooltip_p90", unit=unit), format=fmt),
            alt.Tooltip("projection:Q", title=tr(lang, "uncertainty.tooltip_projection", unit=unit), format=fmt),
        ],
    )
    return alt.layer(band, median, projection, target_rule, hover)
