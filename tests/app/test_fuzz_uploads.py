"""Hostile scenario files at volume (issue 11 item 3): structure-aware fuzzing of the JSON format.

Files are built field by field (format, version, plan, name, levers, baseline, unknown
fields) with wrong types, hostile numbers and hostile text (markup, bidi overrides,
zero-width and control characters, lone surrogates written as JSON escapes), then
sometimes padded up to and past the 256 KiB limit, cut short or made non-UTF-8.

- ``test_reading_never_fails_unexpectedly``: 1,000 files through model.scenario.from_json
  (strict and lenient) and the problem lines the pages show, in both languages;
- ``test_compare_upload_never_crashes``: 200 of them uploaded on the Compare page
  (one AppTest session) — no exception, a rejected file gets one error naming it,
  an accepted one is listed under its cleaned name, nothing renders as a link,
  image or HTML.

Deterministic: hypothesis runs derandomized.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from apptools import make_app, plain
from hypothesis import example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from test_fuzz_links import active_markup

from model.plan import BASELINE_IDS, load_plan
from model.scenario import FORMAT, MAX_FILE_BYTES, ScenarioError, from_json, validate
from model.text import LANGS, clean_label
from tests.fuzzing import FUZZ, MARKUP, with_examples
from ui import compare
from ui.keys import Keys
from ui.problems import describe_all

pytestmark = pytest.mark.fuzz

PLAN = load_plan()
LEVER_IDS = [lv.id for lv in PLAN.levers]


HOSTILE_TEXT = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(["", " ", "\u200b", "\u3164", "\u2800", "\u0301", "\ufeff", "Nhóm 3", "Nho\u0301m", "👨\u200d👩\u200d👧"]),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Zs", "Mn", "Zl", "Zp"]), max_size=8),
    st.text(max_size=60),
    st.tuples(st.sampled_from("x<[\u200b"), st.integers(70, 10_000)).map(lambda t: t[0] * t[1]),
)
NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-5, max_value=400),
    st.sampled_from(["nan", "inf", "1e999", "-0", "60", "١٢٠", "60 ", "1_000"]),
)
SCALARS = st.one_of(NUMBERS, HOSTILE_TEXT, st.booleans(), st.none())
ANY_JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)


def _mapping(keys: list[str]) -> st.SearchStrategy[Any]:
    key = st.one_of(st.sampled_from(keys), HOSTILE_TEXT)
    value = st.one_of(NUMBERS, NUMBERS, SCALARS, ANY_JSON)
    return st.one_of(st.dictionaries(key, value, max_size=8), st.dictionaries(key, value, max_size=8), ANY_JSON)


@st.composite
def scenario_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario file's object: each field present or not, of the right type or not."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "format": st.one_of(st.just(FORMAT), SCALARS),
        "format_version": st.one_of(st.just(1), SCALARS),
        "plan": st.one_of(
            st.fixed_dictionaries({"id": st.just(PLAN.id), "version": st.one_of(st.just(PLAN.version), SCALARS)}),
            st.fixed_dictionaries({"id": SCALARS}),
            ANY_JSON,
        ),
        "name": st.one_of(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT, SCALARS, ANY_JSON),
        "levers": _mapping(LEVER_IDS),
        "baseline": _mapping(list(BASELINE_IDS)),
    }
    doc: dict[str, Any] = {}
    for key, strategy in fields.items():
        if draw(st.integers(0, 4)):  # mostly present
            doc[key] = draw(strategy)
    doc.update(draw(st.dictionaries(HOSTILE_TEXT, SCALARS, max_size=2)))  # unknown fields, now and then
    return doc


@st.composite
def scenario_files(draw: st.DrawFn) -> bytes:
    """The bytes of an uploaded file: a generated document, sometimes padded, cut or not UTF-8."""
    doc = draw(st.one_of(scenario_docs(), ANY_JSON))
    text = json.dumps(doc, ensure_ascii=True, indent=draw(st.sampled_from([None, 2])))  # lone surrogates as escapes
    data = text.encode("ascii")
    shape = draw(st.integers(0, 9))
    if shape == 0:  # padded with spaces to just under, at or just over the limit
        size = draw(st.sampled_from([MAX_FILE_BYTES - 1, MAX_FILE_BYTES, MAX_FILE_BYTES + 1]))
        data = data + b" " * max(size - len(data), 0)
    elif shape == 1:  # cut short
        data = data[: draw(st.integers(0, len(data)))]
    elif shape == 2:  # not UTF-8 somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[at:]
    elif shape == 3:  # written without escapes (UTF-8), when that is possible
        with contextlib.suppress(UnicodeEncodeError):
            data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return data


def _raw_name(data: bytes) -> Any:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return doc.get("name") if isinstance(doc, dict) else None


EXAMPLES = [
    b'{"name": "\\ud800"}',
    b'{"name": "\\u200b\\u3164"}',
    b'{"levers": {"new_coops": "\\ud800", "\\udfff": 1}, "baseline": {"\\ud800": 2}, "plan": {"version": "\\udc00"}}',
    b'{"name": "[x](javascript:alert(1)) ![i](https://e.x/p.png) <b>h</b>", "levers": {"<img src=x>": 1}}',
    b'{"levers": {"new_coops": 1e999, "dissolution_rate": -1e308, "member_growth": "nan"}}',
    b'{"baseline": {"coops": 0.00001, "managers_trained": 1e9}}',
    b'{"name": "x"}' + b" " * (MAX_FILE_BYTES - 13),
    b"[" * 100_000,
]


@settings(FUZZ, max_examples=1_000)
@given(scenario_files())
@with_examples(EXAMPLES)
def test_reading_never_fails_unexpectedly(data: bytes) -> None:
    """1,000 generated files (and 8 explicit ones): only ScenarioError, every message showable, names cleaned."""
    try:
        loaded = from_json(PLAN, data)
    except ScenarioError as err:
        assert err.problems
        for lang in LANGS:
            lines = describe_all(err.problems, lang, PLAN)
            assert lines
            for line in lines:
                line.encode("utf-8")  # can be sent to the browser
    else:
        # What was accepted is a strictly valid scenario whose name follows the one rule.
        scenario, changes = validate(PLAN, loaded.scenario.levers, loaded.scenario.baseline)
        assert changes == [] and scenario.levers == loaded.scenario.levers
        raw = _raw_name(data)
        assert loaded.scenario.name == (clean_label(raw, limit=80) if isinstance(raw, str) else "")
    try:
        lenient = from_json(PLAN, data, lenient=True)
    except ScenarioError:
        return
    validate(PLAN, lenient.scenario.levers, lenient.scenario.baseline)  # lenient reading repairs everything
    for note in lenient.notices:
        str(note).encode("utf-8")
        for lang in LANGS:
            describe_all([note], lang, PLAN)[0].encode("utf-8")
    lenient.scenario.name.encode("utf-8")


# ------------------------------------------------------------------ in the app


@pytest.fixture
def compare_app() -> AppTest:
    return make_app("compare", lang="en")


def upload(at: AppTest, data: bytes, file_name: str = "nhóm [3].json") -> AppTest:
    """Upload one file into a session that has no uploads (the selection back to its default)."""
    at.session_state[Keys.COMPARE_UPLOADS] = {}
    at.session_state[Keys.COMPARE_SELECTION] = list(compare.DEFAULT_SELECTION)
    at.file_uploader(key="compare_upload").set_value((file_name, data, "application/json")).run()
    return at


def check_compare(at: AppTest, data: bytes, file_name: str) -> None:
    assert not at.exception, at.exception
    shown_file = clean_label(file_name, limit=compare.NAME_CHARS)
    uploads = at.session_state[Keys.COMPARE_UPLOADS]
    try:
        loaded = from_json(PLAN, data)
    except ScenarioError:
        (error,) = at.error
        assert shown_file.replace("\u200b", "") in plain(error.value).replace("\u200b", "")  # md_escape adds some
        assert uploads == {}
    else:
        assert not at.error
        (entry,) = uploads.values()
        assert entry["name"] == (loaded.scenario.name or clean_label(file_name.removesuffix(".json"), limit=80))
    elements = [*at.error, *at.warning, *at.info, *at.success, *at.markdown]
    for element in elements:
        assert active_markup(element.value) == [], element.value[:500]
    for button in at.button:
        assert active_markup(button.label) == [], button.label


FILE_NAMES = st.one_of(
    st.just("nhóm [3].json"),
    st.sampled_from(MARKUP).map(lambda s: s + ".json"),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30).map(lambda s: s + ".json"),
)


@settings(FUZZ, max_examples=200)
@given(data=scenario_files(), file_name=FILE_NAMES)
@example(data=EXAMPLES[0], file_name="nhom.json")
@example(data=EXAMPLES[2], file_name="\u202ebad.json")
@example(data=EXAMPLES[3], file_name="![i](https://e.x/p.png).json")
def test_compare_upload_never_crashes(compare_app: AppTest, data: bytes, file_name: str) -> None:
    """200 generated files (and 3 explicit ones) uploaded on the Compare page, one session."""
    check_compare(upload(compare_app, data, file_name), data, file_name)
