"""The room at a glance, for the facilitator's projector: what the participants' live scenarios reach,
how the room set each lever, who is at how many of the 17 targets.

`room_view` turns the live rows of a room into plain numbers (tested by hand-counting); the chart and
table builders turn those numbers into what the projector page draws, in the session's language.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import altair as alt

from model.engine import STATUSES, project_many, status_matrix
from model.plan import Plan
from model.scenario import from_json
from model.text import number, tr
from ui.charts import FONT_SIZE, PROJECTION, cached_spec, d3_locale, filled_spec, placeholder

STATUS_COLORS = {"reached": "#009E73", "close": "#E69F00", "missed": "#D55E00"}  # Okabe–Ito; never colour alone
BAR_HEIGHT = 34  # px per target row on the projector
PARTICIPANT_COLOR = PROJECTION  # a participant's setting on a lever strip (not a status colour)
# A beamer at the back of a room: large type, the whole width, no sidebar, no toolbar.
PROJECTOR_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: none; }
.st-key-projector { font-size: 1.35rem; }
.st-key-projector [data-testid="stMarkdownContainer"] p,
.st-key-projector [data-testid="stMarkdownContainer"] li,
.st-key-projector [data-testid="stMarkdownContainer"] td,
.st-key-projector [data-testid="stMarkdownContainer"] th { font-size: 1.35rem; }
.st-key-projector [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
.st-key-projector h1 { font-size: 3rem; }
.st-key-projector_narrow_targets { display: none; }
@media (max-width: 640px) {
  /* Someone looking at the projector view on a phone: tables instead of the beamer's wide charts. */
  .st-key-projector_narrow_targets { display: block; }
  .st-key-projector_wide_targets, .st-key-projector_wide_levers { display: none; }
  .st-key-projector [data-testid="stMarkdownContainer"] p,
  .st-key-projector [data-testid="stMarkdownContainer"] li,
  .st-key-projector [data-testid="stMarkdownContainer"] td,
  .st-key-projector [data-testid="stMarkdownContainer"] th { font-size: 1rem; }
  .st-key-projector h1 { font-size: 2rem; }
  .st-key-projector_lever_table th:nth-child(2), .st-key-projector_lever_table td:nth-child(2),
  .st-key-projector_lever_table th:nth-child(4), .st-key-projector_lever_table td:nth-child(4) { display: none; }
}
</style>"""


class LiveRow(Protocol):
    """What the projector needs of a live row (store.LiveEntry has these)."""

    id: int
    name: str
    group: str
    scenario_json: str
    updated_at: datetime


@dataclass(frozen=True)
class Participant:
    """One participant's live scenario and what it reaches."""

    id: int
    name: str
    group: str
    levers: Mapping[str, Any]
    baseline: Mapping[str, float]
    statuses: Mapping[str, str]  # target id → reached / close / missed
    updated_at: datetime
    reached: int  # how many targets the scenario reaches
    close: int  # and nearly reaches


@dataclass(frozen=True)
class TargetCount:
    target_id: str
    reached: int
    close: int
    missed: int


@dataclass(frozen=True)
class LeverSpread:
    """How the room set one lever: every participant's value against the plan's default."""

    lever_id: str
    default: Any
    values: tuple[Any, ...]
    moved: int  # participants whose value differs from the default

    @property
    def is_number(self) -> bool:
        return not isinstance(self.default, str)

    @property
    def minimum(self) -> float | None:
        return min(self.values) if self.values and self.is_number else None

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.values)) if self.values and self.is_number else None

    @property
    def maximum(self) -> float | None:
        return max(self.values) if self.values and self.is_number else None


@dataclass(frozen=True)
class RoomView:
    participants: tuple[Participant, ...]  # newest move first
    targets: tuple[TargetCount, ...]  # the plan's order
    levers: tuple[LeverSpread, ...]  # the plan's order, every lever

    def moved_levers(self, always: Sequence[str] = ()) -> tuple[LeverSpread, ...]:
        """The levers anyone moved, and those in ``always`` (the main levers), in the plan's order."""
        return tuple(s for s in self.levers if s.moved or s.lever_id in always)


