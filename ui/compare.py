"""Compare page helpers: which scenarios can be compared (current, presets,
plan-implied, uploaded files), adding uploads, computing K scenarios in one
vectorized projection, and the tables the page shows.

Uploaded scenarios live in session state under ``compare_uploaded`` (content
hash → name, levers, baseline), so they survive reruns and page switches.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from model import engine
from model.engine import STATUSES, StatusMatrix
from model.plan import BASELINE_IDS, Plan
from model.scenario import ScenarioError, from_json
from model.text import clean_label, number, tolerance_text, tr
from ui import cached, state, widgets
from ui.charts import PALETTE, TARGET, cached_spec, filled_spec, placeholder, style, vega_number_format
from ui.exports import UploadOutcome
from ui.i18n import STATUS_ICONS, md_escape, status_label
from ui.keys import Keys
from ui.scenario_charts import date_texts, month_axis, month_dates
from ui.tables import grid, markdown_table, show_table

CURRENT = "current"
IMPLIED = "implied"
PRESET_PREFIX = "preset:"
UPLOAD_PREFIX = "upload:"
UPLOAD_TYPES: tuple[str, ...] = ("json",)
NAME_CHARS = 80  # an uploaded scenario's name or file name, as shown (longer ones end in "…")
MIN_SCENARIOS = 2
MAX_SCENARIOS = 6
DEFAULT_SELECTION: tuple[str, ...] = (CURRENT, PRESET_PREFIX + "recent_trends", PRESET_PREFIX + "strong_support")
# Line dashes so scenarios differ by more than colour (and overlapping lines stay visible).
# Scenario colours: the palette without the target's red-orange (the target rule is that colour) and without
# yellow (too faint on white). Six colours for at most six scenarios.
SCENARIO_COLORS: tuple[str, ...] = tuple(c for c in PALETTE if c not in (TARGET, "#F0E442"))
DASHES: tuple[list[int], ...] = ([1, 0], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [16, 4])
LEGEND = alt.Legend(columns=1, symbolType="stroke", symbolStrokeWidth=3, symbolSize=500, labelLimit=320)
CHART_HEIGHT = 300  # plot and axis; the legend below adds a row per scenario
LEGEND_ROW = 26
HIGHLIGHT_CSS = "background-color: #FFE8A3; font-weight: 700"  # a cell that differs from the default
PHONE_SCENARIOS = 3  # scenario columns per table on a phone (390 px)


@dataclass(frozen=True)
class Candidate:
    """One scenario on the compare page: its option id, display name and full inputs."""

    id: str
    name: str
    levers: dict[str, float | str]
    baseline: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------ uploads


def upload_key(data: bytes) -> str:
    """The same file uploaded twice is one scenario: key by content."""
    return hashlib.sha256(data).hexdigest()[:12]


def _file_field(data: bytes, *path: str) -> Any:
    """A field of an uploaded file (None when absent or the file is not a JSON object)."""
    try:
        value: Any = json.loads(data)
    except (ValueError, RecursionError):
        return None
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def version_text(outcome: UploadOutcome) -> str | None:
    """The plan version an added file was made for, as the page shows it; None when it is this one."""
    version = outcome.other_version()
    return None if version is None else clean_label(version, limit=20) or "?"


def _stem(file_name: str) -> str:
    """The file name without its .json ending (the whole name: a browser sends no folders)."""
    head, dot, ending = file_name.rpartition(".")
    return head if dot and ending.lower() in UPLOAD_TYPES else file_name


def _name_was_changed(raw: Any, cleaned: str) -> bool:
    """Whether cleaning did more to a file's scenario name than tidy its spaces and compose its letters (NFC).

    Then the page says so.
    """
    return isinstance(raw, str) and cleaned != unicodedata.normalize("NFC", " ".join(raw.split()))


def add_upload(session: MutableMapping[str, Any], plan: Plan, *, file_id: str, file_name: str, data: bytes) -> UploadOutcome:
    """Parse one uploaded file (strict) and add it to the uploaded scenarios.

    Returns the outcome, also recorded under ``session[Keys.COMPARE_OUTCOMES][file_id]``: status "added",
    "duplicate" or "rejected" (with its problems), notices (made for another plan version), the
    upload key, and whether cleaning the file's scenario name changed more than its spaces.
    A broken file is not added and changes nothing else. The file's name and
    the scenario's name go through the one rule for names (model.text.clean_label).
    """
    outcomes = session.setdefault(Keys.COMPARE_OUTCOMES, {})
    if file_id in outcomes:
        return outcomes[file_id]
    uploads = session.setdefault(Keys.COMPARE_UPLOADS, {})
    file_name = clean_label(file_name, limit=NAME_CHARS) or f"{upload_key(data)}.json"
    try:
        loaded = from_json(plan, data)
    except ScenarioError as err:
        outcomes[file_id] = UploadOutcome("rejected", file_name, problems=tuple(err.problems))
        return outcomes[file_id]
    key = upload_key(data)
    renamed = False
    if key in uploads:
        status: Literal["added", "duplicate"] = "duplicate"
    else:
        scenario = loaded.scenario
        renamed = _name_was_changed(_file_field(data, "name"), scenario.name)
        uploads[key] = {
            # No usable name in the file: its file name; neither: a label in the session's language (option_labels).
            "name": scenario.name or clean_label(_stem(file_name), limit=NAME_CHARS),
            "file": file_name,
            "levers": dict(scenario.levers),
            "baseline": dict(scenario.baseline),
        }
        status = "added"
        selection = list(session.get(Keys.COMPARE_SELECTION, DEFAULT_SELECTION))
        if len(selection) < MAX_SCENARIOS:
            session[Keys.COMPARE_SELECTION] = [*selection, UPLOAD_PREFIX + key]
    # Strict parsing only lets a file through with a notice when it was made for another version of this plan.
    outcomes[file_id] = UploadOutcome(status, file_name, notices=tuple(loaded.notices), key=key, renamed=renamed)
    return outcomes[file_id]


def clear_uploads(session: MutableMapping[str, Any]) -> None:
    """Forget every uploaded scenario (and take them out of the selection)."""
    session[Keys.COMPARE_UPLOADS] = {}
    session[Keys.COMPARE_SELECTION] = [s for s in session.get(Keys.COMPARE_SELECTION, []) if not s.startswith(UPLOAD_PREFIX)]


# ------------------------------------------------------------------ choices


def option_ids(plan: Plan, session: Mapping[str, Any]) -> list[str]:
    """Every scenario that can be picked, in display order."""
    uploads = session.get(Keys.COMPARE_UPLOADS, {})
    return [CURRENT, *(PRESET_PREFIX + p.id for p in plan.presets), IMPLIED, *(UPLOAD_PREFIX + k for k in uploads)]


def option_labels(plan: Plan, session: Mapping[str, Any], lang: str) -> dict[str, str]:
    labels = {CURRENT: tr(lang, "compare.current"), IMPLIED: tr(lang, "compare.implied")}
    for p in plan.presets:
        labels[PRESET_PREFIX + p.id] = p.label(lang)
    for key in session.get(Keys.COMPARE_UPLOADS, {}):
        labels[UPLOAD_PREFIX + key] = uploaded_label(upload_name(session, key, lang))
    return labels


def upload_name(session: Mapping[str, Any], key: str, lang: str) -> str:
    """An uploaded scenario's name: from the file, else its file name, else "Unnamed file" and its key."""
    return session[Keys.COMPARE_UPLOADS][key]["name"] or tr(lang, "compare.upload_unnamed", code=key[:6])


