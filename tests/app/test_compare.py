"""Compare page: smoke runs in both languages, uploads (broken and valid), the
differing levers, the 2–6 rule and loading a compared scenario."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from apptools import assert_draws_like, make_app, plain
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.scenario import Scenario, to_json
from ui import compare, exports
from ui.charts import TARGET, style
from ui.i18n import md_escape
from ui.keys import Keys

PLAN = load_plan()
BROKEN = b'{"levers": {"new_coops": "abc", "dissolution_rate": 99}'  # not even valid JSON
BAD_VALUES = json.dumps({"plan": {"id": PLAN.id}, "levers": {"new_coops": "abc", "no_such_lever": 1}}).encode()


def scenario_file(name: str, levers: dict[str, object], *, version: str | None = None) -> bytes:
    return json.dumps(
        {
            "format": "sonla-coop-scenario",
            "format_version": 1,
            "plan": {"id": PLAN.id, "version": version or PLAN.version},
            "name": name,
            "levers": levers,
            "baseline": {},
        }
    ).encode()


def year_end_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def row(table: pd.DataFrame, first_col: str, label: str) -> pd.Series:
    hits = table[table[first_col] == label]
    assert len(hits) == 1, f"{label!r} not found once in {table[first_col].tolist()}"
    return hits.iloc[0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_default_columns_and_one_chart(lang: str) -> None:
    """The page itself (runs, title) is checked by test_smoke for every page."""
    at = make_app("compare", lang=lang)
    # Default: current + recent trends + strong support, one column each.
    names = {
        "vi": ["Kịch bản hiện tại", "Xu hướng gần đây", "Hỗ trợ mạnh"],
        "en": ["Current scenario", "Recent trends", "Strong support"],
    }
    columns = year_end_table(at).columns.tolist()
    for name in names[lang]:
        assert name in columns
    assert len(at.get("vega_lite_chart")) == 1


def test_year_end_cells_with_defaults() -> None:
    """MODEL.md worked check: coops 900 (reached), revenue per coop 1,941.0 (missed), unions 7 (reached)."""
    at = make_app("compare", lang="vi")
    table = year_end_table(at)
    current = "Kịch bản hiện tại"
    assert row(table, "Chỉ tiêu", PLAN.target("coops").label_vi)[current] == "900 ✅"
    assert row(table, "Chỉ tiêu", PLAN.target("revenue_per_coop").label_vi)[current] == "1.941,0 ❌"
    assert row(table, "Chỉ tiêu", PLAN.target("unions").label_vi)[current] == "7 ✅"
    # The first row counts the targets reached in each scenario.
    assert table.iloc[0]["Chỉ tiêu"] == "Số chỉ tiêu đạt"
    assert table.iloc[0][current].endswith("/17 đạt")


def test_year_end_cells_english_format() -> None:
    at = make_app("compare", lang="en")
    table = year_end_table(at)
    assert row(table, "Indicator", PLAN.target("revenue_per_coop").label_en)["Current scenario"] == "1,941.0 ❌"


def test_differing_levers_default_vs_recent_trends() -> None:
    """Default vs "recent trends": new_coops differs (85 vs 56); levers equal in both are not listed."""
    at = make_app("compare", lang="vi")
    at.multiselect(key=Keys.COMPARE_SELECTION).set_value(["preset:default", "preset:recent_trends"]).run()
    assert not at.exception
    levers = at.dataframe[1].value
    default_name, trends_name = PLAN.preset("default").label_vi, PLAN.preset("recent_trends").label_vi
    new_coops = row(levers, "Đòn bẩy", PLAN.lever("new_coops").label_vi)
    assert new_coops[default_name] == "85"
    assert new_coops[trends_name] == "56"
    assert new_coops["Mặc định"] == "85"
    listed = set(levers["Đòn bẩy"])
    assert PLAN.lever("dissolution_rate").label_vi in listed
    assert PLAN.lever("members_per_new_coop").label_vi not in listed  # same in both presets
    assert len(listed) == 5  # recent_trends changes five levers


def test_differing_levers_highlight_marks_changed_cells() -> None:
    candidates = [
        compare.Candidate("preset:default", "A", PLAN.preset_levers("default")),
        compare.Candidate("preset:recent_trends", "B", PLAN.preset_levers("recent_trends")),
    ]
    result = compare.differing_levers(PLAN, candidates, lang="en")
    assert result is not None
    table, mask = result
    i = table.index[table["Lever"] == PLAN.lever("new_coops").label_en][0]
    assert not mask.loc[i, "A"] and mask.loc[i, "B"]
    html = compare.highlight(table, mask).to_html()
    assert compare.HIGHLIGHT_CSS.split(";")[0] in html


def test_broken_upload_shows_error_and_changes_nothing() -> None:
    at = make_app("compare", lang="vi")
    before_selection = list(at.multiselect(key=Keys.COMPARE_SELECTION).value)
    before_columns = year_end_table(at).columns.tolist()
    at.file_uploader(key="compare_upload").set_value(("hong.json", BROKEN, "application/json")).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "hong.json" in plain(at.error[0].value)
    assert "Tệp không phải là JSON hợp lệ" in plain(at.error[0].value)  # in Vietnamese, not the model's English
    assert list(at.multiselect(key=Keys.COMPARE_SELECTION).value) == before_selection
    assert year_end_table(at).columns.tolist() == before_columns
    assert not at.session_state[Keys.COMPARE_UPLOADS]


def test_upload_with_bad_values_lists_every_problem() -> None:
    at = make_app("compare", lang="en")
    at.file_uploader(key="compare_upload").set_value(("bad.json", BAD_VALUES, "application/json")).run()
    assert not at.exception
    message = plain(at.error[0].value)
    # Each problem in words: the lever by its name, the unknown one by its id.
    assert PLAN.lever("new_coops").label_en in message and "no_such_lever" in message
    assert "is not a number" in message
    assert not at.session_state[Keys.COMPARE_UPLOADS]


def test_valid_upload_appears_as_a_column() -> None:
    at = make_app("compare", lang="vi")
    content = scenario_file("Nhóm 3", {"new_coops": 120})
    at.file_uploader(key="compare_upload").set_value(("nhom3.json", content, "application/json")).run()
    assert not at.exception
    assert not at.error
    table = year_end_table(at)
    column = "📄 Nhóm 3"
    assert column in table.columns
    assert row(table, "Chỉ tiêu", PLAN.target("new_coops").label_vi)[column] == "120 ✅"
    assert row(table, "Chỉ tiêu", PLAN.target("coops").label_vi)[column] == "935 ✅"  # 815 + 120, no dissolution
    # Still there after another rerun (kept in session state).
    at.run()
    assert column in year_end_table(at).columns


def test_broken_and_valid_together_only_valid_added() -> None:
    at = make_app("compare", lang="en")
    files = [
        ("broken.json", BROKEN, "application/json"),
        ("ok.json", scenario_file("Group A", {"new_coops": 100}), "application/json"),
    ]
    at.file_uploader(key="compare_upload").set_value(files).run()
    assert not at.exception
    assert len(at.error) == 1 and "broken.json" in plain(at.error[0].value)
    assert "📄 Group A" in year_end_table(at).columns
    assert len(at.session_state[Keys.COMPARE_UPLOADS]) == 1


def test_upload_problems_follow_the_language() -> None:
    at = make_app("compare", lang="vi")
    at.file_uploader(key="compare_upload").set_value(("bad.json", BAD_VALUES, "application/json")).run()
    assert PLAN.lever("new_coops").label_vi in plain(at.error[0].value)
    at.session_state["lang"] = "en"
    at.run()
    assert PLAN.lever("new_coops").label_en in plain(at.error[0].value)


def test_other_plan_version_shows_notice_and_is_added() -> None:
    at = make_app("compare", lang="en")
    content = scenario_file("Old", {"new_coops": 70}, version="0.1")
    at.file_uploader(key="compare_upload").set_value(("old.json", content, "application/json")).run()
    assert not at.exception
    assert any("version 0.1" in plain(w.value) for w in at.warning)
    assert "📄 Old" in year_end_table(at).columns


def test_add_upload_directly() -> None:
    """The parsing/adding function on a plain dict: error, added, duplicate."""
    session: dict[str, object] = {Keys.COMPARE_SELECTION: ["current", "preset:cautious"]}
    bad = compare.add_upload(session, PLAN, file_id="f1", file_name="x.json", data=b"[1, 2]")
    assert bad.status == "rejected"
    # Markdown-escaped: the sentence shows literally (its braces and brackets are not markup).
    assert exports.problem_list(bad.problems, "vi", PLAN) == "- " + md_escape("Tệp phải chứa một đối tượng JSON (dạng { … }).")
    assert exports.problem_list(bad.problems, "en", PLAN) == "- " + md_escape("The file must hold a JSON object ({ … }).")
    assert session[Keys.COMPARE_UPLOADS] == {}
    assert session[Keys.COMPARE_SELECTION] == ["current", "preset:cautious"]
    good = scenario_file("", {"new_coops": 90})
    added = compare.add_upload(session, PLAN, file_id="f2", file_name="group-b.json", data=good)
    assert added.status == "added"
    key = added.key
    assert key is not None
    assert session[Keys.COMPARE_UPLOADS][key]["name"] == "group-b"  # no name in the file: its file name
    assert session[Keys.COMPARE_UPLOADS][key]["levers"]["new_coops"] == 90
    assert session[Keys.COMPARE_SELECTION] == ["current", "preset:cautious", compare.UPLOAD_PREFIX + key]
    again = compare.add_upload(session, PLAN, file_id="f3", file_name="copy.json", data=good)
    assert again.status == "duplicate"
    assert len(session[Keys.COMPARE_UPLOADS]) == 1


def test_fewer_than_two_scenarios_asks_for_more() -> None:
    at = make_app("compare", lang="en")
    at.multiselect(key=Keys.COMPARE_SELECTION).set_value(["current"]).run()
    assert not at.exception
    assert any("at least 2" in plain(w.value) for w in at.warning)
    assert len(at.dataframe) == 0


def test_selection_is_capped_at_six() -> None:
    session: dict[str, object] = {Keys.COMPARE_SELECTION: ["upload:gone", *compare.option_ids(PLAN, {})]}
    compare.sanitize_selection(session, compare.option_ids(PLAN, {}))
    assert len(session[Keys.COMPARE_SELECTION]) == compare.MAX_SCENARIOS
    assert "upload:gone" not in session[Keys.COMPARE_SELECTION]


def test_plan_implied_scenario_reaches_all_targets() -> None:
    at = make_app("compare", lang="en")
    at.multiselect(key=Keys.COMPARE_SELECTION).set_value(["current", "implied"]).run()
    assert not at.exception
    assert year_end_table(at).iloc[0]["Plan-implied scenario"] == "17/17 reached"


def test_load_button_makes_a_scenario_current() -> None:
    at = make_app("compare", lang="vi")
    at.button(key="compare_load_preset:recent_trends").click().run()
    assert not at.exception
    assert at.session_state[Keys.LEVERS] == PLAN.preset_levers("recent_trends")
    assert at.success
    table = year_end_table(at)
    current = row(table, "Chỉ tiêu", PLAN.target("new_coops").label_vi)["Kịch bản hiện tại"]
    assert current.startswith("56 ")


def test_vectorized_projection_matches_single_runs() -> None:
    """K scenarios in one call give the same year-end values as one call each."""
    from model.engine import project

    candidates = [compare.Candidate(p.id, p.id, PLAN.preset_levers(p.id)) for p in PLAN.presets]
    many = compare.project_many(compare.scenario_items(candidates))
    for k, c in enumerate(candidates):
        single = project(PLAN, c.levers).year_end_dict()
        for indicator, value in single.items():
            assert many["year_end"][indicator][k] == pytest.approx(value, rel=1e-12)


def test_colliding_names_stay_distinct() -> None:
    """Regression: "X", "X" and "X (2)" became "X", "X (2)", "X (2)": one column overwrote another and
    the Styler raised on the duplicate column name."""
    session: dict = {Keys.COMPARE_UPLOADS: {}}
    ids, labels = [], {}
    for i, name in enumerate(["X", "X", "X (2)"]):
        key = f"k{i}"
        session[Keys.COMPARE_UPLOADS][key] = {"name": name, "file": f"{i}.json", "levers": PLAN.defaults(), "baseline": {}}
        ids.append(compare.UPLOAD_PREFIX + key)
        labels[compare.UPLOAD_PREFIX + key] = name
    candidates = compare.resolve(
        PLAN, ids, labels=labels, session=session, current_levers={}, current_baseline={}, implied_levers=dict
    )
    names = [c.name for c in candidates]
    assert len(set(names)) == 3, names


def test_user_text_is_not_markup() -> None:
    """An uploaded scenario's name goes into a button label and a headline as text, not Markdown."""
    at = make_app("compare", lang="en")
    doc = json.loads(to_json(PLAN, Scenario(PLAN.id, PLAN.version, PLAN.defaults(), {}, name="x")))
    at.session_state[Keys.COMPARE_UPLOADS] = {
        "k": {"name": "**B** ![i](https://e.x/p.png)", "file": "f.json", "levers": doc["levers"], "baseline": {}}
    }
    at.session_state[Keys.COMPARE_SELECTION] = ["current", compare.UPLOAD_PREFIX + "k"]
    at.run()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert any("\\*\\*B\\*\\*" in label and "!\\[i\\]" in label for label in labels), labels


