"""Every data file loads, validates and projects; broken plan files fail with errors naming file, row and field."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from model.engine import project
from model.plan import (
    DEFAULT_OBSERVATIONS_PATH,
    DEFAULT_PLAN_PATH,
    INDICATOR_IDS,
    LEVER_IDS,
    Plan,
    PlanError,
    load_observations,
    load_plan,
)
from model.scenario import validate
from model.text import LANGS, strings

# ------------------------------------------------------- the shipped files


def test_plan_loads(plan: Plan) -> None:
    assert plan.id == "sonla-2023"
    assert [t.id for t in plan.targets] == list(INDICATOR_IDS)
    assert [lv.id for lv in plan.levers] == list(LEVER_IDS)
    assert len(plan.targets) == 17
    assert len(plan.numeric_levers) == 25
    # MODEL.md §1.1: the 17 targets.
    expected = {
        "new_coops": 85, "coops": 900, "members": 40_000, "revenue_per_coop": 3_000, "profit_per_coop": 300,
        "workers": 11_000, "worker_income": 60, "managers": 3_368, "managers_trained": 700, "hightech_coops": 350,
        "value_chain_coops": 150, "new_unions": 1, "unions": 7, "union_member_coops": 55, "union_workers": 800,
        "revenue_per_union": 5_000, "profit_per_union": 500,
    }  # fmt: skip
    assert plan.target_values() == pytest.approx(expected)
    # MODEL.md §1.2: the baseline at 31 Dec 2022.
    baseline = {
        "coops": 815, "members": 34_350, "workers": 9_000, "worker_income": 48, "revenue_per_coop": 2_000,
        "managers": 3_050, "managers_trained": 630, "hightech_coops": 300, "value_chain_coops": 120, "unions": 6,
        "union_member_coops": 30, "union_workers": 600, "revenue_per_union": 4_000,
    }  # fmt: skip
    assert plan.baseline_values() == pytest.approx(baseline)
    # Every reported baseline value names its source and date.
    for item in plan.baseline:
        if item.provenance == "reported":
            assert item.source and item.source.startswith("https://"), item.id
            assert item.date, item.id


def test_every_target_main_lever_matches_model_md(plan: Plan) -> None:
    """MODEL.md §4 table: the main lever of each target."""
    main = {t.id: t.main_lever for t in plan.targets}
    assert main == {
        "new_coops": "new_coops", "coops": "new_coops", "members": "member_growth",
        "revenue_per_coop": "revenue_growth", "profit_per_coop": "profit_margin", "workers": "worker_growth",
        "worker_income": "income_growth", "managers": "managers_per_new_coop",
        "managers_trained": "managers_trained_per_year", "hightech_coops": "hightech_adoptions",
        "value_chain_coops": "value_chain_links", "new_unions": "new_unions", "unions": "new_unions",
        "union_member_coops": "union_coop_joins", "union_workers": "union_worker_growth",
        "revenue_per_union": "union_revenue_growth", "profit_per_union": "union_profit_margin",
    }  # fmt: skip


def _preset_ids() -> list[str]:
    return [p.id for p in load_plan().presets]


@pytest.mark.parametrize("preset", _preset_ids())
def test_every_preset_validates_and_projects(plan: Plan, preset: str) -> None:
    levers = plan.preset_levers(preset)
    scenario, changes = validate(plan, levers)  # strict: raises on any problem
    assert changes == []
    proj = project(plan, scenario.levers)
    for indicator in INDICATOR_IDS:
        assert np.all(np.isfinite(proj.paths[indicator])), indicator


def test_observations_load() -> None:
    observations = load_observations()
    assert observations
    for obs in observations:
        assert obs.indicator in INDICATOR_IDS
        assert obs.source.startswith("https://")
        assert np.isfinite(obs.value)


@pytest.mark.parametrize("lang", LANGS)
def test_strings_load(lang: str) -> None:
    table = strings(lang)
    assert table
    assert all(isinstance(v, str) for v in table.values())


def test_strings_have_the_same_keys_in_both_languages() -> None:
    vi, en = set(strings("vi")), set(strings("en"))
    assert vi - en == set(), "keys only in vi"
    assert en - vi == set(), "keys only in en"


# ------------------------------------------------------ broken plan files

PLAN_TEXT = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")


def _blocks(text: str) -> list[str]:
    """The file cut before each [[table]] header (a [presets.levers] sub-table stays with its preset)."""
    return re.split(r"(?m)^(?=\[\[)", text)


def _edit(text: str, table: str, row_id: str, old: str, new: str) -> str:
    """Replace `old` by `new` inside the [[table]] row with this id (exactly once)."""
    blocks = _blocks(text)
    hits = [i for i, b in enumerate(blocks) if b.startswith(f"[[{table}]]") and f'\nid = "{row_id}"\n' in b]
    assert len(hits) == 1, (table, row_id)
    block = blocks[hits[0]]
    assert block.count(old) == 1, (table, row_id, old)
    blocks[hits[0]] = block.replace(old, new)
    return "".join(blocks)


def _remove(text: str, table: str, row_id: str) -> str:
    """Drop the [[table]] row with this id."""
    kept = [b for b in _blocks(text) if not (b.startswith(f"[[{table}]]") and f'\nid = "{row_id}"\n' in b)]
    assert len(kept) == len(_blocks(text)) - 1, (table, row_id)
    return "".join(kept)


def _load_broken(tmp_path: Path, text: str) -> PlanError:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value


def test_copy_of_the_plan_loads(tmp_path: Path) -> None:
    """The editing helpers themselves: an unedited copy loads."""
    path = tmp_path / "plan.toml"
    path.write_text("".join(_blocks(PLAN_TEXT)), encoding="utf-8")
    assert load_plan(path).target_values() == load_plan().target_values()


def test_lever_default_outside_range(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "dissolution_rate", "default = 0\n", "default = 25\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever dissolution_rate: default 25 is outside 0–20" in str(err)


def test_lever_default_off_step(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "dissolution_rate", "default = 0\n", "default = 0.3\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever dissolution_rate: default 0.3 is not on the step 0.5 from 0" in str(err)


def test_lever_min_above_max(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "new_unions", "min = 0\n", "min = 20\n")
    err = _load_broken(tmp_path, text)
    assert "lever new_unions: min 20 is not below max 10" in str(err)


def test_missing_target_row(tmp_path: Path) -> None:
    err = _load_broken(tmp_path, _remove(PLAN_TEXT, "targets", "union_workers"))
    assert "plan.toml: target union_workers: row is missing" in str(err)


def test_unknown_provenance(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "baseline", "members", 'provenance = "reported"', 'provenance = "rumour"')
    err = _load_broken(tmp_path, text)
    assert str(err).startswith("plan.toml: baseline members: provenance ")
    assert "'reported', 'implied' or 'assumption'" in str(err)


def test_duplicate_id(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "targets", "members", 'id = "members"', 'id = "coops"')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: target coops: id appears twice" in str(err)


def test_unknown_field(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "new_coops", "step = 1\n", "step = 1\ncolour = 'red'\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever new_coops: colour is not a known field" in str(err)


def test_missing_field(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "targets", "coops", "value = 900\n", "")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: target coops: value is missing" in str(err)


def test_target_value_not_positive(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "targets", "coops", "value = 900\n", "value = -900\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: target coops: value -900.0 is not a positive number" in str(err)


def test_main_lever_not_numeric(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "targets", "coops", 'main_lever = "new_coops"', 'main_lever = "formation_timing"')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: target coops: main_lever 'formation_timing' is not a numeric lever" in str(err)


def test_inconsistent_baseline(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "baseline", "managers_trained", "value = 630\n", "value = 5000\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: baseline managers_trained: 5000 is more than managers 3050" in str(err)


def test_preset_value_off_step(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "presets", "cautious", "dissolution_rate = 3\n", "dissolution_rate = 3.2\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: preset cautious: levers.dissolution_rate 3.2 is not on the step 0.5" in str(err)


def test_preset_names_unknown_lever(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "presets", "cautious", "new_coops = 60\n", "new_coopz = 60\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: preset cautious: levers.new_coopz is not a lever" in str(err)


def test_timing_choices_must_be_the_three(tmp_path: Path) -> None:
    text = _edit(
        PLAN_TEXT,
        "levers",
        "formation_timing",
        'choices = ["even", "front", "back"]',
        'choices = ["even", "front", "middle"]',
    )
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever formation_timing" in str(err)


# ----------------------------------------- facts of a lever or a baseline row


def test_lever_facts_read_from_the_rows(plan: Plan) -> None:
    """MODEL.md: the 12 rates and shares are in percent, each given in a unit that says so; the main
    levers in the sidebar's order; trained managers are managers, high-tech and value-chain coops are coops."""
    assert plan.percent_levers == {lv.id for lv in plan.numeric_levers if lv.unit_en.startswith("%")}
    assert len(plan.percent_levers) == 12
    assert plan.main_levers == ("new_coops", "dissolution_rate", "members_per_new_coop", "revenue_growth", "income_growth")
    assert plan.parts == {"managers_trained": "managers", "hightech_coops": "coops", "value_chain_coops": "coops"}
    assert all(lv.symbol for lv in plan.numeric_levers)
    assert plan.lever("profit_margin").symbol == r"\pi"


