"""Tables, the baseline editor's logic, the observations chart and the equations for "Data & sources".

The baseline editor keeps nothing of its own: the overrides live in the
scenario (``Keys.BASELINE``). Its widget key is derived from
the overrides in use and a generation the page bumps on every edit it
applies or turns down, so the editor then starts afresh from the values in
use (an edit accepted, the plan's baseline restored, a scenario uploaded, the
sidebar reset). Only cells whose text differs from the text the editor was
built with count as edits: the editor's own output can never start a rerun.
Each value is shown at its plan precision (Plan.baseline_decimals), the same
precision validation holds it to, so the text shown reads back as the value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date
from babel.numbers import NumberFormatError, parse_decimal

from model.plan import Observation, Plan
from model.scenario import ScenarioError, validate
from model.text import LOCALES, number, tr
from ui import cached
from ui.charts import OBSERVED, PALETTE, PROJECTION, TARGET, cached_spec, filled_spec, padded_domain, placeholder, style
from ui.problems import describe_all

EDITOR_PREFIX = "data_sources_baseline_"
SCOPE_COLORS: tuple[str, ...] = (PALETTE[1], PALETTE[2], PALETTE[3], "#8C6D31")
_DATE_PATTERNS = {"vi": ("dd/MM/yyyy", "vi_VN"), "en": ("d MMM yyyy", "en_US")}


def date_text(value: str | dt.date | None, lang: str) -> str:
    """20/10/2022 (vi) or 20 Oct 2022 (en); empty when there is no date; a bare year ("2024") as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    pattern, locale = _DATE_PATTERNS[lang]
    return format_date(day, format=pattern, locale=locale)


def targets_table(plan: Plan, lang: str) -> pd.DataFrame:
    """The 17 targets: label, the source's Vietnamese wording, target value with unit, main lever."""
    rows = [
        {
            tr(lang, "data_sources.col.indicator"): t.label(lang),
            tr(lang, "data_sources.col.target"): f"{number(t.value, lang, 0)} {t.unit(lang)}",
            tr(lang, "data_sources.col.source_vi"): t.source_vi,
            tr(lang, "data_sources.col.main_lever"): plan.lever(t.main_lever).label(lang),
        }
        for t in plan.targets
    ]
    return pd.DataFrame(rows)


# ---------------------------------------------------------- baseline editor


def editor_key(overrides: Mapping[str, float], generation: int = 0) -> str:
    """A widget key that changes whenever the overrides in use change (or an edit was turned down),
    so the editor starts again from the values actually used."""
    digest = hashlib.sha1(json.dumps([sorted(overrides.items()), generation]).encode("utf-8")).hexdigest()[:10]
    return EDITOR_PREFIX + digest


def editor_frame(plan: Plan, overrides: Mapping[str, float], lang: str) -> pd.DataFrame:
    """One row per baseline value: the value used (editable), the plan's value and its provenance."""
    rows = []
    for b in plan.baseline:
        target = plan.target(b.id)
        overridden = b.id in overrides
        rows.append(
            {
                "id": b.id,
                "label": target.label(lang),
                # Text in the locale's format (34.350 / 34,350); parsed back with Babel.
                "value": baseline_text(plan, b.id, float(overrides.get(b.id, b.value)), lang),
                "unit": target.unit(lang),
                "overridden": tr(lang, "data_sources.baseline.overridden_mark") if overridden else "",
                "plan_value": baseline_text(plan, b.id, b.value, lang),
                "provenance": tr(lang, f"provenance.{b.provenance}"),
                "note": b.note(lang),
                "date": date_text(b.date, lang),
                "source": b.source,
                "symbol": b.symbol,
            }
        )
    return pd.DataFrame(rows)


def baseline_text(plan: Plan, baseline_id: str, value: float, lang: str) -> str:
    """A baseline value as the editor shows it: at the plan's precision for it, without trailing
    zeros (815; 48,05; 1.941,2). For any value validation accepts, parse_value reads it back as itself."""
    return value_text(value, plan.baseline_decimals(baseline_id), lang)


def value_text(value: float, decimals: int, lang: str) -> str:
    """``value`` rounded to ``decimals`` in the locale's format, trailing zeros of the decimals dropped."""
    return number(value, lang, decimals, trim=True)


