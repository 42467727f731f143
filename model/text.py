"""User-facing words and numbers: the strings files (one per language) and
locale-aware number formatting with Babel (vi ``1.941,0``, en ``1,941.0``).

Shared by the app and the command line; no Streamlit here.
"""

from __future__ import annotations

import decimal
import functools
import math
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent

from model.plan import DATA_DIR

LANGS: tuple[str, ...] = ("vi", "en")
DEFAULT_LANG = "vi"
STRINGS_DIR = DATA_DIR / "strings"
LOCALES = {"vi": "vi_VN", "en": "en_US"}


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@functools.cache
def strings(lang: str) -> Mapping[str, str]:
    """Flat mapping "section.key" → text for one language, from data/strings/<lang>.toml."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    path = Path(STRINGS_DIR) / f"{lang}.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, str] = {}
    _flatten("", raw, out)
    return out


def tr(lang: str, key: str, **values: Any) -> str:
    """The text for key in lang, with {placeholders} filled. A missing key raises KeyError.

    Only a text given values is formatted: one without placeholders is returned as written, braces and all
    (the equations on Data & sources are LaTeX: ``\\frac{1}{12}``), so it must not double them."""
    text = strings(lang)[key]
    return text.format(**values) if values else text


def number(value: float, lang: str, decimals: int = 0, *, trim: bool = False) -> str:
    """A number in the locale's format with a fixed number of decimals (``trim``: at most that many,
    trailing zeros dropped: 48,1 rather than 48,10)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    pattern = "#,##0" + ("." + ("#" if trim else "0") * decimals if decimals > 0 else "")
    # Babel works in Decimal: give it room for any float (the default 28 digits
    # raise InvalidOperation from about 1e26 on).
    with decimal.localcontext() as ctx:
        ctx.prec = 400
        return format_decimal(value, format=pattern, locale=LOCALES[lang])


def signed(value: float, lang: str, decimals: int = 0) -> str:
    """A number with an explicit sign (+12,5 / −3)."""
    if value is None or not math.isfinite(value):
        return "–"
    text = number(abs(value), lang, decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def tolerance_text(tolerance_percent: float, lang: str) -> str:
    """The "close" tolerance as people set it: "5,0%" / "5.0%" (one decimal, the setting's 0.5 grid)."""
    return number(tolerance_percent, lang, 1) + "%"


def percent(value: float, lang: str, decimals: int = 0) -> str:
    """A fraction (0.647) as a percent in the locale's format (64,7 %)."""
    if value is None or not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    with decimal.localcontext() as ctx:
        ctx.prec = 400
        return format_percent(value, format=pattern, locale=LOCALES[lang])


# ------------------------------------------------------------------ labels

# Bidirectional overrides, embeddings and isolates can make a name display as something else.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing: Hangul fillers and the blank braille pattern.
FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
ZWJ = "\u200d"
ELLIPSIS = "…"


def _extender(ch: str) -> bool:
    """Belongs to the character before it: combining marks (incl. variation selectors) and emoji tag characters."""
    return unicodedata.category(ch).startswith("M") or 0xE0020 <= ord(ch) <= 0xE007F


def _invisible(ch: str) -> bool:
    """Draws nothing on its own: format characters (U+200B, U+2060, U+FEFF, …), fillers, variation selectors."""
    code = ord(ch)
    return (
        ch in FILLERS
        or unicodedata.category(ch) == "Cf"
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
        or code == 0x034F  # combining grapheme joiner
    )


def _blank(ch: str) -> bool:
    return ch == " " or _invisible(ch)


def _skin_tone(ch: str) -> bool:
    return 0x1F3FB <= ord(ch) <= 0x1F3FF


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def clean_label(text: str, *, limit: int | None = None) -> str:
    """A name or label from outside (a scenario file, the workshop board), as the app keeps and shows it.

    The one rule for every user-supplied name:

    - line breaks, tabs and other spaces become a space, and runs of them one space;
    - control characters, lone surrogates and bidi overrides/embeddings/isolates go;
    - a combining mark, variation selector or emoji tag with nothing visible to
      attach to (at the start, after a space or an invisible character) goes;
    - invisible characters (zero-width and other format characters, Hangul
      fillers, the blank braille pattern) are stripped at both ends, so a label
      made only of them is empty; inside a label they stay (the ZWJ in 👨‍👩‍👧);
    - the result is NFC (Vietnamese letters precomposed: "ó", not "o" + U+0301).

    ``limit``: at most this many characters; a longer label is cut before a whole
    letter or emoji sequence and ends with "…". Callers that must refuse rather
    than shorten (the board) compare the length themselves.
    """
    kept: list[str] = []
    for ch in unicodedata.normalize("NFC", "".join(c for c in str(text) if unicodedata.category(c) != "Cs")):
        if ch.isspace():
            if kept and kept[-1] != " ":
                kept.append(" ")
            continue
        if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS:
            continue
        if _extender(ch):
            base = next((c for c in reversed(kept) if not _extender(c)), None)
            if base is None or _blank(base):
                continue
        kept.append(ch)
    # Every extender left is attached to something visible: strip only what stands alone.
    start, end = 0, len(kept)
    while start < end and _blank(kept[start]) and not _extender(kept[start]):
        start += 1
    while end > start and _blank(kept[end - 1]) and not _extender(kept[end - 1]):
        end -= 1
    label = unicodedata.normalize("NFC", "".join(kept[start:end]))
    if limit is not None and len(label) > limit:
        label = _shorten(label, limit)
    return label


def _shorten(label: str, limit: int) -> str:
    """At most ``limit`` characters ending in "…", not parting a letter from its marks nor an emoji sequence."""
    cut = max(limit - 1, 0)  # room for the ellipsis
    while 0 < cut < len(label) and (
        _extender(label[cut])
        or _skin_tone(label[cut])
        or ZWJ in (label[cut], label[cut - 1])
        or (_regional(label[cut]) and sum(1 for c in label[:cut] if _regional(c)) % 2 == 1)
    ):
        cut -= 1
    head = label[:cut].rstrip()
    while head and _blank(head[-1]) and not _extender(head[-1]):
        head = head[:-1]
    return head + ELLIPSIS if limit > 0 else ""