def room_view(plan: Plan, rows: Sequence[LiveRow], tolerance: float) -> RoomView:
    """Project every live scenario at once (one vectorized projection) and count.

    A row whose scenario no longer parses (saved under another plan version) is repaired
    leniently, as a saved entry is when it is opened.
    """
    rows = sorted(rows, key=lambda r: r.updated_at, reverse=True)
    scenarios = [from_json(plan, r.scenario_json, lenient=True).scenario for r in rows]
    year_end = project_many(plan, [(s.levers, s.baseline) for s in scenarios]).year_end
    matrix = status_matrix(plan, year_end, tolerance)  # each target's K year-end values at once
    counts = matrix.per_scenario()
    participants = tuple(
        Participant(
            id=r.id,
            name=r.name,
            group=r.group,
            levers=dict(s.levers),
            baseline=dict(s.baseline),
            statuses=matrix.scenario(i),
            updated_at=r.updated_at,
            reached=counts[i]["reached"],
            close=counts[i]["close"],
        )
        for i, (r, s) in enumerate(zip(rows, scenarios, strict=True))
    )
    targets = tuple(TargetCount(tid, **counts) for tid, counts in matrix.per_target().items())
    spreads = []
    for lv in plan.levers:
        values = tuple(p.levers[lv.id] if not lv.is_number else float(p.levers[lv.id]) for p in participants)
        default = lv.default if not lv.is_number else float(lv.default)
        spreads.append(LeverSpread(lv.id, default, values, moved=sum(v != default for v in values)))
    return RoomView(participants, targets, tuple(spreads))


# ------------------------------------------------------------------ drawing


# Each chart's Vega-Lite spec is built once per language (Altair's building and checking costs ~100 ms,
# far more than counting the room) with the room's numbers as placeholders, filled in on every redraw.


def targets_chart(plan: Plan, view: RoomView, lang: str) -> dict[str, Any]:
    """One stacked bar per target (the plan's 17 in order): how many participants reach it, are close, miss it."""
    status_names = {s: tr(lang, f"status.{s}") for s in STATUSES}
    rows = []
    for target, count in zip(plan.targets, view.targets, strict=True):
        for rank, status in enumerate(STATUSES):
            n = getattr(count, status)
            if n:
                rows.append({"target": target.label(lang), "status": status_names[status], "rank": rank, "n": n})
    order = tuple(target.label(lang) for target in plan.targets)
    return filled_spec(_targets_spec(lang, order), {}, {"rows": rows, "n": max(1, len(view.participants))})


@functools.lru_cache(maxsize=8)
def _targets_spec(lang: str, order: tuple[str, ...]) -> dict[str, Any]:
    status_names = {s: tr(lang, f"status.{s}") for s in STATUSES}
    color = alt.Color(
        "status:N",
        scale=alt.Scale(domain=[status_names[s] for s in STATUSES], range=[STATUS_COLORS[s] for s in STATUSES]),
        legend=alt.Legend(title=None, orient="top", labelFontSize=FONT_SIZE + 4, symbolSize=300),
    )
    base = alt.Chart(alt.InlineData(values=placeholder("rows"))).encode(
        y=alt.Y(
            "target:N",
            sort=list(order),
            title=None,
            axis=alt.Axis(labelFontSize=FONT_SIZE + 4, labelLimit=520),
        ),
        x=alt.X(
            "sum(n):Q",
            stack="zero",
            title=tr(lang, "projector.axis_participants"),
            scale=alt.Scale(domain=[0, placeholder("n")]),
            axis=alt.Axis(tickMinStep=1, format="d", labelFontSize=FONT_SIZE + 2, titleFontSize=FONT_SIZE + 2),
        ),
        order=alt.Order("rank:Q"),
    )
    bars = base.mark_bar().encode(
        color=color,
        tooltip=[
            alt.Tooltip("target:N", title=tr(lang, "table.indicator")),
            alt.Tooltip("status:N", title=tr(lang, "table.status")),
            alt.Tooltip("sum(n):Q", title=tr(lang, "projector.axis_participants")),
        ],
    )
    # The count written in each segment: the status is never told by colour alone.
    labels = base.mark_text(color="white", fontSize=FONT_SIZE + 4, fontWeight="bold", dx=-10, align="right").encode(
        text="sum(n):Q", detail="status:N"
    )
    chart = (
        alt.layer(bars, labels)
        .properties(width="container", height=BAR_HEIGHT * len(order))
        .configure(locale=alt.Locale(number=alt.NumberLocale(**d3_locale(lang))))
        .configure_view(strokeWidth=0)
        .configure_mark(tooltip=False)
    )
    return cached_spec(chart, validate=False)


