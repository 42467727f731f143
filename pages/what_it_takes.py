"""What it takes: the lever value that just reaches each target, the plan-implied scenario, the tornado."""

from __future__ import annotations

import streamlit as st

from model.engine import status_counts
from ui import cached, state, widgets
from ui.i18n import num, t
from ui.keys import Keys
from ui.tables import grid, scorecard_view
from ui.what_it_takes import (
    answer_picker,
    answers,
    default_target,
    goal_seek_detail,
    implied_highlights,
    implied_table,
    labels_digest,
    levers_equal,
    main_lever_table,
    target_labels,
    tornado_frame,
    tornado_spec_filled,
)

state.require_app()
plan = cached.get_plan()
lang = state.lang()
tol = state.tolerance()
lever_items, baseline_items = state.scenario_key()
levers = state.levers()
year_end = cached.year_end(lever_items, baseline_items)
goal = cached.goal_seek_all(lever_items, baseline_items)

st.title(t("what_it_takes.title"))
view = scorecard_view(year_end)  # the statuses and headline, once (cached per scenario)
st.caption(t("what_it_takes.intro", headline=view.headline))

# ------------------------------------------------ each target's main lever
st.subheader(t("what_it_takes.main.title"))
st.caption(t("what_it_takes.main.caption"))
main_table = main_lever_table(plan, goal, view.statuses, levers, lang=lang)
# A static table: the "value needed" sentences wrap instead of being cut off.
st.table(main_table.set_index(main_table.columns[0]))
# Apply one answer (one target's main lever, on the step grid) to the scenario.
answer_picker(answers(plan, goal, levers), where="main", label=t("what_it_takes.answer_pick"), lang=lang, with_indicator=True)

# ------------------------------------------------ the plan-implied scenario
st.subheader(t("what_it_takes.implied.title"))
implied = cached.implied(lever_items, baseline_items, tol)
n_targets = len(plan.targets)
if implied.all_reached:
    st.markdown(t("what_it_takes.implied.lead", total=n_targets))
else:
    reached = status_counts(implied.status.values())["reached"]
    st.warning(t("what_it_takes.implied.not_all", reached=reached, total=n_targets), icon="⚠️")
    st.markdown(t("what_it_takes.implied.lead_partial"))
highlights = implied_highlights(plan, implied, lang=lang)
if highlights:
    st.markdown("\n".join(f"- {line}" for line in highlights))
st.caption(t("what_it_takes.implied.caption"))
with st.expander(t("what_it_takes.implied.steps"), expanded=False):
    steps = implied_table(plan, implied, lang=lang)
    grid(steps, key="what_it_takes_steps")
    if not all(s.reachable for s in implied.steps):
        st.caption(t("what_it_takes.implied.unreachable_note"))


def _apply_implied(values: dict) -> None:
    state.make_current(values, state.baseline_overrides())


if levers_equal(plan, levers, implied.levers):
    st.success(t("what_it_takes.implied.in_use", headline=view.headline), icon="✅")
else:
    st.button(
        t("what_it_takes.implied.apply"),
        key="what_it_takes_apply",
        type="primary",
        icon="🎯",
        help=t("what_it_takes.implied.apply_help"),
        on_click=_apply_implied,
        args=(dict(implied.levers),),
    )

# ------------------------------------------------ one target in detail
st.subheader(t("what_it_takes.detail.title"))
labels = target_labels(plan, view.statuses, lang=lang)
# The labels change with the language and the scenario (status icons): one widget per set of labels,
# the choice itself kept under its own key so it survives the switch.
if st.session_state.get(Keys.WHAT_IT_TAKES_TARGET) not in labels:
    st.session_state[Keys.WHAT_IT_TAKES_TARGET] = default_target(plan, year_end)
widget_key = Keys.labelled(Keys.WHAT_IT_TAKES_TARGET, labels_digest(labels))


@st.fragment
def target_detail(labels: dict[str, str], widget_key: str) -> None:
    """The chosen target's levers and tornado: choosing another target reruns only this part
    (the scenario, and so everything else on the page, is the same)."""
    target_id = widgets.synced(
        st.selectbox,
        t("what_it_takes.detail.choose"),
        options=list(labels),
        format_func=labels.__getitem__,
        store=Keys.WHAT_IT_TAKES_TARGET,
        key=widget_key,
        value=st.session_state[Keys.WHAT_IT_TAKES_TARGET],
    )
    target = plan.target(target_id)
    st.markdown(
        t(
            "what_it_takes.detail.now",
            value=num(year_end[target_id], target.decimals),
            target=num(target.value, target.decimals),
            unit=target.unit(lang),
        )
    )

    detail, no_effect = goal_seek_detail(plan, goal, target_id, levers, lang=lang)
    st.markdown(f"**{t('what_it_takes.detail.goal_title')}**")
    if len(detail):
        grid(detail, key="what_it_takes_detail")
    st.caption(t("what_it_takes.detail.goal_caption"))
    found = answers(plan, goal, levers, indicator=target_id)
    if answer_picker(found, where="detail", label=t("what_it_takes.answer_pick_detail"), lang=lang, with_indicator=False):
        st.rerun(scope="app")  # the scenario changed: the whole page, not only this part
    if no_effect:
        with st.expander(t("what_it_takes.detail.no_effect", count=len(no_effect))):
            st.markdown(", ".join(no_effect))

    st.markdown(f"**{t('what_it_takes.tornado.title')}**")
    frame = tornado_frame(plan, cached.tornado(lever_items, baseline_items, target_id), target_id, lang=lang)
    if frame.empty:
        st.info(t("what_it_takes.tornado.none"), icon="ℹ️")
    else:
        st.vega_lite_chart(tornado_spec_filled(frame, target_id, lang=lang), width="stretch", key="what_it_takes_tornado")
        st.caption(t("what_it_takes.tornado.caption", base=num(year_end[target_id], target.decimals), unit=target.unit(lang)))


target_detail(labels, widget_key)
