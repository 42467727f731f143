"""Hostile share links at volume (issue 11 item 3): generated query strings through the parser and the app.

Query strings hold huge, negative, NaN and infinite numbers, digits of other scripts,
repeated keys, 10 KB values, unknown keys, bad room codes and markup. Two layers:

- ``test_parser_names_every_unusable_part``: 1,500 generated links through
  ui.links.parse_params — nothing raises, every part not used exactly as written
  is a problem naming its key, and every part without a problem is used as written
  (numbers only in ASCII, as the app writes them; no rounding by float parsing);
- ``test_app_warns_once_and_renders_no_markup``: 250 of them opened in the app
  (one AppTest session, reset between links) — no exception, one warning naming
  every unusable part (the first 12 in full, every other key in one line), link
  text never rendered as a link, image, HTML or Streamlit's colon syntax.

Deterministic: hypothesis runs derandomized (the same examples on every run).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import streamlit
from apptools import APP, plain
from hypothesis import example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from model.plan import BASELINE_IDS, load_plan
from model.scenario import ScenarioError, validate
from model.text import LANGS, tr
from store.board import BoardError, normalize_room
from tests.fuzzing import FUZZ, MARKUP, with_examples
from ui import chrome
from ui.exact import EXACT_CSS
from ui.links import (
    BASELINE_PREFIX,
    MAX_DRAWS,
    MAX_PARAMS,
    MAX_SEED,
    MAX_VALUE_CHARS,
    MIN_DRAWS,
    LinkState,
    parse_params,
)
from ui.share import SHOWN_PROBLEMS, short_key
from ui.tables import TABLE_CSS
from ui.workshop import get_board

pytestmark = pytest.mark.fuzz

PLAN = load_plan()
LEVER_IDS = [lv.id for lv in PLAN.levers]
BASELINE_KEYS = [BASELINE_PREFIX + b for b in BASELINE_IDS]
SETTING_KEYS = ["lang", "seed", "draws", "tol", "room"]
KNOWN_KEYS = [*LEVER_IDS, *BASELINE_KEYS, *SETTING_KEYS, "plan", "v"]
ZWSP = "\u200b"
NUMERIC_LEVERS = {lv.id: lv for lv in PLAN.numeric_levers}
# A number as the app writes one (the oracle's own copy of the rule, not ui.links's).
ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number_texts() -> st.SearchStrategy[str]:
    floats = st.floats(allow_nan=True, allow_infinity=True)
    return st.one_of(
        floats.map(repr),
        floats.map(lambda x: f"{x:g}"),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.integers(min_value=-5, max_value=400).map(str),
        st.sampled_from(["nan", "NaN", "-inf", "inf", "Infinity", "1e308", "-1e308", "1e999", "-0", "0x10", "1_000", " 60 "]),
        st.sampled_from(["2e-81", "1e-400", "60.0000000001", "60.0000000000000001", "2.5000000000000001", "34350.4", ".5", "5."]),
        st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6),  # digits of other scripts
        st.text(alphabet="0123456789.,-+eE ", max_size=12),
    )


def _values() -> st.SearchStrategy[str]:
    return st.one_of(
        _number_texts(),
        st.sampled_from(MARKUP),
        st.sampled_from([*LANGS, "fr", "VI", "", "K7QMX", "k7qmx", "ABC", "K7QM!", "IIII0000", "🙂🙂🙂🙂"]),
        st.text(alphabet="23456789ABCDEFGHJKMNPQRSTUVWXYZ01IOl -", max_size=10),  # room codes, some bad
        st.tuples(st.sampled_from("9a<[é"), st.integers(MAX_VALUE_CHARS - 2, 10_240)).map(lambda t: t[0] * t[1]),
        st.text(max_size=40),
    )


def _keys() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(KNOWN_KEYS),
        st.sampled_from(KNOWN_KEYS).map(str.upper),
        st.sampled_from(MARKUP),
        st.text(max_size=30),
        st.sampled_from(["b_", "b_nope", "b_COOPS", "__proto__", "constructor", "new_coops ", " lang"]),
        st.just("k" * 5000),
    )


def _links() -> st.SearchStrategy[dict[str, list[str]]]:
    small = st.dictionaries(_keys(), st.lists(_values(), min_size=1, max_size=3), max_size=10)
    # Sometimes more keys than a link may hold.
    many = st.integers(MAX_PARAMS - 2, MAX_PARAMS + 30).map(lambda n: {f"k{i}": ["1"] for i in range(n)})
    return st.one_of(small, small, small, small, small, small, small, small, small, many)


# ------------------------------------------------------------------ the oracle


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _strict_ok(check: Callable[[], Any]) -> bool:
    try:
        check()
    except ScenarioError:
        return False
    return True


def _ascii_number(value: str) -> str | None:
    """The number's text when it is written as the app writes numbers (spaces around allowed: a "+" decodes to one)."""
    core = value.strip(" ")
    return core if ASCII_NUMBER.fullmatch(core) else None


