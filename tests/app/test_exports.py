"""Downloads and the upload handler (ui/exports.py): files parse back, numbers match the scorecard,
the scenario JSON round-trips, a rejected upload changes nothing and a file is applied only once."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from apptools import make_app, scorecard_cell
from streamlit.testing.v1 import AppTest

from model.plan import load_observations, load_plan
from model.problems import Problem
from model.scenario import from_json
from model.text import number
from ui import exports
from ui.keys import Keys
from ui.problems import describe, describe_all

PLAN = load_plan()


def _request_script() -> None:
    import streamlit as st

    from ui import exports, state

    state.init_state()
    st.session_state["test_request"] = exports.export_request(st.session_state.get("test_name", ""))


def request_for(lang: str, levers: dict[str, object] | None = None, name: str = "") -> exports.ExportRequest:
    """What a download builds its file from, taken in a script run exactly as the pages take it."""
    at = AppTest.from_function(_request_script, default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["test_name"] = name
    if levers is not None:
        at.session_state["levers"] = PLAN.defaults() | levers
    at.run()
    assert not at.exception
    return at.session_state["test_request"]


PROGRAMMER_WORDS = {"id", "value", "gap", "year_end", "label", "status", "monthly", "scenario", "sources"}


def _headers(rows: list[tuple]) -> list[str]:
    return [str(c) for c in rows[0] if c is not None]


def test_file_names() -> None:
    assert exports.file_name(PLAN, "scenario", "json") == "sonla-2023-scenario.json"
    assert exports.file_name(PLAN, "year-end", "csv") == "sonla-2023-year-end.csv"


def test_vietnamese_csv_reads_back_with_semicolons_and_decimal_commas() -> None:
    """MODEL.md worked check: coops 815 + 85 = 900; revenue (815·2000·1.03 + 85·800)/900 = 1,941.0 (shown 1.941,0)."""
    data = exports.year_end_csv(request_for("vi"))
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Vietnamese letters
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Chỉ tiêu;Đơn vị;Dự báo 31/12/2023;Mục tiêu;% mục tiêu;Chênh lệch so với mục tiêu;Đánh giá"
    assert "Doanh thu bình quân một HTX;triệu đồng/năm;1941,0;3000,0;64,7;-1059,0;Chưa đạt" in text
    assert ";-0;" not in text  # a gap of −0.3 union is 0 at the target's precision
    df = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig").set_index("Chỉ tiêu")
    assert len(df) == 17
    assert df.loc["Tổng số hợp tác xã cuối năm", "Dự báo 31/12/2023"] == pytest.approx(900)
    assert df.loc["Doanh thu bình quân một HTX", "Dự báo 31/12/2023"] == 1941.0  # rounded like the screen
    assert df.loc["Thu nhập người lao động", "Dự báo 31/12/2023"] == 53.76
    assert df.loc["Tổng số hợp tác xã cuối năm", "Đánh giá"] == "Đạt"
    assert df.loc["Doanh thu bình quân một HTX", "Đánh giá"] == "Chưa đạt"
    assert not set(df.columns) & PROGRAMMER_WORDS


def test_english_csv_uses_commas_and_decimal_points() -> None:
    data = exports.year_end_csv(request_for("en"))
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").set_index("Indicator")
    assert list(df.columns) == ["Unit", "Projection 31 Dec 2023", "Target", "% of target", "Gap to target", "Status"]
    assert df.loc["Average revenue per coop", "Projection 31 Dec 2023"] == 1941.0
    assert df.loc["Average revenue per coop", "Status"] == "Missed"


def test_monthly_csv_has_dates_and_units_in_the_headers() -> None:
    data = exports.monthly_csv(request_for("vi"))
    df = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert df["Tháng"].tolist() == list(range(13))
    assert df["Ngày"].tolist()[:2] == ["31/12/2022", "31/01/2023"]
    assert df["Ngày"].tolist()[-1] == "31/12/2023"
    coops = "Tổng số hợp tác xã cuối năm (HTX)"
    assert df.loc[0, coops] == 815 and df.loc[12, coops] == 900
    assert df.loc[12, "Thu nhập người lao động (triệu đồng/năm)"] == pytest.approx(48 * 1.12)


@pytest.mark.parametrize(
    ("lang", "sheets", "projected", "revenue"),
    [
        ("vi", ["Kịch bản", "Cuối năm", "Từng tháng", "Nguồn"], "Dự báo 31/12/2023", "Doanh thu bình quân một HTX"),
        ("en", ["Scenario", "Year end", "Month by month", "Sources"], "Projection 31 Dec 2023", "Average revenue per coop"),
    ],
)
def test_workbook_in_the_session_language(lang: str, sheets: list[str], projected: str, revenue: str) -> None:
    book = openpyxl.load_workbook(io.BytesIO(exports.results_workbook(request_for(lang), active=1)))
    assert book.sheetnames == sheets
    assert book.active.title == sheets[1]  # the Overview's workbook opens on the year-end table
    for title in sheets[:3]:
        ws = book[title]
        assert ws.freeze_panes == "A2"  # the header row stays in view
        header = _headers(list(ws.values))
        assert not set(header) & PROGRAMMER_WORDS
        assert all(ws.column_dimensions[c].customWidth for c in "ABC")  # fitted to the text, not Excel's default
    assert book[sheets[1]].column_dimensions["A"].width > 30  # the indicator names read in full
    rows = list(book[sheets[1]].values)
    header = rows[0]
    by_label = {r[0]: r for r in rows[1:]}
    assert len(by_label) == 17
    # Rounded like the screen: 1.941,0 (one decimal), 900 (whole); shown with those decimals.
    assert by_label[revenue][header.index(projected)] == 1941.0
    assert by_label[revenue][header.index(projected)] == round((815 * 2000 * 1.03 + 85 * 800) / 900, 1)
    cell = book[sheets[1]].cell(row=list(by_label).index(revenue) + 2, column=header.index(projected) + 1)
    assert cell.number_format == "#,##0.0"
    # Units: a column in the year-end table, in the header of each month-by-month column.
    assert header[1] == ("Đơn vị" if lang == "vi" else "Unit")
    monthly_header = _headers(list(book[sheets[2]].values))
    assert all(h.endswith(")") for h in monthly_header[2:])
    # Levers: one row each.
    assert len(list(book[sheets[0]].values)) - 1 == len(PLAN.levers)
    # Sources: the tables under their titles, the source wording kept verbatim.
    cells = [c for row in book[sheets[3]].values for c in row if c is not None]
    assert "doanh thu bình quân một hợp tác xã đạt 3.000 triệu đồng" in cells
    assert ("Số liệu đã báo cáo" if lang == "vi" else "Reported figures") in cells


def test_workbook_numbers_match_the_overview() -> None:
    book = openpyxl.load_workbook(io.BytesIO(exports.results_workbook(request_for("vi"))))
    rows = list(book["Cuối năm"].values)
    header, by_label = rows[0], {r[0]: r for r in rows[1:]}
    at = make_app(lang="vi")
    for label in ("Tổng số hợp tác xã cuối năm", "Doanh thu bình quân một HTX", "Thu nhập người lao động"):
        decimals = next(t.decimals for t in PLAN.targets if t.label("vi") == label)
        value = by_label[label][header.index("Dự báo 31/12/2023")]
        assert number(value, "vi", decimals) == scorecard_cell(at, label, "table.projected")


def test_scenario_json_round_trips() -> None:
    levers = PLAN.defaults() | {"new_coops": 120, "revenue_growth": 12.5, "formation_timing": "front"}
    baseline = {"coops": 800.0}
    data = exports.scenario_json_bytes(PLAN, levers, baseline, name="Nhóm 3")
    loaded = from_json(PLAN, data)
    assert loaded.scenario.levers == levers
    assert loaded.scenario.baseline == baseline
    assert loaded.scenario.name == "Nhóm 3"
    assert loaded.notices == []


def test_scenario_json_carries_a_name() -> None:
    """Two uploads must be told apart: the preset's label, the user's name, or "Tùy chỉnh" with the time."""
    default = PLAN.presets[0]
    at_default = json.loads(exports.scenario_json(request_for("vi")))
    assert at_default["name"] == PLAN.preset(default.id).label("vi")
    custom = json.loads(exports.scenario_json(request_for("vi", {"new_coops": 60})))
    assert re.fullmatch(r"Tùy chỉnh \d\d/\d\d/\d{4} \d\d:\d\d", custom["name"])
    assert json.loads(exports.scenario_json(request_for("en", {"new_coops": 60})))["name"].startswith("Custom 20")
    named = json.loads(exports.scenario_json(request_for("vi", {"new_coops": 60}, name="Nhóm 2: thận trọng")))
    assert named["name"] == "Nhóm 2: thận trọng"
    assert from_json(PLAN, json.dumps(named).encode()).scenario.name == "Nhóm 2: thận trọng"


def test_compare_table_exports() -> None:
    names = ("Mặc định", "60 HTX")
    values = tuple((t.id, (900.0, 875.0) if t.id == "coops" else (t.value, t.value)) for t in PLAN.targets)
    df = pd.read_csv(
        io.BytesIO(exports.compare_csv(PLAN, names, values, "vi", 0.05)), sep=";", decimal=",", encoding="utf-8-sig"
    ).set_index("Chỉ tiêu")
    assert df.loc["Tổng số hợp tác xã cuối năm", "60 HTX"] == 875
    assert df.loc["Tổng số hợp tác xã cuối năm", "60 HTX: Đánh giá"] == "Gần đạt"
    book = openpyxl.load_workbook(io.BytesIO(exports.compare_workbook(PLAN, names, values, "en", 0.05)))
    assert book.sheetnames == ["Comparison"]
    assert book["Comparison"].freeze_panes == "A2"
    assert [c.value for c in book["Comparison"][1]][:4] == ["Indicator", "Unit", "Target", "Mặc định"]


@pytest.mark.parametrize(
    ("page", "keys"),
    [
        ("overview", ["overview_download_table_csv_year_end", "overview_download_table_excel"]),
        ("scenario", ["scenario_download_table_csv_monthly", "scenario_download_table_excel"]),
        ("compare", ["compare_download_compare_csv", "compare_download_compare_excel"]),
        ("data_sources", [f"data_sources_download_{k}" for k in ("csv_year_end", "csv_monthly", "excel", "json")]),
    ],
)
def test_downloads_sit_with_what_they_export_and_are_built_when_clicked(page: str, keys: list[str]) -> None:
    """Files are built only when clicked (deferred), and a click reruns nothing."""
    at = make_app(page)
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b.proto for b in at.get("download_button")}
    found = [b for b in at.get("download_button") if any(k in b.proto.id for k in keys)]
    assert len(found) == len(keys), buttons
    for b in found:
        assert b.proto.deferred_file_id and not b.proto.url


def test_data_sources_downloads_come_before_the_tables() -> None:
    """The downloads sat at the bottom of a ~4,200 px page: now right under the page's introduction."""
    at = make_app("data_sources")
    kinds = [e.type for e in at.main.children.values()]
    assert kinds.index("flex_container") < kinds.index("dataframe")
    assert at.subheader[0].value == "Tải xuống và tải lên"