def uploaded_label(name: str) -> str:
    """An uploaded scenario's name, marked as coming from a file."""
    return f"📄 {name}"


def sanitize_selection(session: MutableMapping[str, Any], options: Sequence[str]) -> None:
    """Keep only picks that still exist, at most six; the default on first use."""
    if Keys.COMPARE_SELECTION not in session:
        session[Keys.COMPARE_SELECTION] = [o for o in DEFAULT_SELECTION if o in options]
        return
    current = session[Keys.COMPARE_SELECTION]
    if not isinstance(current, list | tuple):
        current = []
    kept = list(dict.fromkeys(o for o in current if o in options))[:MAX_SCENARIOS]
    if kept != list(current):
        session[Keys.COMPARE_SELECTION] = kept


def resolve(
    plan: Plan,
    ids: Sequence[str],
    *,
    labels: Mapping[str, str],
    session: Mapping[str, Any],
    current_levers: Mapping[str, Any],
    current_baseline: Mapping[str, float],
    implied_levers: Any,
) -> list[Candidate]:
    """The picked scenarios with their full inputs.

    Presets and the plan-implied scenario use the current baseline (baseline
    overrides are corrections to the data, not part of a preset); an uploaded
    file brings its own. ``implied_levers`` is called only when that scenario
    is picked (it runs goal seek).
    """
    out: list[Candidate] = []
    seen: dict[str, int] = {}
    for sid in ids:
        if sid == CURRENT:
            levers, baseline = dict(current_levers), dict(current_baseline)
        elif sid == IMPLIED:
            levers, baseline = dict(implied_levers()), dict(current_baseline)
        elif sid.startswith(PRESET_PREFIX):
            levers, baseline = plan.preset_levers(sid.removeprefix(PRESET_PREFIX)), dict(current_baseline)
        else:
            entry = session[Keys.COMPARE_UPLOADS][sid.removeprefix(UPLOAD_PREFIX)]
            levers, baseline = dict(entry["levers"]), dict(entry["baseline"])
        name = labels[sid]
        # Column names must be unique (an uploaded file may share a preset's name).
        # Column names must be unique: "X", "X" and "X (2)" become "X", "X (2)", "X (2) (2)".
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen[name] = 1
        out.append(Candidate(id=sid, name=name, levers=levers, baseline=baseline))
    return out