def _exactly(text: str, used: object) -> bool:
    """The value used is exactly the number written (no float rounding, no snapping)."""
    return isinstance(used, int | float) and Decimal(text) == Decimal(repr(float(used)))


def _lever_used_as_written(key: str, value: str) -> bool:
    """A lever value the link may apply silently: valid, and (numbers) ASCII, exactly a value of the slider."""
    if not _strict_ok(lambda: validate(PLAN, {key: value})):
        return False
    lv = NUMERIC_LEVERS.get(key)
    if lv is None:
        return True
    core = _ascii_number(value)
    if core is None:
        return False
    grid = {round(lv.lo + k * lv.step_size, 10) for k in range(round((lv.hi - lv.lo) / lv.step_size) + 1)}
    return float(core) in grid and Decimal(core) == Decimal(repr(float(core)))


def check_link(raw: Mapping[str, Sequence[str]], link: LinkState) -> None:
    """Every part of the link not used exactly as written is named by a problem; the rest is used as written."""
    flagged = {p.field for p in link.problems if p.code != "repeated"}  # the value used is flagged
    reasons = {(p.field, p.code) for p in link.problems}
    for i, (key, values) in enumerate(raw.items()):
        if i >= MAX_PARAMS:
            assert any(p.code == "too_many" for p in link.problems)
            break
        short = _short(key)
        if len(values) > 1:
            assert (short, "repeated") in reasons, key
        value = values[-1]
        if len(value) > MAX_VALUE_CHARS:
            assert (short, "too_long") in reasons, key
            continue
        if key in LEVER_IDS:
            if _lever_used_as_written(key, value):
                assert key not in flagged, (key, value)
                assert link.levers[key] == validate(PLAN, {key: value})[0].levers[key]
            else:
                assert key in flagged, (key, value)
        elif key in BASELINE_KEYS:
            # The value alone (a count of 0 managers is fine; it may not fit the other baseline values).
            bid = key.removeprefix(BASELINE_PREFIX)
            core = _ascii_number(value)
            alone = validate(PLAN, {}, {bid: value}, lenient=True)
            bad_value = (
                core is None
                or any(c.code != "inconsistent" for c in alone[1])
                or not _exactly(core, alone[0].baseline.get(bid))
            )
            inconsistent = any(p.code == "inconsistent" for p in link.problems)
            if bad_value:
                assert key in flagged, (key, value)
            else:
                assert key in flagged or link.baseline.get(bid) == alone[0].baseline[bid] or inconsistent, (key, value)
        elif key == "lang":
            assert (link.lang == value) == (value in LANGS) and ((key in flagged) != (value in LANGS))
        elif key in ("seed", "draws"):
            lo, hi = (0, MAX_SEED) if key == "seed" else (MIN_DRAWS, MAX_DRAWS)
            used = link.seed if key == "seed" else link.draws
            core = value.strip(" ")
            exact = int(core) if re.fullmatch(r"[+-]?[0-9]+", core) else None  # ASCII digits only
            if exact is not None and lo <= exact <= hi:
                assert key not in flagged and used == exact
            else:
                assert key in flagged, (key, value)
        elif key == "tol":
            core = _ascii_number(value)
            # Exactly a value of the 0.5 grid from 0 to 50 (range first: 1e99999 would overflow the product).
            on_grid = core is not None and 0 <= Decimal(core) <= 50 and (Decimal(core) * 2) % 1 == 0
            if on_grid:
                assert core is not None and key not in flagged and link.tolerance == float(core), value
            else:
                assert key in flagged, value
        elif key == "room":
            try:
                room = normalize_room(value)
            except BoardError:
                assert key in flagged and link.room is None
            else:
                assert key not in flagged and link.room == room
        elif key == "plan":
            assert (link.other_plan is None) == (value == PLAN.id)
        elif key == "v":
            assert (link.other_version is None) == (value == PLAN.version)
        else:
            assert (short, "unknown") in reasons, key
    # Whatever came in, the scenario is strictly valid.
    scenario, changes = validate(PLAN, link.levers, link.baseline)
    assert changes == [] and scenario.levers == link.levers
    if link.tolerance is not None:
        assert math.isfinite(link.tolerance) and 0 <= link.tolerance <= 50


EXAMPLES = [
    {"new_coops": ["1e308"], "dissolution_rate": ["-1e308"], "member_growth": ["nan"], "revenue_growth": ["-inf"]},
    {"new_coops": ["١٢٠"], "seed": ["٣"], "tol": ["５"], "draws": ["1_000"], "b_coops": ["８００"]},  # other scripts' digits
    {"tol": ["2e-81"], "new_coops": ["60.0000000001"], "b_members": ["34350.0000000000000001"]},  # float rounding
    {"new_coops": ["60", "70", "80"], "lang": ["en", "fr"]},
    {"new_coops": ["9" * 10_240], "room": ["K7QM!"], "b_coops": ["-5"], "b_nope": ["1"]},
    {"[x](javascript:alert(1))": ["![i](https://e.x/p.png)"], "<b>": ["<script>alert(1)</script>"]},
    {"room": ["k7qmx"], "draws": ["1e3"], "seed": [str(2**40)], "plan": ["other"], "v": ["0.9"]},
    {"b_managers_trained": ["5000"], "b_coops": ["1"]},
    {f"k{i}": ["1"] for i in range(MAX_PARAMS + 5)},
]