def _session() -> dict[str, object]:
    return {"levers": dict(PLAN.defaults()), "baseline": {"coops": 800.0}}


def test_broken_upload_changes_nothing() -> None:
    session = _session()
    before = json.loads(json.dumps(session))
    outcome = exports.handle_upload(PLAN, file_id="f1", file_name="x.json", data=b"{not json", session=session)
    assert outcome is not None and outcome.status == "rejected"
    assert describe_all(outcome.problems, "en", PLAN)[0].startswith("The file is not valid JSON")
    assert describe_all(outcome.problems, "vi", PLAN)[0].startswith("Tệp không phải là JSON hợp lệ")
    assert session[Keys.LEVERS] == before["levers"]
    assert session[Keys.BASELINE] == before["baseline"]


def test_bad_values_are_listed_in_words_in_both_languages() -> None:
    doc = {
        "plan": {"id": "other-plan"},
        "levers": {"new_coops": 85.5, "formation_timing": "sometimes", "nope": 1},
        "baseline": {"managers_trained": 5000},
    }
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="f2", file_name="x.json", data=json.dumps(doc).encode(), session=session)
    assert outcome is not None and outcome.status == "rejected"
    en = describe_all(outcome.problems, "en", PLAN)
    assert en[0] == "The file was made for plan «other-plan», not «sonla-2023»."
    assert "“New coops founded in the year”: 85.5 is not on the slider's step of 1" in en
    assert any(p.startswith("“Formation timing") or "is not one of the choices" in p for p in en)
    assert "“nope” is not a lever of this plan" in en
    assert any("5,000 is more than “Coop managers”" in p for p in en)
    vi = describe_all(outcome.problems, "vi", PLAN)
    assert "«nope» không phải là đòn bẩy của kế hoạch này" in vi
    assert len(vi) == len(en) == 5
    assert session[Keys.LEVERS] == PLAN.defaults()


