"""Downloads (results CSV, Excel workbook, scenario JSON) and the scenario upload.

The file builders are pure: they take the plan, plain values and DataFrames
and return bytes, so tests call them without a browser. `render_downloads`
and `render_upload` draw the buttons on any page (widget keys prefixed with
the page). Problems found in an upload are put into words in the session
language by ui.problems when drawn.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

import streamlit as st

from model.engine import STATUSES, project, scorecard, status_matrix
from model.plan import Observation, Plan
from model.problems import Problem
from model.scenario import Scenario, ScenarioError, from_json, to_json, validate
from model.text import tolerance_text, tr
from ui import cached, state
from ui.i18n import md_escape
from ui.keys import Keys
from ui.problems import describe_all
from ui.scenario_charts import month_end

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # "Custom 02/12/2026 20:40": the time where the plan is
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {"csv": "text/csv", "xlsx": XLSX, "json": "application/json"}
Width = Literal["stretch", "content"]


# ------------------------------------------------------------ file names


def file_name(plan: Plan, what: str, extension: str) -> str:
    """e.g. ``sonla-2023-scenario.json``, ``sonla-2023-year-end.csv``."""
    return f"{plan.id}-{what}.{extension}"


# ---------------------------------------------------------------- builders
# Files for people: headers and sheet names in the session language, units named, numbers rounded to the
# precision the screen shows (each target's decimals), no pandas (a file is built only when asked for).


class Num(NamedTuple):
    """A number cell, already rounded, with the decimals it is shown with."""

    value: float
    decimals: int


Cell = str | Num | None


def num(value: float, decimals: int) -> Num | None:
    """A number rounded like the screen (None when it is not finite: an empty cell)."""
    if value is None or not math.isfinite(value):
        return None
    return Num(round(float(value), decimals) + 0.0, decimals)  # + 0.0: no "-0" for a tiny negative gap


@dataclass(frozen=True)
class Section:
    """One table: a header row and rows of cells; ``title`` (optional) is written on a row above it."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    title: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str  # in the session language (Excel: at most 31 characters)
    sections: tuple[Section, ...]


def _header(lang: str, key: str, unit: str = "") -> str:
    text = tr(lang, f"exports.col.{key}")
    return f"{text} ({unit})" if unit else text


def year_end_section(plan: Plan, year_end: Mapping[str, float], *, lang: str, tol: float) -> Section:
    """The scorecard: indicator, unit, projection, target, % of target, gap, status (in words)."""
    card = scorecard(plan, dict(year_end), tol).to_dict("index")
    rows = []
    for target in plan.targets:
        r = card[target.id]
        d = target.decimals
        rows.append(
            (
                target.label(lang),
                target.unit(lang),
                num(r["value"], d),
                num(target.value, d),
                num(r["percent"], 1),
                num(r["gap"], d),
                tr(lang, f"status.{r['status']}"),
            )
        )
    columns = ("indicator", "unit", "projected", "target", "percent", "gap", "status")
    return Section(tuple(_header(lang, c) for c in columns), tuple(rows))


def monthly_section(plan: Plan, paths: Mapping[str, Sequence[float]], *, lang: str) -> Section:
    """Month 0–12 as rows (with the month's last day), one column per indicator, its unit in the header."""
    columns = [_header(lang, "month"), _header(lang, "date")]
    columns += [f"{t.label(lang)} ({t.unit(lang)})" for t in plan.targets]
    months = len(next(iter(paths.values())))
    rows = []
    for m in range(months):
        date = month_end(plan.meta.year, m)
        rows.append(
            (
                Num(m, 0),
                date_text(date, lang),
                *(num(paths[t.id][m], t.decimals) for t in plan.targets),
            )
        )
    return Section(tuple(columns), tuple(rows))


def date_text(date: dt.date, lang: str) -> str:
    """31/12/2023 (vi) or 2023-12-31 (en): a text cell, the same in every spreadsheet's settings."""
    return date.strftime("%d/%m/%Y") if lang == "vi" else date.isoformat()


