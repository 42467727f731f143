"""Altair chart building blocks: one palette, legible type, tooltips with units.

Charts are sized to their container (phones: 390 px) and use 14 px labels so
a projector at the back of a room can read them.
"""

from __future__ import annotations

import altair as alt

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