def test_valid_upload_is_applied_once_per_file() -> None:
    data = json.dumps({"plan": {"id": PLAN.id, "version": PLAN.version}, "levers": {"new_coops": 100}}).encode()
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="f3", file_name="ok.json", data=data, session=session)
    assert outcome is not None and outcome.status == "applied"
    assert outcome.changed_levers == 1
    assert outcome.notices == ()
    assert session[Keys.LEVERS]["new_coops"] == 100
    assert session[Keys.BASELINE] == {}  # the file's baseline (none) replaces the session's
    # A rerun with the same upload id does nothing, even after the user moved a lever.
    session[Keys.LEVERS] = {**session[Keys.LEVERS], "new_coops": 90}
    assert exports.handle_upload(PLAN, file_id="f3", file_name="ok.json", data=data, session=session) is None
    assert session[Keys.LEVERS]["new_coops"] == 90


def test_reported_figures_keep_scope_and_source() -> None:
    about = {"Kịch bản": "x"}
    sections = exports.sources_sections(PLAN, {}, load_observations(), lang="en", about=about)
    reported = sections[2]
    rows = [dict(zip(reported.columns, r, strict=True)) for r in reported.rows]
    row = next(r for r in rows if r["Indicator"] == "Cooperatives at year end" and r["Scope"] == "in operation")
    assert row["Figure"] == exports.Num(871, 0)
    assert row["Source"].startswith("https://en.baosonla.org.vn/")