def levers_chart(plan: Plan, spreads: Sequence[LeverSpread], lang: str) -> dict[str, Any] | None:
    """One strip per numeric lever: each participant's setting (a tick) against the default (a black bar),
    on the lever's whole range, in its own unit."""
    rows = []
    order = []
    for spread in spreads:
        if not spread.is_number:
            continue
        lv = plan.lever(spread.lever_id)
        unit = lv.unit(lang)
        label = f"{lv.label(lang)} ({unit})" if unit else lv.label(lang)
        order.append(label)
        # The range's ends, invisible: each strip spans the lever's whole range, so position means something.
        rows += [{"lever": label, "value": float(x), "kind": "range"} for x in (lv.lo, lv.hi)]
        rows.append({"lever": label, "value": float(spread.default), "kind": "default"})
        rows += [{"lever": label, "value": float(v), "kind": "participant"} for v in spread.values]
    if not rows:
        return None
    return filled_spec(_levers_spec(lang), {}, {"rows": rows, "order": order})


@functools.lru_cache(maxsize=8)
def _levers_spec(lang: str) -> dict[str, Any]:
    x = alt.X("value:Q", title=None, axis=alt.Axis(labelFontSize=FONT_SIZE + 2, grid=False))
    ends = alt.Chart().mark_point(opacity=0).encode(x=x).transform_filter(alt.datum.kind == "range")
    ticks = (
        alt.Chart()
        .mark_tick(thickness=4, size=34, opacity=0.55, color=PARTICIPANT_COLOR)
        .encode(x=x, tooltip=[alt.Tooltip("value:Q", title=tr(lang, "projector.setting"))])
        .transform_filter(alt.datum.kind == "participant")
    )
    default = (
        alt.Chart()
        .mark_tick(thickness=3, size=46, color="#000000")
        .encode(x=x, tooltip=[alt.Tooltip("value:Q", title=tr(lang, "projector.default"))])
        .transform_filter(alt.datum.kind == "default")
    )
    chart = (
        alt.layer(ends, ticks, default, data=alt.InlineData(values=placeholder("rows")))
        .properties(width=1100, height=46)
        .facet(
            row=alt.Row(
                "lever:N",
                sort=placeholder("order"),  # type: ignore[arg-type]  # a list, filled in per redraw
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=FONT_SIZE + 4, labelOrient="top"),
            ),
            spacing=14,
        )
        .resolve_scale(x="independent")
        .configure(locale=alt.Locale(number=alt.NumberLocale(**d3_locale(lang))))
        .configure_view(strokeWidth=0)
        .configure_mark(tooltip=False)
    )
    return cached_spec(chart, validate=False)


def target_rows(plan: Plan, view: RoomView, lang: str) -> list[dict[str, str]]:
    """The targets' counts as a table (the narrow-screen form of targets_chart)."""
    return [
        {
            tr(lang, "table.indicator"): target.label(lang),
            f"✅ {tr(lang, 'status.reached')}": str(count.reached),
            f"🟡 {tr(lang, 'status.close')}": str(count.close),
            f"❌ {tr(lang, 'status.missed')}": str(count.missed),
        }
        for target, count in zip(plan.targets, view.targets, strict=True)
    ]


def lever_rows(plan: Plan, spreads: Sequence[LeverSpread], lang: str, participants: int) -> list[dict[str, str]]:
    """The levers' table: default, lowest, median, highest setting and how many moved it, in the lever's precision."""
    rows = []
    for spread in spreads:
        lv = plan.lever(spread.lever_id)
        unit = lv.unit(lang)
        label = f"{lv.label(lang)} ({unit})" if unit else lv.label(lang)
        if spread.is_number:
            cells = [
                "–" if v is None else number(v, lang, lv.decimals)
                for v in (spread.default, spread.minimum, spread.median, spread.maximum)
            ]
        else:
            chosen = {c: sum(v == c for v in spread.values) for c in lv.choices}
            summary = ", ".join(f"{lv.choice_label(c, lang)} × {n}" for c, n in chosen.items() if n) or "–"
            cells = [lv.choice_label(str(spread.default), lang), summary, "", ""]
        rows.append(
            {
                tr(lang, "projector.col_lever"): label,
                tr(lang, "projector.col_default"): cells[0],
                tr(lang, "projector.col_min"): cells[1],
                tr(lang, "projector.col_median"): cells[2],
                tr(lang, "projector.col_max"): cells[3],
                tr(lang, "projector.col_moved"): tr(lang, "projector.moved_of", n=spread.moved, total=participants),
            }
        )
    return rows
