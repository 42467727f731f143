"""AppTest helpers for the app tests and the benchmark; first, st.navigation with a ``pages/`` folder.

AppTest resets ``PagesManager.uses_pages_directory`` before every run and then
sets it from the mere existence of a ``pages/`` folder, so from the second run
on it executes the current page file directly, without app.py (no sidebar, no
shared state). The real server clears the flag as soon as app.py calls
st.navigation; `NavigationPagesManager` clears it in AppTest the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from model.text import tr

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


class NavigationPagesManager(PagesManager):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def install() -> None:
    """Make AppTest build NavigationPagesManager (tests: via monkeypatch instead)."""
    app_test_module.PagesManager = NavigationPagesManager  # type: ignore[misc]


def make_app(page: str | None = None, *, lang: str = "vi") -> AppTest:
    """A fresh app session, run once, optionally switched to a page file (pages/<page>.py)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def _as_read(cell: str) -> str:
    """A table cell as a person reads it: escapes removed, no-break spaces as spaces, zero-width spaces gone."""
    return plain(cell.strip()).replace("\u00a0", " ").replace("\u200b", "")


def markdown_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every Markdown table on the page, as a person reads it: indexed by the first column, escapes
    removed, no-break spaces as spaces."""
    frames = []
    for element in at.markdown:
        lines = [line for line in str(element.value).splitlines() if line.startswith("|")]
        if len(lines) < 2 or not set(lines[1]) <= set("|:- "):
            continue
        rows = [[_as_read(cell) for cell in _CELL.split(line.strip()[1:-1])] for line in lines]
        frame = pd.DataFrame(rows[2:], columns=rows[0])
        frames.append(frame.set_index(rows[0][0]))
    return frames


def scorecard(at: AppTest) -> pd.DataFrame:
    """The Overview's (or the Scenario page's) scorecard as shown, indexed by indicator label."""
    return markdown_tables(at)[0]


def scorecard_cell(at: AppTest, label: str, column_key: str) -> str:
    """One cell of the Overview's scorecard, the column named by its strings key (e.g. "table.projected")."""
    return str(scorecard(at).loc[label, tr(at.session_state["lang"], column_key)])


_ESCAPE = re.compile(r"\\(.)")
_CELL = re.compile(r"(?<!\\)\|")


def plain(markdown: str) -> str:
    """What a person reads from a Markdown element's source: backslash escapes removed."""
    return _ESCAPE.sub(r"\1", markdown)


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    """A fresh session opened with a link's query parameters (the app first, as a browser would), then the page."""
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    """Click the button with this label and run the app."""
    next(b for b in at.button if b.label == label).click()
    return at.run()


def _without_data(node: object) -> object:
    if isinstance(node, dict):
        return {k: _without_data(v) for k, v in node.items() if k not in ("data", "datasets")}
    if isinstance(node, list):
        return [_without_data(v) for v in node]
    return node


def assert_draws_like(spec: dict, direct: dict) -> None:
    """A spec filled in per rerun (ui/charts.filled_spec) is valid Vega-Lite and draws what the chart built
    directly with Altair draws: the same marks, encodings and scales, data aside."""
    import altair as alt

    alt.LayerChart.from_dict({k: v for k, v in spec.items() if k != "datasets"}, validate=True)
    assert _without_data(spec) == _without_data(direct)
