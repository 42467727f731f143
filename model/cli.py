"""The command line: ``python -m model run|montecarlo|goalseek|sensitivity``.

Every subcommand builds one scenario the same way — plan defaults ← preset ←
scenario file ← each ``--set`` — validates it strictly, runs the model and
prints the result as JSON (default), CSV or an aligned table for people.

Bad input never shows a traceback: the problem is printed as one line on
stderr (``error: lever dissolution_rate: 25 is outside 0–20``) and the exit
code is 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.analysis import GoalSeekResult, goal_seek, monte_carlo, sensitivity
from model.engine import project, scorecard, status_counts
from model.plan import DEFAULT_PLAN_PATH, Lever, Plan, PlanError, Target, load_plan
from model.problems import english
from model.scenario import Scenario, ScenarioError, from_json, validate
from model.settings import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    DEFAULT_TOLERANCE_PERCENT,
    MAX_DRAWS,
    MAX_TOLERANCE,
    MIN_DRAWS,
)
from model.text import DEFAULT_LANG, LANGS, number, percent, tr

PROG = "python -m model"
FORMATS: tuple[str, ...] = ("json", "csv", "table")
DEFAULT_FORMAT = "json"
EXIT_USAGE = 2


class CliError(Exception):
    """A problem with the command line or its inputs; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but its own errors are one line (no usage block) and exit code 2."""

    def error(self, message: str) -> Any:  # argparse declares NoReturn
        raise CliError(message)


# ------------------------------------------------------------------- parser


def _percent_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_TOLERANCE:
        raise argparse.ArgumentTypeError(f"{text[:40]} is not a percentage from 0 to {MAX_TOLERANCE:g}")
    return value


def _int_arg(*, lo: int, hi: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} is less than {lo}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"{value} is more than {hi}")
        return value

    return parse


_DESCRIPTION = """\
Project Sơn La's 2023 cooperative targets from the command line.

The scenario is built as: plan defaults ← --preset ← --scenario file (its
levers and baseline overrides) ← each --set, then checked strictly: an unknown
lever, a value outside the lever's range or off its step is an error.

Output: --format json (the default; raw, unrounded numbers), csv (one row per
indicator or lever, plain '.' decimals) or table (aligned columns for people,
words and number format of --lang, default vi).

Exit codes: 0 success, 2 bad arguments or input (one line on stderr)."""

_EPILOG = """\
examples:
  python -m model run
  python -m model run --format table --lang en --set new_coops=60
  python -m model montecarlo --preset cautious --draws 5000 --seed 7
  python -m model goalseek --indicator revenue_per_coop --lever revenue_growth
  python -m model sensitivity --indicator members --format csv"""


def _common_options() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("scenario and output (every subcommand)")
    group.add_argument("--plan", metavar="FILE", type=Path, default=DEFAULT_PLAN_PATH, help="plan file (default: data/plan.toml)")
    group.add_argument("--preset", metavar="NAME", help="start from a preset of the plan (e.g. recent_trends, cautious)")
    group.add_argument(
        "--scenario", metavar="FILE.json", type=Path, help="scenario file saved by the app; its levers and baseline apply"
    )
    group.add_argument(
        "--set",
        metavar="ID=VALUE",
        action="append",
        default=[],
        dest="sets",
        help="set one lever, e.g. --set new_coops=60 --set formation_timing=front (repeatable; applied last)",
    )
    group.add_argument(
        "--tolerance",
        metavar="PCT",
        type=_percent_arg,
        default=DEFAULT_TOLERANCE_PERCENT,
        help=f"how far below a target still counts as 'close', in percent (default: {DEFAULT_TOLERANCE_PERCENT:g})",
    )
    group.add_argument(
        "--lang",
        choices=LANGS,
        default=DEFAULT_LANG,
        help=f"language of labels and words in table and csv output (default: {DEFAULT_LANG})",
    )
    group.add_argument(
        "--format", choices=FORMATS, default=DEFAULT_FORMAT, dest="fmt", help=f"output format (default: {DEFAULT_FORMAT})"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = [_common_options()]

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, parents=common, help=help_text, description=help_text, formatter_class=argparse.RawDescriptionHelpFormatter
        )

    add("run", "year-end value, target and status (reached / close / missed) of every indicator")

    mc = add("montecarlo", "uncertainty: probability of reaching each target and P10 / P50 / P90 year-end values")
    mc.add_argument(
        "--draws",
        metavar="N",
        type=_int_arg(lo=MIN_DRAWS, hi=MAX_DRAWS),
        default=DEFAULT_DRAWS,
        help=f"number of draws, {MIN_DRAWS} to {MAX_DRAWS:,} (default: {DEFAULT_DRAWS})",
    )
    mc.add_argument(
        "--seed", metavar="S", type=_int_arg(lo=0), default=DEFAULT_SEED, help=f"random seed, 0 or more (default: {DEFAULT_SEED})"
    )

    gs = add("goalseek", "what it takes: the lever value at which an indicator just reaches its target, others held")
    gs.add_argument("--indicator", metavar="ID", required=True, help="indicator id, e.g. revenue_per_coop")
    gs.add_argument("--lever", metavar="ID", help="numeric lever id (default: every numeric lever)")

    se = add("sensitivity", "tornado: each lever moved to the ends of its uncertainty spread, sorted by the swing")
    se.add_argument("--indicator", metavar="ID", required=True, help="indicator id, e.g. members")
    return parser


# ------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Inputs:
    """Everything a subcommand needs: the plan, the validated scenario, settings."""

    plan: Plan
    scenario: Scenario
    tolerance: float  # a fraction (0.05), from --tolerance in percent
    lang: str
    fmt: str
    notices: tuple[str, ...] = ()

    @property
    def baseline(self) -> dict[str, float] | None:
        return self.scenario.baseline or None


def parse_sets(items: Sequence[str]) -> dict[str, str]:
    """``ID=VALUE`` items → {id: value text}; a later item for the same id wins."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--set {item[:40]}: expected ID=VALUE")
        out[key.strip()] = value.strip()
    return out