def test_the_engine_divides_exactly_the_percent_levers(tmp_path: Path, plan: Plan) -> None:
    """With percent = true gone from a row, the engine takes that lever as a fraction: 2 then means 200 %."""
    path = tmp_path / "plan.toml"
    path.write_text(_edit(PLAN_TEXT, "levers", "member_growth", "percent = true\n", ""), encoding="utf-8")
    edited = load_plan(path)
    assert edited.percent_levers == plan.percent_levers - {"member_growth"}
    as_fraction = project(edited, {"member_growth": 0.02}).year_end_dict()
    assert as_fraction == project(plan, {"member_growth": 2}).year_end_dict()
    assert project(edited, {"member_growth": 2}).year_end_dict()["members"] > 2 * as_fraction["members"]


def test_lever_percent_not_a_boolean(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "member_growth", "percent = true\n", 'percent = "yes"\n')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever member_growth: percent Input should be a valid boolean" in str(err)


def test_percent_on_a_choice_lever(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "formation_timing", 'default = "even"\n', 'default = "even"\npercent = true\n')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever formation_timing: percent is only for numeric levers" in str(err)


def test_lever_symbol_missing(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "new_coops", "symbol = 'F'\n", "")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever new_coops: symbol is missing" in str(err)


def test_lever_symbol_twice(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "union_profit_margin", "symbol = '\\pi_U'\n", "symbol = '\\pi'\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever union_profit_margin: symbol '\\pi' is another lever's too" in str(err)


@pytest.mark.parametrize(
    ("lever", "old", "new", "message"),
    [
        ("revenue_growth", "main = 4\n", "main = 3\n", "lever revenue_growth: main 3 is another lever's too"),
        ("income_growth", "main = 5\n", "main = 6\n", "lever income_growth: main 6 is not between 1 and 5"),
        ("income_growth", "main = 5\n", "main = 0\n", "lever income_growth: main 0 is not between 1 and 5"),
        ("income_growth", "main = 5\n", 'main = "5"\n', "lever income_growth: main Input should be a valid integer"),
    ],
)
def test_main_lever_positions(tmp_path: Path, lever: str, old: str, new: str, message: str) -> None:
    err = _load_broken(tmp_path, _edit(PLAN_TEXT, "levers", lever, old, new))
    assert f"plan.toml: {message}" in str(err)


def test_a_main_lever_more_or_fewer(tmp_path: Path) -> None:
    """Positions follow the rows: a sixth main lever at 6 loads and comes last; dropping one leaves a gap."""
    path = tmp_path / "plan.toml"
    path.write_text(_edit(PLAN_TEXT, "levers", "new_unions", "step = 1\n", "step = 1\nmain = 6\n"), encoding="utf-8")
    assert load_plan(path).main_levers[-1] == "new_unions"
    err = _load_broken(tmp_path, _edit(PLAN_TEXT, "levers", "new_coops", "main = 1\n", ""))
    assert "main 5 is not between 1 and 4" in str(err)


def test_context_in_one_language_only(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "levers", "new_coops", 'context_vi = "khoảng 56 HTX mới mỗi năm trong 2019–2022 (588 → 770)"\n', "")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever new_coops: context_vi is missing (context_en is given)" in str(err)
    text = _edit(PLAN_TEXT, "levers", "new_coops", 'context_en = "about 56 new coops a year in 2019–2022 (588 → 770)"\n', "")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: lever new_coops: context_en is missing (context_vi is given)" in str(err)


def test_part_of_an_unknown_value(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "baseline", "managers_trained", 'part_of = "managers"', 'part_of = "managerz"')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: baseline managers_trained: part_of 'managerz' is not another baseline value" in str(err)
    text = _edit(PLAN_TEXT, "baseline", "managers_trained", 'part_of = "managers"', 'part_of = "managers_trained"')
    err = _load_broken(tmp_path, text)
    assert "part_of 'managers_trained' is not another baseline value" in str(err)


def test_a_divisor_of_the_equations_must_be_more_than_zero(tmp_path: Path) -> None:
    text = _edit(PLAN_TEXT, "baseline", "unions", "value = 6\n", "value = 0\n")
    err = _load_broken(tmp_path, text)
    assert "plan.toml: baseline unions: value 0 must be more than 0 (the equations divide by it)" in str(err)


def test_a_copy_with_other_levers_does_not_change_the_original() -> None:
    """Regression: the lever index was an init field, so dataclasses.replace shared it and the copy's
    levers replaced the original's."""
    plan = load_plan()
    changed = tuple(lv.model_copy(update={"spread_up": 0.0}) if lv.id == "new_coops" else lv for lv in plan.levers)
    copy = dataclasses.replace(plan, levers=changed)
    assert copy.lever("new_coops").spread_up == 0.0
    assert plan.lever("new_coops").spread_up == 15.0  # the plan file's spread_up


def test_part_of_decides_the_whole(tmp_path: Path) -> None:
    """A part is checked against the whole its row names: 30 member coops of 6 unions is refused."""
    text = _edit(PLAN_TEXT, "baseline", "union_member_coops", 'value = 30\n', 'value = 30\npart_of = "unions"\n')
    err = _load_broken(tmp_path, text)
    assert "plan.toml: baseline union_member_coops: 30 is more than unions 6" in str(err)


def test_broken_toml(tmp_path: Path) -> None:
    err = _load_broken(tmp_path, PLAN_TEXT + "\n[[levers]\nid = \n")
    assert str(err).startswith("plan.toml: not valid TOML")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="file not found"):
        load_plan(tmp_path / "nowhere.toml")