def scenario_section(plan: Plan, levers: Mapping[str, Any], *, lang: str) -> Section:
    """One row per lever: group, lever, value, default, unit (percent for rates, as on the sliders)."""
    groups = {g.id: g.label(lang) for g in plan.groups}
    rows = []
    for lv in plan.levers:
        value = levers.get(lv.id, lv.default)
        if lv.is_number:
            shown: tuple[Cell, Cell] = (num(float(value), lv.decimals), num(float(lv.default), lv.decimals))
        else:
            shown = (lv.choice_label(str(value), lang), lv.choice_label(str(lv.default), lang))
        rows.append((groups.get(lv.group, lv.group), lv.label(lang), *shown, lv.unit(lang)))
    columns = ("group", "lever", "value", "default", "unit")
    return Section(tuple(_header(lang, c) for c in columns), tuple(rows))


def sources_sections(
    plan: Plan, overrides: Mapping[str, float], observations: Iterable[Observation], *, lang: str, about: Mapping[str, str]
) -> tuple[Section, ...]:
    """Targets (with the source's wording), the baseline with provenance, the reported figures, and the file's facts."""
    yes, no = tr(lang, "exports.yes"), tr(lang, "exports.no")
    targets = Section(
        tuple(_header(lang, c) for c in ("indicator", "target", "unit", "source_wording", "main_lever")),
        tuple(
            (
                t.label(lang),
                num(t.value, t.decimals),
                t.unit(lang),
                t.source_vi,
                plan.lever(t.main_lever).label(lang) if t.main_lever else "",
            )
            for t in plan.targets
        ),
        title=tr(lang, "exports.section.targets"),
    )
    baseline_rows = []
    for b in plan.baseline:
        target = plan.target(b.id)
        d = plan.baseline_decimals(b.id)
        baseline_rows.append(
            (
                target.label(lang),
                num(float(overrides.get(b.id, b.value)), d),
                num(b.value, d),
                target.unit(lang),
                yes if b.id in overrides else no,
                tr(lang, f"provenance.{b.provenance}"),
                b.date or "",
                b.source or "",
                b.note(lang),
                b.symbol,
            )
        )
    baseline = Section(
        tuple(
            _header(lang, c)
            for c in ("indicator", "value_used", "plan_value", "unit", "edited", "provenance", "date", "source", "note", "symbol")
        ),
        tuple(baseline_rows),
        title=tr(lang, "exports.section.baseline"),
    )
    obs_rows = []
    for o in observations:
        target = plan.target(o.indicator)
        qualifier = tr(lang, f"qualifier.{o.qualifier}") if o.qualifier else ""
        obs_rows.append(
            (
                target.label(lang),
                o.date_label(lang),
                qualifier,
                num(o.value, max(target.decimals, 0 if float(o.value).is_integer() else 1)),
                target.unit(lang),
                o.scope(lang),
                o.note(lang),
                o.source,
            )
        )
    reported = Section(
        tuple(_header(lang, c) for c in ("indicator", "date", "qualifier", "reported", "unit", "scope", "note", "source")),
        tuple(obs_rows),
        title=tr(lang, "exports.section.observations"),
    )
    facts = Section(
        (_header(lang, "fact"), _header(lang, "fact_value")),
        tuple((k, v) for k, v in about.items()),
        title=tr(lang, "exports.section.about"),
    )
    return targets, baseline, reported, facts


def compare_section(
    plan: Plan, names: Sequence[str], year_end: Mapping[str, Sequence[float]], *, lang: str, tol: float
) -> Section:
    """The Compare page's table: per indicator its unit and target, then each scenario's value and status."""
    status = tr(lang, "exports.col.status")
    columns = [_header(lang, "indicator"), _header(lang, "unit"), _header(lang, "target")]
    for name in names:
        columns += [name, f"{name}: {status}"]
    statuses = status_matrix(plan, year_end, tol)
    rows = []
    for target in plan.targets:
        values = [float(v) for v in year_end[target.id]]
        codes = statuses.of(target.id)
        cells: list[Cell] = [target.label(lang), target.unit(lang), num(target.value, target.decimals)]
        for value, code in zip(values, codes, strict=True):
            cells += [num(value, target.decimals), tr(lang, f"status.{STATUSES[int(code)]}")]
        rows.append(tuple(cells))
    return Section(tuple(columns), tuple(rows))