# The file of issue 12 (item 2), as its bytes: a JSON escape of a lone surrogate (19 bytes with a final newline).
LONE_SURROGATE_FILE = b'{"name": "\\ud800"}\n'


def uploaded_names(at: AppTest) -> list[str]:
    return [entry["name"] for entry in at.session_state[Keys.COMPARE_UPLOADS].values()]


def test_lone_surrogate_name_does_not_crash() -> None:
    """Regression (issue 12 item 2): uploading {"name": "\\ud800"} raised UnicodeEncodeError (with a traceback
    naming server paths) in the scenario picker, on every page until the upload was removed."""
    at = make_app("compare", lang="en")
    at.file_uploader(key="compare_upload").set_value(("nhom.json", LONE_SURROGATE_FILE, "application/json")).run()
    assert not at.exception
    assert not at.error
    # Nothing usable is left of the name: the file name stands in, and the page says why.
    assert uploaded_names(at) == ["nhom"]
    (notice,) = [i.value for i in at.info if "nhom.json" in plain(i.value)]
    assert "cannot be shown" in plain(notice) and plain(notice).endswith(": nhom")
    assert "📄 nhom" in year_end_table(at).columns
    # The other pages still run with the upload in the session.
    at.switch_page("pages/overview.py").run()
    assert not at.exception