def _read_scenario(plan: Plan, path: Path) -> tuple[dict[str, float | str], dict[str, float], list[str]]:
    """(the levers the file names, its baseline overrides, notices), checked strictly.

    A file saved by the app names every lever; a hand-written one may name a
    few, and only those override the preset.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"scenario file {path}: not found") from None
    except OSError as err:
        raise CliError(f"scenario file {path}: cannot be read ({err.strerror})") from None
    try:
        loaded = from_json(plan, data)
    except ScenarioError as err:
        raise CliError(f"{path.name}: {err}") from None
    named = json.loads(data).get("levers") or {}  # from_json has checked it is an object
    levers = {k: v for k, v in loaded.scenario.levers.items() if k in named}
    return levers, dict(loaded.scenario.baseline), [f"{path.name}: {english(n)}" for n in loaded.notices]


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Plan, then levers: defaults ← preset ← scenario file ← --set, validated strictly."""
    plan = load_plan(args.plan)
    levers: dict[str, Any] = plan.defaults()
    if args.preset is not None:
        try:
            levers = plan.preset_levers(args.preset)
        except KeyError:
            known = ", ".join(p.id for p in plan.presets)
            raise CliError(f"unknown preset {args.preset[:40]!r}; choose one of {known}") from None
    baseline: dict[str, float] = {}
    notices: list[str] = []
    if args.scenario is not None:
        file_levers, baseline, notices = _read_scenario(plan, args.scenario)
        levers.update(file_levers)
    levers.update(parse_sets(args.sets))
    scenario, _ = validate(plan, levers, baseline, name="" if args.scenario is None else args.scenario.stem)
    return Inputs(
        plan=plan, scenario=scenario, tolerance=args.tolerance / 100.0, lang=args.lang, fmt=args.fmt, notices=tuple(notices)
    )


def _target(plan: Plan, indicator: str) -> Target:
    try:
        return plan.target(indicator)
    except KeyError:
        known = ", ".join(t.id for t in plan.targets)
        raise CliError(f"unknown indicator {indicator[:40]!r}; choose one of {known}") from None


def _numeric_lever(plan: Plan, lever_id: str) -> Lever:
    if lever_id not in {lv.id for lv in plan.levers}:
        raise CliError(f"unknown lever {lever_id[:40]!r}")
    lv = plan.lever(lever_id)
    if not lv.is_number:
        raise CliError(f"lever {lever_id}: not a numeric lever (goal seek needs one)")
    return lv


# -------------------------------------------------------------- rendering


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """Aligned columns; align is one letter per column, 'l' or 'r'.

    Widths are len() of NFC text, which counts each Vietnamese letter once,
    however many diacritics it carries.
    """
    cells = [[_nfc(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        parts = [c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(row, widths, align, strict=True)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])]) + "\n"