CompareValues = tuple[tuple[str, tuple[float, ...]], ...]  # indicator id → one year-end value per scenario


def compare_csv(plan: Plan, names: tuple[str, ...], year_end: CompareValues, lang: str, tol: float) -> bytes:
    return csv_bytes(compare_section(plan, names, dict(year_end), lang=lang, tol=tol), lang)


def compare_workbook(plan: Plan, names: tuple[str, ...], year_end: CompareValues, lang: str, tol: float) -> bytes:
    section = compare_section(plan, names, dict(year_end), lang=lang, tol=tol)
    return workbook_bytes((Sheet(tr(lang, "exports.sheet.compare"), (section,)),))


# ------------------------------------------------------------ what to export


@dataclass(frozen=True)
class ExportRequest:
    """What a download builds its file from: plain values taken during the page's run, so the file can be
    built later (when clicked, on another thread) without the session or Streamlit's caches."""

    plan: Plan = field(compare=False)
    observations: tuple[Observation, ...] = field(compare=False)
    levers: tuple[tuple[str, Any], ...]
    baseline: tuple[tuple[str, float], ...]
    tolerance: float  # a fraction (0.05), as the model takes it
    lang: str
    name: str = ""  # the scenario's name ("" → "Custom …" with the time the file is made)


def export_request(name: str = "") -> ExportRequest:
    """The session's scenario, language and tolerance; ``name`` a name the user gave it (optional)."""
    lever_items, baseline_items = state.scenario_key()
    preset = state.matching_preset()
    lang = state.lang()
    plan = cached.get_plan()
    if not name and preset is not None:
        name = plan.preset(preset).label(lang)
    return ExportRequest(
        plan=plan,
        observations=cached.get_observations(),
        levers=lever_items,
        baseline=baseline_items,
        tolerance=float(state.tolerance()),
        lang=lang,
        name=name,
    )


def scenario_name(request: ExportRequest, now: dt.datetime | None = None) -> str:
    """The name a file carries: the given one, else "Tùy chỉnh 02/12/2026 20:40" (Vietnam's time)."""
    if request.name.strip():
        return request.name.strip()
    return tr(request.lang, "exports.custom_name", when=_when(now or dt.datetime.now(VIETNAM), request.lang))


def _when(now: dt.datetime, lang: str) -> str:
    """A file's time as people of the language write it: 02/12/2026 20:40 / 2026-12-02 20:40."""
    return now.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")


def _about(request: ExportRequest, name: str) -> dict[str, str]:
    plan, lang = request.plan, request.lang
    return {
        tr(lang, "exports.about.scenario"): name,
        tr(lang, "exports.about.plan"): f"{plan.id} ({plan.version})",
        tr(lang, "exports.about.source"): plan.meta.source_title,
        tr(lang, "exports.about.tolerance"): tolerance_text(request.tolerance * 100, lang),
        tr(lang, "exports.about.made"): _when(dt.datetime.now(VIETNAM), lang),
    }


def results_sheets(request: ExportRequest) -> tuple[Sheet, ...]:
    """The workbook's sheets: scenario (levers), year end, month by month, sources."""
    plan, lang = request.plan, request.lang
    levers, baseline = dict(request.levers), dict(request.baseline)
    projection = project(plan, levers, baseline)
    paths = {i: projection.paths[i][:, 0] for i in projection.paths}
    name = scenario_name(request)
    return (
        Sheet(tr(lang, "exports.sheet.scenario"), (scenario_section(plan, levers, lang=lang),)),
        Sheet(
            tr(lang, "exports.sheet.year_end"),
            (year_end_section(plan, projection.year_end_dict(), lang=lang, tol=request.tolerance),),
        ),
        Sheet(tr(lang, "exports.sheet.monthly"), (monthly_section(plan, paths, lang=lang),)),
        Sheet(
            tr(lang, "exports.sheet.sources"),
            sources_sections(plan, baseline, request.observations, lang=lang, about=_about(request, name)),
        ),
    )


