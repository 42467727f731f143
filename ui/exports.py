"""Downloads (results CSV, Excel workbook, scenario JSON) and the scenario upload.

The file builders are pure: they take the plan, plain values and DataFrames
and return bytes, so tests call them without a browser. `render_downloads`
and `render_upload` draw the buttons on any page (widget keys prefixed with
the page). Problems found in an upload or a baseline edit are put into words
in the session language by `problem_lines`.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
import streamlit as st

from model.plan import BASELINE_IDS, Observation, Plan
from model.scenario import MAX_BASELINE, Change, Scenario, ScenarioError, from_json, to_json, validate
from model.text import LANGS, number, tr
from ui import state
from ui.i18n import md_escape
from ui.tables import year_end_export

LAST_UPLOAD_KEY = "exports_last_upload_id"
OUTCOME_KEY = "exports_upload_outcome"


# ------------------------------------------------------------ file names


def file_name(plan: Plan, what: str, extension: str) -> str:
    """e.g. ``sonla-2023-scenario.json``, ``sonla-2023-year-end.csv``."""
    return f"{plan.id}-{what}.{extension}"


# ---------------------------------------------------------------- builders


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel shows Vietnamese letters correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def monthly_export(monthly: pd.DataFrame) -> pd.DataFrame:
    """The monthly path (month 0 = 31 Dec of the baseline year) with a month column first."""
    out = monthly.copy()
    out.index.name = "month"
    return out.reset_index()


def scenario_frame(plan: Plan, levers: Mapping[str, Any], lang: str) -> pd.DataFrame:
    """One row per lever: id, group, label, unit, value, default (plan units: percent for rates)."""
    rows = [
        {
            "id": lv.id,
            "group": lv.group,
            "label": lv.label(lang),
            "unit": lv.unit(lang),
            "value": levers.get(lv.id, lv.default),
            "default": lv.default,
        }
        for lv in plan.levers
    ]
    return pd.DataFrame(rows)


def targets_frame(plan: Plan, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": t.id,
                "label": t.label(lang),
                "source_vi": t.source_vi,
                "target": t.value,
                "unit": t.unit(lang),
                "main_lever": t.main_lever,
            }
            for t in plan.targets
        ]
    )


def baseline_frame(plan: Plan, overrides: Mapping[str, float], lang: str) -> pd.DataFrame:
    """The baseline with provenance, the plan's value and the value used (override or plan)."""
    rows = []
    for b in plan.baseline:
        rows.append(
            {
                "id": b.id,
                "symbol": b.symbol,
                "label": plan.target(b.id).label(lang),
                "unit": plan.target(b.id).unit(lang),
                "plan_value": b.value,
                "value_used": float(overrides.get(b.id, b.value)),
                "overridden": b.id in overrides,
                "provenance": b.provenance,
                "date": b.date or "",
                "source": b.source or "",
                "note": b.note(lang),
            }
        )
    return pd.DataFrame(rows)


def observations_frame(plan: Plan, observations: Iterable[Observation], lang: str) -> pd.DataFrame:
    rows = [
        {
            "indicator": o.indicator,
            "label": plan.target(o.indicator).label(lang),
            "date": o.date.isoformat(),
            "date_label": o.date_label(lang),
            "qualifier": o.qualifier,
            "value": o.value,
            "unit": plan.target(o.indicator).unit(lang),
            "scope": o.scope(lang),
            "note": o.note(lang),
            "source": o.source,
        }
        for o in observations
    ]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ExportFrames:
    """Everything the downloads need, as plain tables (built once per run, cheap)."""

    scenario: pd.DataFrame
    year_end: pd.DataFrame
    monthly: pd.DataFrame
    targets: pd.DataFrame
    baseline: pd.DataFrame
    observations: pd.DataFrame
    meta: dict[str, str] = field(default_factory=dict)


def workbook_bytes(frames: ExportFrames) -> bytes:
    """The Excel workbook: sheets scenario, year_end, monthly, sources (targets, baseline, observations)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frames.scenario.to_excel(writer, sheet_name="scenario", index=False)
        frames.year_end.to_excel(writer, sheet_name="year_end", index=False)
        frames.monthly.to_excel(writer, sheet_name="monthly", index=False)
        # "sources": three tables one below the other, each under a title row.
        row = 0
        sheet_rows: list[tuple[int, str]] = []
        for title, table in (
            ("targets", frames.targets),
            ("baseline", frames.baseline),
            ("observations", frames.observations),
        ):
            sheet_rows.append((row, title))
            table.to_excel(writer, sheet_name="sources", index=False, startrow=row + 1)
            row += len(table) + 3
        sources = writer.sheets["sources"]
        for r, title in sheet_rows:
            sources.cell(row=r + 1, column=1, value=title)
        meta_col = max(len(frames.observations.columns), len(frames.baseline.columns)) + 2
        for i, (k, v) in enumerate(frames.meta.items()):
            sources.cell(row=i + 1, column=meta_col, value=k)
            sources.cell(row=i + 1, column=meta_col + 1, value=v)
        for ws in writer.sheets.values():
            _fit_columns(ws)
    return buffer.getvalue()


def _fit_columns(ws: Any) -> None:
    """Column widths from the longest cell (capped), so the sheet is readable when opened."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), len(str(cell.value)))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)