# --------------------------------------------------- broken observations

OBS_TEXT = DEFAULT_OBSERVATIONS_PATH.read_text(encoding="utf-8")


def _load_broken_observations(tmp_path: Path, text: str) -> PlanError:
    path = tmp_path / "observations.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_observations(path)
    return caught.value


def test_observation_value_not_a_number(tmp_path: Path) -> None:
    lines = OBS_TEXT.splitlines(keepends=True)
    # Line 3 (the header is line 1): coops on 20 Oct 2022, value 770.
    assert lines[2].startswith("coops,2022-10-20,")
    lines[2] = lines[2].replace(",770,", ",many,")
    err = _load_broken_observations(tmp_path, "".join(lines))
    assert str(err).startswith("observations.csv: line 3: value ")


def test_observation_unknown_indicator(tmp_path: Path) -> None:
    lines = OBS_TEXT.splitlines(keepends=True)
    lines[4] = lines[4].replace("members,", "memberz,", 1)
    err = _load_broken_observations(tmp_path, "".join(lines))
    assert "observations.csv: line 5: indicator 'memberz' is not an indicator" in str(err)


def test_observation_bad_date(tmp_path: Path) -> None:
    lines = OBS_TEXT.splitlines(keepends=True)
    lines[1] = lines[1].replace("2019-07-15", "2019-13-45")
    err = _load_broken_observations(tmp_path, "".join(lines))
    assert str(err).startswith("observations.csv: line 2: date ")


def test_observations_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="file not found"):
        load_observations(tmp_path / "nowhere.csv")