# ------------------------------------------------------------------ files


def csv_bytes(section: Section, lang: str) -> bytes:
    """One table as CSV in UTF-8 with a byte-order mark (Excel then shows Vietnamese letters). In the
    Vietnamese view "; " separated with a decimal comma, as Excel reads it under Vietnamese settings;
    in the English view "," and a decimal point."""
    sep, point = (";", ",") if lang == "vi" else (",", ".")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(section.columns)
    for row in section.rows:
        writer.writerow([_csv_cell(c, point) for c in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_cell(cell: Cell, point: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Num):
        return f"{cell.value:.{cell.decimals}f}".replace(".", point)
    return cell


def workbook_bytes(sheets: Sequence[Sheet], *, active: int = 0) -> bytes:
    """The Excel workbook: each sheet's tables with a bold header, frozen below it (a sheet of one
    table), numbers as numbers shown with their decimals, columns as wide as their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.name))
        row = 1
        for section in sheet.sections:
            if section.title:
                ws.cell(row=row, column=1, value=section.title).font = Font(bold=True, size=12)
                row += 1
            for col, header in enumerate(section.columns, start=1):
                ws.cell(row=row, column=col, value=header).font = bold
            if len(sheet.sections) == 1:
                ws.freeze_panes = ws.cell(row=row + 1, column=1)
            for cells in section.rows:
                row += 1
                for col, cell in enumerate(cells, start=1):
                    if isinstance(cell, Num):
                        target = ws.cell(row=row, column=col, value=cell.value)
                        target.number_format = "#,##0" + ("." + "0" * cell.decimals if cell.decimals else "")
                    elif cell is not None:
                        ws.cell(row=row, column=col, value=cell)
            row += 2
        _fit_columns(ws)
    book.active = min(active, len(sheets) - 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", " ", name)[:31]


def _fit_columns(ws: Any) -> None:
    """Column widths from the longest cell (a header wraps past 40 characters), so the sheet reads when opened."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:,.{_decimals(cell.number_format)}f}" if isinstance(cell.value, float | int) else str(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), min(len(text), 60))
            if cell.font.bold and len(text) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 48)


def _decimals(number_format: str) -> int:
    return len(number_format.partition(".")[2]) if "." in number_format else 0


def current_scenario(plan: Plan, levers: Mapping[str, Any], baseline: Mapping[str, float], name: str = "") -> Scenario:
    """The session's scenario as a Scenario (values are valid already; lenient only as a safety net)."""
    scenario, _ = validate(plan, levers, baseline, lenient=True, name=name)
    return scenario


def scenario_json_bytes(plan: Plan, levers: Mapping[str, Any], baseline: Mapping[str, float], name: str = "") -> bytes:
    return to_json(plan, current_scenario(plan, levers, baseline, name=name)).encode("utf-8")


# The files each download builds, from an ExportRequest (called when the button is clicked).
def year_end_csv(request: ExportRequest) -> bytes:
    plan = request.plan
    year_end = project(plan, dict(request.levers), dict(request.baseline)).year_end_dict()
    return csv_bytes(year_end_section(plan, year_end, lang=request.lang, tol=request.tolerance), request.lang)


def monthly_csv(request: ExportRequest) -> bytes:
    projection = project(request.plan, dict(request.levers), dict(request.baseline))
    paths = {i: projection.paths[i][:, 0] for i in projection.paths}
    return csv_bytes(monthly_section(request.plan, paths, lang=request.lang), request.lang)


def results_workbook(request: ExportRequest, *, active: int = 0) -> bytes:
    return workbook_bytes(results_sheets(request), active=active)


def scenario_json(request: ExportRequest) -> bytes:
    return scenario_json_bytes(request.plan, dict(request.levers), dict(request.baseline), name=scenario_name(request))


# ------------------------------------------------------------------ upload