def parse_value(text: Any, lang: str) -> float | str:
    """A number typed in the locale's format (vi 34.350 or 1,5; en 34,350 or 1.5); the text itself
    when it is not one, so validation names it ("«abc» is not a number")."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    if isinstance(text, int | float):
        return float(text)
    cleaned = str(text).strip().replace("\u2212", "-").replace(" ", "")
    try:
        return float(parse_decimal(cleaned, locale=LOCALES[lang], strict=True))
    except (NumberFormatError, ValueError, ArithmeticError):
        return str(text).strip()


def overrides_from_editor(
    plan: Plan, shown: pd.DataFrame, edited: pd.DataFrame, overrides: Mapping[str, float], lang: str
) -> dict[str, Any]:
    """The overrides the user's edits ask for: ``overrides`` with each edited cell applied.

    A cell is edited when its text differs from the text the editor was built with (``shown``);
    the others keep their values in use, whatever their text would read back as. An edited value
    equal to the plan's drops the override; one that is not a number (emptied, "abc") comes back
    as text so validation names it.
    """
    plan_values = plan.baseline_values()
    out: dict[str, Any] = dict(overrides)
    for bid, before, text in zip(shown["id"], shown["value"], edited["value"], strict=True):
        if _cell(text) == _cell(before):
            continue
        key = str(bid)
        value = parse_value(text, lang)
        if isinstance(value, str) or value != plan_values[key]:
            out[key] = value
        else:
            out.pop(key, None)
    return out


def _cell(value: Any) -> str:
    """A cell's text for comparing (an emptied cell is None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def split_baseline(
    plan: Plan,
    levers: Mapping[str, Any],
    wanted: Mapping[str, Any],
    *,
    previous: Mapping[str, float],
    lang: str,
) -> tuple[dict[str, float], list[str]]:
    """(the overrides to use, a line for each value turned down).

    Each bad value is turned down on its own — a negative count, text, a part larger than its
    whole (both values of that pair) — and keeps the value it had before (``previous``, or the
    plan's); the other edits apply.
    """
    current = dict(wanted)
    turned_down: list[str] = []
    for _ in range(len(wanted) + 1):
        try:
            scenario, _ = validate(plan, levers, current)
            return dict(scenario.baseline), turned_down
        except ScenarioError:
            _, changes = validate(plan, levers, current, lenient=True)
            bad: set[str] = set()
            for problem in changes:
                key = problem.field.removeprefix("baseline.")
                bad.add(key)
                if problem.code == "inconsistent":
                    bad.add(str(problem.params["whole"]))  # the whole the part belongs to (model.scenario.validate)
            turned_down += describe_all(changes, lang, plan)  # the same words as for an uploaded file
            current = {k: v for k, v in current.items() if k not in bad}
            current |= {k: previous[k] for k in bad if k in previous}
    return dict(previous), turned_down


def overridden_lines(plan: Plan, overrides: Mapping[str, float], lang: str) -> list[str]:
    """ "Cooperatives at year end: 800 (plan: 815)" for each overridden baseline value."""
    lines = []
    for b in plan.baseline:
        if b.id in overrides:
            target = plan.target(b.id)
            value = overrides[b.id]
            lines.append(
                tr(
                    lang,
                    "data_sources.baseline.override_line",
                    label=target.label(lang),
                    value=baseline_text(plan, b.id, float(value), lang),
                    plan=baseline_text(plan, b.id, b.value, lang),
                    unit=target.unit(lang),
                )
            )
    return lines


# ------------------------------------------------------------ observations


def observation_value_text(o: Observation, unit: str, lang: str) -> str:
    qualifier = tr(lang, f"qualifier.{o.qualifier}") + " " if o.qualifier else ""
    decimals = 0 if float(o.value).is_integer() else 1
    return f"{qualifier}{number(o.value, lang, decimals)} {unit}"


def observations_table(plan: Plan, observations: Iterable[Observation], lang: str) -> pd.DataFrame:
    """Reported figures, in the plan's order of indicators then by date, with scope and source link."""
    order = {t.id: i for i, t in enumerate(plan.targets)}
    rows = []
    for o in sorted(observations, key=lambda o: (order[o.indicator], o.date)):
        target = plan.target(o.indicator)
        rows.append(
            {
                tr(lang, "data_sources.col.indicator"): target.label(lang),
                tr(lang, "data_sources.col.value"): observation_value_text(o, target.unit(lang), lang),
                tr(lang, "data_sources.col.scope"): o.scope(lang),
                tr(lang, "data_sources.col.date"): o.date_label(lang),
                tr(lang, "data_sources.col.source"): o.source,
                tr(lang, "data_sources.col.note"): o.note(lang),
            }
        )
    return pd.DataFrame(rows)


