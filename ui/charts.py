"""Altair chart building blocks: one palette, legible type, tooltips with units.

Charts are sized to their container (phones: 390 px) and use 14 px labels so
a projector at the back of a room can read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

# Colour-blind-safe (Okabe–Ito) palette; status is never shown by colour alone.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
PROJECTION = PALETTE[0]
TARGET = "#D55E00"
OBSERVED = "#000000"
BAND = "#56B4E9"
FONT_SIZE = 14
HEIGHT = 260


def style(chart: alt.TopLevelMixin, *, lang: str, height: int = HEIGHT) -> alt.TopLevelMixin:
    """Common size, type and number locale for every chart in the app."""
    return (
        chart.properties(width="container", height=height)
        .configure(locale=alt.Locale(number=alt.NumberLocale(**d3_locale(lang))))
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=220)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom", labelLimit=260)
        .configure_title(fontSize=FONT_SIZE + 2, anchor="start")
        .configure_view(strokeWidth=0)
        # Only layers with an explicit, translated tooltip show one: Streamlit's theme would
        # otherwise show every field of every layer ("value 900 / label Target 900").
        .configure_mark(tooltip=False)
    )


def vega_number_format(decimals: int) -> str:
    """d3-format for tooltips; the app's locale is applied by `locale_config`."""
    return f",.{decimals}f"


def d3_locale(lang: str) -> dict[str, object]:
    """d3 number locale so axis and tooltip numbers follow vi (1.941,0) or en (1,941.0)."""
    if lang == "vi":
        return {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]}
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]}


# ---------------------------------------------------------- cached specs
# Building and validating an Altair chart costs tens of ms, far more than the
# projection it shows. A page builds each chart's Vega-Lite spec once (in an
# st.cache_data function keyed by what does not move with the levers: the
# indicator, the language, …), with its changing data as named datasets
# (alt.NamedData; or, for a few rows, inline values given as a placeholder)
# and its other changing values (a scale domain, a height) as placeholders,
# and fills them in on every rerun with `filled_spec`.
_PLACEHOLDER = "__fill__"


def padded_domain(values: Iterable[float], pad: float, flat_pad: float, *, floor: float | None = None) -> list[float]:
    """An axis range holding every value with ``pad`` of their spread added at each end (``flat_pad`` of
    the largest value, at least 1, when they are all equal), cut at ``floor``."""
    values = list(values)
    lo, hi = min(values), max(values)
    room = (hi - lo) * pad or max(abs(hi), 1.0) * flat_pad
    low = lo - room
    return [low if floor is None else max(floor, low), hi + room]


def utc_ms(day: dt.date) -> float:
    """Milliseconds since the epoch at UTC midnight (Vega's time values).

    A float, not an int: Arrow sends int64 columns to the browser as BigInt,
    which Vega cannot place on a time axis.
    """
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000.0


def cached_spec(chart: alt.TopLevelMixin, *, validate: bool = True) -> dict[str, Any]:
    """An Altair chart as the Vega-Lite spec to cache, its constant datasets already in Arrow.

    st.vega_lite_chart sends named datasets to the browser as Arrow bytes and
    passes bytes through: converting them here, once, spares every rerun that
    work. ``validate=False`` for a spec with placeholders (the tests validate
    it filled in).
    """
    spec = chart.to_dict(validate=validate)
    datasets = spec.pop("datasets", {})
    # Altair moves inline values to the top-level datasets; a placeholder for them goes back inline.
    inline = {name: rows for name, rows in datasets.items() if isinstance(rows, str) and rows.startswith(_PLACEHOLDER)}
    if inline:
        spec = _inline(spec, inline)
    constant = {name: convert_anything_to_arrow_bytes(rows) for name, rows in datasets.items() if name not in inline}
    return {**spec, "datasets": constant} if constant else spec


def _inline(node: Any, inline: Mapping[str, str]) -> Any:
    """``node`` with each data reference ``{"name": n}`` to a placeholder dataset made ``{"values": placeholder}``."""
    if isinstance(node, dict):
        if set(node) == {"name"} and node["name"] in inline:
            return {"values": inline[node["name"]]}
        return {key: _inline(value, inline) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, inline) for value in node]
    return node


def placeholder(name: str) -> str:
    """A value left open in a cached spec, filled in by `filled_spec` (build the spec with ``validate=False``)."""
    return _PLACEHOLDER + name


def filled_spec(spec: Mapping[str, Any], datasets: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A copy of a cached spec with this rerun's named datasets (DataFrames or records) and placeholder values.

    The cached spec itself is never changed (it is shared by every session).
    """
    static = spec.get("datasets", {})
    out = {key: value for key, value in spec.items() if key != "datasets"}
    if values:
        out = _fill(out, {placeholder(name): value for name, value in values.items()})
    if static or datasets:
        out["datasets"] = {**static, **datasets}
    return out


def _fill(node: Any, fills: Mapping[str, Any]) -> Any:
    """``node`` with every placeholder string replaced (new containers, the rest shared)."""
    if isinstance(node, str):
        return fills.get(node, node)
    if isinstance(node, dict):
        return {key: _fill(value, fills) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, fills) for value in node]
    return node
