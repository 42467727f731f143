"""Scenario page charts: one indicator's month-by-month path through the plan year,
its target as a dashed rule, and the figures reported before and after the plan.

Dates: month m of the projection is the last day of month m of the plan year
(m = 0 is 31 Dec of the year before, the baseline). The x scale is UTC so a
browser in any time zone puts every point on its own day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date

from model.engine import status_of
from model.plan import Observation
from model.text import number, tr
from ui import cached, state
from ui.charts import OBSERVED, PROJECTION, TARGET, cached_spec, filled_spec, style, utc_ms
from ui.i18n import status_label, t, with_unit
from ui.keys import Keys

CHART_HEIGHT = 240
# The wide view covers every reported figure (2019–2025).
WIDE_YEARS = (2019, 2025)
# Reported figures whose scope is the plan's own (a total or an average) are
# drawn filled; any other scope ("in operation", "agricultural unions", …) hollow.
SAME_SCOPE_EN = frozenset({"total", "average"})
_LOCALES = {"vi": "vi_VN", "en": "en_US"}


def month_end(year: int, month: int) -> dt.date:
    """The date of projection month ``month`` (0 → 31 Dec of the year before)."""
    if month == 0:
        return dt.date(year - 1, 12, 31)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def date_text(day: dt.date, lang: str) -> str:
    """A date as people write it: vi 31/01/2023, en 31 Jan 2023."""
    return format_date(day, format=tr(lang, "scenario.date_pattern"), locale=_LOCALES[lang])


def _number(value: float, decimals: int, lang: str) -> str:
    return number(float(value), lang, decimals)


def chart_title(indicator_id: str, lang: str) -> str:
    """Bold indicator name with its unit, as markdown."""
    target = cached.get_plan().target(indicator_id)
    return f"**{target.label(lang)}** ({target.unit(lang)})"


def path_frame(monthly: pd.DataFrame, indicator_id: str, *, lang: str) -> pd.DataFrame:
    """One indicator's projected path: date, value and the tooltip texts, months 0–12."""
    plan = cached.get_plan()
    target = plan.target(indicator_id)
    unit = target.unit(lang)
    year = plan.meta.year
    rows = []
    for month, value in monthly[indicator_id].items():
        day = month_end(year, int(month))
        rows.append(
            {
                "date": utc_ms(day),
                "value": float(value),
                "date_text": date_text(day, lang),
                "value_text": with_unit(_number(value, target.decimals, lang), unit),
            }
        )
    return pd.DataFrame(rows)


def observation_frame(observations: Sequence[Observation], indicator_id: str, *, lang: str) -> pd.DataFrame:
    """The reported figures of one indicator: date, value, texts for labels and tooltips."""
    plan = cached.get_plan()
    target = plan.target(indicator_id)
    unit = target.unit(lang)
    rows = []
    for o in observations:
        if o.indicator != indicator_id:
            continue
        shown = _number(o.value, 0, lang)
        if o.qualifier:
            shown = f"{tr(lang, f'qualifier.{o.qualifier}')} {shown}"
        rows.append(
            {
                "date": utc_ms(o.date),
                "value": float(o.value),
                "label": shown,
                "value_text": with_unit(shown, unit),
                "scope": o.scope(lang),
                "date_text": o.date_label(lang),
                "note": o.note(lang) or "–",
                "same_scope": o.scope_en in SAME_SCOPE_EN,
            }
        )
    columns = ["date", "value", "label", "value_text", "scope", "date_text", "note", "same_scope"]
    frame = pd.DataFrame(rows, columns=columns).sort_values("date", ignore_index=True)
    baseline = plan.baseline_values().get(indicator_id)
    year = plan.meta.year
    frame["place"] = label_places(
        frame["date"].tolist(),
        frame["value"].tolist(),
        plan_year=(utc_ms(month_end(year, 0)) - YEAR_MS, utc_ms(month_end(year, 12)) + YEAR_MS),
        path_top=max(target.value, baseline if baseline is not None else target.value),
    )
    return frame


# Where a reported figure's value label goes, so labels neither collide nor run off the edge.
NEAR_MS = 183 * 86_400_000.0  # two reports less than half a year apart are "near"
LAST_YEAR_MS = dt.datetime(WIDE_YEARS[1], 1, 1, tzinfo=dt.UTC).timestamp() * 1000.0


YEAR_MS = 365 * 86_400_000.0


def label_places(
    dates_ms: Sequence[float],
    values: Sequence[float] | None = None,
    *,
    plan_year: tuple[float, float] | None = None,
    path_top: float | None = None,
) -> list[str]:
    """ "below" the point for a report within a year of the plan year whose value is at most ``path_top``
    (the higher of the baseline and the target): there the label above would sit on the projected path or on
    the target's rule; else "left" of the point when the next report is near; "above_left" (ending at the
    point) in the last year of the axis; else "above", centred."""
    places = []
    for i, when in enumerate(dates_ms):
        near_plan = plan_year is not None and plan_year[0] <= when <= plan_year[1]
        if near_plan and values is not None and path_top is not None and values[i] <= path_top:
            places.append("below")
        elif i + 1 < len(dates_ms) and dates_ms[i + 1] - when < NEAR_MS:
            places.append("left")
        elif when >= LAST_YEAR_MS:
            places.append("above_left")
        else:
            places.append("above")
    return places