def observed_indicators(plan: Plan, observations: Iterable[Observation]) -> list[str]:
    """Indicators with at least one reported figure, in the plan's order."""
    seen = {o.indicator for o in observations}
    return [t.id for t in plan.targets if t.id in seen]


def scope_colors(observations: Iterable[Observation]) -> dict[str, str]:
    """A fixed colour per scope (by its English name), the same in every panel; "total" is black."""
    colors: dict[str, str] = {}
    # Not the projection's blue or its light-blue band, not the target's red, not the pale yellow.
    others = iter(SCOPE_COLORS)
    for o in sorted(observations, key=lambda o: o.scope_en != "total"):
        if o.scope_en not in colors:
            colors[o.scope_en] = OBSERVED if o.scope_en == "total" else next(others, OBSERVED)
    return colors


def projected_text(plan: Plan, indicator: str, projected: float, lang: str) -> str:
    """The scenario's year-end value with its unit, at the indicator's precision."""
    target = plan.target(indicator)
    return f"{number(projected, lang, target.decimals)} {target.unit(lang)}"


def observation_chart_frame(
    plan: Plan,
    observations: Iterable[Observation],
    indicator: str,
    *,
    projected: float,
    year: int,
    lang: str,
) -> pd.DataFrame:
    """Points for one panel: each reported figure (series = its scope) and the scenario's year-end projection."""
    target = plan.target(indicator)
    unit = target.unit(lang)
    rows = [
        {
            "date": pd.Timestamp(o.date),
            "value": o.value,
            "series": tr(lang, "data_sources.obs.reported_series", scope=o.scope(lang)),
            "scope_en": o.scope_en,
            "value_text": observation_value_text(o, unit, lang),
            "date_text": o.date_label(lang),
            "scope": o.scope(lang),
            "source": o.source,
        }
        for o in observations
        if o.indicator == indicator
    ]
    rows.append(
        {
            "date": pd.Timestamp(dt.date(year, 12, 31)),
            "value": projected,
            "series": tr(lang, "data_sources.obs.projection_series", year=year),
            "scope_en": PROJECTION_SCOPE,
            "value_text": projected_text(plan, indicator, projected, lang),
            "date_text": date_text(dt.date(year, 12, 31), lang),
            "scope": tr(lang, "data_sources.obs.projection_scope"),
            "source": tr(lang, "data_sources.obs.projection_source"),
        }
    )
    return pd.DataFrame(rows)


PROJECTION_SCOPE = "__projection__"
OBS_START, OBS_END = dt.date(2019, 1, 1), dt.date(2026, 6, 30)


def observation_y_domain(values: Iterable[float]) -> list[float]:
    """The panel's value axis: every point and the target, with some room above and below."""
    return padded_domain(values, 0.15, 0.1, floor=0.0)