@dataclass(frozen=True)
class UploadOutcome:
    """What came of an uploaded scenario file, here or on the Compare page (kept in session state to show
    on reruns).

    Problems and notices are data, put into words when drawn (ui.problems.describe), so switching
    language after an upload shows them in the one chosen.
    """

    status: Literal["applied", "added", "duplicate", "rejected"]  # applied here; added (or not again) on Compare
    file_name: str
    problems: tuple[Problem, ...] = ()  # why it was rejected
    notices: tuple[Problem, ...] = ()  # used all the same: made for another version of this plan
    changed_levers: int = 0
    baseline_overrides: int = 0
    key: str | None = None  # Compare: the uploaded scenario's key (by content)
    renamed: bool = False  # Compare: cleaning the file's scenario name changed more than its spaces

    def other_version(self) -> str | None:
        """The plan version the file was made for, when it is not this one."""
        return next((str(n.given) for n in self.notices if n.code == "other_version"), None)


def handle_upload(
    plan: Plan,
    *,
    file_id: str,
    file_name: str,
    data: bytes,
    session: MutableMapping[str, Any],
) -> UploadOutcome | None:
    """Apply an uploaded scenario file to the session, strictly: all of it or nothing.

    Returns None when this file (by its upload id) was handled already, so a
    rerun never applies the same upload twice. A rejected file changes
    nothing in the session's scenario.
    """
    if session.get(Keys.EXPORTS_LAST_UPLOAD) == file_id:
        return None
    session[Keys.EXPORTS_LAST_UPLOAD] = file_id
    try:
        loaded = from_json(plan, data)
    except ScenarioError as err:
        outcome = UploadOutcome("rejected", file_name, problems=tuple(err.problems))
        session[Keys.EXPORTS_OUTCOME] = outcome
        return outcome
    scenario = loaded.scenario
    state.make_current(scenario.levers, scenario.baseline, session=session, plan=plan)
    outcome = UploadOutcome(
        "applied",
        file_name,
        # Strict loading succeeds with at most one notice: the file was made for another plan version.
        notices=tuple(loaded.notices[:1]),
        changed_levers=len(scenario.changed_levers(plan)),
        baseline_overrides=len(scenario.baseline),
    )
    session[Keys.EXPORTS_OUTCOME] = outcome
    return outcome


def problem_list(problems: Sequence[Problem], lang: str, plan: Plan) -> str:
    """A Markdown list of a file's problems in words (Data & sources, Compare); the values quoted from the file
    are shown literally."""
    return "\n".join("- " + md_escape(p) for p in describe_all(problems, lang, plan))


def _on_upload(uploader_key: str) -> None:
    uploaded = st.session_state.get(uploader_key)
    if uploaded is None:
        # The file was removed from the uploader: forget it (a new upload of it applies again).
        st.session_state[Keys.EXPORTS_LAST_UPLOAD] = None
        st.session_state[Keys.EXPORTS_OUTCOME] = None
        return
    handle_upload(
        cached.get_plan(),
        file_id=str(uploaded.file_id),
        file_name=uploaded.name,
        data=uploaded.getvalue(),
        session=st.session_state,
    )


# ------------------------------------------------------------------ drawing


def scenario_label() -> str:
    """The name the scenario file gets when none is typed (the preset's, or "Custom" with the time)."""
    return scenario_name(export_request())


def _button(
    page: str, name: str, data: Any, file: str, mime: str, icon: str, lang: str, *, width: Width = "stretch"
) -> None:
    """One download button: ``data`` a callable, so the file is built only when clicked (on another thread);
    clicking reruns nothing (on_click="ignore")."""
    st.download_button(
        tr(lang, f"exports.{name}"),
        data=data,
        file_name=file,
        mime=mime,
        key=f"{page}_download_{name}",
        icon=icon,
        help=tr(lang, f"exports.{name}_help"),
        width=width,
        on_click="ignore",
    )


