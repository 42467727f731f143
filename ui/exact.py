"""Exact values for a numeric lever: a box in the locale's number format with − / + steps beside its slider.

One widget for the sidebar, the Scenario page and the phone panel. Streamlit's number input cannot show
the locale's format (it shows 3.0 and 50000 in Vietnamese, and Chromium drops a typed comma), so the box
is a text input holding the value as the app writes it (vi ``61,5`` and ``5.000``, en ``61.5`` and
``5,000``), read back with Babel. The value used is always on the lever's step grid and inside its range;
when it differs from what was typed, or the text was read in the other language's convention, a one-line
note says so once. Text that is no number changes nothing and says so.

Cost: a box is three widgets (− , the text, +) with no container of its own: the levers and their boxes
share one container per block, laid out by EXACT_CSS as a grid (keys ``exact_stack_*``: the slider on its
own row, the box under it; ``exact_inline_*``: slider and box on one row, for a phone). Where every run
draws them for nothing most of the time (the sidebar, on every page), `exact_popover` draws them only
while its small button is open; the Scenario page draws them in open groups only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import streamlit as st
from babel.numbers import NumberFormatError, parse_decimal

from model.text import LOCALES, number, tr
from ui import cached, state, widgets
from ui.i18n import md_escape
from ui.keys import Keys

STACK = "exact_stack_"  # container key prefixes (EXACT_CSS)
INLINE = "exact_inline_"
OTHER_LANG = {"vi": "en", "en": "vi"}
_NUMBER_TEXT = re.compile(r"^-?[0-9.,]*[0-9][0-9.,]*$")

# Sent once per run with the sidebar's "main levers" heading (app.py): a style in an element the sidebar
# has anyway, not a separate style element (see ui.tables.TABLE_CSS on why). The keys of a box's three
# widgets all end in "_exact…", which is how the grid tells them from the sliders and the notes.
EXACT_CSS = """<style>
[class*="st-key-exact_stack_"], [class*="st-key-exact_inline_"] {
  display: grid; column-gap: 0.375rem; row-gap: 0.5rem; align-items: end; }
[class*="st-key-exact_stack_"] { grid-template-columns: 2.5rem 6.5rem 2.5rem minmax(0, 1fr); }
[class*="st-key-exact_inline_"] { grid-template-columns: minmax(0, 1fr) 2.5rem 4.75rem 2.5rem; }
[class*="st-key-exact_stack_"] > *, [class*="st-key-exact_inline_"] > * { grid-column: 1 / -1; }
[class*="st-key-exact_stack_"] > [class*="_exact"], [class*="st-key-exact_inline_"] > [class*="_exact"],
[class*="st-key-exact_inline_"] > :has([data-testid="stSlider"]) { grid-column: auto; }
[class*="st-key-exact_stack_"] > [class*="_exact_up"] + * { margin-top: 0.25rem; }
[class*="st-key-exact_"] [class*="_exact"] input { text-align: center; padding-left: 0.25rem; padding-right: 0.25rem; }
[class*="st-key-exact_"] [class*="_exact_"] button { min-width: 0; padding-left: 0; padding-right: 0; font-size: 1.125rem; }
</style>"""


def exact_key(page: str, lever_id: str) -> str:
    """The text box's key; its − and + are ``<key>_down`` and ``<key>_up``."""
    return f"{page}_{lever_id}_exact"


# ------------------------------------------------------------------ reading a typed number


@dataclass(frozen=True)
class Reading:
    value: float
    other_convention: bool  # read as the other language writes numbers (vi "61.5" → 61.5): say so


