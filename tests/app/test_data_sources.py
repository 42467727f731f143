"""Data & sources: targets with the source wording, the baseline editor (strict: a bad value changes
nothing), observations, equations; the upload on this page."""

from __future__ import annotations

import json

import pytest
from apptools import make_app, plain, scorecard_cell
from streamlit.testing.v1 import AppTest

from model.plan import BASELINE_IDS, load_plan
from model.text import LANGS, tr

PLAN = load_plan()
ROW = {bid: i for i, bid in enumerate(b.id for b in PLAN.baseline)}


def page(lang: str = "vi") -> AppTest:
    return make_app("data_sources", lang=lang)


def edit(at: AppTest, edits: dict[str, object]) -> AppTest:
    """Type values into the baseline editor's "value used" column (by baseline id), then rerun."""
    key = at.data_editor[0].key
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
def test_smoke(lang: str) -> None:
    at = page(lang)
    assert not at.exception
    assert not at.error
    assert len(at.subheader) == 5
    assert len(at.get("vega_lite_chart")) == 9  # one panel per indicator with reported figures
    assert len(at.latex) == 9
    assert len(at.download_button) == 4
    assert len(at.file_uploader) == 1


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
    base = at.data_editor[0].value.set_index("id")
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
    base = at.data_editor[0].value.set_index("id")
    assert base.loc["coops", "value"] == "800"
    assert base.loc["coops", "overridden"] == "✏️ đã sửa"
    assert overview_projection(at, "Tổng số hợp tác xã cuối năm") == "885"
    at.switch_page("pages/data_sources.py")
    at.run()
    at.button(key="data_sources_restore").click().run()
    assert at.session_state["baseline"] == {}
    assert at.data_editor[0].value.set_index("id").loc["coops", "value"] == "815"
    assert overview_projection(at, "Tổng số hợp tác xã cuối năm") == "900"


def test_sidebar_reset_clears_the_override_and_the_editor() -> None:
    at = edit(page("en"), {"coops": 800})
    at.button(key=next(b.key for b in at.button if b.label == "Reset to defaults")).click().run()
    assert at.session_state["baseline"] == {}
    assert at.data_editor[0].value.set_index("id").loc["coops", "value"] == "815"


def test_text_and_locale_numbers_in_the_editor() -> None:
    """Regression: typing "abc" set the value to 0 silently; "-5" arrived as 5. Values are text in the
    locale's format now, parsed with Babel: vi "30.000" is thirty thousand, "abc" is turned down."""
    at = edit(page("vi"), {"members": "30.000", "workers": "abc"})
    assert at.session_state["baseline"] == {"members": 30000.0}
    text = plain(at.error[0].value)
    assert "abc" in text
    # The turned-down cell went back to the value in use; the valid one shows in the locale's format.
    base = at.data_editor[0].value.set_index("id")
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
    at.file_uploader[0].set_value(("hong.json", b'{"levers": {"new_coops": "abc"', "application/json")).run()
    assert not at.exception
    assert "Chưa nạp tệp «hong.json»" in plain(at.error[0].value)
    assert "Tệp không phải là JSON hợp lệ" in plain(at.error[0].value)  # in Vietnamese, not the model's English
    assert at.session_state["levers"] == before_levers
    assert at.session_state["baseline"] == {}


def test_upload_with_bad_values_lists_every_problem_and_changes_nothing() -> None:
    at = edit(page("vi"), {"coops": 800})
    doc = {"plan": {"id": PLAN.id}, "levers": {"new_coops": 150, "dissolution_rate": 99}, "baseline": {"members": -1}}
    at.file_uploader[0].set_value(("sai.json", json.dumps(doc).encode(), "application/json")).run()
    error = plain(at.error[0].value)
    assert "«Tỷ lệ giải thể»: 99 nằm ngoài khoảng 0,0–20,0" in error
    assert "«Thành viên hợp tác xã»: không được âm" in error
    assert at.session_state["levers"]["new_coops"] == 85  # the valid part of the file is not applied either
    assert at.session_state["baseline"] == {"coops": 800.0}


def test_valid_upload_applies_once() -> None:
    at = page("en")
    doc = {"plan": {"id": PLAN.id, "version": "0.9"}, "levers": {"new_coops": 100}, "baseline": {"coops": 800}}
    at.file_uploader[0].set_value(("workshop.json", json.dumps(doc).encode(), "application/json")).run()
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
