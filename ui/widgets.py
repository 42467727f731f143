"""Widgets synced to the session: a widget never owns what it shows.

Each widget's value is set from the stored one (the scenario in ui/state.py, or a plain session key)
right before it is drawn, and its callback writes the change back (`synced`). So the same lever moved on any
page is seen on every other, and a choice survives pages that do not draw its widget. A widget whose option
labels change (with the language, or with the scenario) has one key per set of labels (`Keys.labelled`):
the browser keeps showing a widget's old labels otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from model.plan import Lever
from model.settings import TOLERANCE_OPTIONS
from model.text import number, tolerance_text
from ui import state
from ui.cached import get_plan
from ui.keys import Keys


def synced(
    widget: Callable[..., Any],
    *args: Any,
    key: str,
    value: Any,
    store: str | None = None,
    stored: Callable[[Any], Any] = lambda value: value,
    save: Callable[[Any], None] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw ``widget(*args, key=key, **kwargs)`` showing ``value`` — the one way a widget shows a value that
    lives elsewhere (a setting, a choice, a lever): whether or not the widget is drawn, on any page.

    A person's change is kept with ``save(widget value)``, or under ``store`` as ``stored(widget value)``.
    The browser's echo of a value the app replaced is not a change (see `push`)."""
    push(key, value)

    def _changed() -> None:
        if stale_echo(key):
            return
        new = st.session_state[key]
        if save is not None:
            save(new)
        elif store is not None:
            st.session_state[store] = stored(new)

    return widget(*args, key=key, on_change=_changed, **kwargs)


# ------------------------------------------------------------ lever widgets
def is_integer_lever(lv: Lever) -> bool:
    return all(float(x).is_integer() for x in (lv.lo, lv.hi, lv.step_size, float(lv.default)))


@functools.cache
def lever_options(lever_id: str) -> tuple[float, ...]:
    """Every value a lever can take (its step grid), as the slider's options."""
    lv = get_plan().lever(lever_id)
    n = round((lv.hi - lv.lo) / lv.step_size)
    grid = np.round(lv.lo + np.arange(n + 1) * lv.step_size, 10)
    if is_integer_lever(lv):
        return tuple(int(x) for x in grid)
    return tuple(float(x) for x in grid)


def snap_lever_value(lever_id: str, value: float) -> int | float:
    """``Lever.snap`` as one of the slider's options (the very object, an int on a whole-number grid): a typed
    2.3 on a 0.5 grid is 2.5."""
    lv = get_plan().lever(lever_id)
    return lever_options(lever_id)[round((lv.snap(value) - lv.lo) / lv.step_size)]


@functools.cache
def _option_labels(lever_id: str, language: str) -> dict[float, str]:
    lv = get_plan().lever(lever_id)
    return {x: number(x, language, lv.decimals) for x in lever_options(lever_id)}


def format_lever_value(lever_id: str, value: Any, language: str) -> str:
    """A lever value in the locale's format (choices by their label)."""
    lv = get_plan().lever(lever_id)
    if not lv.is_number:
        return lv.choice_label(str(value), language)
    labels = _option_labels(lever_id, language)
    return labels.get(value) or number(float(value), language, lv.decimals)


def indicator_select(label: str, *, key: str) -> str:
    """A picker of the 17 indicators (labels in the session language); returns the chosen id, stored
    under ``key`` (the widget's own key carries the language)."""
    plan = get_plan()
    language = state.lang()
    labels = {target.id: target.label(language) for target in plan.targets}
    chosen = st.session_state.get(key)
    if chosen not in labels:
        chosen = plan.targets[0].id
        st.session_state[key] = chosen
    synced(
        st.selectbox,
        label,
        options=list(labels),
        format_func=labels.__getitem__,
        store=key,
        key=Keys.labelled(key, language),
        value=chosen,
    )
    return str(st.session_state[key])




@functools.cache
def _tolerance_labels(language: str) -> dict[float, str]:
    return {x: tolerance_text(x, language) for x in TOLERANCE_OPTIONS}


def tolerance_widget(*, label: str, help_text: str) -> None:
    """The "close" tolerance in percent, a slider like the levers (labels in the locale's format).

    The value lives in ``Keys.TOLERANCE``; the widget is synced to it.
    """
    current = state.tolerance_percent()
    synced(
        st.select_slider,
        label,
        options=TOLERANCE_OPTIONS,
        format_func=_tolerance_labels(state.lang()).__getitem__,
        help=help_text,
        store=Keys.TOLERANCE,
        key=Keys.SIDEBAR_TOLERANCE,
        value=min(TOLERANCE_OPTIONS, key=lambda x: abs(x - current)),
        stored=float,
    )


def push(key: str, value: Any) -> None:
    """Set a synced widget's value before drawing it (the scenario moved elsewhere), remembering what the
    browser showed before, until the browser reports the new value.

    One lever has several widgets (sidebar, page, phone panel, value box). The browser sends every
    widget's value with every rerun; until it has drawn this run's values, it still sends the old value of
    a widget the app changed, and that looks like the user moving it back: two quick key presses on the
    sidebar slider set the lever back to where it was (seen in Chromium). `stale_echo` tells them apart.
    """
    ss = st.session_state
    pushed = ss.setdefault(Keys.PUSHED, {})
    if key in ss:
        before = ss[key]
        if before != value:
            pushed[key] = before
        else:
            pushed.pop(key, None)  # the browser shows what the app set: nothing stale can come any more
    ss[key] = value


def stale_echo(key: str) -> bool:
    """True when a widget's "change" is the browser sending again the value the app replaced (see `push`):
    its callback must ignore it. A person cannot move a widget the app just moved back to exactly its
    old value before the browser has even drawn the new one."""
    pushed = st.session_state.get(Keys.PUSHED, {})
    return key in pushed and st.session_state.get(key) == pushed[key]


def set_lever(lever_id: str, value: Any) -> None:
    """Set one lever from a widget value (a number lever stores a float)."""
    lv = get_plan().lever(lever_id)
    state.set_levers({lever_id: float(value) if lv.is_number else value})


def lever_widget(lever_id: str, *, page: str, label: str, help_text: str | None = None) -> None:
    """Draw one lever's control (a slider on its step grid, or a radio for a choice).

    The widget key is ``Keys.lever_widget(page, lever_id)``; its value is set from the
    scenario before drawing, and the callback writes it back.
    """
    plan = get_plan()
    lv = plan.lever(lever_id)
    key = Keys.lever_widget(page, lever_id)
    language = state.lang()
    current = state.levers()[lever_id]
    save = functools.partial(set_lever, lever_id)
    if not lv.is_number:
        synced(
            st.radio,
            label,
            options=list(lv.choices),
            format_func=lambda c: lv.choice_label(c, language),
            help=help_text,
            horizontal=True,
            key=key,
            value=current,
            save=save,
        )
        return
    options = lever_options(lever_id)
    value = int(current) if is_integer_lever(lv) else float(current)
    labels = _option_labels(lever_id, language)
    if value not in labels:
        value = snap_lever_value(lever_id, value)  # off the grid (should not happen: inputs are validated)
    synced(
        st.select_slider, label, options=options, format_func=labels.__getitem__, help=help_text, key=key, value=value, save=save
    )
