"""Data & sources: targets with the source wording, the baseline editor (strict: a bad value changes
nothing), observations, equations; the upload on this page."""

from __future__ import annotations

import json
from typing import Any

import pytest
import streamlit
from apptools import APP, assert_draws_like, make_app, plain, scorecard_cell
from hypothesis import given, settings
from hypothesis import strategies as hyp
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from model.plan import BASELINE_IDS, load_observations, load_plan
from model.scenario import validate
from model.text import LANGS, tr
from ui.data_sources import (
    EDITOR_PREFIX,
    PROJECTION_SCOPE,
    baseline_text,
    editor_frame,
    observation_chart,
    observation_chart_frame,
    observation_chart_texts,
    observation_spec_filled,
    observation_y_domain,
    observed_indicators,
    overrides_from_editor,
    parse_value,
    scope_colors,
    series_scopes,
    split_baseline,
)

PLAN = load_plan()
ROW = {bid: i for i, bid in enumerate(b.id for b in PLAN.baseline)}


UPLOAD_KEY = "data_sources_upload"  # ui/exports.render_upload("data_sources")


def baseline_editor(at: AppTest) -> Dataframe:
    """The baseline editor (its key changes with the overrides in use: found by its prefix, not its place)."""
    (editor,) = [e for e in at.data_editor if e.key and e.key.startswith(EDITOR_PREFIX)]
    return editor


def page(lang: str = "vi") -> AppTest:
    return make_app("data_sources", lang=lang)