@settings(FUZZ, max_examples=1_500)
@given(_links())
@with_examples(EXAMPLES)
def test_parser_names_every_unusable_part(raw: dict[str, list[str]]) -> None:
    """1,500 generated links (and 9 explicit ones): parse_params never raises and hides nothing."""
    check_link(raw, parse_params(PLAN, raw))


# ------------------------------------------------------------------ in the app

_UNESCAPED = r"(?<!\\)(?:\\\\)*"
# A user's text rendered as a link, an image or HTML would need one of these unescaped.
_ACTIVE = re.compile(_UNESCAPED + r"[\[\]<>`]|://|www\.|(?<!" + ZWSP + r")@", re.IGNORECASE)


# Streamlit's own syntax: ":red[x]", ":material/home:", ":streamlit:", ":smile:" (the app's strings put a space after ':').
_COLON_SYNTAX = re.compile(r":[^\s" + ZWSP + r"]")


# The app's own styles, sent as Markdown with HTML allowed for them alone: the tables' (ui.tables.TABLE_CSS),
# the lever boxes' (ui.exact.EXACT_CSS) and Streamlit's built-in texts in each language (ui.chrome.css).
MAX_UPLOAD_MB = int(streamlit.get_option("server.maxUploadSize"))  # as ui.chrome.apply reads it in this process
APP_STYLES = (TABLE_CSS, EXACT_CSS, *(chrome.css(language, MAX_UPLOAD_MB) for language in LANGS))


def active_markup(body: str) -> list[str]:
    """What in a Markdown body could render as a link, an image or HTML: unescaped brackets, tags, autolinks.
    The app's own styles (APP_STYLES, constants) are not user text."""
    for style in APP_STYLES:
        body = body.replace(style, "")
    return [m.group(0) for m in _ACTIVE.finditer(body)]


def _normal(text: str) -> str:
    """As read: zero-width spaces (md_escape adds some) dropped, line breaks as spaces (md_escape makes them so)."""
    return re.sub(r"\r\n|[\r\n]", " ", text).replace(ZWSP, "")


@pytest.fixture
def link_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """One app session for every generated link (a room code in a link must not touch a real board)."""
    monkeypatch.setenv("SONLA_BOARD_DB", str(tmp_path / "board.sqlite"))
    monkeypatch.delenv("SONLA_DATABASE_URL", raising=False)
    get_board.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    yield at
    get_board.clear()


def open_link(at: AppTest, raw: Mapping[str, list[str]]) -> AppTest:
    """The session opens ``raw`` as if it were a fresh link (the app reads a link on a session's first run)."""
    at.query_params.clear()
    for key, values in raw.items():
        at.query_params[key] = list(values)
    at.session_state["link_loaded"] = False
    if "link_report" in at.session_state:
        del at.session_state["link_report"]
    at.run()
    return at


def check_app(at: AppTest, raw: Mapping[str, list[str]]) -> None:
    assert not at.exception, at.exception
    link = parse_params(PLAN, raw)
    lang = at.session_state["lang"]
    intro = tr(lang, "links.problems_intro", n=len(link.problems))
    reports = [w.value for w in at.warning if plain(w.value).startswith(intro)]
    if not link.problems:
        assert reports == []
    else:
        (report,) = reports  # one warning
        shown = _normal(plain(report))
        # Every unusable part is named: the first ones in full, the rest by their (shortened) keys.
        for problem in link.problems[:SHOWN_PROBLEMS]:
            assert _normal(problem.field) in shown, problem
        for problem in link.problems[SHOWN_PROBLEMS:]:
            assert _normal(short_key(problem.field)) in shown, problem
        assert report.count("\n") <= SHOWN_PROBLEMS + 1  # intro, the lines in full, one line of keys (Markdown's line breaks)
        assert _COLON_SYNTAX.findall(report) == [], report[:500]
    for element in [*at.warning, *at.info, *at.error, *at.markdown]:
        assert active_markup(element.value) == [], (element.value[:500], raw)


@settings(FUZZ, max_examples=250)
@given(raw=_links())
@example(raw=EXAMPLES[3])
@example(raw=EXAMPLES[4])
@example(raw=EXAMPLES[5])
@example(raw=EXAMPLES[7])
def test_app_warns_once_and_renders_no_markup(link_app: AppTest, raw: dict[str, list[str]]) -> None:
    """250 generated links (and 4 explicit ones) opened in the app: no exception, one warning naming what was not used."""
    check_app(open_link(link_app, raw), raw)