def current_scenario(plan: Plan, levers: Mapping[str, Any], baseline: Mapping[str, float], name: str = "") -> Scenario:
    """The session's scenario as a Scenario (values are valid already; lenient only as a safety net)."""
    scenario, _ = validate(plan, levers, baseline, lenient=True, name=name)
    return scenario


def scenario_json_bytes(plan: Plan, levers: Mapping[str, Any], baseline: Mapping[str, float]) -> bytes:
    return to_json(plan, current_scenario(plan, levers, baseline)).encode("utf-8")


def gather_frames() -> ExportFrames:
    """The export tables for the session's scenario and language."""
    plan = state.get_plan()
    lang = state.lang()
    key = state.scenario_key()
    return ExportFrames(
        scenario=scenario_frame(plan, state.levers(), lang),
        year_end=year_end_export(state.year_end(*key)),
        monthly=monthly_export(state.monthly(*key)),
        targets=targets_frame(plan, lang),
        baseline=baseline_frame(plan, state.baseline_overrides(), lang),
        observations=observations_frame(plan, state.get_observations(), lang),
        meta={
            "plan": plan.id,
            "version": plan.version,
            "source_title": plan.meta.source_title,
            "tolerance_percent": number(state.tolerance() * 100, "en", 1),
        },
    )


# ------------------------------------------------------ problems, in words


def _num_text(text: str | None, lang: str) -> str:
    """A number given as text, in the locale's format (kept as it was when it is not a number)."""
    if text is None:
        return ""
    try:
        x = float(text)
    except ValueError:
        return text
    if not math.isfinite(x):
        return text
    decimals = 0 if x.is_integer() else min(len(f"{x:g}".split(".")[-1]), 4)
    return number(x, lang, decimals)


def quoted(text: str, lang: str) -> str:
    """«…» in Vietnamese, “…” in English."""
    return f"«{text}»" if lang == "vi" else f"“{text}”"


def _baseline_name(plan: Plan, baseline_id: str, lang: str) -> str:
    return quoted(plan.target(baseline_id).label(lang) if baseline_id in BASELINE_IDS else baseline_id, lang)


def change_line(plan: Plan, change: Change, lang: str) -> str:
    """One validation problem in the session language, naming the value and what is wrong (a reason it
    does not know is said neutrally: the value cannot be used)."""
    given = _typed_text(change.given, lang)
    if change.key.startswith("baseline."):
        bid = change.key.removeprefix("baseline.")
        name = _baseline_name(plan, bid, lang)
        if change.reason == "unknown":
            return tr(lang, "exports.problem.unknown_baseline", name=quoted(bid, lang))
        if change.reason in ("not_a_number", "not_finite"):
            return tr(lang, "exports.problem.baseline_not_a_number", name=name, given=change.given)
        if change.reason == "inconsistent":
            whole = "managers" if bid == "managers_trained" else "coops"
            return tr(
                lang,
                "exports.problem.more_than_whole",
                name=name,
                given=given,
                whole=_baseline_name(plan, whole, lang),
                whole_value=_num_text(change.used, lang),
            )
        if change.reason == "off_step" and bid in BASELINE_IDS:
            # More decimals than the value is kept with (815.5 coops): said with every decimal typed.
            decimals = plan.baseline_decimals(bid)
            key = "whole" if decimals == 0 else "too_precise"
            return tr(lang, f"data_sources.baseline.{key}", name=name, given=given, decimals=decimals)
        if change.reason == "out_of_range" and bid in BASELINE_IDS:
            return _baseline_out_of_range(plan, name, bid, change.given, lang)
        return tr(lang, "exports.problem.baseline_unusable", name=name, given=given)
    known = {lv.id: lv for lv in plan.levers}
    lv = known.get(change.key)
    if lv is None or change.reason == "unknown":
        return tr(lang, "exports.problem.unknown_lever", name=quoted(change.key, lang))
    name = quoted(lv.label(lang), lang)
    if change.reason == "not_a_choice":
        choices = ", ".join(lv.choice_label(c, lang) for c in lv.choices)
        return tr(lang, "exports.problem.not_a_choice", name=name, given=change.given, choices=choices)
    if change.reason in ("not_a_number", "not_finite"):
        return tr(lang, "exports.problem.lever_not_a_number", name=name, given=change.given)
    if change.reason == "out_of_range":
        return tr(
            lang,
            "exports.problem.out_of_range",
            name=name,
            given=given,
            lo=number(lv.lo, lang, lv.decimals),
            hi=number(lv.hi, lang, lv.decimals),
            unit=lv.unit(lang),
        )
    if change.reason == "off_step":
        return tr(lang, "exports.problem.off_step", name=name, given=given, step=number(lv.step_size, lang, lv.decimals))
    return tr(lang, "exports.problem.lever_unusable", name=name, given=given)


