"""The participant's panel on a phone: the x/17 result kept in view, and the main levers in the page.

On a phone the sidebar is a drawer over three quarters of the screen: a participant moving a slider
there cannot see the result. `participant_panel` draws, in the page, a summary that sticks to the top
of the screen (the count of targets reached and close, and the targets whose status the last move
flipped) and the main levers, each a slider with − / + steps and a box for an exact value beside it
(ui.exact). The panel is shown only on narrow screens (ui.tables.TABLE_CSS hides it above 640 px);
the desktop keeps the sidebar.

Cost: a workshop's participants share one server core, so a rerun here only reads cached things
(the year-end values, the scorecard view, labels) and sends ~11 elements.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import streamlit as st

from model.text import number, tr
from ui import cached, exact, state, widgets
from ui.i18n import STATUS_ICONS, md_escape
from ui.keys import Keys
from ui.tables import TABLE_CSS, scorecard_view

MAX_CHANGES = 4  # lines of flipped targets in the summary; the rest as "… and n more"


def panel_key(page: str) -> str:
    """The panel's container key: its element has the class ``st-key-phone_panel_<page>`` (TABLE_CSS)."""
    return f"phone_panel_{page}"


def summary_key(page: str) -> str:
    return f"phone_summary_{page}"


def _panel(page: str) -> str:
    """The page name the panel's lever widgets are keyed under (ui.keys.Keys.lever_widget)."""
    return f"{page}_phone"


def slider_key(page: str, lever_id: str) -> str:
    return Keys.lever_widget(_panel(page), lever_id)


def exact_key(page: str, lever_id: str) -> str:
    """The lever's value box (ui.exact); its − and + are keyed ``<this>_down`` and ``<this>_up``."""
    return exact.exact_key(_panel(page), lever_id)


# ------------------------------------------------------------------ summary


def changed_statuses(before: Mapping[str, str], after: Mapping[str, str]) -> list[tuple[str, str]]:
    """(target id, new status) of every target whose status differs, in the plan's order."""
    return [(target_id, status) for target_id, status in after.items() if before.get(target_id, status) != status]


def remember_move(view_statuses: Mapping[str, str], year_end: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """The targets the last move flipped: (target id, projection before, after), kept per session.

    A rerun that changed neither the scenario nor the tolerance (a page switch, the language) keeps
    showing the last move's flips; a move that flipped nothing lists nothing.
    """
    ss = st.session_state
    key = (state.scenario_key(), state.tolerance())
    last = ss.get(Keys.PHONE_STATUSES)
    if last is not None and last["key"] == key:
        return last["changes"]
    changes = []
    if last is not None:
        changes = [
            (target_id, last["year_end"].get(target_id, math.nan), year_end[target_id])
            for target_id, _ in changed_statuses(last["statuses"], view_statuses)
        ]
    ss[Keys.PHONE_STATUSES] = {"key": key, "statuses": view_statuses, "year_end": year_end, "changes": changes}
    return changes


@functools.cache
def _change_text(target_id: str, status: str, language: str) -> str:
    target = cached.get_plan().target(target_id)
    return f"{STATUS_ICONS[status]} {md_escape(target.label(language))}: {tr(language, 'phone.now_' + status)}"


def summary_markdown(
    counts: Mapping[str, int], statuses: Mapping[str, str], changes: list[tuple[str, float, float]], language: str
) -> str:
    """The summary: "**5/17 reached · 3 close**" and one line per flipped target ("✅ New coops: now reached (60 → 85)")."""
    plan = cached.get_plan()
    total = sum(counts.values())
    lines = [f"**{tr(language, 'phone.summary', reached=counts['reached'], total=total, close=counts['close'])}**"]
    for target_id, before, after in changes[:MAX_CHANGES]:
        decimals = plan.target(target_id).decimals
        values = f"{number(before, language, decimals)} → {number(after, language, decimals)}"
        lines.append(f"{_change_text(target_id, statuses[target_id], language)} ({values})")
    if len(changes) > MAX_CHANGES:
        lines.append(tr(language, "phone.more", n=len(changes) - MAX_CHANGES))
    return "  \n".join(lines)


# ------------------------------------------------------------------ levers


@functools.cache
def _labels(lever_id: str, language: str) -> tuple[str, str]:
    """The slider's label and its help."""
    lever = cached.get_plan().lever(lever_id)
    unit = lever.unit(language)
    label = f"{lever.label(language)} ({unit})" if unit else lever.label(language)
    return label, lever.help(language)


# ------------------------------------------------------------------ the panel


def participant_panel(page: str, *, year_end: Mapping[str, float] | None = None) -> None:
    """The phone panel on ``page`` (widget keys start with ``page``): sticky summary, then the main levers.

    Hidden on screens wider than 640 px (TABLE_CSS, sent with the summary). ``year_end``: the current
    scenario's year-end values when the page has them already (else read from the cache).
    """
    language = state.lang()
    if year_end is None:
        year_end = cached.year_end(*state.scenario_key())
    view = scorecard_view(year_end)
    changes = remember_move(view.statuses, year_end)
    with st.container(key=panel_key(page)):
        with st.container(key=summary_key(page)):
            summary = summary_markdown(view.counts, view.statuses, changes, language)
            st.markdown(f"{summary}\n\n{TABLE_CSS}", unsafe_allow_html=True)
        # Slider, − , the value, + on one row per lever (ui.exact.EXACT_CSS), one container for all five.
        with st.container(key=f"{exact.INLINE}{page}"):
            for lever_id in cached.get_plan().main_levers:
                label, help_text = _labels(lever_id, language)
                widgets.lever_widget(lever_id, page=_panel(page), label=label, help_text=help_text)
                exact.exact_box(
                    lever_id, key=exact_key(page, lever_id), label=exact.box_label(lever_id, language), language=language
                )