def observation_chart(
    data: pd.DataFrame | alt.InlineData,
    *,
    series_scopes: Mapping[str, str],
    colors: Mapping[str, str],
    y_domain: list[Any],
    target_value: float,
    target_text: str,
    tooltip_titles: Mapping[str, str],
    lang: str,
    start: dt.date = OBS_START,
    end: dt.date = OBS_END,
) -> alt.TopLevelMixin:
    """Reported figures as dots on a 2019–2025 time line, coloured by scope; the scenario's 2023 year end
    as a blue diamond; the plan's target as a dashed line. ``series_scopes``: each series (legend entry)
    → its scope_en, in the frame's order."""
    series = list(series_scopes)
    color_of = {s: (PROJECTION if e == PROJECTION_SCOPE else colors.get(e, OBSERVED)) for s, e in series_scopes.items()}
    shape_of = {s: ("diamond" if e == PROJECTION_SCOPE else "circle") for s, e in series_scopes.items()}
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]),
        axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 2}, labelAngle=0),
    )
    y_scale = alt.Scale(domain=y_domain, nice=True, zero=False)
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=120, opacity=1)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=None, scale=y_scale, axis=alt.Axis(tickCount=4)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=[color_of[s] for s in series]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            shape=alt.Shape("series:N", scale=alt.Scale(domain=series, range=[shape_of[s] for s in series]), legend=None),
            tooltip=[
                alt.Tooltip("value_text:N", title=tooltip_titles["value"]),
                alt.Tooltip("scope:N", title=tooltip_titles["scope"]),
                alt.Tooltip("date_text:N", title=tooltip_titles["date"]),
                alt.Tooltip("source:N", title=tooltip_titles["source"]),
            ],
        )
    )
    rule_frame = pd.DataFrame({"y": [target_value], "label": [target_text]})
    rule = (
        alt.Chart(rule_frame)
        .mark_rule(color=TARGET, strokeDash=[6, 4], size=2)
        .encode(y=alt.Y("y:Q", scale=y_scale), tooltip=[alt.Tooltip("label:N", title=tooltip_titles["target"])])
    )
    label = (
        alt.Chart(rule_frame)
        .mark_text(color=TARGET, align="left", baseline="bottom", dx=4, dy=-3, fontSize=13)
        .encode(y=alt.Y("y:Q", scale=y_scale), x=alt.value(0), text="label:N")
    )
    # st.altair_chart fits axes and legend into the height too: room for the legend's rows.
    return style(alt.layer(rule, label, points), lang=lang, height=200 + 24 * len(series))


def observation_chart_texts(plan: Plan, indicator: str, lang: str) -> dict[str, Any]:
    """The words of one panel: the target line's label and the tooltip titles."""
    target = plan.target(indicator)
    return {
        "target_text": tr(
            lang, "data_sources.obs.target", year=plan.meta.year, value=number(target.value, lang, target.decimals)
        ),
        "tooltip_titles": {
            "value": tr(lang, "data_sources.col.value"),
            "scope": tr(lang, "data_sources.col.scope"),
            "date": tr(lang, "data_sources.col.date"),
            "source": tr(lang, "data_sources.col.source"),
            "target": tr(lang, "data_sources.obs.target_title"),
        },
    }


def series_scopes(frame: pd.DataFrame) -> dict[str, str]:
    """Each series of a panel's frame (in order) → its scope_en."""
    return dict(zip(frame["series"], frame["scope_en"], strict=True))


@st.cache_data(show_spinner=False, max_entries=64)
def observation_spec(indicator: str, *, lang: str) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], list[float]]:
    """One panel's Vega-Lite spec, built once per indicator and language, with its points: the
    reported figures, the year-end point's fixed fields, and the values the axis always shows.

    Only the year-end projection moves with the levers. The points are inline
    values (a few: no Arrow conversion per rerun), the placeholder "points";
    the value axis's ends are "y_lo" and "y_hi".
    """
    plan, observations = cached.get_plan(), cached.get_observations()
    frame = observation_chart_frame(plan, observations, indicator, projected=0.0, year=plan.meta.year, lang=lang)
    # Dates as UTC milliseconds, the instant Arrow gives the browser for these (naive) timestamps.
    records = [{**row, "date": row["date"].value / 1e6} for row in frame.to_dict("records")]
    observed, projection = records[:-1], records[-1]
    chart = observation_chart(
        alt.InlineData(values=placeholder("points")),
        series_scopes=series_scopes(frame),
        colors=scope_colors(observations),
        y_domain=[placeholder("y_lo"), placeholder("y_hi")],
        target_value=plan.target(indicator).value,
        lang=lang,
        **observation_chart_texts(plan, indicator, lang),
    )
    fixed = [float(row["value"]) for row in observed] + [plan.target(indicator).value]
    return cached_spec(chart, validate=False), observed, projection, fixed


def observation_spec_filled(indicator: str, *, projected: float, lang: str) -> dict[str, Any]:
    """The cached panel with this scenario's year-end value: ready for st.vega_lite_chart."""
    spec, observed, projection, fixed = observation_spec(indicator, lang=lang)
    point = {**projection, "value": projected, "value_text": projected_text(cached.get_plan(), indicator, projected, lang)}
    y_lo, y_hi = observation_y_domain([*fixed, projected])
    return filled_spec(spec, {}, {"points": [*observed, point], "y_lo": y_lo, "y_hi": y_hi})


# --------------------------------------------------------------- equations

