"""Tables and words for the "What it takes" page: goal seek, the plan-implied scenario, tornado data.

Everything here turns the model's analysis results (goal_seek_all, implied,
tornado from ui.state) into text in the session language; the page draws it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from model.analysis import PlanImplied
from model.plan import Lever, Plan
from model.text import number, signed, tr
from ui import cached, state
from ui.charts import FONT_SIZE, OBSERVED, PALETTE, TARGET, cached_spec, filled_spec, padded_domain, placeholder, style
from ui.i18n import STATUS_ICONS, status_label, with_unit
from ui.keys import Keys
from ui.tables import headline

MAX_TORNADO_LEVERS = 12
MAX_HIGHLIGHTS = 5


def lever_value_text(lv: Lever, value: float, lang: str, *, extra_decimals: int = 0) -> str:
    return with_unit(number(value, lang, lv.decimals + extra_decimals), lv.unit(lang))


def change_text(lv: Lever, delta: float, lang: str, *, extra_decimals: int = 0) -> str:
    """+58,5 điểm % / +58.5 pp for percent levers; +13 HTX/năm otherwise."""
    unit = tr(lang, "what_it_takes.pp") if lv.percent else lv.unit(lang)
    return with_unit(signed(delta, lang, lv.decimals + extra_decimals), unit)


def needed_text(plan: Plan, row: Mapping[str, Any], current: float, lang: str) -> str:
    """The value needed and the change from now, in one cell: "ít nhất 61,5 %/năm (+58,5 điểm %)"."""
    needed, change = needed_texts(plan, row, current, lang)
    lv = plan.lever(str(row["lever"]))
    if not change or round(grid_answer(lv, row) - current, lv.decimals + 1) == 0:
        return needed
    return tr(lang, "what_it_takes.needed_change", needed=needed, change=change)


def needed_texts(plan: Plan, row: Mapping[str, Any], current: float, lang: str) -> tuple[str, str]:
    """(value needed, change from current) for one goal-seek row, in words for every kind.

    "crossing": at least / at most the value (whether the indicator rises or falls with the lever),
    on the lever's step grid with its own decimals: the value the slider would have to show, and the
    value "apply" sets (61.47 % needed → "at least 61.5 %" on a 0.5 grid, the same as the
    plan-implied table).
    """
    lv = plan.lever(str(row["lever"]))
    kind = row["kind"]
    if kind == "crossing":
        value = grid_answer(lv, row)
        bound = "what_it_takes.at_least" if row["increasing"] else "what_it_takes.at_most"
        needed = tr(lang, bound, value=lever_value_text(lv, value, lang))
        return needed, change_text(lv, value - current, lang)
    if kind == "always":
        return tr(lang, "what_it_takes.always"), ""
    if kind == "unreachable":
        target = plan.target(str(row["indicator"]))
        best = tr(
            lang,
            "what_it_takes.best",
            indicator=with_unit(number(float(row["best_indicator"]), lang, target.decimals), target.unit(lang)),
            lever=number(float(row["best"]), lang, lv.decimals),
        )
        return tr(lang, "what_it_takes.unreachable", range=_range_text(lv, lang), best=best), ""
    return tr(lang, "what_it_takes.no_effect"), ""


def grid_answer(lv: Lever, row: Mapping[str, Any]) -> float:
    """A crossing's value on the lever's step grid, rounded in the direction that still reaches the target
    (up when the indicator rises with the lever), inside the range."""
    return lv.snap(float(row["value"]), toward="up" if row["increasing"] else "down")


def answers(plan: Plan, goal: pd.DataFrame, levers: Mapping[str, Any], *, indicator: str | None = None) -> list[dict[str, Any]]:
    """The goal-seek answers that can be applied: crossings whose grid value differs from the lever now.

    One dict per answer (indicator, lever, value on the grid, increasing), in the plan's target order;
    ``indicator``: that target's answers only (every lever), else each target's main lever.
    """
    rows = {(r["indicator"], r["lever"]): r for r in goal.to_dict("records") if r["kind"] == "crossing"}
    pairs = (
        [(indicator, lv.id) for lv in plan.levers]
        if indicator is not None
        else [(target.id, target.main_lever) for target in plan.targets]
    )
    found = []
    for pair in pairs:
        row = rows.get(pair)
        if row is None:
            continue
        lv = plan.lever(pair[1])
        value = grid_answer(lv, row)
        if abs(value - float(levers[lv.id])) > 1e-9 * max(1.0, lv.step_size):
            found.append({"indicator": pair[0], "lever": lv.id, "value": value, "increasing": bool(row["increasing"])})
    return found


def answer_label(plan: Plan, answer: Mapping[str, Any], *, lang: str, with_indicator: bool) -> str:
    """ "Revenue growth, existing coops → 61.5 % / yr" in a target's detail; under the main table the target
    and the value first, "Average revenue per coop → 61.5 % / yr (Revenue growth, existing coops)" (a phone
    cuts the end of a picker's text)."""
    lv = plan.lever(str(answer["lever"]))
    value = lever_value_text(lv, answer["value"], lang)
    if with_indicator:
        indicator = plan.target(str(answer["indicator"])).label(lang)
        return tr(lang, "what_it_takes.answer_option", lever=indicator, value=f"{value} ({lv.label(lang)})")
    return tr(lang, "what_it_takes.answer_option", lever=lv.label(lang), value=value)


def reaching_value(answer: Mapping[str, Any], baseline_items: cached.BaselineItems) -> float:
    """The answer's grid value, checked by projecting the scenario with it: if the target is not reached
    there (a solver tolerance at a grid point), one step further in the reaching direction, within range."""
    plan = cached.get_plan()
    lv = plan.lever(str(answer["lever"]))
    value = float(answer["value"])
    step = lv.step_size if answer["increasing"] else -lv.step_size
    for _ in range(3):
        year_end = cached.year_end(cached.items({**state.levers(), lv.id: value}), baseline_items)
        if state.statuses_of(year_end)[str(answer["indicator"])] == "reached" or not lv.lo <= value + step <= lv.hi:
            break
        value = round(value + step, 10)
    return value




def apply_answer(answer: Mapping[str, Any], where: str) -> None:
    """Set one lever to a goal-seek answer; remember what changed (lever, target before and after)."""
    lever_items, baseline_items = state.scenario_key()
    before_year_end = cached.year_end(lever_items, baseline_items)
    lever_id, indicator = str(answer["lever"]), str(answer["indicator"])
    before = state.levers()[lever_id]
    value = reaching_value(answer, baseline_items)
    state.set_levers({lever_id: value})
    st.session_state[Keys.APPLIED] = {
        "where": where,
        "lever": lever_id,
        "indicator": indicator,
        "before": float(before),
        "after": value,
        "indicator_before": float(before_year_end[indicator]),
    }


def applied_text(applied: Mapping[str, Any], *, lang: str) -> str:
    """What the apply changed: the lever, the target (status and projection), the headline."""
    plan = cached.get_plan()
    lv, target = plan.lever(str(applied["lever"])), plan.target(str(applied["indicator"]))
    year_end = cached.year_end(*state.scenario_key())
    value = float(year_end[target.id])
    return tr(
        lang,
        "what_it_takes.answer_applied",
        lever=lv.label(lang),
        before=number(applied["before"], lang, lv.decimals),
        after=lever_value_text(lv, applied["after"], lang),
        indicator=target.label(lang),
        status=status_label(state.statuses_of(year_end)[target.id], lang),
        old=number(applied["indicator_before"], lang, target.decimals),
        new=with_unit(number(value, lang, target.decimals), target.unit(lang)),
        headline=headline(year_end),
    )


def take_applied(where: str) -> Mapping[str, Any] | None:
    """The last apply's record if it was made at ``where`` (shown once)."""
    applied = st.session_state.get(Keys.APPLIED)
    if applied is None or applied["where"] != where:
        return None
    del st.session_state[Keys.APPLIED]
    return applied


def answer_picker(found: list[dict[str, Any]], *, where: str, label: str, lang: str, with_indicator: bool) -> bool:
    """A picker of applicable answers and one "Apply" button (two widgets, whatever the number of answers),
    with what the last apply here changed. Returns True when the button was pressed (inside a fragment the
    caller then reruns the whole app); outside one, ``where="main"``, the button's callback applies."""
    plan = cached.get_plan()
    applied = take_applied(where)
    if applied is not None:
        st.success(applied_text(applied, lang=lang), icon="🎯")
    if not found:
        return False
    labels = {f"{a['indicator']}/{a['lever']}": answer_label(plan, a, lang=lang, with_indicator=with_indicator) for a in found}
    by_id = {f"{a['indicator']}/{a['lever']}": a for a in found}
    choice = st.selectbox(
        label, options=list(labels), format_func=labels.__getitem__, key=f"what_it_takes_answer_{where}_{labels_digest(labels)}"
    )
    answer = by_id[str(choice)]
    in_fragment = where != "main"
    clicked = st.button(
        tr(lang, "what_it_takes.answer_apply"),
        key=f"what_it_takes_answer_apply_{where}",
        icon=":material/check:",
        help=tr(lang, "what_it_takes.answer_help"),
        on_click=None if in_fragment else apply_answer,
        args=None if in_fragment else (answer, where),
    )
    if clicked and in_fragment:
        apply_answer(answer, where)
    return clicked and in_fragment


def _range_text(lv: Lever, lang: str) -> str:
    return with_unit(f"{number(lv.lo, lang, lv.decimals)}–{number(lv.hi, lang, lv.decimals)}", lv.unit(lang))


def default_target(plan: Plan, year_end: Mapping[str, float]) -> str:
    """The target furthest from reach (lowest share of its target): the first one a leader asks about."""
    return min(plan.targets, key=lambda t: float(year_end[t.id]) / t.value).id


def target_labels(plan: Plan, statuses: Mapping[str, str], *, lang: str) -> dict[str, str]:
    """Target id → "❌ label": the status icon now, so a missed target stands out in a list."""
    return {t.id: f"{STATUS_ICONS[statuses[t.id]]} {t.label(lang)}" for t in plan.targets}


def labels_digest(labels: Mapping[str, str]) -> str:
    """A short digest of option labels, for a widget key that changes when the labels do."""
    return hashlib.sha1("\n".join(labels.values()).encode("utf-8")).hexdigest()[:10]


def main_lever_table(
    plan: Plan, goal: pd.DataFrame, statuses: Mapping[str, str], levers: Mapping[str, Any], *, lang: str
) -> pd.DataFrame:
    """Each target with its status now (``statuses``: the scorecard's), its main lever and the value that just
    reaches it (change from now)."""
    rows_by_pair = {(row["indicator"], row["lever"]): row for row in goal.to_dict("records")}
    rows = []
    for target in plan.targets:
        lv = plan.lever(target.main_lever)
        match = rows_by_pair.get((target.id, lv.id))
        current = float(levers[lv.id])
        rows.append(
            {
                tr(lang, "what_it_takes.col.indicator"): target.label(lang),
                tr(lang, "what_it_takes.col.status"): status_label(statuses[target.id], lang),
                tr(lang, "what_it_takes.col.main_lever"): lv.label(lang),
                tr(lang, "what_it_takes.col.needed"): needed_text(plan, match, current, lang) if match else "",
            }
        )
    return pd.DataFrame(rows)


def goal_seek_detail(
    plan: Plan, goal: pd.DataFrame, indicator: str, levers: Mapping[str, Any], *, lang: str
) -> tuple[pd.DataFrame, list[str]]:
    """Every lever that moves one target: now, needed, change; and the labels of those with no effect.

    Levers that can reach the target come first, the smallest move (relative
    to the lever's range) first; then "reached across the whole range", then
    "not reachable".
    """
    rows = goal[goal["indicator"] == indicator]
    order = {"crossing": 0, "always": 1, "unreachable": 2}
    shown: list[tuple[int, float, dict[str, str]]] = []
    no_effect: list[str] = []
    for _, row in rows.iterrows():
        lv = plan.lever(str(row["lever"]))
        if row["kind"] == "no_effect":
            no_effect.append(lv.label(lang))
            continue
        current = float(levers[lv.id])
        move = abs(float(row["value"]) - current) / (lv.hi - lv.lo) if row["kind"] == "crossing" else 0.0
        shown.append(
            (
                order[str(row["kind"])],
                move,
                {
                    tr(lang, "what_it_takes.col.lever"): lv.label(lang),
                    tr(lang, "what_it_takes.col.needed"): needed_text(plan, row, current, lang),
                    tr(lang, "what_it_takes.col.current"): lever_value_text(lv, current, lang),
                },
            )
        )
    shown.sort(key=lambda x: (x[0], x[1]))
    return pd.DataFrame([r for _, _, r in shown]), no_effect


# ------------------------------------------------------ plan-implied scenario


def implied_table(plan: Plan, implied: PlanImplied, *, lang: str) -> pd.DataFrame:
    """The steps of the plan-implied scenario: target, lever, before, needed (on the step grid), change."""
    rows = []
    for step in implied.steps:
        lv = plan.lever(step.lever)
        rows.append(
            {
                tr(lang, "what_it_takes.col.indicator"): plan.target(step.indicator).label(lang),
                tr(lang, "what_it_takes.col.lever"): lv.label(lang),
                tr(lang, "what_it_takes.col.before"): lever_value_text(lv, step.before, lang),
                tr(lang, "what_it_takes.col.needed_rounded"): lever_value_text(lv, step.after, lang)
                + ("" if step.reachable else " ⚠️"),
                tr(lang, "what_it_takes.col.change"): change_text(lv, step.after - step.before, lang),
            }
        )
    return pd.DataFrame(rows)


def implied_highlights(plan: Plan, implied: PlanImplied, *, lang: str, limit: int = MAX_HIGHLIGHTS) -> list[str]:
    """The biggest assumptions the plan makes silently, largest first, with the reported trend beside them.

    Each main lever is compared with its default (the recent trends), not with
    the current slider, so the list stays the same once the scenario is applied.
    "Biggest" is the rise measured in the lever's uncertainty spreads: a move of
    twenty spreads is far less plausible than one of two.
    """
    ranked = []
    for lever_id in dict.fromkeys(step.lever for step in implied.steps):
        lv = plan.lever(lever_id)
        before, after = float(lv.default), float(implied.levers[lever_id])
        if round(after - before, 10) <= 0:
            continue
        spread = max(lv.spread_up, lv.spread_down, lv.step_size)
        ranked.append(((after - before) / spread, lv, before, after))
    ranked.sort(key=lambda x: -x[0])
    lines = []
    for _, lv, before, after in ranked[:limit]:
        context = tr(lang, "what_it_takes.implied.context", text=lv.context(lang)) if lv.context(lang) else ""
        lines.append(
            tr(
                lang,
                "what_it_takes.implied.bullet",
                lever=lv.label(lang),
                before=number(before, lang, lv.decimals),
                after=number(after, lang, lv.decimals),
                unit=lv.unit(lang),
                context=context,
            )
        )
    return lines


def levers_equal(plan: Plan, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same scenario (numbers compared to a millionth of a step)."""
    for lv in plan.levers:
        x, y = a.get(lv.id, lv.default), b.get(lv.id, lv.default)
        if lv.is_number:
            if abs(float(x) - float(y)) > 1e-6 * lv.step_size:
                return False
        elif x != y:
            return False
    return True


# ----------------------------------------------------------------- tornado


def wrap(text: str, width: int = 20) -> str:
    """Break a label into lines of about `width` characters, joined by "|" (the chart splits on it)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "|".join(lines)


def tornado_frame(plan: Plan, tornado: pd.DataFrame, indicator: str, *, lang: str) -> pd.DataFrame:
    """Long form for the tornado chart: two rows per lever (its low and high end), levers that move it only.

    Columns: lever (label), end ("low"/"high"), end_label, value (indicator
    there), base, lever_text and value_text (formatted, with units), order.
    """
    target = plan.target(indicator)
    base = float(tornado["base"].iloc[0]) if len(tornado) else 0.0
    scale = max(1.0, abs(base))
    moving = tornado[tornado["swing"] > 1e-9 * scale].head(MAX_TORNADO_LEVERS)
    rows = []
    for order, (_, row) in enumerate(moving.iterrows()):
        lv = plan.lever(str(row["lever"]))
        for end in ("low", "high"):
            lever_value = row[end]
            if lv.is_number:
                lever_text = lever_value_text(lv, float(lever_value), lang)
            else:
                lever_text = lv.choice_label(str(lever_value), lang)
            value = float(row[f"at_{end}"])
            rows.append(
                {
                    "lever": lv.label(lang),
                    "lever_axis": wrap(lv.label(lang)),
                    "end": end,
                    "end_label": tr(lang, f"what_it_takes.tornado.{end}"),
                    "value": value,
                    "base": base,
                    "lever_text": lever_text,
                    "value_text": with_unit(number(value, lang, target.decimals), target.unit(lang)),
                    "order": order,
                }
            )
    return pd.DataFrame(rows)


def tornado_x_domain(frame: pd.DataFrame, target_value: float) -> list[float]:
    """The value axis: every bar end, the indicator now and the target, with a little room."""
    return padded_domain([*frame["value"], float(frame["base"].iloc[0]), target_value], 0.06, 0.05)


def tornado_levers(frame: pd.DataFrame) -> list[str]:
    """The rows of the chart (wrapped lever labels), largest swing on top."""
    return list(dict.fromkeys(frame["lever_axis"]))


def tornado_height(levers: int) -> int:
    """Room for each lever's band of two bars."""
    return 46 * levers + 10


def tornado_chart(
    bars_data: pd.DataFrame | alt.InlineData,
    base_data: pd.DataFrame | alt.InlineData,
    *,
    levers: list[str] | str,
    x_domain: list[Any],
    ends: list[str],
    height: int,
    target_value: float,
    target_text: str,
    x_title: str,
    tooltip_titles: Mapping[str, str],
    lang: str,
) -> alt.TopLevelMixin:
    """Horizontal bars from the indicator now (black line, ``base_data``: x) to its value with each lever at
    a spread end (``bars_data``: a `tornado_frame`).

    One row per lever, largest swing on top; orange: the lever at its low end,
    blue: at its high end (``ends``: their labels, low first); the dashed line is the target.
    """
    x_scale = alt.Scale(domain=x_domain, nice=False, zero=False)
    bars = (
        alt.Chart(bars_data)
        .mark_bar(cornerRadius=2)
        .encode(
            # Labels wrapped onto two or three short lines leave room for the bars on a phone.
            y=alt.Y(
                "lever_axis:N",
                sort=levers,
                title=None,
                axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=180, labelPadding=6),
                scale=alt.Scale(paddingInner=0.25),
            ),
            yOffset=alt.YOffset("end_label:N", sort=ends),
            x=alt.X("value:Q", title=x_title, scale=x_scale, axis=alt.Axis(tickCount=4)),
            x2=alt.X2("base:Q"),
            color=alt.Color(
                "end_label:N",
                sort=ends,
                scale=alt.Scale(domain=ends, range=[PALETTE[1], PALETTE[0]]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("lever:N", title=tooltip_titles["lever"]),
                alt.Tooltip("lever_text:N", title=tooltip_titles["lever_value"]),
                alt.Tooltip("value_text:N", title=tooltip_titles["indicator_value"]),
            ],
        )
    )
    base_rule = alt.Chart(base_data).mark_rule(color=OBSERVED, size=2).encode(x=alt.X("x:Q", scale=x_scale))
    target_frame = pd.DataFrame({"x": [target_value], "label": [target_text]})
    target_rule = (
        alt.Chart(target_frame)
        .mark_rule(color=TARGET, size=2, strokeDash=[6, 4])
        .encode(x=alt.X("x:Q", scale=x_scale), tooltip=[alt.Tooltip("label:N", title=tooltip_titles["target"])])
    )
    target_label = (
        alt.Chart(target_frame)
        .mark_text(color=TARGET, align="right", baseline="bottom", dx=-4, dy=-4, fontSize=FONT_SIZE, fontWeight="bold")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.value(0), text="label:N")
    )
    # By default st.altair_chart fits axes and legend into the height too, which squeezes a
    # chart with one band per lever; "fit-x" fits the width only and gives the bands this height.
    chart = style(alt.layer(bars, base_rule, target_rule, target_label), lang=lang, height=height)
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def tornado_texts(plan: Plan, indicator: str, lang: str) -> dict[str, Any]:
    """The words of one indicator's tornado: the bar ends, the target's label, axis and tooltip titles."""
    target = plan.target(indicator)
    return {
        "ends": [tr(lang, "what_it_takes.tornado.low"), tr(lang, "what_it_takes.tornado.high")],
        "target_text": tr(lang, "what_it_takes.tornado.target", value=number(target.value, lang, target.decimals)),
        "x_title": target.unit(lang),
        "tooltip_titles": {
            "lever": tr(lang, "what_it_takes.col.lever"),
            "lever_value": tr(lang, "what_it_takes.tornado.lever_value"),
            "indicator_value": tr(lang, "what_it_takes.tornado.indicator_value", indicator=target.label(lang)),
            "target": tr(lang, "what_it_takes.tornado.target_title"),
        },
    }


@st.cache_data(show_spinner=False, max_entries=64)
def tornado_spec(indicator: str, *, lang: str) -> dict[str, Any]:
    """One indicator's tornado as a Vega-Lite spec, built once per indicator and language.

    What moves with the scenario is left open (see ui.charts.filled_spec): the
    bars and the indicator now (inline values "bars", "base"), the rows
    ("levers"), the value axis ("x_lo", "x_hi") and the height ("height").
    """
    plan = cached.get_plan()
    chart = tornado_chart(
        alt.InlineData(values=placeholder("bars")),
        alt.InlineData(values=placeholder("base")),
        levers=placeholder("levers"),
        x_domain=[placeholder("x_lo"), placeholder("x_hi")],
        height=0,
        target_value=plan.target(indicator).value,
        lang=lang,
        **tornado_texts(plan, indicator, lang),
    )
    spec = cached_spec(chart, validate=False)
    return {**spec, "height": placeholder("height")}


def tornado_spec_filled(frame: pd.DataFrame, indicator: str, *, lang: str) -> dict[str, Any]:
    """The cached tornado with this scenario's bars (a non-empty `tornado_frame`): ready for st.vega_lite_chart."""
    levers = tornado_levers(frame)
    x_lo, x_hi = tornado_x_domain(frame, cached.get_plan().target(indicator).value)
    values = {
        "bars": frame.to_dict("records"),
        "base": [{"x": float(frame["base"].iloc[0])}],
        "levers": levers,
        "x_lo": x_lo,
        "x_hi": x_hi,
        "height": tornado_height(len(levers)),
    }
    return filled_spec(tornado_spec(indicator, lang=lang), {}, values)
