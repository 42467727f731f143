"""The command line (python -m model): in-process through main(argv), and a few real subprocesses.

The `plan` fixture (the shipped plan, loaded once) is in tests/model/conftest.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from model.cli import main, render_table
from model.engine import project
from model.plan import DEFAULT_PLAN_PATH
from model.scenario import to_json, validate

REPO = Path(__file__).resolve().parents[2]

# MODEL.md §3, worked check with the defaults.
WORKED_CHECK = {
    "new_coops": 85.0,
    "coops": 900.0,
    "revenue_per_coop": 1941.0,
    "worker_income": 53.76,
    "new_unions": 1.0,
    "unions": 7.0,
    "union_member_coops": 38.0,
}


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


def table_columns(text: str) -> tuple[str, list[tuple[int, int]], list[str]]:
    """(header line, column spans from the dashed rule, data lines) of a rendered table."""
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("---"))
    rule = lines[i]
    spans, start = [], None
    for pos, ch in enumerate(rule + " "):
        if ch == "-" and start is None:
            start = pos
        elif ch != "-" and start is not None:
            spans.append((start, pos))
            start = None
    return lines[i - 1], spans, lines[i + 1 :]


def cell(line: str, span: tuple[int, int]) -> str:
    return line[span[0] : span[1]].strip()


# ------------------------------------------------------------------- run


def test_run_json_is_the_worked_check(capsys):
    doc = cli_json(capsys, "run")
    assert doc["plan"] == {"id": "sonla-2023", "version": "1.0"}
    assert len(doc["year_end"]) == 17
    for key, expected in WORKED_CHECK.items():
        assert doc["year_end"][key] == pytest.approx(expected, rel=1e-9), key
    assert doc["year_end"]["members"] == pytest.approx(36066.3, abs=0.1)
    status = doc["status"]
    assert (status["coops"], status["unions"]) == ("reached", "reached")
    assert {status[k] for k in ("revenue_per_coop", "worker_income", "union_member_coops", "members")} == {"missed"}
    assert doc["target"]["coops"] == 900
    assert set(doc["target"]) == set(doc["year_end"]) == set(doc["status"])


def test_run_json_lists_every_lever(capsys, plan):
    doc = cli_json(capsys, "run")
    assert doc["levers"] == plan.defaults()
    assert list(doc["levers"]) == [lv.id for lv in plan.levers]


def test_set_changes_the_numbers(capsys):
    doc = cli_json(capsys, "run", "--set", "new_coops=60")
    assert doc["levers"]["new_coops"] == 60
    assert doc["year_end"]["coops"] == pytest.approx(875.0)
    assert doc["status"]["coops"] == "close"
    assert doc["status"]["new_coops"] == "missed"


def test_set_is_repeatable_and_last_wins(capsys, plan):
    doc = cli_json(
        capsys,
        "run",
        "--set",
        "new_coops=10",
        "--set",
        "formation_timing=front",
        "--set",
        "new_coops=100",
        "--set",
        "income_growth=25",
    )
    assert doc["levers"]["new_coops"] == 100
    assert doc["levers"]["formation_timing"] == "front"
    expected = project(plan, {"new_coops": 100, "formation_timing": "front", "income_growth": 25}).year_end_dict()
    assert doc["year_end"] == pytest.approx(expected)
    assert doc["year_end"]["worker_income"] == pytest.approx(60.0)


def test_preset(capsys, plan):
    doc = cli_json(capsys, "run", "--preset", "recent_trends")
    assert doc["levers"] == plan.preset_levers("recent_trends")
    assert doc["levers"]["new_coops"] == 56
    expected = project(plan, plan.preset_levers("recent_trends")).year_end_dict()
    assert doc["year_end"] == pytest.approx(expected)
    assert doc["status"]["unions"] == "missed"  # no new union in this preset


def test_scenario_file_levers_and_baseline(capsys, plan, tmp_path):
    scenario, _ = validate(plan, {"new_coops": 70, "member_growth": 5}, {"members": 35000})
    path = tmp_path / "mine.json"
    path.write_text(to_json(plan, scenario), encoding="utf-8")
    doc = cli_json(capsys, "run", "--scenario", str(path))
    assert doc["levers"]["new_coops"] == 70
    assert doc["baseline"] == {"members": 35000}
    expected = project(plan, scenario.levers, {"members": 35000}).year_end_dict()
    assert doc["year_end"] == pytest.approx(expected)
    assert doc["year_end"]["members"] != pytest.approx(cli_json(capsys, "run", "--set", "new_coops=70")["year_end"]["members"])


def test_order_preset_then_file_then_set(capsys, plan, tmp_path):
    # The file names only two levers; the preset supplies the rest; --set has the last word.
    path = tmp_path / "partial.json"
    path.write_text(json.dumps({"levers": {"new_coops": 70, "revenue_growth": 10}}), encoding="utf-8")
    doc = cli_json(capsys, "run", "--preset", "cautious", "--scenario", str(path), "--set", "revenue_growth=20")
    cautious = plan.preset_levers("cautious")
    assert doc["levers"]["dissolution_rate"] == cautious["dissolution_rate"]  # from the preset
    assert doc["levers"]["new_coops"] == 70  # from the file
    assert doc["levers"]["revenue_growth"] == 20  # from --set


def test_tolerance_changes_a_status(capsys):
    default = cli_json(capsys, "run")
    assert default["tolerance"] == 5
    assert default["status"]["managers"] == "close"  # 3,347.5 of 3,368
    assert default["status"]["members"] == "missed"  # 90.2 %
    strict = cli_json(capsys, "run", "--tolerance", "0")
    assert strict["status"]["managers"] == "missed"
    loose = cli_json(capsys, "run", "--tolerance", "10")
    assert loose["status"]["members"] == "close"
    assert loose["year_end"] == default["year_end"]


# ---------------------------------------------------------------- formats


def test_table_vi(capsys, plan):
    code, out, err = cli(capsys, "run", "--format", "table")
    assert code == 0, err
    assert out.splitlines()[0] == "5/17 chỉ tiêu đạt, 3 gần đạt"
    assert "1.941,0" in out and "53,76" in out and "36.066" in out
    for word in ("Đạt", "Gần đạt", "Chưa đạt"):
        assert word in out
    header, spans, rows = table_columns(out)
    assert cell(header, spans[0]) == "Chỉ tiêu"
    assert len(rows) == 17
    # Every column lines up although the labels carry diacritics.
    for t, row in zip(plan.targets, rows, strict=True):
        assert cell(row, spans[0]) == unicodedata.normalize("NFC", t.label("vi"))
        assert cell(row, spans[-1]) == t.unit("vi")
    revenue = rows[[t.id for t in plan.targets].index("revenue_per_coop")]
    assert cell(revenue, spans[1]) == "1.941,0"
    assert cell(revenue, spans[4]) == "Chưa đạt"
    assert revenue[spans[1][1] - 1] == "0"  # numbers are right-aligned


def test_table_en(capsys, plan):
    code, out, _ = cli(capsys, "run", "--format", "table", "--lang", "en", "--set", "new_coops=60")
    assert code == 0
    assert out.splitlines()[0] == "3 of 17 targets reached, 2 close"
    assert "1,973.6" in out
    header, spans, rows = table_columns(out)
    assert cell(header, spans[0]) == "Indicator"
    coops = rows[1]
    assert cell(coops, spans[0]) == plan.target("coops").label("en")
    assert cell(coops, spans[1]) == "875"
    assert cell(coops, spans[4]) == "Close"
    assert {cell(r, spans[4]) for r in rows} == {"Reached", "Close", "Missed"}
    code, out, _ = cli(capsys, "run", "--format", "table", "--lang", "en")
    assert "1,941.0" in out


def test_render_table_counts_letters_not_code_points():
    decomposed = unicodedata.normalize("NFD", "Thành viên hợp tác xã")
    assert len(decomposed) > len("Thành viên hợp tác xã")
    text = render_table(["a", "b"], [[decomposed, "1"], ["x", "22"]], "lr")
    lines = text.splitlines()
    assert lines[1] == "-" * 21 + "  " + "--"
    assert lines[2] == "Thành viên hợp tác xã   1"
    assert lines[3] == "x" + " " * 20 + "  22"


def test_csv_run_parses(capsys, plan):
    code, out, _ = cli(capsys, "run", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["id", "label", "unit", "value", "target", "percent", "status"]
    assert [r["id"] for r in rows] == [t.id for t in plan.targets]
    by_id = {r["id"]: r for r in rows}
    assert float(by_id["revenue_per_coop"]["value"]) == pytest.approx(1941.0)
    assert float(by_id["revenue_per_coop"]["percent"]) == pytest.approx(64.7)
    assert float(by_id["members"]["target"]) == 40000
    assert by_id["members"]["label"] == plan.target("members").label("vi")
    assert by_id["coops"]["status"] == "reached"
    assert {r["status"] for r in rows} <= {"reached", "close", "missed"}
    _, out_en, _ = cli(capsys, "run", "--format", "csv", "--lang", "en")
    assert next(csv.DictReader(io.StringIO(out_en)))["label"] == plan.target("new_coops").label("en")


# ------------------------------------------------------------- montecarlo


def test_montecarlo_is_reproducible_by_seed(capsys):
    a = cli_json(capsys, "montecarlo", "--draws", "300", "--seed", "7")
    b = cli_json(capsys, "montecarlo", "--draws", "300", "--seed", "7")
    c = cli_json(capsys, "montecarlo", "--draws", "300", "--seed", "8")
    assert a == b
    assert a["p50"] != c["p50"]
    assert (a["draws"], a["seed"]) == (300, 7)
    assert set(a) >= {"draws", "seed", "probability", "p10", "p50", "p90"}
    for key, p in a["probability"].items():
        assert 0 <= p <= 1
        assert a["p10"][key] <= a["p50"][key] <= a["p90"][key]
    assert a["probability"]["revenue_per_coop"] == 0


def test_montecarlo_defaults(capsys):
    doc = cli_json(capsys, "montecarlo")
    assert (doc["draws"], doc["seed"]) == (2000, 0)
    assert len(doc["probability"]) == 17


def test_montecarlo_table_and_csv(capsys, plan):
    code, out, _ = cli(capsys, "montecarlo", "--draws", "100", "--format", "table")
    assert code == 0
    assert out.startswith("Số lần mô phỏng: 100, hạt giống: 0")
    assert "Xác suất đạt" in out
    code, out, _ = cli(capsys, "montecarlo", "--draws", "100", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == [t.id for t in plan.targets]
    assert all(0 <= float(r["probability"]) <= 1 for r in rows)


# --------------------------------------------------------------- goalseek


def test_goalseek_one_lever(capsys, plan):
    doc = cli_json(capsys, "goalseek", "--indicator", "revenue_per_coop", "--lever", "revenue_growth")
    assert doc["indicator"] == "revenue_per_coop"
    (res,) = doc["results"]
    assert res["lever"] == "revenue_growth"
    assert res["reachable"] is True
    assert res["kind"] == "crossing"
    assert res["value"] == pytest.approx(61.47, abs=0.01)
    # At the solved value the target is just reached.
    value = project(plan, {"revenue_growth": res["value"]}).year_end_dict()["revenue_per_coop"]
    assert value == pytest.approx(3000.0, rel=1e-9)


def test_goalseek_every_numeric_lever(capsys, plan):
    doc = cli_json(capsys, "goalseek", "--indicator", "revenue_per_coop")
    results = doc["results"]
    assert [r["lever"] for r in results] == [lv.id for lv in plan.numeric_levers]
    by_lever = {r["lever"]: r for r in results}
    assert by_lever["revenue_growth"]["value"] == pytest.approx(61.47, abs=0.01)
    assert by_lever["members_per_new_coop"] == {**by_lever["members_per_new_coop"], "value": None, "reachable": False}
    assert all(r["value"] is None for r in results if not r["reachable"])


def test_goalseek_table_and_csv(capsys):
    code, out, _ = cli(capsys, "goalseek", "--indicator", "revenue_per_coop", "--format", "table")
    assert code == 0
    assert "61,47" in out and "không ảnh hưởng" in out and "không đạt được trong khoảng" in out
    code, out, _ = cli(capsys, "goalseek", "--indicator", "revenue_per_coop", "--format", "csv", "--lang", "en")
    rows = {r["lever"]: r for r in csv.DictReader(io.StringIO(out))}
    assert float(rows["revenue_growth"]["value"]) == pytest.approx(61.47, abs=0.01)
    assert rows["revenue_growth"]["reachable"] == "true"
    assert rows["members_per_new_coop"]["value"] == ""


# ------------------------------------------------------------ sensitivity


def test_sensitivity_is_sorted(capsys, plan):
    doc = cli_json(capsys, "sensitivity", "--indicator", "members")
    assert doc["indicator"] == "members"
    assert doc["base"] == pytest.approx(36066.3, abs=0.1)
    rows = doc["rows"]
    assert {r["lever"] for r in rows} == {lv.id for lv in plan.levers}
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    assert rows[0]["lever"] == "member_growth"
    for r in rows:
        assert set(r) >= {"lever", "low", "high", "at_low", "at_high", "swing"}
        assert r["swing"] == pytest.approx(abs(r["at_high"] - r["at_low"]))


def test_sensitivity_table_and_csv(capsys):
    code, out, _ = cli(capsys, "sensitivity", "--indicator", "coops", "--format", "table", "--lang", "en")
    assert code == 0
    _, spans, rows = table_columns(out)
    assert cell(rows[0], spans[0]) == "New coops founded in the year"
    code, out, _ = cli(capsys, "sensitivity", "--indicator", "coops", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    swings = [float(r["swing"]) for r in rows]
    assert swings == sorted(swings, reverse=True)


# ----------------------------------------------------------------- errors

BAD_ARGS = [
    (["run", "--set", "new_coops=abc"], "lever new_coops: 'abc' is not a number"),
    (["run", "--set", "dissolution_rate=25"], "error: lever dissolution_rate: 25 is outside 0–20"),
    (["run", "--set", "new_coops=60.5"], "not on the step"),
    (["run", "--set", "new_coops=nan"], "not a finite number"),
    (["run", "--set", "new_coops"], "expected ID=VALUE"),
    (["run", "--set", "formation_timing=sideways"], "formation_timing: 'sideways' is not one of even, front, back"),
    (["run", "--set", "no_such_lever=1"], "unknown lever 'no_such_lever'"),
    (["run", "--plan", "/no/such/plan.toml"], "file not found"),
    (["run", "--scenario", "/no/such/scenario.json"], "not found"),
    (["run", "--preset", "optimistic"], "unknown preset 'optimistic'"),
    (["run", "--tolerance", "-1"], "--tolerance"),
    (["run", "--tolerance", "abc"], "--tolerance"),
    (["run", "--tolerance", "50.5"], "50.5 is not a percentage from 0 to 50"),  # model.settings: the sidebar's and a link's
    (["run", "--format", "xml"], "--format"),
    (["run", "--lang", "fr"], "--lang"),
    (["run", "--no-such-option"], "unrecognized arguments"),
    (["montecarlo", "--draws", "0"], "--draws"),
    (["montecarlo", "--draws", "-5"], "--draws"),
    (["montecarlo", "--draws", "many"], "--draws"),
    (["montecarlo", "--draws", "99"], "99 is less than 100"),  # model.settings: the Uncertainty page's and a link's range
    (["montecarlo", "--draws", "50001"], "50001 is more than 50000"),
    (["montecarlo", "--seed", "-1"], "--seed"),
    (["goalseek"], "--indicator"),
    (["goalseek", "--indicator", "happiness"], "unknown indicator 'happiness'"),
    (["goalseek", "--indicator", "coops", "--lever", "luck"], "unknown lever 'luck'"),
    (["goalseek", "--indicator", "coops", "--lever", "formation_timing"], "not a numeric lever"),
    (["sensitivity", "--indicator", "happiness"], "unknown indicator 'happiness'"),
    (["forecast"], "invalid choice: 'forecast'"),
    ([], "required"),
]


@pytest.mark.parametrize(("argv", "expected"), BAD_ARGS, ids=[" ".join(a) or "(none)" for a, _ in BAD_ARGS])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, expected):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: ")
    assert expected in err
    assert "usage:" not in err and "Traceback" not in err


def test_broken_plan_files(capsys, tmp_path):
    not_toml = tmp_path / "broken.toml"
    not_toml.write_text("[[[ not toml\n", encoding="utf-8")
    bad_lever = tmp_path / "bad_lever.toml"
    text = DEFAULT_PLAN_PATH.read_text(encoding="utf-8")
    assert text.count("max = 20\nstep = 0.5") == 1  # dissolution_rate's range
    bad_lever.write_text(text.replace("max = 20\nstep = 0.5", "max = -1\nstep = 0.5"), encoding="utf-8")
    for path, expected in ((not_toml, "broken.toml: not valid TOML"), (bad_lever, "bad_lever.toml: lever dissolution_rate:")):
        code, out, err = cli(capsys, "run", "--plan", str(path))
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert expected in err


def test_bad_scenario_files(capsys, plan, tmp_path):
    not_json = tmp_path / "not.json"
    not_json.write_text("{ levers: oops", encoding="utf-8")
    bad_value = tmp_path / "bad.json"
    bad_value.write_text(json.dumps({"levers": {"dissolution_rate": 25}}), encoding="utf-8")
    other_plan = tmp_path / "other.json"
    other_plan.write_text(json.dumps({"plan": {"id": "hanoi-2030"}, "levers": {}}), encoding="utf-8")
    cases = (
        (not_json, "not.json: not valid JSON"),
        (bad_value, "bad.json: lever dissolution_rate: 25 is outside 0–20"),
        (other_plan, "made for plan 'hanoi-2030'"),
        (tmp_path, "cannot be read"),
    )
    for path, expected in cases:
        code, out, err = cli(capsys, "run", "--scenario", str(path))
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert expected in err


def test_scenario_for_another_plan_version_is_a_note(capsys, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"plan": {"id": "sonla-2023", "version": "0.9"}, "levers": {"new_coops": 60}}), encoding="utf-8")
    code, out, err = cli(capsys, "run", "--scenario", str(path))
    assert code == 0
    assert json.loads(out)["levers"]["new_coops"] == 60
    assert err.startswith("note: old.json: made for plan version 0.9")


def test_help_exits_0(capsys):
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    assert "montecarlo" in out and "default" in out
    code, out, _ = cli(capsys, "run", "--help")
    assert code == 0
    assert "--format" in out and "(default: json)" in out and "(default: vi)" in out


# ------------------------------------------------------- real subprocesses


def python_m_model(*argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "model", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_subprocess_run_defaults():
    proc = python_m_model("run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    year_end = json.loads(proc.stdout)["year_end"]
    for key, expected in WORKED_CHECK.items():
        assert year_end[key] == pytest.approx(expected, rel=1e-9), key


def test_subprocess_table_vi():
    proc = python_m_model("run", "--format", "table")
    assert proc.returncode == 0
    assert "5/17 chỉ tiêu đạt, 3 gần đạt" in proc.stdout and "1.941,0" in proc.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--set", "new_coops=abc"],
        ["run", "--set", "dissolution_rate=25"],
        ["run", "--plan", "no/such/plan.toml"],
        ["montecarlo", "--draws", "0"],
        ["run", "--format", "xml"],
        ["forecast"],
    ],
    ids=lambda a: " ".join(a),
)
def test_subprocess_errors_are_one_line(argv):
    proc = python_m_model(*argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: ")