def uses_current_baseline(candidate: Candidate) -> bool:
    """Presets and the plan-implied scenario are shown with the current baseline."""
    return candidate.id == IMPLIED or candidate.id.startswith(PRESET_PREFIX)


def load_into_current(levers: Mapping[str, Any], baseline: Mapping[str, float], name: str) -> None:
    """Button callback: make a compared scenario the current one."""
    state.make_current(levers, baseline)
    st.session_state[Keys.COMPARE_LOADED] = name


# ------------------------------------------------------------------ compute

ScenarioItems = tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, float], ...]]


@st.cache_data(show_spinner=False, max_entries=64)
def project_many(scenarios: tuple[ScenarioItems, ...]) -> dict[str, dict[str, np.ndarray]]:
    """K scenarios in one vectorized projection (cached per set of scenarios).

    Returns ``{"year_end": indicator → K values, "monthly": indicator → K × 13}``.
    """
    proj = engine.project_many(cached.get_plan(), [(dict(lv), dict(b)) for lv, b in scenarios])
    return {"year_end": proj.year_end, "monthly": proj.monthly}


def scenario_items(candidates: Sequence[Candidate]) -> tuple[ScenarioItems, ...]:
    return tuple((cached.items(c.levers), cached.items(c.baseline)) for c in candidates)


# ------------------------------------------------------------------ tables


def year_end_table(
    plan: Plan, candidates: Sequence[Candidate], year_end: Mapping[str, np.ndarray], matrix: StatusMatrix, *, lang: str
) -> pd.DataFrame:
    """Indicators as rows, scenarios as columns; each cell "875 🟡". First row: "n/17 reached".
    ``matrix``: the scenarios' statuses (`status_matrix` of ``year_end``), worked out once per run."""
    counts = matrix.per_scenario()
    col_indicator, col_target, col_unit = tr(lang, "table.indicator"), tr(lang, "table.target"), tr(lang, "table.unit")
    total = len(plan.targets)
    first = {col_indicator: tr(lang, "compare.reached_row"), col_target: ""}
    for k, c in enumerate(candidates):
        first[c.name] = tr(lang, "compare.reached_cell", reached=counts[k]["reached"], total=total)
    first[col_unit] = ""
    rows = [first]
    for target in plan.targets:
        row = {col_indicator: target.label(lang), col_target: number(target.value, lang, target.decimals)}
        codes = matrix.of(target.id)
        for k, c in enumerate(candidates):
            value = float(year_end[target.id][k])
            icon = STATUS_ICONS[STATUSES[int(codes[k])]]
            row[c.name] = f"{number(value, lang, target.decimals)} {icon}"
        row[col_unit] = target.unit(lang)
        rows.append(row)
    return pd.DataFrame(rows)


def _phone_tables(
    rows: Sequence[Mapping[str, str]],
    names: Sequence[str],
    *,
    folded: Sequence[str],
    fold_key: str,
    lang: str,
    right: bool,
    strong: Sequence[Mapping[str, bool]] | None = None,
) -> list[str]:
    """A wide table as Markdown tables that fit a phone (390 px): the first column with the ``folded`` columns
    written into it (``fold_key``'s wording), and at most PHONE_SCENARIOS scenario columns per table."""
    first = next(iter(rows[0])) if rows else ""
    tables = []
    for start in range(0, len(names), PHONE_SCENARIOS):
        chunk = list(names[start : start + PHONE_SCENARIOS])
        phone_rows: list[dict[str, str]] = []
        for row in rows:
            extra = " ".join(row[c] for c in folded).strip()
            label = tr(lang, fold_key, label=row[first], value=extra) if extra else row[first]
            phone_rows.append({first: label, **{name: row[name] for name in chunk}})
        marks = None if strong is None else [{name: m.get(name, False) for name in chunk} for m in strong]
        tables.append(markdown_table(phone_rows, right=chunk if right else (), strong=marks))
    return tables


