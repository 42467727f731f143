"""Share links: building and parsing (pure), and the app opening a link (AppTest)."""

from __future__ import annotations

import pytest
from apptools import APP, markdown_tables, plain
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.scenario import validate
from ui.links import MAX_PARAMS, build_params, parse_params

PLAN = load_plan()


def params_of(**kw: object) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in kw.items()}


def test_build_holds_only_what_differs() -> None:
    levers = PLAN.defaults() | {"new_coops": 60.0, "dissolution_rate": 2.5, "formation_timing": "back"}
    params = build_params(PLAN, levers=levers, baseline={"coops": 800.0}, lang="vi", seed=7, tolerance=5.0)
    assert params == {
        "new_coops": "60",
        "formation_timing": "back",
        "dissolution_rate": "2.5",
        "b_coops": "800",
        "seed": "7",
        "lang": "vi",
        "plan": PLAN.id,
        "v": PLAN.version,
    }


def test_round_trip() -> None:
    levers = PLAN.preset_levers("strong_support")
    params = build_params(
        PLAN, levers=levers, baseline={"members": 30000.0}, lang="en", seed=3, tolerance=2.5, draws=20000, room="K7QMX"
    )
    link = parse_params(PLAN, {k: [v] for k, v in params.items()})
    assert link.problems == []
    assert link.levers == levers
    assert link.baseline == {"members": 30000.0}
    assert (link.lang, link.seed, link.tolerance, link.draws, link.room) == ("en", 3, 2.5, 20000, "K7QMX")
    assert link.other_version is None


@pytest.mark.parametrize(
    ("raw", "key", "reason", "used"),
    [
        (params_of(new_coops="abc"), "new_coops", "not_a_number", None),
        (params_of(new_coops="400"), "new_coops", "out_of_range", "300"),
        (params_of(dissolution_rate="-3"), "dissolution_rate", "out_of_range", "0"),
        (params_of(dissolution_rate="nan"), "dissolution_rate", "not_finite", None),
        (params_of(dissolution_rate="inf"), "dissolution_rate", "not_finite", None),
        (params_of(dissolution_rate="1e308"), "dissolution_rate", "out_of_range", "20"),
        (params_of(dissolution_rate="2.3"), "dissolution_rate", "off_step", "2.5"),
        (params_of(formation_timing="sideways"), "formation_timing", "not_a_choice", None),
        (params_of(evil="<script>alert(1)</script>"), "evil", "unknown", None),
        (params_of(new_coops=["60", "70"]), "new_coops", "repeated", "70"),
        (params_of(new_coops="9" * 5000), "new_coops", "too_long", None),
        (params_of(lang="fr"), "lang", "not_a_choice", None),
        (params_of(seed="-1"), "seed", "out_of_range", "0"),
        (params_of(seed="x"), "seed", "not_a_number", None),
        (params_of(tol="99"), "tol", "out_of_range", "50"),
        (params_of(draws="10"), "draws", "out_of_range", "100"),
        (params_of(draws="2.5e3"), "draws", "not_a_number", None),
        (params_of(room="no room!"), "room", "bad_room", None),
        (params_of(b_coops="-5"), "b_coops", "out_of_range", None),
        (params_of(b_managers_trained="5000"), "b_managers_trained", "inconsistent", "3050"),
        # Issue 12: values the editor cannot show (it would show "0" and loop); the plan's value applies.
        (params_of(b_coops="0.00001"), "b_coops", "out_of_range", None),
        (params_of(b_unions="1e-300"), "b_unions", "out_of_range", None),
        (params_of(b_members="34350.4"), "b_members", "off_step", "34350"),
    ],
)
def test_tampered_values_are_reported_and_repaired(raw: dict[str, list[str]], key: str, reason: str, used: str | None) -> None:
    link = parse_params(PLAN, raw | params_of(members_per_new_coop=20))
    problem = next(p for p in link.problems if p.field == key)
    assert problem.code == reason
    if used is not None:
        assert problem.used is not None and float(problem.used) == pytest.approx(float(used))
    # The rest of the link still applies; what was dropped is not in the scenario.
    assert link.levers["members_per_new_coop"] == 20
    if used is None and key.startswith("b_"):
        assert key.removeprefix("b_") not in link.baseline
    # Whatever came in, every lever ends valid: inside its range.
    for lv in PLAN.numeric_levers:
        assert lv.lo <= float(link.levers[lv.id]) <= lv.hi


LINK_KEYS = [lv.id for lv in PLAN.levers] + ["lang", "seed", "tol", "draws", "room", "b_coops", "v"]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.one_of(st.sampled_from(LINK_KEYS), st.text()),
        st.lists(st.one_of(st.text(max_size=80), st.floats().map(repr), st.integers().map(str)), max_size=3),
        max_size=12,
    )
)
def test_any_link_gives_a_valid_scenario(raw: dict[str, list[str]]) -> None:
    """Whatever a link holds, parsing never raises and every lever ends valid (strict validation accepts it)."""
    link = parse_params(PLAN, raw)
    scenario, changes = validate(PLAN, link.levers, link.baseline)
    assert changes == []
    assert scenario.levers == link.levers


def test_repeated_key_uses_the_last_value() -> None:
    link = parse_params(PLAN, params_of(new_coops=["60", "70"]))
    assert link.levers["new_coops"] == 70