def render_downloads(page: str, *, name: str = "") -> None:
    """Every download: year-end results (CSV), month by month (CSV), the Excel workbook, the scenario file."""
    request = export_request(name)
    plan, lang = request.plan, request.lang
    buttons = (
        ("csv_year_end", functools.partial(year_end_csv, request), "year-end", "csv", ":material/table:"),
        ("csv_monthly", functools.partial(monthly_csv, request), "monthly", "csv", ":material/event:"),
        ("excel", functools.partial(results_workbook, request), "results", "xlsx", ":material/grid_on:"),
        ("json", functools.partial(scenario_json, request), "scenario", "json", ":material/save:"),
    )
    for col, (what, data, stem, ext, icon) in zip(st.columns(len(buttons)), buttons, strict=True):
        with col:
            _button(page, what, data, file_name(plan, stem, ext), MIME[ext], icon, lang)


def render_compare_downloads(names: Sequence[str], year_end: Mapping[str, Any]) -> None:
    """Under the Compare page's table: it as CSV and as a one-sheet workbook (built when clicked)."""
    plan, lang, tol = cached.get_plan(), state.lang(), float(state.tolerance())
    # Plain values (not the page's arrays): the file is built later, on another thread.
    values = tuple((t.id, tuple(float(v) for v in year_end[t.id])) for t in plan.targets)
    args = (plan, tuple(names), values, lang, tol)
    with st.container(horizontal=True, key="compare_table_downloads"):
        _button("compare", "compare_csv", functools.partial(compare_csv, *args), file_name(plan, "compare", "csv"),
                MIME["csv"], ":material/table:", lang, width="content")  # fmt: skip
        _button("compare", "compare_excel", functools.partial(compare_workbook, *args), file_name(plan, "compare", "xlsx"),
                XLSX, ":material/grid_on:", lang, width="content")  # fmt: skip


# The workbook opens on the sheet of the table the buttons sit under (results_sheets' order).
_ACTIVE_SHEET = {"year_end": 1, "monthly": 2}


def render_table_downloads(page: str, *, what: Literal["year_end", "monthly"]) -> None:
    """Two buttons under a table: that table as CSV, and the workbook (opened on that table's sheet)."""
    request = export_request()
    plan, lang = request.plan, request.lang
    builder = year_end_csv if what == "year_end" else monthly_csv
    stem = "year-end" if what == "year_end" else "monthly"
    # One row (a horizontal container: one element, cheaper than columns), the buttons as wide as their text.
    with st.container(horizontal=True, key=f"{page}_table_downloads"):
        _button(page, f"table_csv_{what}", functools.partial(builder, request), file_name(plan, stem, "csv"), "text/csv",
                ":material/table:", lang, width="content")  # fmt: skip
        excel = functools.partial(results_workbook, request, active=_ACTIVE_SHEET[what])
        _button(page, "table_excel", excel, file_name(plan, "results", "xlsx"), XLSX, ":material/grid_on:", lang, width="content")


def render_upload(page: str) -> None:
    """The scenario upload and what came of it (applied, or rejected with every problem)."""
    lang = state.lang()
    key = f"{page}_upload"
    st.file_uploader(
        tr(lang, "exports.upload.label"),
        type=["json"],
        key=key,
        help=tr(lang, "exports.upload.help"),
        on_change=_on_upload,
        args=(key,),
    )
    outcome: UploadOutcome | None = st.session_state.get(Keys.EXPORTS_OUTCOME)
    if outcome is None or st.session_state.get(key) is None:
        return
    plan = cached.get_plan()
    if outcome.status == "rejected":
        lines = problem_list(outcome.problems, lang, plan)
        st.error(tr(lang, "exports.upload.rejected", name=md_escape(outcome.file_name)) + "\n\n" + lines, icon="🚫")
        return
    st.success(
        tr(
            lang,
            "exports.upload.applied",
            name=md_escape(outcome.file_name),
            levers=outcome.changed_levers,
            baseline=outcome.baseline_overrides,
        ),
        icon="✅",
    )
    for notice in describe_all(outcome.notices, lang, plan):
        st.warning(md_escape(notice), icon="⚠️")