@pytest.mark.parametrize(
    ("name_json", "shown", "notice"),
    [
        ('"\\u200b\\u3164"', "nhom", True),  # only invisible characters: blank (issue 12 item 7a)
        ('"\\u2800\\u115f\\u1160\\uffa0"', "nhom", True),
        ('"\\u202eNh\\u00f3m 3\\u202c"', "Nhóm 3", True),  # a bidi override
        ('"Nh\\u00f3m\\n3\\t\\u0000"', "Nhóm 3", True),  # line break, tab, NUL
        ('"  Nh\\u00f3m   3  "', "Nhóm 3", False),  # spaces only tidied: nothing to say
        ('"Nho\\u0301m 3"', "Nhóm 3", False),  # decomposed Vietnamese → NFC, the same letters
        ('"' + "x" * 300 + '"', "x" * 79 + "…", True),  # too long: shortened, and said so
        ('"**B** <b>h</b> [l](https://e.x)"', "**B** <b>h</b> [l](https://e.x)", False),  # kept, shown as text
    ],
)
def test_hostile_names_are_cleaned_and_said(name_json: str, shown: str, notice: bool) -> None:
    at = make_app("compare", lang="vi")
    data = ('{"name": ' + name_json + "}").encode("ascii")
    at.file_uploader(key="compare_upload").set_value(("nhom.json", data, "application/json")).run()
    assert not at.exception
    assert not at.error
    assert uploaded_names(at) == [shown]
    notices = [plain(i.value) for i in at.info if "nhom.json" in plain(i.value)]
    assert len(notices) == int(notice)
    if notice:
        assert "không thể hiển thị" in notices[0] and notices[0].endswith(f": {shown}")
    # Shown as text: every element with the name escapes its markup.
    for element in [*at.info, *at.markdown]:
        assert "](" not in element.value and "<b>" not in element.value