def _vl_date(day: dt.date) -> alt.DateTime:
    """A UTC date for a scale domain or tick list (plain numbers there break the time scale)."""
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def month_axis(year: int, lang: str) -> tuple[alt.Scale, alt.Axis]:
    """The x scale and axis of a chart of the plan year, month ends as dates (every month chart in the app)."""
    return _x_axis(wide=False, year=year, lang=lang)


def month_dates(year: int, months: int = 13) -> list[float]:
    """Vega time values of the projection's months 0 … 12 (31 Dec of the year before, then each month's end)."""
    return [utc_ms(month_end(year, m)) for m in range(months)]


def date_texts(year: int, lang: str, months: int = 13) -> list[str]:
    """The same months as people write them (tooltips)."""
    pattern = tr(lang, "scenario.date_pattern")
    return [format_date(month_end(year, m), format=pattern, locale=_LOCALES[lang]) for m in range(months)]


def _x_axis(*, wide: bool, year: int, lang: str) -> tuple[alt.Scale, alt.Axis]:
    if wide:
        first, last = WIDE_YEARS
        ticks = [_vl_date(dt.date(y, 1, 1)) for y in range(first, last + 1)]
        domain = [_vl_date(dt.date(first, 1, 1)), _vl_date(dt.date(last + 1, 1, 1))]
        axis = alt.Axis(values=ticks, format="%Y", title=None, labelOverlap="greedy", grid=True)
    else:
        ticks = [_vl_date(month_end(year, m)) for m in (0, 3, 6, 9, 12)]
        # A little room either side so the first and last points are not cut in half.
        domain = [_vl_date(dt.date(year - 1, 12, 15)), _vl_date(dt.date(year + 1, 1, 16))]
        # Grid lines every quarter; labels only at June and December so they fit on a phone.
        axis = alt.Axis(
            values=ticks,
            format=tr(lang, "scenario.axis_month_format"),
            labelExpr="utcmonth(datum.value) % 6 == 5 ? datum.label : ''",
            # The year-end label sits left of its tick, or a narrow chart cuts it off.
            labelAlign=alt.ExprRef(expr=f"datum.value >= {utc_ms(month_end(year, 12))} ? 'right' : 'center'"),
            title=None,
            labelOverlap=False,
            grid=True,
        )
    return alt.Scale(type="utc", domain=domain), axis


PATH_DATA = "path"  # the named dataset that changes with the scenario


@st.cache_data(show_spinner=False, max_entries=256)
def indicator_spec(indicator_id: str, *, lang: str, wide: bool) -> dict:
    """The chart's Vega-Lite spec with the projected path as the named dataset PATH_DATA.

    Building and validating an Altair chart costs tens of ms; the spec only
    depends on the indicator, language and view, so it is built once and the
    path (the part that moves with the sliders) is filled in per rerun. Every
    word in it is in ``lang`` (the key it is cached by), never the session's.
    """
    chart = _indicator_layers(
        alt.NamedData(name=PATH_DATA), indicator_id, lang=lang, observations=cached.get_observations(), wide=wide
    )
    return cached_spec(chart)


def indicator_spec_with_path(monthly: pd.DataFrame, indicator_id: str, *, lang: str, wide: bool) -> dict:
    """The cached spec plus this scenario's path: ready for st.vega_lite_chart."""
    spec = indicator_spec(indicator_id, lang=lang, wide=wide)
    return filled_spec(spec, {PATH_DATA: path_frame(monthly, indicator_id, lang=lang).to_dict("records")})


