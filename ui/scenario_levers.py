"""Scenario page levers: which differ from their defaults, the labels that say so, and the groups' expanders."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from model.plan import Group, Lever
from ui import cached, state, widgets
from ui.i18n import t


def differs_from_default(lever: Lever, value: Any) -> bool:
    """True when a lever is not at its default (numbers compared with a tolerance far below a step)."""
    if not lever.is_number:
        return str(value) != str(lever.default)
    return not math.isclose(float(value), float(lever.default), rel_tol=0.0, abs_tol=1e-9)


def group_levers(group: Group) -> list[Lever]:
    return [lv for lv in cached.get_plan().levers if lv.group == group.id]


def changed_in_group(group: Group) -> list[Lever]:
    current = state.levers()
    return [lv for lv in group_levers(group) if differs_from_default(lv, current[lv.id])]


def lever_label(lever: Lever, language: str) -> str:
    """Label with unit, and a badge with the default when the lever has been moved."""
    unit = lever.unit(language)
    label = f"{lever.label(language)} ({unit})" if unit else lever.label(language)
    if differs_from_default(lever, state.levers()[lever.id]):
        default = widgets.format_lever_value(lever.id, lever.default, language)
        label += " " + t("scenario.changed_badge", default=default)
    return label


def group_header(group: Group, language: str) -> str:
    """Group name, with the number of moved levers when there are any."""
    changed = len(changed_in_group(group))
    if not changed:
        return f"**{group.label(language)}**"
    return t("scenario.group_header_changed", group=group.label(language), count=changed)


def reset_group(group_id: str) -> None:
    """Button callback: every lever of the group back to its default."""
    plan = cached.get_plan()
    group = next(g for g in plan.groups if g.id == group_id)
    state.set_levers({lv.id: lv.default for lv in group_levers(group)})


def group_expander(group: Group, language: str, *, first: bool) -> DeltaGenerator:
    """The group's expander, open at first for the first group; ``.open`` says whether it is open now.

    It reruns the page when opened or closed (on_change="rerun"): the value boxes are drawn in open groups
    only. Its identity includes its label, which gains a badge when a lever moves, so the open state is
    carried in its key and set before it is drawn (else a value typed in a group would close it).
    """
    key = f"scenario_group_{group.id}"
    st.session_state[key] = bool(st.session_state.get(key, first))
    return st.expander(group_header(group, language), expanded=first, key=key, on_change="rerun")
