"""The one cleaning rule for names from outside (model.text.clean_label): scenario files, the board.

Regression (issue 12, items 2 and 7a): a scenario file named "\\ud800" crashed Compare
with UnicodeEncodeError, and names of only zero-width or filler characters were saved
as blank entries.
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from model.plan import load_plan
from model.scenario import ScenarioError, from_json
from model.text import clean_label, number
from store.board import clean_text

PLAN = load_plan()
FAMILY = "👨\u200d👩\u200d👧"  # man ZWJ woman ZWJ girl
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # flag with tag characters

CASES: list[tuple[str, str, str]] = [
    # (what, given, cleaned)
    ("plain text stays", "Nhóm 3 – mạnh tay", "Nhóm 3 – mạnh tay"),
    ("markup is kept as typed (shown as text)", "**b** <i>x</i> [l](http://x)", "**b** <i>x</i> [l](http://x)"),
    ("line breaks and tabs become spaces", "line\nbreak\ttab\r\nend", "line break tab end"),
    ("runs of spaces collapse", "a    b \u00a0\u3000 c", "a b c"),
    ("ends are stripped", "  \t name \n", "name"),
    ("control characters go", "Nhóm\x00 1\x07\x1b[0m", "Nhóm 1[0m"),
    ("C1 controls go", "a\x80\x9fb", "ab"),
    ("a lone surrogate goes", "\ud800", ""),
    ("lone surrogates inside go", "half\ud800 a pair\udfff", "half a pair"),
    ("bidi override goes", "\u202eevil\u202c name", "evil name"),
    ("bidi isolates and embeddings go", "\u2066a\u2069\u202ab\u202c\u202bc\u202d", "abc"),
    ("zero-width space only is empty", "\u200b", ""),
    ("zero-width characters only are empty", "\u200b\u200c\u200d\u2060\ufeff", ""),
    ("Hangul filler only is empty", "\u3164", ""),
    ("fillers and blanks only are empty", "\u115f\u1160\uffa0\u2800 \u3164", ""),
    ("a combining mark alone is empty", "\u0301", ""),
    ("marks after an invisible are empty", "\u200b\u0301\u0323", ""),
    ("a variation selector alone is empty", "\ufe0f", ""),
    ("invisible ends are stripped", "\u200b\ufeffNhóm 1\u2060\u200d", "Nhóm 1"),
    ("a mark after a space goes", "a \u0301b", "a b"),
    ("Vietnamese decomposed → NFC", "Nho\u0301m Ly\u0301 Thu\u031bo\u031b\u0300ng", "Nhóm Lý Thường"),
    ("Vietnamese precomposed stays", "Sơn La – Mường Tè", "Sơn La – Mường Tè"),
    ("ZWJ inside an emoji sequence stays", f"Nhà {FAMILY}", f"Nhà {FAMILY}"),
    ("a variation selector at the end stays", "Yêu ❤\ufe0f", "Yêu ❤\ufe0f"),
    ("a keycap stays", "1\ufe0f\u20e3", "1\ufe0f\u20e3"),
    ("tag characters of a flag stay at the end", f"Team {SCOTLAND}", f"Team {SCOTLAND}"),
    ("zero-width space inside stays", "a\u200bb", "a\u200bb"),
    ("a Hangul filler inside stays", "a\u3164b", "a\u3164b"),
    ("line and paragraph separators are spaces", "a\u2028b\u2029c\x85d", "a b c d"),
]


@pytest.mark.parametrize(("given", "cleaned"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_clean_label(given: str, cleaned: str) -> None:
    assert clean_label(given) == cleaned
    # The board stores names by the same rule.
    assert clean_text(given) == cleaned


@pytest.mark.parametrize(("given", "cleaned"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cleaned_labels_are_stable_and_encodable(given: str, cleaned: str) -> None:
    out = clean_label(given)
    assert clean_label(out) == out
    out.encode("utf-8")  # no lone surrogates left
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize(
    ("given", "limit", "cleaned"),
    [
        ("x" * 100, 80, "x" * 79 + "…"),
        ("abcdef", 6, "abcdef"),
        ("abcdefg", 6, "abcde…"),
        ("abc  def", 5, "abc…"),  # no space before the ellipsis
        (f"abc{FAMILY}", 5, "abc…"),  # an emoji sequence is not cut in two
        ("ab🇻🇳🇻🇳", 5, "ab🇻🇳…"),  # nor a flag
        ("Nho\u0301m Lý", 4, "Nhó…"),
        ("abc", 0, ""),
    ],
)
def test_clean_label_limit(given: str, limit: int, cleaned: str) -> None:
    assert clean_label(given, limit=limit) == cleaned
    assert len(clean_label(given, limit=limit)) <= limit


@pytest.mark.parametrize(
    ("raw_name", "name"),
    [
        ("\\ud800", ""),
        ("\\u200b\\u3164", ""),
        ("a\\u202eb\\nc", "ab c"),
        ("Nho\\u0301m 3", "Nhóm 3"),
        ("y" * 200, "y" * 79 + "…"),
    ],
)
def test_scenario_file_names_are_cleaned(raw_name: str, name: str) -> None:
    """The file's name goes through the same rule (raw JSON escapes, as a file would hold them)."""
    text = '{"name": "' + raw_name + '"}'
    loaded = from_json(PLAN, text.encode("ascii"))
    assert loaded.scenario.name == name


def test_lone_surrogates_elsewhere_in_a_file_are_shown_as_replacement_characters() -> None:
    """A lone surrogate in a lever's value or key: the problem message can be encoded (it shows U+FFFD)."""
    text = '{"levers": {"new_coops": "\\ud800", "\\udfff": 1}, "plan": {"version": "\\ud800"}}'
    with pytest.raises(ScenarioError) as err:
        from_json(PLAN, text.encode("ascii"))
    for problem in err.value.lines:
        problem.encode("utf-8")
    assert any("\ufffd" in p for p in err.value.lines)
    # A valid pair (an emoji written as two escapes) is not touched.
    doc = json.dumps({"name": "😀 ok"}, ensure_ascii=True)
    assert from_json(PLAN, doc.encode("ascii")).scenario.name == "😀 ok"


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [(48.1, 2, "48,1", "48.1"), (48.05, 2, "48,05", "48.05"), (815.0, 0, "815", "815"), (1941.2, 1, "1.941,2", "1,941.2")],
)
def test_number_trimmed_keeps_only_the_decimals_it_needs(value: float, decimals: int, vi: str, en: str) -> None:
    """trim=True: at most ``decimals`` (the baseline editor and the link report show 48,1, not 48,10)."""
    assert (number(value, "vi", decimals, trim=True), number(value, "en", decimals, trim=True)) == (vi, en)
    assert number(48.1, "vi", 2) == "48,10"  # without trim: fixed decimals, as in the scorecard
