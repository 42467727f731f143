"""Words and numbers in the session's language (strings from data/strings/<lang>.toml)."""

from __future__ import annotations

import re
from typing import Any

from model.text import number, tr
from ui.cached import get_plan
from ui.state import lang


def t(key: str, **values: Any) -> str:
    """The text for key in the session's language."""
    return tr(lang(), key, **values)


def num(value: float, decimals: int = 0) -> str:
    return number(value, lang(), decimals)


def indicator_value(indicator_id: str, value: float) -> str:
    """An indicator's value with the decimals its target is shown with."""
    return number(value, lang(), get_plan().target(indicator_id).decimals)


STATUS_ICONS = {"reached": "✅", "close": "🟡", "missed": "❌"}


def status_label(status: str, language: str | None = None) -> str:
    """Icon and word ("✅ Đạt"), in ``language`` or the session's: a status is never colour alone."""
    return f"{STATUS_ICONS[status]} {tr(language or lang(), 'status.' + status)}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


_AUTOLINK = re.compile(r"(://|www\.|@)", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")  # Markdown's line endings
ZWSP = "\u200b"
# Streamlit's Markdown reads a colon followed by a name as its own syntax: ":red[x]" (colour, badge,
# small, shimmer directives), ":material/home:" (icon), ":streamlit:" (logo image), ":smile:" (emoji).
# Icons and emoji are found in the text after backslash escapes are removed, so "\\:" is not enough.
# A colon at the end of the text is marked too: the text after it is the caller's.
_COLON_NAME = re.compile(r":(?=[^\s\u200b]|\Z)")
# Streamlit also turns "->", "<-", "<->", "--", ">=", "<=", "~=" standing alone into arrows, dashes and signs.
_TYPOGRAPHY = re.compile(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)")


def md_escape(text: str) -> str:
    """Text from outside (a link, a name, a file) shown literally inside Markdown: no links, no HTML, no styling.

    Markdown escapes alone do not stop GitHub-style autolinks ("http://x", "www.x", "a@b")
    nor Streamlit's colon syntax (":red[x]", ":material/home:", ":smile:") and typography
    ("->" → "→"): a zero-width space inside the marker does, invisibly. Line breaks become spaces.
    """
    # A line break could end the list item or message the text sits in ("\n  ===" makes a heading).
    one_line = _LINE_BREAK.sub(" ", text)
    unlinked = _AUTOLINK.sub(lambda m: m.group(1)[:-1] + ZWSP + m.group(1)[-1], one_line)
    plain = _COLON_NAME.sub(":" + ZWSP, unlinked)
    plain = _TYPOGRAPHY.sub(lambda m: m.group(1)[0] + ZWSP + m.group(1)[1:], plain)
    return _MD_SPECIAL.sub(r"\\\1", plain)


def heading(label: str, unit: str) -> str:
    """Bold indicator name with its unit (Markdown), above a chart."""
    return f"**{label}** ({unit})" if unit else f"**{label}**"


def with_unit(text: str, unit: str) -> str:
    """A value and its unit ("85 HTX"); the value alone when the unit is empty."""
    return f"{text} {unit}" if unit else text
