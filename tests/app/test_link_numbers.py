"""Numbers in share links (ui/links.py): read only as the app writes them, and never silently changed.

Issue 11 item 3: "a silently wrong number" is never acceptable. Python's float() and int() read digits
of other scripts ("١٢٠", "５") and underscores ("1_000"); float() also rounds ("60.0000000000000001"
is 60.0) and validation allows 1e-9 of a step. Each of these is now reported and the default, or the
slider's value, is used.
"""

from __future__ import annotations

import pytest
from apptools import APP, plain
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from model.settings import DEFAULT_DRAWS
from ui.links import LinkState, is_link_number, parse_params

PLAN = load_plan()


def parse(**params: str) -> tuple[LinkState, list[tuple[str, str, str | None]]]:
    link = parse_params(PLAN, {k: [v] for k, v in params.items()})
    return link, [(p.field, p.code, p.used) for p in link.problems]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("new_coops", "١٢٠"),  # Arabic-Indic digits: float() reads 120
        ("new_coops", "1_000"),  # float() reads 1000
        ("new_coops", "６０"),  # fullwidth
        ("dissolution_rate", "２.５"),
        ("b_coops", "８００"),
        ("b_members", "3_4350"),
        ("seed", "٣"),  # int() reads 3
        ("seed", "1_0"),
        ("draws", "５０００"),
        ("draws", "2_000"),
        ("tol", "５"),  # float() reads 5
        ("tol", "2_5"),
        ("tol", "٢"),
    ],
)
def test_digits_of_other_scripts_and_underscores_are_not_numbers(key: str, text: str) -> None:
    """Regression: `new_coops=١٢٠`, `tol=５` and `1_000` were applied as 120, 5 and 1000 without a word."""
    link, problems = parse(**{key: text})
    assert problems == [(key, "not_a_number", None)]
    assert link.levers == PLAN.defaults()
    assert link.baseline == {}
    assert (link.seed, link.tolerance) == (None, None)
    assert link.draws is None


@pytest.mark.parametrize("text", ["60", "-3", "+2.5", " 60 ", "2.", ".5", "1e2", "1E+2", "2.5e-1", "nan", "-inf"])
def test_numbers_as_the_app_writes_them_are_read(text: str) -> None:
    assert is_link_number(text)


@pytest.mark.parametrize("text", ["١٢٠", "1_000", "５", "0x10", "1,5", "", " ", "1e", ".", "+-1", "6 0", "\u00a060"])
def test_other_texts_are_not_link_numbers(text: str) -> None:
    assert not is_link_number(text)


def test_seed_and_draws_in_ascii_are_read() -> None:
    link, problems = parse(seed="42", draws="5000")
    assert problems == []
    assert (link.seed, link.draws) == (42, 5000)
    assert DEFAULT_DRAWS != 5000


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("2e-81", 0.0),  # Regression: within 1e-9 of the 0.5 grid, snapped to 0 without a word
        ("2.5000000001", 2.5),
        ("2.5000000000000001", 2.5),  # float() itself rounds this to 2.5
        ("1e-400", 0.0),  # float() gives 0.0
        ("2.4", 2.5),
    ],
)
def test_a_tolerance_changed_by_snapping_is_reported(text: str, used: float) -> None:
    link, problems = parse(tol=text)
    assert link.tolerance == used
    (problem,) = problems
    assert problem[:2] == ("tol", "off_step")
    assert problem[2] is not None and float(problem[2]) == used


@pytest.mark.parametrize("text", ["2.5", "2.50", "0", "-0", "50", "5e1", "25e-1"])
def test_a_tolerance_on_the_grid_is_used_silently(text: str) -> None:
    link, problems = parse(tol=text)
    assert problems == []
    assert link.tolerance == float(text)


@pytest.mark.parametrize(
    ("key", "text", "used"),
    [
        ("new_coops", "60.0000000001", 60.0),  # in validation's 1e-9 slack: slider showed 60, model used 60.0000000001
        ("new_coops", "60.0000000000000001", 60.0),  # float() rounds it
        ("dissolution_rate", "2.50000000001", 2.5),
        ("new_coops", "1e-400", 0.0),
    ],
)
def test_a_lever_value_not_used_exactly_as_written_is_reported(key: str, text: str, used: float) -> None:
    link, problems = parse(**{key: text})
    assert link.levers[key] == used
    assert problems == [(key, "off_step", f"{used:g}")]


@pytest.mark.parametrize(
    ("key", "text", "used"),
    [
        ("b_members", "34350.0000000000000001", 34350.0),
        ("b_members", "1e-400", 0.0),
        ("b_worker_income", "48.12000000000000001", 48.12),
    ],
)
def test_a_baseline_value_not_used_exactly_as_written_is_reported(key: str, text: str, used: float) -> None:
    link, problems = parse(**{key: text})
    assert link.baseline[key.removeprefix("b_")] == used
    assert problems == [(key, "off_step", f"{used:g}")]


def test_values_written_as_the_app_writes_them_give_no_problem() -> None:
    link, problems = parse(new_coops="60", dissolution_rate="2.5", b_members="34350", b_worker_income="48.12", tol="5")
    assert problems == []
    assert link.levers["new_coops"] == 60 and link.levers["dissolution_rate"] == 2.5


def test_the_app_names_foreign_digits_and_uses_the_defaults() -> None:
    """In the app: one warning names each value; the sliders stay at their defaults."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"new_coops": "١٢٠", "tol": "５", "lang": "en"})
    at.run()
    assert not at.exception
    (warning,) = at.warning
    text = plain(warning.value)
    assert "(new_coops): «١٢٠» is not a number, ignored" in text
    assert "(tol): «５» is not a number, ignored" in text
    assert at.select_slider(key="sidebar_new_coops").value == PLAN.lever("new_coops").default