# MODEL.md §3, block by block: (explanation key, LaTeX). The symbols are the
# same in both languages; the explanations are in the strings files.
EQUATIONS: tuple[tuple[str, str], ...] = (
    ("rates", r"q = 1 - (1 - \delta)^{1/12} \qquad (1 + g)^{1/12}"),
    (
        "formation",
        r"w_m \in \left\{ \tfrac{1}{12},\ \tfrac{13 - m}{78},\ \tfrac{m}{78} \right\}"
        r" \qquad n_m = F\, w_m \qquad u_m = U_{new}\, w_m",
    ),
    (
        "coops",
        r"\begin{aligned} S_m &= S_{m-1}(1 - q), & S_0 &= N_0 \\ A_m &= A_{m-1}(1 - q) + n_m, & A_0 &= 0 \\"
        r" N_m &= S_m + A_m \end{aligned}",
    ),
    (
        "members",
        r"\begin{aligned} M_m &= M_{m-1}(1 - q)(1 + g_M)^{1/12} + n_m\, k_M \\"
        r" W_m &= W_{m-1}(1 - q)(1 + g_W)^{1/12} + n_m\, k_W \\ I_m &= I_0 (1 + g_I)^{m/12} \end{aligned}",
    ),
    (
        "revenue",
        r"\bar R_m = \frac{S_m\, R_0 (1 + g_R)^{m/12} + A_m\, R_{new}}{N_m} \qquad \bar P_m = \pi\, \bar R_m",
    ),
    (
        "managers",
        r"\begin{aligned} G_m &= G_{m-1}(1 - q) + n_m\, k_G \\"
        r" T_m &= \min\!\left(G_m,\ T_{m-1}(1 - q) + n_m\, k_G\, s_T + \tau / 12\right) \end{aligned}",
    ),
    (
        "technology",
        r"\begin{aligned} H_m &= \min\!\left(N_m,\ H_{m-1}(1 - q) + n_m\, s_H + a_H / 12\right) \\"
        r" V_m &= \min\!\left(N_m,\ V_{m-1}(1 - q) + n_m\, s_V + a_V / 12\right) \end{aligned}",
    ),
    (
        "unions",
        r"\begin{aligned} U_m &= U_{m-1} + u_m \qquad C_m = C_{m-1} + u_m\, k_C + j_C / 12 \\"
        r" X_m &= X_{m-1}(1 + g_X)^{1/12} + u_m\, k_X \\"
        r" \overline{RU}_m &= \frac{U_0\, RU_0 (1 + g_{RU})^{m/12} + (U_m - U_0)\, RU_{new}}{U_m}"
        r" \qquad \overline{PU}_m = \pi_U\, \overline{RU}_m \end{aligned}",
    ),
    ("year_end", r"\text{new\_coops} = \textstyle\sum_m n_m = F \qquad \text{new\_unions} = \textstyle\sum_m u_m = U_{new}"),
)

# Symbols of the state variables (each lever's symbol is in its plan row).
STATE_SYMBOLS: tuple[tuple[str, str], ...] = (
    (r"N, M, W, I, \bar R, \bar P", "coops_etc"),
    (r"G, T, H, V", "capacity"),
    (r"U, C, X, \overline{RU}, \overline{PU}", "unions"),
    (r"S_m, A_m", "survivors"),
    (r"n_m, u_m, w_m", "formation"),
    (r"m", "month"),
)


def symbol_table(plan: Plan, lang: str) -> str:
    """A Markdown table: symbol, meaning (from the plan's labels), id."""
    head = tr(lang, "data_sources.eq.symbol_header")
    lines = [head, "|---|---|---|"]
    for symbol, key in STATE_SYMBOLS:
        lines.append(f"| ${symbol}$ | {tr(lang, f'data_sources.eq.state.{key}')} | |")
    for b in plan.baseline:
        # "N0" → $N_0$, "RU0" → $RU_0$
        meaning = tr(lang, "data_sources.eq.baseline_of", label=plan.target(b.id).label(lang))
        lines.append(f"| ${b.symbol.removesuffix('0')}_0$ | {meaning} | `{b.id}` |")
    for lv in plan.numeric_levers:  # each with its MODEL.md symbol (the plan file's `symbol`)
        unit = f" ({lv.unit(lang)})" if lv.unit(lang) else ""
        lines.append(f"| ${lv.symbol}$ | {lv.label(lang)}{unit} | `{lv.id}` |")
    return "\n".join(lines)