def _upload_problems(baseline: dict[str, object]) -> dict[str, tuple[str, ...]]:
    doc = {"plan": {"id": PLAN.id, "version": PLAN.version}, "levers": {}, "baseline": baseline}
    session = _session()
    outcome = exports.handle_upload(PLAN, file_id="fb", file_name="b.json", data=json.dumps(doc).encode(), session=session)
    assert outcome is not None and outcome.status == "rejected"
    assert session[Keys.BASELINE] == {"coops": 800.0}  # nothing applied
    return {lang: tuple(describe_all(outcome.problems, lang, PLAN)) for lang in ("vi", "en")}


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
    the words put every baseline reason they did not know there (and 2e9 members too)."""
    problems = _upload_problems(baseline)
    assert problems["en"] == (en,)
    assert vi in problems["vi"][0]


def test_an_unknown_reason_is_said_neutrally() -> None:
    """A code the value words do not use never falls under a wrong wording ("must not be negative", "slider's step")."""
    baseline = describe(Problem("too_long", "baseline.members", "5"), "en", PLAN)
    lever = describe(Problem("too_long", "new_coops", "60"), "en", PLAN)
    assert baseline == "“Cooperative members”: 5 cannot be used"
    assert lever == "“New coops founded in the year”: 60 cannot be used"
    assert describe(Problem("too_long", "new_coops", "60"), "vi", PLAN).endswith("không dùng được 60")


def test_a_refused_number_is_shown_with_every_decimal_typed() -> None:
    """85.00001 was shown as "85,00" (rounded to 2 places): the message must quote the number refused."""
    line = describe(Problem("off_step", "new_coops", "85.00001", "85"), "vi", PLAN)
    assert "85,00001" in line
