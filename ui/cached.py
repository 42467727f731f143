"""The plan and the model's answers, cached: each a function of its arguments only (never of the session).

Keyed by the hashable lever and baseline items (`items`): a rerun that changed neither recomputes nothing.
The session's scenario as those items is ``state.scenario_key()``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pandas as pd
import streamlit as st

from model.analysis import MonteCarloResult, PlanImplied, goal_seek_table, lever_pulls, monte_carlo, plan_implied, sensitivity
from model.engine import project
from model.plan import Observation, Plan, load_observations, load_plan

LeverItems = tuple[tuple[str, Any], ...]
BaselineItems = tuple[tuple[str, float], ...]


@st.cache_resource(show_spinner=False)
def get_plan() -> Plan:
    """The shipped plan, loaded and checked once per server process (immutable)."""
    return load_plan()


@st.cache_resource(show_spinner=False)
def get_observations() -> tuple[Observation, ...]:
    return load_observations()


def items(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A hashable, order-independent key for st.cache_data."""
    return tuple(sorted(mapping.items()))


# Not st.cache_data: a hit there hashes the arguments and unpickles a copy of the result (~0.5 ms), and
# every run asks for the year-end values several times (sidebar, live share, phone panel, page). The
# values are shared by every session, so they are read-only.
@functools.lru_cache(maxsize=4096)
def year_end(lever_items: LeverItems, baseline_items: BaselineItems) -> Mapping[str, float]:
    return MappingProxyType(project(get_plan(), dict(lever_items), dict(baseline_items)).year_end_dict())


@st.cache_data(show_spinner=False, max_entries=256)
def monthly(lever_items: LeverItems, baseline_items: BaselineItems) -> pd.DataFrame:
    return project(get_plan(), dict(lever_items), dict(baseline_items)).frame(0)


@st.cache_data(show_spinner=False, max_entries=32)
def montecarlo_result(lever_items: LeverItems, baseline_items: BaselineItems, draws: int, seed: int) -> MonteCarloResult:
    # No tolerance: the probability of reaching a target does not depend on it (only "close" does),
    # so one cached run serves every tolerance and moving the tolerance slider reruns no draws.
    result = monte_carlo(get_plan(), dict(lever_items), draws=draws, seed=seed, baseline=dict(baseline_items))
    return result.compact()  # the cache pickles its values: keep bands, not 13 × draws paths


@st.cache_data(show_spinner=False, max_entries=64)
def goal_seek_all(lever_items: LeverItems, baseline_items: BaselineItems) -> pd.DataFrame:
    """Every target × every numeric lever: one row each (indicator, lever, value, kind, reachable, best)."""
    results = goal_seek_table(get_plan(), dict(lever_items), baseline=dict(baseline_items))
    return pd.DataFrame([r.__dict__ for r in results])


@st.cache_data(show_spinner=False, max_entries=64)
def implied(lever_items: LeverItems, baseline_items: BaselineItems, tol: float) -> PlanImplied:
    return plan_implied(get_plan(), dict(lever_items), baseline=dict(baseline_items), tolerance=tol)


@st.cache_data(show_spinner=False, max_entries=128)
def tornado(lever_items: LeverItems, baseline_items: BaselineItems, indicator: str) -> pd.DataFrame:
    return sensitivity(get_plan(), dict(lever_items), indicator=indicator, baseline=dict(baseline_items))


@st.cache_data(show_spinner=False, max_entries=64)
def pulls(lever_items: LeverItems, baseline_items: BaselineItems) -> pd.DataFrame:
    """How far each lever's draws pull each indicator (model.analysis.lever_pulls), once per scenario."""
    return lever_pulls(get_plan(), dict(lever_items), dict(baseline_items))