def render_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _csv_value(value: Any) -> Any:
    """Plain machine-readable cells: repr floats, lower-case booleans, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _lever_text(lv: Lever, value: float | str, lang: str, decimals: int | None = None) -> str:
    if not lv.is_number or isinstance(value, str):
        return lv.choice_label(str(value), lang)
    return number(value, lang, lv.decimals if decimals is None else decimals)


def _target_text(t: Target, lang: str) -> str:
    decimals = 0 if float(t.value).is_integer() else t.decimals
    return number(t.value, lang, decimals)


def _indicator_line(inp: Inputs, t: Target, value: float) -> str:
    lang = inp.lang
    return (
        f"{tr(lang, 'cli.indicator')}: {t.label(lang)} ({t.unit(lang)}) · "
        f"{tr(lang, 'cli.target')}: {_target_text(t, lang)} · "
        f"{tr(lang, 'cli.value')}: {number(value, lang, t.decimals)}\n\n"
    )


# ----------------------------------------------------------- subcommands
# Each subcommand builds one Report: a tidy frame of raw values (one row per indicator or lever, the CSV's
# columns) and the table for people; `render` writes it as JSON, CSV or the table.


@dataclass(frozen=True)
class Report:
    """What a subcommand prints, in every format.

    ``frame``: one row per indicator or lever, raw unrounded values (object columns: each value as the
    model gave it, None where there is none); its columns, in order, are the CSV's. The JSON document is
    ``head`` and then, from the frame, ``by_id`` (JSON key → column, as {id: value}) or ``records``
    (JSON key, columns: a list of rows). The table for people is ``heading`` and ``table`` (text cells,
    the column headers in the session's language), aligned by ``align``.
    """

    frame: pd.DataFrame
    head: Mapping[str, Any]
    heading: str
    table: pd.DataFrame
    align: str
    by_id: Mapping[str, str] = field(default_factory=dict)
    records: tuple[str, tuple[str, ...]] | None = None


def _frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), dtype=object)


def render(report: Report, fmt: str) -> str:
    """The one formatter: a report as JSON (raw numbers), CSV (plain cells) or an aligned table."""
    frame = report.frame
    if fmt == "json":
        doc = dict(report.head)
        for key, column in report.by_id.items():
            doc[key] = dict(zip(frame["id"], frame[column], strict=True))
        if report.records is not None:
            key, columns = report.records
            doc[key] = [{c: row[c] for c in columns} for row in frame.to_dict("records")]
        return _json(doc)
    if fmt == "csv":
        return render_csv(list(frame.columns), [[_csv_value(v) for v in row] for row in frame.itertuples(index=False)])
    return report.heading + render_table(list(report.table.columns), report.table.to_numpy().tolist(), report.align)


def run_report(inp: Inputs, args: argparse.Namespace) -> Report:
    plan, lang = inp.plan, inp.lang
    year_end = project(plan, inp.scenario.levers, inp.baseline).year_end_dict()
    card = scorecard(plan, year_end, inp.tolerance).astype(object).to_dict("index")
    frame = _frame(
        {"id": t.id, "label": t.label(lang), "unit": t.unit(lang)}
        | {k: card[t.id][k] for k in ("value", "target", "percent", "status")}
        for t in plan.targets
    )
    counts = status_counts(frame["status"])
    table = pd.DataFrame(
        [
            [
                t.label(lang),
                number(r.value, lang, t.decimals),
                _target_text(t, lang),
                percent(r.value / t.value, lang, 1),
                tr(lang, f"status.{r.status}"),
                t.unit(lang),
            ]
            for t, r in zip(plan.targets, frame.itertuples(index=False), strict=True)
        ],
        columns=[tr(lang, f"cli.{k}") for k in ("indicator", "value", "target", "percent", "status", "unit")],
    )
    return Report(
        frame=frame,
        head={
            "plan": {"id": plan.id, "version": plan.version},
            "tolerance": args.tolerance,
            "levers": inp.scenario.levers,
            "baseline": inp.scenario.baseline,
        },
        # Last: the result is what a reader of the terminal sees at the bottom.
        by_id={"target": "target", "status": "status", "year_end": "value"},
        heading=tr(lang, "cli.headline", reached=counts["reached"], total=len(frame), close=counts["close"]) + "\n\n",
        table=table,
        align="lrrrll",
    )


def montecarlo_report(inp: Inputs, args: argparse.Namespace) -> Report:
    plan, lang = inp.plan, inp.lang
    res = monte_carlo(plan, inp.scenario.levers, draws=args.draws, seed=args.seed, baseline=inp.baseline, tolerance=inp.tolerance)
    quantiles = ("probability", "p10", "p50", "p90")
    frame = _frame(
        {"id": t.id, "label": t.label(lang), "unit": t.unit(lang), "target": t.value}
        | {q: getattr(res, q)[t.id] for q in quantiles}
        for t in plan.targets
    )
    table = pd.DataFrame(
        [
            [
                t.label(lang),
                _target_text(t, lang),
                percent(res.probability[t.id], lang, 1),
                *(number(getattr(res, q)[t.id], lang, t.decimals) for q in quantiles[1:]),
                t.unit(lang),
            ]
            for t in plan.targets
        ],
        columns=[tr(lang, f"cli.{k}") for k in ("indicator", "target", "probability", "p10", "p50", "p90", "unit")],
    )
    return Report(
        frame=frame,
        head={"draws": res.draws, "seed": res.seed},
        by_id={q: q for q in quantiles},
        heading=tr(lang, "cli.draws", draws=number(res.draws, lang), seed=res.seed) + "\n\n",
        table=table,
        align="lrrrrrl",
    )


def _goal_note(lv: Lever, r: GoalSeekResult, lang: str) -> str:
    if r.kind == "always":
        return tr(lang, "cli.always")
    if r.kind == "unreachable":
        return f"{tr(lang, 'cli.not_reachable')}; {tr(lang, 'cli.best')}: {_lever_text(lv, r.best, lang)}"
    if r.kind == "no_effect":
        return tr(lang, "cli.no_effect")
    return ""


def goalseek_report(inp: Inputs, args: argparse.Namespace) -> Report:
    plan, lang = inp.plan, inp.lang
    t = _target(plan, args.indicator)
    if args.lever is not None:
        _numeric_lever(plan, args.lever)
    results = goal_seek(plan, inp.scenario.levers, indicator=t.id, lever=args.lever, baseline=inp.baseline)
    fields = ("lever", "value", "reachable", "kind", "best", "best_indicator")
    frame = _frame(
        {"indicator": t.id, "lever": r.lever, "label": plan.lever(r.lever).label(lang), "unit": plan.lever(r.lever).unit(lang)}
        | {f: getattr(r, f) for f in fields[1:]}
        for r in results
    )
    year_end = project(plan, inp.scenario.levers, inp.baseline).year_end_dict()
    rows = []
    for r in results:
        lv = plan.lever(r.lever)
        shown = max(lv.decimals, 2)  # the solved value is unrounded
        rows.append(
            [
                lv.label(lang),
                _lever_text(lv, inp.scenario.levers[lv.id], lang),
                "–" if r.value is None else number(r.value, lang, shown),
                lv.unit(lang),
                tr(lang, "cli.yes" if r.reachable else "cli.no"),
                _goal_note(lv, r, lang),
            ]
        )
    headers = [tr(lang, f"cli.{k}") for k in ("lever", "current", "goal_value", "unit", "reachable", "note")]
    return Report(
        frame=frame,
        head={"indicator": t.id, "target": t.value},
        records=("results", fields),
        heading=_indicator_line(inp, t, year_end[t.id]),
        table=pd.DataFrame(rows, columns=headers, dtype=object),
        align="lrrlll",
    )


def sensitivity_report(inp: Inputs, args: argparse.Namespace) -> Report:
    plan, lang = inp.plan, inp.lang
    t = _target(plan, args.indicator)
    df = sensitivity(plan, inp.scenario.levers, indicator=t.id, baseline=inp.baseline)
    base = float(df["base"].iloc[0])
    frame = _frame(
        {
            "indicator": t.id,
            "lever": str(row["lever"]),
            "label": plan.lever(str(row["lever"])).label(lang),
            "low": row["low"] if isinstance(row["low"], str) else float(row["low"]),
            "high": row["high"] if isinstance(row["high"], str) else float(row["high"]),
            "at_low": float(row["at_low"]),
            "at_high": float(row["at_high"]),
            "swing": float(row["swing"]),
            "base": base,
        }
        for row in df.to_dict("records")
    )
    rows = []
    for r in frame.itertuples(index=False):
        lv = plan.lever(r.lever)
        rows.append(
            [
                lv.label(lang),
                _lever_text(lv, r.low, lang),
                _lever_text(lv, r.high, lang),
                lv.unit(lang),
                *(number(v, lang, t.decimals) for v in (r.at_low, r.at_high, r.swing)),
            ]
        )
    headers = [tr(lang, f"cli.{k}") for k in ("lever", "low", "high", "unit", "at_low", "at_high", "swing")]
    return Report(
        frame=frame,
        head={"indicator": t.id, "target": t.value, "base": base},
        records=("rows", ("lever", "low", "high", "at_low", "at_high", "swing")),
        heading=_indicator_line(inp, t, base),
        table=pd.DataFrame(rows, columns=headers, dtype=object),
        align="lrrlrrr",
    )


REPORTS: dict[str, Callable[[Inputs, argparse.Namespace], Report]] = {
    "run": run_report,
    "montecarlo": montecarlo_report,
    "goalseek": goalseek_report,
    "sensitivity": sensitivity_report,
}


# -------------------------------------------------------------------- main


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 bad arguments or input)."""
    try:
        args = build_parser().parse_args(argv)
        inp = load_inputs(args)
        text = render(REPORTS[args.command](inp, args), inp.fmt)
    except SystemExit as exc:  # --help prints and exits 0
        return exc.code if isinstance(exc.code, int) else 0
    except (CliError, PlanError, ScenarioError) as err:
        print(f"error: {_one_line(str(err))}", file=sys.stderr)
        return EXIT_USAGE
    for notice in inp.notices:
        print(f"note: {_one_line(notice)}", file=sys.stderr)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `python -m model run --format csv | head -3`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0