def year_end_phone_tables(table: pd.DataFrame, candidates: Sequence[Candidate], *, lang: str) -> list[str]:
    """`year_end_table` for a phone: "Members (target 40,000 people)" and up to three scenarios per table."""
    rows = table.to_dict("records")
    folded = [tr(lang, "table.target"), tr(lang, "table.unit")]
    names = [c.name for c in candidates]
    return _phone_tables(rows, names, folded=folded, fold_key="phone.with_target", lang=lang, right=True)


def headline_lines(plan: Plan, candidates: Sequence[Candidate], matrix: StatusMatrix, *, lang: str) -> str:
    """A markdown list: one line per scenario with its counts."""
    counts = matrix.per_scenario()
    total = len(plan.targets)
    return "\n".join(
        "- " + tr(lang, "compare.headline", name=md_escape(c.name), total=total, **counts[k]) for k, c in enumerate(candidates)
    )


def legend_text(lang: str, tol: float) -> str:
    return tr(
        lang,
        "compare.legend",
        **{status: status_label(status, lang) for status in STATUSES},
        tol=tolerance_text(tol * 100, lang),
    )


def differing_levers(plan: Plan, candidates: Sequence[Candidate], *, lang: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The levers (and baseline values) that are not the same in every picked scenario.

    Returns (display table, mask of cells that differ from the default), or None
    when every picked scenario has the same inputs.
    """
    col_lever, col_unit, col_default = tr(lang, "compare.col_lever"), tr(lang, "table.unit"), tr(lang, "compare.col_default")
    rows: list[dict[str, str]] = []
    masks: list[dict[str, bool]] = []
    for lv in plan.levers:
        values = [c.levers.get(lv.id, lv.default) for c in candidates]
        if all(v == values[0] for v in values):
            continue
        default = widgets.format_lever_value(lv.id, lv.default, lang)
        row = {col_lever: lv.label(lang), col_unit: lv.unit(lang), col_default: default}
        mask = {col_lever: False, col_unit: False, col_default: False}
        for c, v in zip(candidates, values, strict=True):
            row[c.name] = widgets.format_lever_value(lv.id, v, lang)
            mask[c.name] = v != lv.default
        rows.append(row)
        masks.append(mask)
    plan_base = plan.baseline_values()
    for b in BASELINE_IDS:
        values_b = [c.baseline.get(b, plan_base[b]) for c in candidates]
        if all(v == values_b[0] for v in values_b):
            continue
        target = plan.target(b)
        decimals = max(target.decimals, 1 if any(float(v) % 1 for v in values_b) else 0)
        row = {
            col_lever: tr(lang, "compare.baseline_row", label=target.label(lang)),
            col_unit: target.unit(lang),
            col_default: number(plan_base[b], lang, decimals),
        }
        mask = {col_lever: False, col_unit: False, col_default: False}
        for c, v in zip(candidates, values_b, strict=True):
            row[c.name] = number(float(v), lang, decimals)
            mask[c.name] = v != plan_base[b]
        rows.append(row)
        masks.append(mask)
    if not rows:
        return None
    # Unit last: on a phone the values stay next to the lever's name.
    order = [col_lever, col_default, *(c.name for c in candidates), col_unit]
    table = pd.DataFrame(rows)[order]
    return table, pd.DataFrame(masks)[order]


def levers_phone_tables(table: pd.DataFrame, mask: pd.DataFrame, candidates: Sequence[Candidate], *, lang: str) -> list[str]:
    """The differing levers for a phone: "Dissolution rate (default 0.0 % a year)", up to three scenarios per
    table, a value that differs from the default in bold (shaded by TABLE_CSS, as in the wide table)."""
    folded = [tr(lang, "compare.col_default"), tr(lang, "table.unit")]
    names = [c.name for c in candidates]
    rows = table.to_dict("records")
    strong = mask.to_dict("records")
    return _phone_tables(rows, names, folded=folded, fold_key="phone.with_default", lang=lang, right=False, strong=strong)


def highlight(table: pd.DataFrame, mask: pd.DataFrame) -> Any:
    """A Styler that marks the cells differing from the default (colour and bold)."""
    css = mask.map(lambda differs: HIGHLIGHT_CSS if differs else "")
    return table.style.apply(lambda _: css, axis=None)


def show_wide_or_phone(name: str, table: Any, *, rows: int, pinned: str, phone_tables: Sequence[str]) -> None:
    """A grid (a DataFrame or Styler of ``rows`` rows, the ``pinned`` column kept in view) on a wide screen;
    on a phone (≤ 640 px) ``phone_tables``, Markdown tables that fit 390 px (ui.tables.TABLE_CSS). Keys:
    compare_<name> for the grid in container compare_wide_<name>, container compare_phone_<name>."""
    with st.container(key=f"compare_wide_{name}"):
        grid(table, key=f"compare_{name}", rows=rows, column_config={pinned: st.column_config.TextColumn(pinned=True, width=250)})
    with st.container(key=f"compare_phone_{name}"):
        for markdown in phone_tables:
            show_table(markdown)


def monthly_frame(
    candidates: Sequence[Candidate],
    monthly: Mapping[str, np.ndarray],
    indicator: str,
    *,
    year: int | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Long table for the overlay chart: month end (as a date, the Scenario page's axis), scenario, value.
    ``year``, ``lang``: the plan's year and the session's language unless given."""
    year = cached.get_plan().meta.year if year is None else year
    lang = state.lang() if lang is None else lang
    paths = monthly[indicator]  # K × 13
    dates, texts = month_dates(year, paths.shape[1]), date_texts(year, lang, paths.shape[1])
    frames = [
        pd.DataFrame({"date": dates, "date_text": texts, "scenario": c.name, "value": paths[k]}) for k, c in enumerate(candidates)
    ]
    return pd.concat(frames, ignore_index=True)


def overlay_height(scenarios: int) -> int:
    """Chart height with room for a one-column legend (the legend is inside the height)."""
    return CHART_HEIGHT + LEGEND_ROW * scenarios


@st.cache_data(show_spinner=False, max_entries=64)
def overlay_spec(names: tuple[str, ...], *, target: float, unit: str, decimals: int, year: int, lang: str) -> dict[str, Any]:
    """The overlay chart as a Vega-Lite spec, built once per set of scenario names and indicator.

    Only the lines move with the levers: they are the inline values "paths"
    (K × 13 rows: no Arrow conversion per rerun), filled in by `overlay_spec_filled`.
    """
    chart = overlay_chart(
        alt.InlineData(values=placeholder("paths")),
        names=names,
        target=target,
        unit=unit,
        decimals=decimals,
        year=year,
        lang=lang,
    )
    return cached_spec(style(chart, lang=lang, height=overlay_height(len(names))), validate=False)


def overlay_spec_filled(
    frame: pd.DataFrame, *, names: Sequence[str], target: float, unit: str, decimals: int, lang: str, year: int | None = None
) -> dict[str, Any]:
    """The cached overlay chart with these paths (a `monthly_frame`): ready for st.vega_lite_chart."""
    year = cached.get_plan().meta.year if year is None else year
    spec = overlay_spec(tuple(names), target=target, unit=unit, decimals=decimals, year=year, lang=lang)
    return filled_spec(spec, {}, {"paths": frame.to_dict("records")})


def overlay_chart(
    frame: pd.DataFrame | alt.InlineData,
    *,
    names: Sequence[str],
    target: float,
    unit: str,
    decimals: int,
    lang: str,
    year: int | None = None,
) -> alt.LayerChart:
    """Month-by-month lines, one per scenario (colour and dash), with the target as a dashed rule; month ends as
    dates, as on the Scenario page."""
    fmt = vega_number_format(decimals)
    domain = list(names)
    color = alt.Color(
        "scenario:N",
        title=None,
        scale=alt.Scale(domain=domain, range=list(SCENARIO_COLORS[: len(domain)])),
        legend=LEGEND,
    )
    # Same field, title and legend as the colour: Vega-Lite merges them into one legend of dashed strokes.
    dash = alt.StrokeDash(
        "scenario:N", title=None, scale=alt.Scale(domain=domain, range=list(DASHES[: len(domain)])), legend=LEGEND
    )
    value_title = tr(lang, "compare.tooltip_value", unit=unit)
    x_scale, x_axis = month_axis(cached.get_plan().meta.year if year is None else year, lang)
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=40, strokeDash=[1, 0]))
        .encode(
            x=alt.X("date:T", scale=x_scale, axis=x_axis),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",~f")),
            color=color,
            strokeDash=dash,
            tooltip=[
                alt.Tooltip("scenario:N", title=tr(lang, "compare.tooltip_scenario")),
                alt.Tooltip("date_text:N", title=tr(lang, "compare.tooltip_month")),
                alt.Tooltip("value:Q", title=value_title, format=fmt),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target]}))
        .mark_rule(color=TARGET, strokeDash=[8, 4], strokeWidth=2)
        .encode(
            y="target:Q",
            tooltip=[alt.Tooltip("target:Q", title=tr(lang, "compare.tooltip_target", unit=unit), format=fmt)],
        )
    )
    return alt.layer(lines, rule)