def _baseline_out_of_range(plan: Plan, name: str, baseline_id: str, given_text: str, lang: str) -> str:
    """Which bound a baseline value broke (model.scenario.check_baseline_value); the reason alone does not say."""
    given = _typed_text(given_text, lang)
    try:
        value = float(given_text)
    except ValueError:
        value = math.nan
    if value > MAX_BASELINE:
        return tr(lang, "exports.problem.baseline_too_large", name=name, given=given, most=number(MAX_BASELINE, lang, 0))
    if value <= 0 and baseline_id in ("coops", "unions"):
        return tr(lang, "exports.problem.must_be_positive", name=name, given=given)
    if value > 0 and baseline_id in ("coops", "unions"):
        # More than 0, but 0 at the value's precision (0.00001 coops).
        decimals = plan.baseline_decimals(baseline_id)
        key = "whole" if decimals == 0 else "too_precise"
        return tr(lang, f"data_sources.baseline.{key}", name=name, given=given, decimals=decimals)
    if value < 0:
        return tr(lang, "exports.problem.negative", name=name, given=given)
    return tr(lang, "exports.problem.baseline_unusable", name=name, given=given)


def _typed_text(text: str, lang: str) -> str:
    """A number as typed, in the locale's format with all its decimals (815,5; 0,00001); as given when
    it has more than 9 decimals (1e-300) or is not a plain number. Never rounded: it says what was refused."""
    try:
        x = float(text)
    except ValueError:
        return text
    if not math.isfinite(x) or round(x, 9) != x:
        return text
    decimals = len(f"{x:.9f}".rstrip("0").partition(".")[2])
    return number(x, lang, decimals)


def problem_lines(plan: Plan, changes: Iterable[Change], lang: str) -> list[str]:
    return [change_line(plan, c, lang) for c in changes]


# The model's file-level problems (English, from model.scenario.from_json) → strings keys.
_FILE_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^not valid JSON \(line (?P<line>\d+), column (?P<column>\d+): .*\)$"), "bad_json_at"),
    (re.compile(r"^not valid JSON"), "bad_json"),
    (re.compile(r"^file is not UTF-8 text$"), "not_utf8"),
    (re.compile(r"^the file must hold a JSON object$"), "not_object"),
    (re.compile(r"^file is larger than (?P<kib>\d+) KiB$"), "too_large"),
    (re.compile(r"^format .* is not "), "bad_format"),
    (re.compile(r"^levers must be an object"), "levers_not_object"),
    (re.compile(r"^baseline must be an object"), "baseline_not_object"),
    (re.compile(r"^name must be text$"), "name_not_text"),
    (re.compile(r"^unknown field '(?P<field>.*)'$"), "unknown_field"),
    (re.compile(r"^plan must be an object"), "plan_not_object"),
    (re.compile(r"^made for plan '(?P<other>.*)', not '(?P<this>.*)'$"), "other_plan"),
)


def file_problem_text(problem: str, lang: str) -> str:
    """A file-level problem in the session language (the model's English only as a last resort)."""
    for pattern, key in _FILE_PROBLEMS:
        match = pattern.match(problem)
        if match:
            return tr(lang, f"exports.file.{key}", **match.groupdict())
    return tr(lang, "exports.problem.file", detail=problem)


def file_problem_lines(plan: Plan, data: bytes, error: ScenarioError, lang: str) -> list[str]:
    """Every problem of a rejected scenario file, value problems in words, file problems as found.

    The strict error lists the file-level problems first, then one per value
    problem; the lenient reading gives the value problems as structured changes.
    """
    try:
        lenient = from_json(plan, data, lenient=True)
    except ScenarioError:
        return [file_problem_text(p, lang) for p in error.problems]
    n_file = len(error.problems) - len(lenient.changes)
    file_level = [file_problem_text(p, lang) for p in error.problems[: max(n_file, 0)]]
    return file_level + problem_lines(plan, lenient.changes, lang)


