"""Numbers in the user's language (model/text.py, Babel): vi 1.941,0 and en 1,941.0."""

from __future__ import annotations

import math

import pytest

from model.text import number, percent, signed, tolerance_text, tr


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "text"),
    [
        (1941.0, "vi", 1, "1.941,0"),
        (1941.0, "en", 1, "1,941.0"),
        (3000, "vi", 0, "3.000"),
        (3000, "en", 0, "3,000"),
        (36_066.3166, "vi", 0, "36.066"),
        (53.76, "vi", 2, "53,76"),
        (1_234_567.891, "en", 2, "1,234,567.89"),
        (0, "vi", 0, "0"),
    ],
)
def test_number(value: float, lang: str, decimals: int, text: str) -> None:
    assert number(value, lang, decimals) == text


@pytest.mark.parametrize("value", [math.nan, math.inf, None])
def test_number_not_finite_is_a_dash(value: float) -> None:
    assert number(value, "vi") == "–"
    assert signed(value, "en") == "–"
    assert percent(value, "en") == "–"


def test_signed() -> None:
    assert signed(12.5, "vi", 1) == "+12,5"
    assert signed(-3, "en") == "−3"  # a true minus sign
    assert signed(0.0001, "en", 1) == "0.0"  # rounds to zero: no sign


def test_percent() -> None:
    # A fraction in, percent out; only the digits are locale-specific here.
    assert percent(0.647, "vi", 1).startswith("64,7")
    assert percent(0.647, "en", 1).startswith("64.7")


def test_unknown_language_and_key() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        tr("fr", "anything")
    with pytest.raises(KeyError):
        tr("en", "no.such.key.anywhere")


def test_number_formats_any_float() -> None:
    """Regression: Babel raised decimal.InvalidOperation from about 1e26 on (28-digit default precision)."""
    assert number(1e28, "en") == "10,000,000,000,000,000,000,000,000,000"
    assert number(1e308, "vi", 1).endswith(",0")


def test_a_text_without_values_keeps_its_braces_as_written() -> None:
    # Regression: the strings file doubled the braces of a text that is never formatted, so a file that is
    # not a JSON object was described as "({{ … }})" in both languages.
    assert tr("en", "problem.not_object") == "The file must hold a JSON object ({ … })."
    assert tr("vi", "problem.not_object") == "Tệp phải chứa một đối tượng JSON (dạng { … })."


def test_the_tolerance_is_written_one_way() -> None:
    """The slider, the link report, the Compare legend and the Excel "about" sheet all write it like this."""
    assert (tolerance_text(5.0, "vi"), tolerance_text(2.5, "en"), tolerance_text(0.0, "vi")) == ("5,0%", "2.5%", "0,0%")