def edit(at: AppTest, edits: dict[str, object]) -> AppTest:
    """Type values into the baseline editor's "value used" column (by baseline id), then rerun."""
    key = baseline_editor(at).key
    at.session_state[key] = {
        "edited_rows": {ROW[bid]: {"value": value} for bid, value in edits.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    return at.run()


def overview_projection(at: AppTest, label: str) -> str:
    """The year-end projection the Overview's scorecard shows for one target (by its label)."""
    at.switch_page("pages/overview.py")
    at.run()
    return scorecard_cell(at, label, "table.projected")


@pytest.mark.parametrize("lang", LANGS)
def test_sections_panels_equations_downloads_and_upload(lang: str) -> None:
    """(That the page runs and shows its title: tests/app/test_smoke.py.)"""
    at = page(lang)
    assert not at.error
    assert len(at.subheader) == 5
    assert len(at.get("vega_lite_chart")) == 9  # one panel per indicator with reported figures
    assert len(at.latex) == 9
    assert len(at.download_button) == 4
    assert len(at.file_uploader) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_observation_panels_are_the_charts_built_for_the_scenario(lang: str) -> None:
    """Each panel's spec is built once and filled in per rerun (issue 7: Altair cost 52 % of a rerun).
    Filled in, it is valid Vega-Lite and draws what the chart built for that year-end value draws."""
    observations = load_observations()
    for indicator in observed_indicators(PLAN, observations):
        target = PLAN.target(indicator)
        projected = target.value * 1.7  # above everything: the axis must follow it
        spec = observation_spec_filled(indicator, projected=projected, lang=lang)
        frame = observation_chart_frame(PLAN, observations, indicator, projected=projected, year=PLAN.meta.year, lang=lang)
        direct = observation_chart(
            frame,
            series_scopes=series_scopes(frame),
            colors=scope_colors(observations),
            y_domain=observation_y_domain([*frame["value"], target.value]),
            target_value=target.value,
            lang=lang,
            **observation_chart_texts(PLAN, indicator, lang),
        ).to_dict()
        assert_draws_like(spec, direct)
        points = spec["layer"][2]["data"]["values"]
        assert [p["value"] for p in points] == pytest.approx(frame["value"].tolist())
        assert [p["date"] for p in points] == pytest.approx([d.value / 1e6 for d in frame["date"]])
        assert [p["value_text"] for p in points] == frame["value_text"].tolist()
        assert points[-1]["scope_en"] == PROJECTION_SCOPE
        assert spec["layer"][2]["encoding"]["y"]["scale"]["domain"][1] > projected


@pytest.mark.parametrize("lang", LANGS)
def test_targets_show_the_vietnamese_source_wording(lang: str) -> None:
    at = page(lang)
    targets = at.dataframe[0].value
    assert len(targets) == 17
    wording = targets[tr(lang, "data_sources.col.source_vi")].tolist()
    assert "doanh thu bình quân một hợp tác xã đạt 3.000 triệu đồng" in wording  # the source's words, in both languages
    labels = targets[tr(lang, "data_sources.col.indicator")].tolist()
    assert ("Average revenue per coop" in labels) == (lang == "en")
    source = "Tỉnh Sơn La phấn đấu thành lập mới 85 Hợp tác xã trong năm 2023"
    assert any(source in m.value for m in at.markdown)


def test_baseline_shows_provenance_and_sources() -> None:
    at = page("en")
    base = baseline_editor(at).value.set_index("id")
    assert list(base.index) == list(BASELINE_IDS)
    assert base.loc["coops", "value"] == "815"
    assert base.loc["members", "value"] == "34,350"  # text in the locale's format
    assert base.loc["coops", "provenance"] == "Implied by the plan"
    assert base.loc["members", "provenance"] == "Reported"
    assert base.loc["members", "date"] == "20 Oct 2022"
    assert base.loc["members", "source"].startswith("https://etime.danviet.vn/")
    assert base.loc["managers", "provenance"] == "Assumption"
    assert "3,368 / 900" in base.loc["managers", "note"]


def test_trained_managers_above_managers_is_rejected_and_nothing_changes() -> None:
    at = edit(page("vi"), {"managers_trained": 4000})
    assert not at.exception
    assert at.session_state["baseline"] == {}
    (error,) = at.error
    assert "chưa được dùng" in plain(error.value)
    assert "4.000 lớn hơn «Cán bộ quản lý HTX» (3.050)" in plain(error.value)


def test_negative_value_is_rejected_and_the_previous_override_is_kept() -> None:
    """A valid override (coops 800), then a bad edit: the error names it, and 800 stays in use."""
    at = edit(page("en"), {"coops": 800})
    assert at.session_state["baseline"] == {"coops": 800.0}
    at = edit(at, {"coops": 800, "members": -5})
    assert at.session_state["baseline"] == {"coops": 800.0}
    assert "must not be negative (-5 entered)" in plain(at.error[0].value)
    at = edit(at, {"coops": 0})
    assert at.session_state["baseline"] == {"coops": 800.0}
    assert "must be more than 0" in plain(at.error[0].value)


def test_emptied_cell_is_rejected() -> None:
    at = edit(page("en"), {"workers": None})
    assert at.session_state["baseline"] == {}
    assert "is not a number" in plain(at.error[0].value)


def test_valid_override_moves_the_projection_and_can_be_restored() -> None:
    """Baseline coops 800 with the defaults (no dissolution): 800 + 85 = 885 at year end."""
    at = edit(page("vi"), {"coops": 800})
    assert not at.exception
    assert at.session_state["baseline"] == {"coops": 800.0}
    assert not at.error
    assert any("**800** HTX (kế hoạch: 815)" in i.value for i in at.info)
    # The editor starts afresh from the overrides in use and marks the edited row.
    base = baseline_editor(at).value.set_index("id")
    assert base.loc["coops", "value"] == "800"
    assert base.loc["coops", "overridden"] == "✏️ đã sửa"
    assert overview_projection(at, "Tổng số hợp tác xã cuối năm") == "885"
    at.switch_page("pages/data_sources.py")
    at.run()
    at.button(key="data_sources_restore").click().run()
    assert at.session_state["baseline"] == {}
    assert baseline_editor(at).value.set_index("id").loc["coops", "value"] == "815"
    assert overview_projection(at, "Tổng số hợp tác xã cuối năm") == "900"


def test_sidebar_reset_clears_the_override_and_the_editor() -> None:
    at = edit(page("en"), {"coops": 800})
    at.button(key="sidebar_reset").click().run()
    assert at.session_state["baseline"] == {}
    assert baseline_editor(at).value.set_index("id").loc["coops", "value"] == "815"


def test_text_and_locale_numbers_in_the_editor() -> None:
    """Regression: typing "abc" set the value to 0 silently; "-5" arrived as 5. Values are text in the
    locale's format now, parsed with Babel: vi "30.000" is thirty thousand, "abc" is turned down."""
    at = edit(page("vi"), {"members": "30.000", "workers": "abc"})
    assert at.session_state["baseline"] == {"members": 30000.0}
    text = plain(at.error[0].value)
    assert "abc" in text
    # The turned-down cell went back to the value in use; the valid one shows in the locale's format.
    base = baseline_editor(at).value.set_index("id")
    assert base.loc["workers", "value"] == "9.000"
    assert base.loc["members", "value"] == "30.000"
    at = edit(at, {"unions": "-5"})
    assert "-5" in plain(at.error[0].value) or "−5" in plain(at.error[0].value)
    assert at.session_state["baseline"] == {"members": 30000.0}


def test_observations_table_has_scope_and_links() -> None:
    at = page("en")
    obs = at.dataframe[2].value  # after the targets and the baseline editor
    in_operation = obs[(obs["Indicator"] == "Cooperatives at year end") & (obs["Scope"] == "in operation")]
    assert in_operation.iloc[0]["Value"] == "871 coops"
    assert in_operation.iloc[0]["Date"] == "9 Apr 2024"
    assert obs["Source"].str.startswith("https://").all()


def test_broken_upload_changes_nothing() -> None:
    at = page("vi")
    before_levers = dict(at.session_state["levers"])
    at.file_uploader(key=UPLOAD_KEY).set_value(("hong.json", b'{"levers": {"new_coops": "abc"', "application/json")).run()
    assert not at.exception
    assert "Chưa nạp tệp «hong.json»" in plain(at.error[0].value)
    assert "Tệp không phải là JSON hợp lệ" in plain(at.error[0].value)  # in Vietnamese, not the model's English
    assert at.session_state["levers"] == before_levers
    assert at.session_state["baseline"] == {}


def test_upload_with_bad_values_lists_every_problem_and_changes_nothing() -> None:
    at = edit(page("vi"), {"coops": 800})
    doc = {"plan": {"id": PLAN.id}, "levers": {"new_coops": 150, "dissolution_rate": 99}, "baseline": {"members": -1}}
    at.file_uploader(key=UPLOAD_KEY).set_value(("sai.json", json.dumps(doc).encode(), "application/json")).run()
    error = plain(at.error[0].value)
    assert "«Tỷ lệ giải thể»: 99 nằm ngoài khoảng 0,0–20,0" in error
    assert "«Thành viên hợp tác xã»: không được âm" in error
    assert at.session_state["levers"]["new_coops"] == 85  # the valid part of the file is not applied either
    assert at.session_state["baseline"] == {"coops": 800.0}


def test_valid_upload_applies_once() -> None:
    at = page("en")
    doc = {"plan": {"id": PLAN.id, "version": "0.9"}, "levers": {"new_coops": 100}, "baseline": {"coops": 800}}
    at.file_uploader(key=UPLOAD_KEY).set_value(("workshop.json", json.dumps(doc).encode(), "application/json")).run()
    assert not at.exception
    assert at.session_state["levers"]["new_coops"] == 100
    assert at.session_state["baseline"] == {"coops": 800.0}
    assert 'Scenario loaded from "workshop.json"' in plain(at.success[0].value)
    assert "plan version 0.9" in plain(at.warning[0].value)
    # Moving a lever afterwards is not undone by the next rerun (the file stays in the uploader).
    at.session_state["levers"] = {**at.session_state["levers"], "new_coops": 90}
    at.run()
    assert at.session_state["levers"]["new_coops"] == 90
    # 800 + 90 = 890 coops at year end.
    assert overview_projection(at, "Cooperatives at year end") == "890"


# ---------------------------------------------- issue 12: no rerun loop from a link


MAX_RERUNS = 3  # a run may rerun once for a real edit; more than this is a loop


@pytest.fixture
def reruns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every st.rerun() the app calls; past MAX_RERUNS an exception stops the loop (instead of a hang)."""
    calls: list[str] = []
    real = streamlit.rerun

    def counting(*args: Any, **kwargs: Any) -> None:
        calls.append("rerun")
        if len(calls) > MAX_RERUNS:
            raise RuntimeError(f"st.rerun() called {len(calls)} times: a rerun loop")
        real(*args, **kwargs)

    monkeypatch.setattr(streamlit, "rerun", counting)
    return calls


def open_data_sources(query: dict[str, str]) -> AppTest:
    """The app opened at /data_sources?<query>, as a shared link would (the link is read on that first run)."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.switch_page("pages/data_sources.py")
    return at.run()


@pytest.mark.parametrize(
    ("key", "given", "bid", "shown"),
    [("b_coops", "0.00001", "coops", "815"), ("b_unions", "0.00001", "unions", "6"), ("b_coops", "1e-300", "coops", "815")],
)
def test_link_with_a_value_the_editor_cannot_show_does_not_loop(
    reruns: list[str], key: str, given: str, bid: str, shown: str
) -> None:
    """Regression (issue 12): /data_sources?b_coops=0.00001 never drew and burned a core. The editor showed
    1e-05 as "0", read "0" back, had it refused (coops must be > 0), kept 1e-05 and reran — forever.
    Now the link's value is refused (the plan's value applies, a warning names it) and the page draws
    with no rerun at all, also on the runs after."""
    at = open_data_sources({key: given, "lang": "en"})
    assert not at.exception
    assert reruns == []
    assert at.session_state["baseline"] == {}  # the plan's value
    warning = plain(at.warning[0].value)
    assert key in warning and f"«{given}»" in warning and "is outside the allowed range" in warning
    assert baseline_editor(at).value.set_index("id").loc[bid, "value"] == shown
    assert len(at.subheader) == 5  # the whole page drew
    for _ in range(2):
        at.run()
        assert not at.exception
    assert reruns == []


def test_a_value_shown_otherwise_never_starts_a_rerun(reruns: list[str]) -> None:
    """Regression (issue 12): the editor's own output could start a rerun. Even a value that bypassed
    validation and does not read back (1e-05 coops shows as "0") changes nothing unless a cell is edited."""
    at = page("en")
    at.session_state["baseline"] = {"coops": 1e-05}
    at.run()
    assert not at.exception
    assert reruns == []
    assert at.session_state["baseline"] == {"coops": 1e-05}


def test_one_rerun_per_edit(reruns: list[str]) -> None:
    """An accepted edit and a turned-down edit each rerun once; the fresh editor then holds no edits."""
    at = edit(page("en"), {"coops": "800"})
    assert reruns == ["rerun"]
    assert at.session_state["baseline"] == {"coops": 800.0}
    at = edit(at, {"coops": "0.00001"})
    assert reruns == ["rerun", "rerun"]
    assert at.session_state["baseline"] == {"coops": 800.0}
    assert "“Cooperatives at year end”: must be a whole number (0.00001 entered)" in plain(at.error[0].value)
    at.run()
    assert reruns == ["rerun", "rerun"]
    assert not at.exception


@pytest.mark.parametrize(
    ("lang", "edits", "expected"),
    [
        ("en", {"members": "34,350.5"}, "“Cooperative members”: must be a whole number (34,350.5 entered)"),
        ("vi", {"revenue_per_coop": "1.941,25"}, "tối đa 1 chữ số thập phân (đã nhập 1.941,25)"),
    ],
)
def test_finer_values_than_the_editor_shows_are_turned_down(lang: str, edits: dict[str, str], expected: str) -> None:
    at = edit(page(lang), edits)
    assert not at.exception
    assert at.session_state["baseline"] == {}
    assert expected in plain(at.error[0].value)


@settings(max_examples=200, deadline=None)
@given(
    bid=hyp.sampled_from(BASELINE_IDS),
    raw=hyp.one_of(
        hyp.floats(min_value=0, max_value=2e9, allow_nan=False),
        hyp.floats(min_value=0, max_value=1e-3),
        hyp.integers(0, 10**9).map(lambda n: n / 100),
    ),
    lang=hyp.sampled_from(LANGS),
)
def test_every_accepted_value_reads_back_as_itself(bid: str, raw: float, lang: str) -> None:
    """For any baseline value validation accepts (strictly, or as lenient validation repairs it), the text
    the editor shows parses back to exactly that value — so an unedited editor never asks for a change."""
    scenario, _ = validate(PLAN, {}, {bid: raw}, lenient=True)
    validate(PLAN, {}, scenario.baseline)  # strict accepts it
    for key, value in scenario.baseline.items():
        text = baseline_text(PLAN, key, value, lang)
        assert parse_value(text, lang) == value, text
    # The unedited editor reads back every value in use, cell by cell, as the same overrides.
    frame = editor_frame(PLAN, scenario.baseline, lang)
    for key, text in zip(frame["id"], frame["value"], strict=True):
        assert parse_value(text, lang) == scenario.baseline.get(key, PLAN.baseline_values()[key])
    assert overrides_from_editor(PLAN, frame, frame.copy(), scenario.baseline, lang) == scenario.baseline


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (2e9, "2,000,000,000 is more than the largest allowed, 1,000,000,000"),  # was "must be more than 0"
        (-5, "must be more than 0 (-5 entered)"),
        (815.5, "must be a whole number (815.5 entered)"),
    ],
)
def test_editor_says_why_a_coops_value_is_turned_down(value: float, words: str) -> None:
    """The editor words a refused value as an uploaded file's is worded (one rule: ui.problems.describe)."""
    accepted, lines = split_baseline(PLAN, PLAN.defaults(), {"coops": value}, previous={}, lang="en")
    assert "coops" not in accepted
    assert lines == [f"“Cooperatives at year end”: {words}"]
