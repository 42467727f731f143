"""Downloads and the upload handler (ui/exports.py): files parse back, numbers match the scorecard,
the scenario JSON round-trips, a rejected upload changes nothing and a file is applied only once."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
from apptools import make_app, scorecard_cell
from streamlit.testing.v1 import AppTest

from model.plan import load_observations, load_plan
from model.scenario import Change, from_json
from model.text import number
from ui import exports

PLAN = load_plan()


def _gather_script() -> None:
    import streamlit as st

    from ui import exports, state

    state.init_state()
    st.session_state["test_frames"] = exports.gather_frames()


@pytest.fixture
def frames() -> exports.ExportFrames:
    """The export tables for the defaults, gathered in a script run exactly as the page gathers them."""
    at = AppTest.from_function(_gather_script, default_timeout=30)
    at.run()
    assert not at.exception
    return at.session_state["test_frames"]


def test_file_names() -> None:
    assert exports.file_name(PLAN, "scenario", "json") == "sonla-2023-scenario.json"
    assert exports.file_name(PLAN, "year-end", "csv") == "sonla-2023-year-end.csv"


def test_year_end_csv_parses_with_the_worked_check(frames: exports.ExportFrames) -> None:
    """MODEL.md worked check: coops 815 + 85 = 900; revenue (815·2000·1.03 + 85·800)/900 = 1,941.0."""
    df = pd.read_csv(io.BytesIO(exports.csv_bytes(frames.year_end))).set_index("id")
    assert len(df) == 17
    assert df.loc["coops", "value"] == pytest.approx(900)
    assert df.loc["revenue_per_coop", "value"] == pytest.approx((815 * 2000 * 1.03 + 85 * 800) / 900)
    assert df.loc["revenue_per_coop", "value"] == pytest.approx(1941.0, abs=0.05)
    assert df.loc["coops", "status"] == "reached"
    assert df.loc["revenue_per_coop", "status"] == "missed"


def test_monthly_csv_parses(frames: exports.ExportFrames) -> None:
    df = pd.read_csv(io.BytesIO(exports.csv_bytes(frames.monthly)))
    assert df["month"].tolist() == list(range(13))
    assert df.loc[0, "coops"] == pytest.approx(815)
    assert df.loc[12, "coops"] == pytest.approx(900)
    assert df.loc[12, "worker_income"] == pytest.approx(48 * 1.12)


def test_workbook_sheets_and_numbers_match_the_overview(frames: exports.ExportFrames) -> None:
    book = openpyxl.load_workbook(io.BytesIO(exports.workbook_bytes(frames)))
    assert book.sheetnames == ["scenario", "year_end", "monthly", "sources"]
    rows = list(book["year_end"].values)
    header, body = rows[0], rows[1:]
    by_id = {r[header.index("id")]: r for r in body}
    coops = by_id["coops"][header.index("value")]
    revenue = by_id["revenue_per_coop"][header.index("value")]
    assert coops == pytest.approx(900)
    assert revenue == pytest.approx(1941.0, abs=0.05)
    # The same numbers the Overview shows, in its format.
    at = make_app(lang="vi")
    assert scorecard_cell(at, "Tổng số hợp tác xã cuối năm", "table.projected") == "900"
    assert scorecard_cell(at, "Doanh thu bình quân một HTX", "table.projected") == "1.941,0"
    assert number(coops, "vi", 0) == "900"
    assert number(revenue, "vi", 1) == "1.941,0"
    # Levers: one row each, with value and default.
    scenario = list(book["scenario"].values)
    assert scenario[0] == ("id", "group", "label", "unit", "value", "default")
    assert len(scenario) - 1 == len(PLAN.levers)
    # Sources: the three tables under their titles, the source wording kept verbatim.
    cells = [c for row in book["sources"].values for c in row if c is not None]
    for title in ("targets", "baseline", "observations"):
        assert title in cells
    assert "doanh thu bình quân một hợp tác xã đạt 3.000 triệu đồng" in cells
    assert len(book["monthly"]["A"]) == 14  # header + months 0–12


def test_scenario_json_round_trips() -> None:
    levers = PLAN.defaults() | {"new_coops": 120, "revenue_growth": 12.5, "formation_timing": "front"}
    baseline = {"coops": 800.0}
    data = exports.scenario_json_bytes(PLAN, levers, baseline)
    loaded = from_json(PLAN, data)
    assert loaded.scenario.levers == levers
    assert loaded.scenario.baseline == baseline
    assert loaded.notices == []


def _session() -> dict[str, object]:
    return {"levers": dict(PLAN.defaults()), "baseline": {"coops": 800.0}}


def test_broken_upload_changes_nothing() -> None:
    session = _session()
    before = json.loads(json.dumps(session))
    outcome = exports.handle_upload(PLAN, file_id="f1", file_name="x.json", data=b"{not json", session=session)
    assert outcome is not None and outcome.status == "rejected"
    assert outcome.problems["en"][0].startswith("The file is not valid JSON")
    assert outcome.problems["vi"][0].startswith("Tệp không phải là JSON hợp lệ")
    assert session["levers"] == before["levers"]
    assert session["baseline"] == before["baseline"]


def test_bad_values_are_listed_in_words_in_both_languages() -> None:
    doc = {
        "plan": {"id": "other-plan"},
        "levers": {"new_coops": 85.5, "formation_timing": "sometimes", "nope": 1},
        "baseline": {"managers_trained": 5000},
    }
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="f2", file_name="x.json", data=json.dumps(doc).encode(), session=session)
    assert outcome is not None and outcome.status == "rejected"
    en = outcome.problems["en"]
    assert en[0] == "The file was made for plan «other-plan», not «sonla-2023»."
    assert "“New coops founded in the year”: 85.5 is not on the slider's step of 1" in en
    assert any(p.startswith("“Formation timing") or "is not one of the choices" in p for p in en)
    assert "“nope” is not a lever of this plan" in en
    assert any("5,000 is more than “Coop managers”" in p for p in en)
    vi = outcome.problems["vi"]
    assert "«nope» không phải là đòn bẩy của kế hoạch này" in vi
    assert len(vi) == len(en) == 5
    assert session["levers"] == PLAN.defaults()


def test_valid_upload_is_applied_once_per_file() -> None:
    data = json.dumps({"plan": {"id": PLAN.id, "version": PLAN.version}, "levers": {"new_coops": 100}}).encode()
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="f3", file_name="ok.json", data=data, session=session)
    assert outcome is not None and outcome.status == "applied"
    assert outcome.changed_levers == 1
    assert outcome.notices == {"vi": (), "en": ()}
    assert session["levers"]["new_coops"] == 100
    assert session["baseline"] == {}  # the file's baseline (none) replaces the session's
    # A rerun with the same upload id does nothing, even after the user moved a lever.
    session["levers"] = {**session["levers"], "new_coops": 90}
    assert exports.handle_upload(PLAN, file_id="f3", file_name="ok.json", data=data, session=session) is None
    assert session["levers"]["new_coops"] == 90


def test_observations_frame_keeps_scope_and_source() -> None:
    df = exports.observations_frame(PLAN, load_observations(), "en")
    row = df[(df["indicator"] == "coops") & (df["date"] == "2024-04-09")].iloc[0]
    assert row["scope"] == "in operation"
    assert row["value"] == 871
    assert row["source"].startswith("https://en.baosonla.org.vn/")


def _upload_problems(baseline: dict[str, object]) -> dict[str, tuple[str, ...]]:
    doc = {"plan": {"id": PLAN.id, "version": PLAN.version}, "levers": {}, "baseline": baseline}
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="fb", file_name="b.json", data=json.dumps(doc).encode(), session=session)
    assert outcome is not None and outcome.status == "rejected"
    assert session["baseline"] == {"coops": 800.0}  # nothing applied
    return {lang: tuple(lines) for lang, lines in outcome.problems.items()}


@pytest.mark.parametrize(
    ("baseline", "en", "vi"),
    [
        # Regression: refused as it should be, but said as "must not be negative".
        (
            {"coops": 815.5},
            "“Cooperatives at year end”: must be a whole number (815.5 entered)",
            "phải là số nguyên (đã nhập 815,5)",
        ),
        ({"members": 34350.4}, "“Cooperative members”: must be a whole number (34,350.4 entered)", "(đã nhập 34.350,4)"),
        ({"worker_income": 48.123}, "“Worker income”: at most 2 decimal(s) (48.123 entered)", "tối đa 2 chữ số thập phân"),
        # Out of range: the bound that was broken, not always "negative".
        ({"members": 2e9}, "“Cooperative members”: 2,000,000,000 is more than the largest allowed, 1,000,000,000", "lớn hơn"),
        ({"members": -5}, "“Cooperative members”: must not be negative (-5 entered)", "không được âm"),
        ({"coops": 0}, "“Cooperatives at year end”: must be more than 0 (0 entered)", "phải lớn hơn 0"),
    ],
)
def test_a_refused_baseline_value_is_said_for_what_it_is(baseline: dict[str, object], en: str, vi: str) -> None:
    """Regression: an uploaded file with 815.5 coops was refused with "must not be negative (815.5 entered)";
    change_line put every baseline reason it did not know there (and 2e9 members too)."""
    problems = _upload_problems(baseline)
    assert problems["en"] == (en,)
    assert vi in problems["vi"][0]


def test_an_unknown_reason_is_said_neutrally() -> None:
    """A reason change_line does not know never falls under a wrong wording ("must not be negative", "slider's step")."""
    baseline = exports.change_line(PLAN, Change("baseline.members", "5", None, "something_new"), "en")
    lever = exports.change_line(PLAN, Change("new_coops", "60", None, "something_new"), "en")
    assert baseline == "“Cooperative members”: 5 cannot be used"
    assert lever == "“New coops founded in the year”: 60 cannot be used"
    assert exports.change_line(PLAN, Change("new_coops", "60", None, "something_new"), "vi").endswith("không dùng được 60")


def test_a_refused_number_is_shown_with_every_decimal_typed() -> None:
    """85.00001 was shown as "85,00" (rounded to 2 places): the message must quote the number refused."""
    line = exports.change_line(PLAN, Change("new_coops", "85.00001", "85", "off_step"), "vi")
    assert "85,00001" in line
