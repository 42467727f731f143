"""User-facing words and numbers: the strings files (one per language) and
locale-aware number formatting with Babel (vi ``1.941,0``, en ``1,941.0``).

Shared by the app and the command line; no Streamlit here.
"""

from __future__ import annotations

import decimal
import functools
import math
import tomllib
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
    """The text for key in lang, with {placeholders} filled. A missing key raises KeyError."""
    text = strings(lang)[key]
    return text.format(**values) if values else text


def number(value: float, lang: str, decimals: int = 0) -> str:
    """A number in the locale's format with a fixed number of decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
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


def percent(value: float, lang: str, decimals: int = 0) -> str:
    """A fraction (0.647) as a percent in the locale's format (64,7 %)."""
    if value is None or not math.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    with decimal.localcontext() as ctx:
        ctx.prec = 400
        return format_percent(value, format=pattern, locale=LOCALES[lang])