def test_hostile_values_in_a_file_are_listed_not_crashed() -> None:
    """Lone surrogates in a lever value, a lever id, a baseline id and the plan version: a clear error, no traceback."""
    at = make_app("compare", lang="en")
    data = b'{"levers": {"new_coops": "\\ud800", "\\udfff": 1}, "baseline": {"\\ud800": 2}, "plan": {"version": "\\udc00"}}'
    at.file_uploader(key="compare_upload").set_value(("bad.json", data, "application/json")).run()
    assert not at.exception
    (error,) = at.error
    text = plain(error.value)
    assert "bad.json" in text and "\ufffd" in text
    assert "is not a number" in text
    assert not at.session_state[Keys.COMPARE_UPLOADS]


def test_file_without_any_usable_name() -> None:
    """Neither the scenario's name nor the file's name has anything visible: "Unnamed file" and the key."""
    at = make_app("compare", lang="en")
    at.file_uploader(key="compare_upload").set_value(("\u200b.json", LONE_SURROGATE_FILE, "application/json")).run()
    assert not at.exception
    (key,) = at.session_state[Keys.COMPARE_UPLOADS]
    assert f"📄 Unnamed file {key[:6]}" in year_end_table(at).columns


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overlay_spec_is_the_chart_built_for_the_scenarios(lang: str) -> None:
    """The overlay's spec is built once per set of names and indicator and filled in per rerun (issue 7:
    Altair in every rerun). Filled in, it is valid Vega-Lite and draws what the chart built directly draws."""
    names = ["A", "B", "C"]
    frame = pd.DataFrame(
        {"date": [float(m) for _ in names for m in range(13)], "scenario": [n for n in names for _ in range(13)]}
    )
    frame["date_text"] = "31/12/2023"
    frame["value"] = [float(i) for i in range(len(frame))]
    kwargs = {"target": 900.0, "unit": "HTX", "decimals": 0, "lang": lang}
    spec = compare.overlay_spec_filled(frame, names=names, **kwargs)
    direct = style(compare.overlay_chart(frame, names=names, **kwargs), lang=lang, height=compare.overlay_height(3))
    assert_draws_like(spec, direct.to_dict())
    assert spec["layer"][0]["data"]["values"] == frame.to_dict("records")


def test_overlay_months_are_dates_and_no_scenario_has_the_targets_colour() -> None:
    """Issue 9: one time axis for months (Compare showed 0–12, Scenario dates): the overlay's x is the month end as
    a date, 31 Dec 2022 first; and the sixth scenario was drawn in the target's red-orange."""
    at = make_app("compare", lang="vi")
    assert not at.exception
    frame = compare.monthly_frame([compare.Candidate(id="current", name="A", levers={})], {"coops": np.zeros((1, 13))}, "coops")
    assert frame["date_text"].iloc[0] == "31/12/2022" and frame["date_text"].iloc[-1] == "31/12/2023"
    assert TARGET not in compare.SCENARIO_COLORS and len(compare.SCENARIO_COLORS) >= compare.MAX_SCENARIOS
    spec = compare.overlay_spec(("A", "B"), target=900.0, unit="HTX", decimals=0, year=2023, lang="vi")
    assert spec["layer"][0]["encoding"]["x"]["type"] == "temporal"