def test_too_many_keys_are_cut() -> None:
    raw = {f"k{i}": ["1"] for i in range(MAX_PARAMS + 50)}
    link = parse_params(PLAN, raw)
    assert any(p.code == "too_many" for p in link.problems)


def test_other_plan_version_is_noticed() -> None:
    link = parse_params(PLAN, params_of(v="0.9", plan=PLAN.id, new_coops=60))
    assert link.other_version == "0.9"
    assert link.levers["new_coops"] == 60


def open_link(query: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    return at


def test_opening_a_link_shows_its_numbers() -> None:
    """?new_coops=60 → 815 + 60 = 875 coops: the Overview shows it, the sidebar slider too."""
    at = open_link({"new_coops": "60", "lang": "en"})
    assert not at.exception
    assert at.select_slider(key="sidebar_new_coops").value == 60
    assert at.subheader[0].value == "3 of 17 targets reached, 2 close"
    card = markdown_tables(at)[0]
    assert card.loc["Cooperatives at year end", "Year-end projection"] == "875"
    assert not at.warning


def test_tampered_link_warns_once_and_applies_the_rest() -> None:
    at = open_link(
        {
            "new_coops": "60",
            "dissolution_rate": ["1", "abc"],
            "member_growth": "inf",
            "revenue_growth": "1e999",
            "foo": "[x](javascript:alert(1))",
            "income_growth": "9" * 3000,
        }
    )
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "Tỷ lệ giải thể" in text and "không phải là số" in text
    assert "javascript" in text and "](" not in text  # shown as text, never as a link
    assert at.select_slider(key="sidebar_new_coops").value == 60


def test_moving_a_slider_updates_the_url() -> None:
    at = open_link({})
    at.select_slider(key="sidebar_new_coops").set_value(61).run()
    assert at.query_params["new_coops"] in ("61", ["61"])
    assert at.query_params["lang"] in ("vi", ["vi"])
    at.select_slider(key="sidebar_new_coops").set_value(85).run()
    assert "new_coops" not in at.query_params


def test_old_plan_version_link_notice() -> None:
    at = open_link({"v": "0.9", "new_coops": "70"})
    assert any("0\\.9" in i.value or "0.9" in i.value for i in at.info)
    assert at.select_slider(key="sidebar_new_coops").value == 70


def test_link_report_numbers_in_the_locale_format() -> None:
    """Regression: the repaired values were shown as 2.5 and 1234.5 in the Vietnamese view.
    (Managers are a count, kept whole: 1234.5 is rounded to 1.235, and caps the trained ones.)"""
    at = open_link(
        {"dissolution_rate": ["1", "2.5"], "b_managers": "1234.5", "b_managers_trained": "2000", "revenue_growth": "2.3"}
    )
    text = plain(at.warning[0].value)
    assert "dùng 2,5" in text and "dùng 1.235" in text
    assert "2.5" not in text.replace("«2.5»", "").replace("«2.3»", "")


def test_every_unusable_key_is_named_in_the_one_warning() -> None:
    """Regression (issue 11 item 3): a link with k0=1…k204=1 named 12 of its 201 problems and then
    said "and 189 more". Now the first ones are said in full and every other key follows, shortened,
    in one comma-separated line: the warning stays a few lines on a phone."""
    at = open_link({f"k{i}": "1" for i in range(MAX_PARAMS + 5)})
    assert not at.exception
    assert len(at.warning) == 1
    report = at.warning[0].value
    text = plain(report)
    for i in range(MAX_PARAMS + 1):  # k200 is the first key past the limit: "too many" names it
        assert f"k{i}:" in text or f"«k{i}»" in text, i
    assert report.count("\n") == 12 + 1  # intro, 12 in full, one line of keys


def test_the_line_of_keys_shortens_and_escapes_each_key() -> None:
    """Long or hostile keys past the first twelve: each named once, cut short, never markup."""
    raw: dict[str, str | list[str]] = {f"k{i}": "1" for i in range(12)}
    raw |= {"k" * 5000: "1", "[x](javascript:alert(1))": "1", ":red[y]": "1"}
    at = open_link(raw)
    report = at.warning[0].value
    last = report.split("\n")[-1]
    assert len(last) < 200
    assert "«kkkkkkkkkkkkkkk…»" in plain(last).replace("\u200b", "")
    assert "](" not in last and ":red[" not in last
    assert "«[x](javascript:…»" in plain(last).replace("\u200b", "")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "«34350.4» has decimals, but this value is a whole number; rounded, used 34,350"),
        ("vi", "«34350.4» có phần thập phân, nhưng giá trị này là số nguyên; đã làm tròn, dùng 34.350"),
    ],
)
def test_a_rounded_baseline_value_is_not_called_off_the_sliders_step(lang: str, expected: str) -> None:
    """Regression: b_members=34350.4 was reported as "is not on the slider's step" (a baseline value
    has no slider): it has more decimals than the value is kept with, and was rounded."""
    at = open_link({"b_members": "34350.4", "b_worker_income": "48.123", "lang": lang})
    text = plain(at.warning[0].value)
    assert expected in text
    assert ("slider" not in text) if lang == "en" else ("thanh trượt" not in text)
    decimals = "(at most 2); rounded, used 48.12" if lang == "en" else "(tối đa 2); đã làm tròn, dùng 48,12"
    assert decimals in text