def _parse(text: str, lang: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=LOCALES[lang], strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None


def read_number(text: str, lang: str, *, decimals: int) -> Reading | None:
    """A typed number, or None when the text is no number.

    The rule: the session language's format first (vi ``61,5`` ``5.000`` ``3.000,5``; en ``61.5``
    ``5,000`` ``3,000.5``), strictly (groups of three). Text that is valid only in the other language's
    format is read that way (vi ``61.5`` is 61,5: a point followed by one digit cannot group thousands),
    and so is flagged. Text valid in both with different meanings (en ``50.000``: 50, vi: 50 000) is read
    in the session's format; it is flagged too unless it is exactly how the app writes that value
    (vi ``50.000`` on a whole-number lever). Spaces, a trailing %, a leading + and the − sign are allowed.
    """
    s = unicodedata.normalize("NFKC", str(text)).replace("\u2212", "-").replace("\u2013", "-")
    s = re.sub(r"\s+", "", s).removesuffix("%")
    s = s.removeprefix("+")
    if not _NUMBER_TEXT.match(s):
        return None
    own, other = _parse(s, lang), _parse(s, OTHER_LANG[lang])
    if own is not None:
        flagged = other is not None and other != own and s.lstrip("-") != number(abs(float(own)), lang, decimals)
        return Reading(float(own), flagged)
    if other is not None:
        return Reading(float(other), True)
    return None


# ------------------------------------------------------------------ callbacks


def _remember(key: str, lever_id: str, **note: object) -> None:
    notes = dict(st.session_state.get(Keys.EXACT_NOTES, {}))
    notes[key] = {"lever": lever_id, "used": state.levers()[lever_id], **note}
    st.session_state[Keys.EXACT_NOTES] = notes


def _on_typed(lever_id: str, key: str) -> None:
    """A typed value: read, onto the grid and into the range, into the scenario; a note when it moved."""
    if widgets.stale_echo(key):
        return  # the browser's old text, sent before it showed the value the app set (widgets.push)
    text = st.session_state.get(key)
    if text is None or not str(text).strip():
        return  # emptied: the lever keeps its value and the box shows it again
    lv = cached.get_plan().lever(lever_id)
    reading = read_number(str(text), state.lang(), decimals=lv.decimals)
    if reading is None:
        _remember(key, lever_id, typed=str(text), read=None, other=False)
        return
    snapped = widgets.snap_lever_value(lever_id, reading.value)
    widgets.set_lever(lever_id, snapped)
    if reading.other_convention or abs(snapped - reading.value) > 1e-9:
        _remember(key, lever_id, typed=str(text), read=reading.value, other=reading.other_convention)


def _on_step(lever_id: str, steps: int) -> None:
    """− / +: one step along the lever's grid, never beyond its ends."""
    options = widgets.lever_options(lever_id)
    current = float(state.levers()[lever_id])
    index = min(range(len(options)), key=lambda i: abs(options[i] - current))
    widgets.set_lever(lever_id, options[min(max(index + steps, 0), len(options) - 1)])


# ------------------------------------------------------------------ drawing


@functools.cache
def _example(language: str) -> str:
    return number(1234.5, language, 1)


def note_text(note: dict, language: str) -> str:
    """The note under a box: how the text was read, and the value used (or that nothing changed)."""
    lever_id = str(note["lever"])
    lv = cached.get_plan().lever(lever_id)
    typed = md_escape(str(note["typed"]).strip())
    used = widgets.format_lever_value(lever_id, note["used"], language)
    read = note["read"]
    if read is None:
        return "⚠️ " + tr(language, "phone.not_a_number", typed=typed, used=used, example=_example(language))
    read_text = number(float(read), language, max(lv.decimals, 2), trim=True)
    parts = []
    if note["other"]:
        parts.append(tr(language, "phone.read_as", typed=typed, read=read_text, example=_example(language)))
    if abs(float(read) - float(note["used"])) > 1e-9:
        if lv.lo <= float(read) <= lv.hi:
            parts.append(
                tr(language, "phone.snapped", typed=read_text, used=used, step=number(lv.step_size, language, lv.decimals))
            )
        else:
            lo, hi = number(lv.lo, language, lv.decimals), number(lv.hi, language, lv.decimals)
            parts.append(tr(language, "phone.clamped", typed=read_text, used=used, lo=lo, hi=hi))
    elif note["other"]:
        parts.append(tr(language, "phone.used", used=used))
    return " ".join(parts)


def _take_note(key: str, lever_id: str) -> dict | None:
    """The note for this box, once; dropped if the lever has moved since (the note would be stale)."""
    notes = st.session_state.get(Keys.EXACT_NOTES)
    if not notes or key not in notes:
        return None
    notes = dict(notes)
    note = notes.pop(key)
    st.session_state[Keys.EXACT_NOTES] = notes
    if note["used"] != state.levers()[lever_id]:
        return None
    return note


def exact_box(lever_id: str, *, key: str, label: str, language: str) -> None:
    """− , the value in the locale's format, + ; then the note, if any. Draw inside an ``exact_*`` container.

    ``label``: the box's name for screen readers (it is not shown: the slider above names the lever).
    """
    options = widgets.lever_options(lever_id)
    current = state.levers()[lever_id]
    widgets.push(key, widgets.format_lever_value(lever_id, current, language))
    st.button("−", key=f"{key}_down", on_click=_on_step, args=(lever_id, -1), disabled=current <= options[0], width="stretch")
    st.text_input(label, key=key, on_change=_on_typed, args=(lever_id, key), label_visibility="collapsed")
    st.button("+", key=f"{key}_up", on_click=_on_step, args=(lever_id, 1), disabled=current >= options[-1], width="stretch")
    note = _take_note(key, lever_id)
    if note is not None:
        st.caption(note_text(note, language))


def popover_key(page: str, lever_id: str) -> str:
    return f"{page}_{lever_id}_typing"


def exact_popover(lever_id: str, *, page: str, language: str) -> None:
    """The box drawn lazily: a small button under the slider opens − , the value, + (drawn only while open).

    For the sidebar, drawn on every page of every run: three widgets per lever cost about as much as the
    slider itself, a closed popover a fraction. Its label is fixed (the popover's identity includes it:
    a label with the value would close it at every step); its open state is carried in its key.
    """
    key = popover_key(page, lever_id)
    st.session_state[key] = bool(st.session_state.get(key, False))
    popover = st.popover(tr(language, "phone.type_exact"), key=key, icon=":material/edit:", type="tertiary", on_change="rerun")
    if popover.open:
        with popover, st.container(key=f"{STACK}{page}_{lever_id}"):
            exact_box(lever_id, key=exact_key(page, lever_id), label=box_label(lever_id, language), language=language)


@functools.cache
def box_label(lever_id: str, language: str) -> str:
    """ "Type a value: New coops founded in the year (coops / yr)"."""
    lever = cached.get_plan().lever(lever_id)
    unit = lever.unit(language)
    name = f"{lever.label(language)} ({unit})" if unit else lever.label(language)
    return tr(language, "phone.exact", label=name)