def _indicator_layers(
    path: alt.Data | alt.InlineData | alt.NamedData,
    indicator_id: str,
    *,
    lang: str,
    observations: Sequence[Observation],
    wide: bool,
) -> alt.TopLevelMixin:
    plan = cached.get_plan()
    target = plan.target(indicator_id)
    x_scale, x_axis = _x_axis(wide=wide, year=plan.meta.year, lang=lang)
    y_scale = alt.Scale(zero=False, nice=True)
    y_axis = alt.Axis(title=None, format=",~f", tickCount=5)
    x = alt.X("date:T", scale=x_scale, axis=x_axis)
    y = alt.Y("value:Q", scale=y_scale, axis=y_axis)
    date_title = tr(lang, "scenario.tt_date")

    path_tooltip = [
        alt.Tooltip("date_text:N", title=date_title),
        alt.Tooltip("value_text:N", title=tr(lang, "scenario.tt_projected")),
    ]
    line = alt.Chart(path).mark_line(color=PROJECTION, strokeWidth=3).encode(x=x, y=y)
    points = (
        alt.Chart(path)
        .mark_point(color=PROJECTION, filled=True, size=45 if not wide else 15)
        .encode(x=x, y=y, tooltip=path_tooltip)
    )

    target_text = with_unit(_number(target.value, target.decimals, lang), target.unit(lang))
    label_decimals = 0 if target.value.is_integer() else target.decimals  # "Target 3,000", not "3,000.0"
    target_df = pd.DataFrame(
        {
            "value": [target.value],
            "date": [utc_ms(month_end(plan.meta.year, 12))],
            "value_text": [target_text],
            "label": [tr(lang, "scenario.target_label", value=_number(target.value, label_decimals, lang))],
            "date_text": [date_text(month_end(plan.meta.year, 12), lang)],
        }
    )
    target_tooltip = [
        alt.Tooltip("date_text:N", title=date_title),
        alt.Tooltip("value_text:N", title=tr(lang, "scenario.tt_target")),
    ]
    rule = (
        alt.Chart(target_df)
        .mark_rule(color=TARGET, strokeDash=[7, 4], strokeWidth=2)
        .encode(y=alt.Y("value:Q", scale=y_scale, axis=y_axis), tooltip=target_tooltip)
    )
    # The target belongs to the year end: a marker there, and the label over the rule's left end.
    target_mark = (
        alt.Chart(target_df)
        .mark_point(shape="M-1,0L1,0", color=TARGET, strokeWidth=4, size=220)
        .encode(x=x, y=y, tooltip=target_tooltip)
    )
    target_label = (
        alt.Chart(target_df)
        .mark_text(align="left", baseline="bottom", dx=2, dy=-4, color=TARGET, fontSize=13, fontWeight="bold")
        .encode(x=alt.value(0), y=y, text="label:N")
    )
    layers: list[alt.Chart] = [rule, target_label, line, points, target_mark]

    obs = observation_frame(observations, indicator_id, lang=lang)
    if wide and not obs.empty:
        obs_tooltip = [
            alt.Tooltip("value_text:N", title=tr(lang, "scenario.tt_reported")),
            alt.Tooltip("scope:N", title=tr(lang, "scenario.tt_scope")),
            alt.Tooltip("date_text:N", title=date_title),
            alt.Tooltip("note:N", title=tr(lang, "scenario.tt_note")),
        ]
        base = alt.Chart(obs)
        same = (
            base.transform_filter("datum.same_scope")
            .mark_point(shape="diamond", filled=True, color=OBSERVED, size=110)
            .encode(x=x, y=y, tooltip=obs_tooltip)
        )
        other = (
            base.transform_filter("!datum.same_scope")
            .mark_point(shape="diamond", filled=False, color=OBSERVED, size=110, strokeWidth=2)
            .encode(x=x, y=y, tooltip=obs_tooltip)
        )
        text = {"color": OBSERVED, "fontSize": 12}
        labels = [
            base.transform_filter("datum.place == 'above'").mark_text(baseline="bottom", dy=-9, **text),
            base.transform_filter("datum.place == 'above_left'").mark_text(align="right", baseline="bottom", dx=6, dy=-9, **text),
            base.transform_filter("datum.place == 'left'").mark_text(align="right", baseline="middle", dx=-9, **text),
            base.transform_filter("datum.place == 'below'").mark_text(baseline="top", dy=9, **text),
        ]
        layers += [same, other, *(layer.encode(x=x, y=y, text="label:N") for layer in labels)]

    return style(alt.layer(*layers), lang=lang, height=CHART_HEIGHT)


def chart_summary(indicator_id: str, year_end_value: float, *, tolerance: float) -> str:
    """The line under a chart's title: "31/12/2023: 900 · target 900 · ✅ Reached"."""
    plan = cached.get_plan()
    lang = state.lang()
    target = plan.target(indicator_id)
    return t(
        "scenario.chart_summary",
        date=date_text(month_end(plan.meta.year, 12), lang),
        value=_number(year_end_value, target.decimals, lang),
        target=_number(target.value, target.decimals, lang),
        status=status_label(status_of(year_end_value, target.value, tolerance)),
    )


# ------------------------------------------------------- which indicators
# The choice lives under Keys.CHART_IDS for every language; the picker (pages/scenario.py) is synced to it.
DEFAULT_INDICATORS: tuple[str, ...] = ("coops", "members", "revenue_per_coop", "workers")


def chosen_indicators() -> list[str]:
    """The indicators to chart, in the plan's order (unknown ids dropped)."""
    known = [target.id for target in cached.get_plan().targets]
    stored = st.session_state.get(Keys.CHART_IDS, list(DEFAULT_INDICATORS))
    chosen = set(stored) if isinstance(stored, list | tuple) else set(DEFAULT_INDICATORS)
    return [i for i in known if i in chosen]