# ------------------------------------------------------------------ upload


@dataclass(frozen=True)
class UploadOutcome:
    """What happened to an uploaded scenario file (kept in session state to show on reruns).

    Problems and notices are kept in both languages, so switching language
    after an upload still shows them in the one chosen.
    """

    status: Literal["applied", "rejected"]
    file_name: str
    problems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    changed_levers: int = 0
    baseline_overrides: int = 0


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
    if session.get(LAST_UPLOAD_KEY) == file_id:
        return None
    session[LAST_UPLOAD_KEY] = file_id
    try:
        loaded = from_json(plan, data)
    except ScenarioError as err:
        problems = {lang: tuple(file_problem_lines(plan, data, err, lang)) for lang in LANGS}
        outcome = UploadOutcome("rejected", file_name, problems=problems)
        session[OUTCOME_KEY] = outcome
        return outcome
    scenario = loaded.scenario
    # Same as state.set_levers(replace=True) and state.set_baseline, on the given mapping.
    session["levers"] = dict(plan.defaults()) | dict(scenario.levers)
    session["baseline"] = dict(scenario.baseline)
    # Strict loading succeeds with at most one notice: the file was made for another plan version.
    version = _file_version(data)
    notices = {
        lang: tuple(tr(lang, "exports.upload.other_version", version=version, current=plan.version) for _ in loaded.notices[:1])
        for lang in LANGS
    }
    outcome = UploadOutcome(
        "applied",
        file_name,
        notices=notices,
        changed_levers=len(scenario.changed_levers(plan)),
        baseline_overrides=len(scenario.baseline),
    )
    session[OUTCOME_KEY] = outcome
    return outcome


def _file_version(data: bytes) -> str:
    try:
        return str(json.loads(data.decode("utf-8"))["plan"]["version"])[:20]
    except (ValueError, KeyError, TypeError):
        return "?"


def _on_upload(uploader_key: str) -> None:
    uploaded = st.session_state.get(uploader_key)
    if uploaded is None:
        # The file was removed from the uploader: forget it (a new upload of it applies again).
        st.session_state[LAST_UPLOAD_KEY] = None
        st.session_state[OUTCOME_KEY] = None
        return
    handle_upload(
        state.get_plan(),
        file_id=str(uploaded.file_id),
        file_name=uploaded.name,
        data=uploaded.getvalue(),
        session=st.session_state,
    )


# ------------------------------------------------------------------ drawing


def render_downloads(page: str) -> None:
    """Download buttons: results CSV (year end, monthly), Excel workbook, scenario JSON."""
    plan = state.get_plan()
    lang = state.lang()
    frames = gather_frames()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # (strings key, data, file stem, extension, mime, icon); the workbook is built only when
    # clicked (openpyxl takes a moment), from this run's tables.
    buttons = (
        ("csv_year_end", csv_bytes(frames.year_end), "year-end", "csv", "text/csv", ":material/table:"),
        ("csv_monthly", csv_bytes(frames.monthly), "monthly", "csv", "text/csv", ":material/calendar_month:"),
        ("excel", functools.partial(workbook_bytes, frames), "results", "xlsx", xlsx, ":material/grid_on:"),
        (
            "json",
            scenario_json_bytes(plan, state.levers(), state.baseline_overrides()),
            "scenario",
            "json",
            "application/json",
            ":material/save:",
        ),
    )
    keys = {"csv_year_end": "csv", "csv_monthly": "monthly", "excel": "excel", "json": "json"}
    for col, (name, data, stem, ext, mime, icon) in zip(st.columns(len(buttons)), buttons, strict=True):
        col.download_button(
            tr(lang, f"exports.{name}"),
            data=data,
            file_name=file_name(plan, stem, ext),
            mime=mime,
            key=f"{page}_download_{keys[name]}",
            icon=icon,
            help=tr(lang, f"exports.{name}_help"),
            width="stretch",
            on_click="ignore",
        )


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
    outcome: UploadOutcome | None = st.session_state.get(OUTCOME_KEY)
    if outcome is None or st.session_state.get(key) is None:
        return
    if outcome.status == "rejected":
        lines = "\n".join(f"- {md_escape(p)}" for p in outcome.problems.get(lang, ()))
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
    for notice in outcome.notices.get(lang, ()):
        st.warning(md_escape(notice), icon="⚠️")
