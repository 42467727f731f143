"""Problems in words (ui/problems.py): every code has words in both languages, and each validation path
(a share link, an uploaded file, the baseline editor, the Compare page) says a problem through the one place."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from model.plan import load_plan
from model.problems import CODES, FILE_CODES, Code, Problem
from model.scenario import ScenarioError, from_json, to_json, validate
from model.text import LANGS, strings
from ui import compare, exports
from ui.data_sources import split_baseline
from ui.links import parse_params
from ui.problems import describe, describe_all, link_line

PLAN = load_plan()
LINK_ONLY: frozenset[Code] = frozenset({"repeated", "too_long", "too_many", "bad_room"})  # a link's, no sentence of their own

# One problem of each code, as the model or the link parser makes it.
SAMPLES: dict[Code, Problem] = {
    "unknown": Problem("unknown", "bogus", "1"),
    "repeated": Problem("repeated", "new_coops", "60", "70"),
    "not_a_number": Problem("not_a_number", "new_coops", "abc"),
    "not_finite": Problem("not_finite", "new_coops", "inf", params={"value": float("inf")}),
    "out_of_range": Problem("out_of_range", "dissolution_rate", "25", "20.0", {"value": 25.0, "lo": 0.0, "hi": 20.0}),
    "off_step": Problem("off_step", "member_growth", "2.3", "2.5", {"value": 2.3, "step": 0.5}),
    "not_a_choice": Problem("not_a_choice", "formation_timing", "sideways", params={"choices": "even, front, back"}),
    "too_long": Problem("too_long", "new_coops", "9" * 40),
    "too_many": Problem("too_many", "k200", "+5"),
    "inconsistent": Problem("inconsistent", "baseline.managers_trained", "4000", "3050", {"whole": "managers"}),
    "bad_room": Problem("bad_room", "room", "K7!"),
    "too_large": Problem("too_large", params={"kib": 256}),
    "not_utf8": Problem("not_utf8"),
    "bad_json_at": Problem("bad_json_at", params={"line": 1, "column": 2, "detail": "Expecting value"}),
    "bad_json": Problem("bad_json", params={"detail": "nested too deeply"}),
    "not_object": Problem("not_object"),
    "bad_format": Problem("bad_format", "format", "other", params={"expected": "sonla-coop-scenario"}),
    "levers_not_object": Problem("levers_not_object", "levers"),
    "baseline_not_object": Problem("baseline_not_object", "baseline"),
    "name_not_text": Problem("name_not_text", "name"),
    "unknown_field": Problem("unknown_field", "colour"),
    "plan_not_object": Problem("plan_not_object", "plan"),
    "other_plan": Problem("other_plan", "plan.id", "hanoi", PLAN.id),
    "other_version": Problem("other_version", "plan.version", "0.9", PLAN.version),
}


def test_every_code_has_a_sample() -> None:
    assert set(SAMPLES) == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_words_in_both_languages(code: Code) -> None:
    """A sentence of its own (not the neutral "cannot be used") in vi and en, every placeholder filled;
    and every code a link can report has its reason in both languages."""
    problem = SAMPLES[code]
    words = {lang: describe(problem, lang, PLAN) for lang in LANGS}
    assert words["vi"] != words["en"]
    for lang, text in words.items():
        assert text.strip() and not re.search(r"\{[a-z_]*\}", text), text
        if code not in LINK_ONLY and code != "unknown":  # a field that is no lever has only its "unknown" words
            # The neutral sentence the same field and value would get (a link-only code has no words of its own).
            neutral = describe(dataclasses.replace(problem, code="too_long"), lang, PLAN)
            assert text != neutral, text
    if code not in FILE_CODES:
        for lang in LANGS:
            assert f"problem.reason.{code}" in strings(lang)
            assert link_line(problem, lang, PLAN).strip()


def test_the_problem_keys_are_one_section() -> None:
    """The words for problems live under ``problem`` only (no second section wording the same reasons)."""
    for lang in LANGS:
        keys = strings(lang)
        assert not [k for k in keys if k.startswith(("links.reason.", "exports.problem.", "exports.file."))]


# ------------------------------------------------------------ each path


def test_link_path() -> None:
    link = parse_params(PLAN, {"dissolution_rate": ["25"], "b_coops": ["815.5"], "lang": ["fr"]})
    assert [(p.code, p.field, p.given, p.used) for p in link.problems] == [
        ("not_a_choice", "lang", "fr", None),
        ("out_of_range", "dissolution_rate", "25", "20.0"),
        ("off_step", "b_coops", "815.5", "816"),
    ]
    lines = [link_line(p, "en", PLAN) for p in link.problems]
    assert lines[1] == "Dissolution rate (dissolution_rate): «25» is outside the allowed range, used 20.0"
    assert lines[2].endswith("«815.5» has decimals, but this value is a whole number; rounded, used 816")
    vi = link_line(link.problems[0], "vi", PLAN)
    assert vi == "Ngôn ngữ (lang): «fr» không phải là lựa chọn hợp lệ, đã bỏ qua (dùng giá trị mặc định)"


def _file(**levers: object) -> bytes:
    doc = json.loads(to_json(PLAN, validate(PLAN)[0]))
    doc["levers"] |= levers
    return json.dumps(doc).encode()


def test_upload_path() -> None:
    """The model's problems reach the page as they are (no English parsed back) and are worded when drawn."""
    data = _file(dissolution_rate=25)
    with pytest.raises(ScenarioError) as caught:
        from_json(PLAN, data)
    session: dict[str, object] = {}
    outcome = exports.handle_upload(PLAN, file_id="f", file_name="x.json", data=data, session=session)
    assert outcome is not None and outcome.problems == tuple(caught.value.problems)
    (line,) = describe_all(outcome.problems, "en", PLAN)
    assert line == "“Dissolution rate”: 25 is outside 0.0–20.0 % of coops / yr"


def test_compare_path_uses_the_same_outcome_type() -> None:
    session: dict[str, object] = {}
    rejected = compare.add_upload(session, PLAN, file_id="a", file_name="x.json", data=b"[1]")
    assert isinstance(rejected, exports.UploadOutcome) and rejected.status == "rejected"
    (problem,) = rejected.problems
    assert problem.code == "not_object"
    assert exports.problem_list(rejected.problems, "vi", PLAN).startswith("- Tệp phải chứa một đối tượng JSON")
    doc = json.loads(_file().decode()) | {"plan": {"id": PLAN.id, "version": "0.9"}}
    added = compare.add_upload(session, PLAN, file_id="b", file_name="y.json", data=json.dumps(doc).encode())
    assert isinstance(added, exports.UploadOutcome) and added.status == "added"
    assert compare.version_text(added) == "0.9"


def test_editor_path() -> None:
    """The baseline editor says a refused value with the same words as an upload (one describe)."""
    _, problems = validate(PLAN, PLAN.defaults(), {"members": -5}, lenient=True)
    for lang in LANGS:
        accepted, lines = split_baseline(PLAN, PLAN.defaults(), {"members": -5}, previous={}, lang=lang)
        assert "members" not in accepted
        assert lines == describe_all(problems, lang, PLAN)
