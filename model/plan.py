"""The plan as data: load `data/plan.toml` and `data/observations.csv`, check them.

Every check names the file, the row and the field, e.g.
``plan.toml: lever dissolution_rate: default 25 is outside 0–20``.
Percent levers stay in percent here; the engine turns them into fractions.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError, field_validator

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_PLAN_PATH = DATA_DIR / "plan.toml"
DEFAULT_OBSERVATIONS_PATH = DATA_DIR / "observations.csv"

# The state variables and levers the equations of MODEL.md §3 use. The plan
# file must declare exactly these; a missing or extra one is an error.
INDICATOR_IDS: tuple[str, ...] = (
    "new_coops",
    "coops",
    "members",
    "revenue_per_coop",
    "profit_per_coop",
    "workers",
    "worker_income",
    "managers",
    "managers_trained",
    "hightech_coops",
    "value_chain_coops",
    "new_unions",
    "unions",
    "union_member_coops",
    "union_workers",
    "revenue_per_union",
    "profit_per_union",
)
BASELINE_IDS: tuple[str, ...] = (
    "coops",
    "members",
    "workers",
    "worker_income",
    "revenue_per_coop",
    "managers",
    "managers_trained",
    "hightech_coops",
    "value_chain_coops",
    "unions",
    "union_member_coops",
    "union_workers",
    "revenue_per_union",
)
# Baseline values the equations divide by (averages per coop and per union): they must stay more than 0.
DIVISOR_BASELINES: frozenset[str] = frozenset({"coops", "unions"})
LEVER_IDS: tuple[str, ...] = (
    "new_coops",
    "formation_timing",
    "dissolution_rate",
    "members_per_new_coop",
    "member_growth",
    "workers_per_new_coop",
    "worker_growth",
    "income_growth",
    "revenue_growth",
    "new_coop_revenue",
    "profit_margin",
    "managers_per_new_coop",
    "managers_trained_per_year",
    "trained_share_new_managers",
    "hightech_adoptions",
    "hightech_share_new",
    "value_chain_links",
    "value_chain_share_new",
    "new_unions",
    "coops_per_new_union",
    "union_coop_joins",
    "workers_per_new_union",
    "union_worker_growth",
    "union_revenue_growth",
    "new_union_revenue",
    "union_profit_margin",
)
TIMINGS: tuple[str, ...] = ("even", "front", "back")


class PlanError(ValueError):
    """A plan or observations file that cannot be used; the message names file, row, field."""


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def _in(self, name: str, lang: str) -> Any:
        """The field ``name_vi`` in Vietnamese, ``name_en`` in any other language (the one rule for every
        bilingual field of the plan and observations files)."""
        return getattr(self, f"{name}_vi" if lang == "vi" else f"{name}_en")


class Target(_Row):
    id: str
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    value: float
    decimals: int = 0
    source_vi: str
    main_lever: str

    @field_validator("value")
    @classmethod
    def _positive(cls, v: float) -> float:
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{v} is not a positive number")
        return v

    @field_validator("decimals")
    @classmethod
    def _few_decimals(cls, v: int) -> int:
        # Also the precision of the baseline value of the same id (Plan.baseline_decimals).
        if not 0 <= v <= 6:
            raise ValueError(f"{v} is not between 0 and 6")
        return v

    def label(self, lang: str) -> str:
        return self._in("label", lang)

    def unit(self, lang: str) -> str:
        return self._in("unit", lang)


class BaselineItem(_Row):
    id: str
    symbol: str
    value: float
    provenance: Literal["reported", "implied", "assumption"]
    date: str | None = None
    source: str | None = None
    note_vi: str = ""
    note_en: str = ""
    part_of: StrictStr | None = None  # the baseline value this one is a part of (never more than it)

    @field_validator("value")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"{v} is not a non-negative number")
        return v

    def note(self, lang: str) -> str:
        return self._in("note", lang)


class Lever(_Row):
    id: str
    group: str
    kind: Literal["number", "choice"] = "number"
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    help_vi: str
    help_en: str
    default: float | str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    spread_down: float = 0.0
    spread_up: float = 0.0
    choices: tuple[str, ...] = ()
    choice_labels_vi: tuple[str, ...] = ()
    choice_labels_en: tuple[str, ...] = ()
    percent: StrictBool = False  # given in percent (rates, shares): the engine divides by 100, changes are points
    symbol: StrictStr = ""  # MODEL.md's symbol, LaTeX (every numeric lever has one)
    main: StrictInt | None = None  # position among the main levers (sidebar, phone panel); none: not a main lever
    context_vi: str = ""  # the reported trend beside the plan's assumption ("What it takes")
    context_en: str = ""

    def label(self, lang: str) -> str:
        return self._in("label", lang)

    def unit(self, lang: str) -> str:
        return self._in("unit", lang)

    def help(self, lang: str) -> str:
        return self._in("help", lang)

    def context(self, lang: str) -> str:
        return self._in("context", lang)

    def choice_label(self, choice: str, lang: str) -> str:
        labels = self._in("choice_labels", lang)
        return labels[self.choices.index(choice)] if choice in self.choices else choice

    @property
    def is_number(self) -> bool:
        return self.kind == "number"

    @property
    def lo(self) -> float:
        assert self.min is not None
        return self.min

    @property
    def hi(self) -> float:
        assert self.max is not None
        return self.max

    @property
    def step_size(self) -> float:
        assert self.step is not None
        return self.step

    def snap(self, value: float, *, toward: Literal["nearest", "up", "down"] = "nearest") -> float:
        """``value`` on the lever's step grid, inside its range: the nearest grid value (halves up), or the
        next one up or down (an answer that must still reach a target); tidy as a float (10 decimals).
        The one rule for links, files, typed values, the sliders and "what it takes"."""
        if math.isnan(value):
            raise ValueError(f"lever {self.id}: NaN has no place on the grid")
        clamped = min(max(value, self.lo), self.hi)  # first: a huge value (1e308) would overflow the step count
        k = (clamped - self.lo) / self.step_size
        n = math.floor(k + 0.5) if toward == "nearest" else math.ceil(k - 1e-9) if toward == "up" else math.floor(k + 1e-9)
        return min(max(round(self.lo + n * self.step_size, 10), self.lo), self.hi)

    @property
    def decimals(self) -> int:
        """Decimal places a value of this lever is shown with (from its step)."""
        if self.step is None:
            return 0
        text = f"{self.step:g}"
        return len(text.split(".")[1]) if "." in text else 0


class Group(_Row):
    id: str
    label_vi: str
    label_en: str

    def label(self, lang: str) -> str:
        return self._in("label", lang)


class Preset(_Row):
    id: str
    label_vi: str
    label_en: str
    description_vi: str = ""
    description_en: str = ""
    levers: dict[str, float | str] = {}

    def label(self, lang: str) -> str:
        return self._in("label", lang)

    def description(self, lang: str) -> str:
        return self._in("description", lang)


class PlanMeta(_Row):
    id: str
    version: str
    title_vi: str
    title_en: str
    baseline_date: dt.date
    year: int
    source_title: str = ""
    source_file: str = ""


@dataclass(frozen=True)
class Plan:
    """The whole plan: meta, 17 targets, baseline, levers, groups, presets."""

    meta: PlanMeta
    targets: tuple[Target, ...]
    baseline: tuple[BaselineItem, ...]
    levers: tuple[Lever, ...]
    groups: tuple[Group, ...]
    presets: tuple[Preset, ...]
    path: str = ""
    _lever_index: dict[str, Lever] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Not an init field: dataclasses.replace(plan, levers=…) builds its own index, never the original's.
        object.__setattr__(self, "_lever_index", {lv.id: lv for lv in self.levers})

    # Plans are immutable and built once; hashing by identity lets
    # st.cache_data and functools caches take them as arguments.
    def __hash__(self) -> int:
        return hash((self.meta.id, self.meta.version, self.path))

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    def title(self, lang: str) -> str:
        return str(self.meta._in("title", lang))

    def lever(self, lever_id: str) -> Lever:
        return self._lever_index[lever_id]

    def target(self, indicator_id: str) -> Target:
        for t in self.targets:
            if t.id == indicator_id:
                return t
        raise KeyError(indicator_id)

    def preset(self, preset_id: str) -> Preset:
        for p in self.presets:
            if p.id == preset_id:
                return p
        raise KeyError(preset_id)

    @property
    def numeric_levers(self) -> tuple[Lever, ...]:
        return tuple(lv for lv in self.levers if lv.is_number)

    @cached_property
    def percent_levers(self) -> frozenset[str]:
        """Ids of the levers given in percent (the engine turns them into fractions)."""
        return frozenset(lv.id for lv in self.levers if lv.percent)

    @cached_property
    def main_levers(self) -> tuple[str, ...]:
        """Ids of the levers a leader or a participant moves first, in order: the sidebar's and the phone panel's."""
        mains = {lv.main: lv.id for lv in self.levers if lv.main is not None}
        return tuple(mains[position] for position in sorted(mains))

    @cached_property
    def parts(self) -> dict[str, str]:
        """Baseline id → the baseline id it is a part of (managers_trained → managers), in the baseline's order."""
        return _parts(self.baseline)

    def defaults(self) -> dict[str, float | str]:
        """Every lever id → its default value."""
        return {lv.id: lv.default for lv in self.levers}

    def baseline_values(self) -> dict[str, float]:
        return {b.id: b.value for b in self.baseline}

    def baseline_decimals(self, baseline_id: str) -> int:
        """Decimals a baseline value is given with: those of its indicator (counts whole, money to
        0.1 or 0.01 million VND). Validation refuses finer values and the editor shows exactly these,
        so a value in use always reads back as itself."""
        return self.target(baseline_id).decimals

    def target_values(self) -> dict[str, float]:
        return {t.id: t.value for t in self.targets}

    def preset_levers(self, preset_id: str) -> dict[str, float | str]:
        """Every lever id → its value in the preset (defaults where it is silent)."""
        values = self.defaults()
        values.update(self.preset(preset_id).levers)
        return values


def short_number(v: float) -> str:
    """A number in a model message, as short as Python writes it (60, 2.5, 1e+09)."""
    return f"{v:g}"



def _parts(baseline: Sequence[BaselineItem]) -> dict[str, str]:
    return {b.id: b.part_of for b in baseline if b.part_of is not None}


def round_baseline(value: float, decimals: int) -> float:
    """A finite baseline value rounded half up to ``decimals`` decimals, as people
    round (1234.5 → 1235, not Python's 1234): the nearest float to that decimal number."""
    with decimal.localcontext() as ctx:
        ctx.prec = 400  # room for any float's digits
        exact = decimal.Decimal(repr(value)).quantize(decimal.Decimal(1).scaleb(-decimals), rounding=decimal.ROUND_HALF_UP)
    return float(exact) + 0.0


def on_step(value: float, lo: float, step: float) -> bool:
    """True when value sits on the grid lo, lo + step, … (relative slack 1e-9)."""
    k = (value - lo) / step
    return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


def _check_lever(lv: Lever) -> list[str]:
    problems: list[str] = []
    if lv.context_vi and not lv.context_en:
        problems.append("context_en is missing (context_vi is given)")
    if lv.context_en and not lv.context_vi:
        problems.append("context_vi is missing (context_en is given)")
    if lv.kind == "choice":
        if lv.percent:
            problems.append("percent is only for numeric levers")
        if lv.symbol:
            problems.append("symbol is only for numeric levers")
        if not lv.choices:
            problems.append("choices is empty")
        if lv.default not in lv.choices:
            problems.append(f"default {lv.default!r} is not one of {', '.join(lv.choices)}")
        for name in ("choice_labels_vi", "choice_labels_en"):
            if len(getattr(lv, name)) != len(lv.choices):
                problems.append(f"{name} has {len(getattr(lv, name))} entries for {len(lv.choices)} choices")
        return problems
    if not lv.symbol:
        problems.append("symbol is missing")
    for name in ("min", "max", "step"):
        v = getattr(lv, name)
        if v is None:
            problems.append(f"{name} is missing")
        elif not math.isfinite(v):
            problems.append(f"{name} {v} is not a finite number")
    if problems:
        return problems
    lo, hi, step = lv.lo, lv.hi, lv.step_size
    if isinstance(lv.default, str):
        return [f"default {lv.default!r} is not a number"]
    if not lo < hi:
        problems.append(f"min {short_number(lo)} is not below max {short_number(hi)}")
    if step <= 0:
        problems.append(f"step {short_number(step)} is not positive")
    if not lo <= lv.default <= hi:
        problems.append(f"default {short_number(lv.default)} is outside {short_number(lo)}–{short_number(hi)}")
    elif step > 0 and not on_step(lv.default, lo, step):
        problems.append(f"default {short_number(lv.default)} is not on the step {short_number(step)} from {short_number(lo)}")
    if step > 0 and lo < hi and not on_step(hi, lo, step):
        problems.append(f"max {short_number(hi)} is not on the step {short_number(step)} from {short_number(lo)}")
    for name in ("spread_down", "spread_up"):
        v = getattr(lv, name)
        if not math.isfinite(v) or v < 0:
            problems.append(f"{name} {v} is not a non-negative number")
    return problems


def _row_error(file: str, kind: str, row: Mapping[str, Any], index: int, err: ValidationError) -> PlanError:
    """One line per pydantic problem, each naming file, row and field."""
    name = row.get("id", f"#{index + 1}") if isinstance(row, Mapping) else f"#{index + 1}"
    parts = []
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"]) or "row"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "is not a known field"
        elif e["type"] == "missing":
            msg = "is missing"
        parts.append(f"{file}: {kind} {name}: {where} {msg}")
    return PlanError("; ".join(parts))


def _parse_rows(file: str, kind: str, rows: Any, model: type[_Row]) -> list[Any]:
    if not isinstance(rows, list):
        raise PlanError(f"{file}: [[{kind}s]] table is missing")
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(model.model_validate(row))
        except ValidationError as err:
            raise _row_error(file, kind, row, i, err) from None
    return out


def _check_ids(file: str, kind: str, ids: list[str], expected: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise PlanError(f"{file}: {kind} {i}: id appears twice")
        seen.add(i)
    missing = [i for i in expected if i not in seen]
    extra = [i for i in ids if i not in expected]
    if extra:
        raise PlanError(f"{file}: {kind} {extra[0]}: id is not one the model knows")
    if missing:
        raise PlanError(f"{file}: {kind} {missing[0]}: row is missing")


def parse_plan(raw: Mapping[str, Any], *, file: str = "plan.toml") -> Plan:
    """Build and check a Plan from the parsed TOML mapping."""
    try:
        meta = PlanMeta.model_validate(raw.get("plan"))
    except ValidationError as err:
        raise _row_error(file, "plan", {"id": "[plan]"}, 0, err) from None
    targets = _parse_rows(file, "target", raw.get("targets"), Target)
    baseline = _parse_rows(file, "baseline", raw.get("baseline"), BaselineItem)
    levers = _parse_rows(file, "lever", raw.get("levers"), Lever)
    groups = _parse_rows(file, "group", raw.get("groups"), Group)
    presets = _parse_rows(file, "preset", raw.get("presets", []), Preset)

    _check_ids(file, "target", [t.id for t in targets], INDICATOR_IDS)
    _check_ids(file, "baseline", [b.id for b in baseline], BASELINE_IDS)
    _check_ids(file, "lever", [lv.id for lv in levers], LEVER_IDS)
    group_ids = [g.id for g in groups]
    _check_ids(file, "group", group_ids, tuple(dict.fromkeys(group_ids)))

    lever_by_id = {lv.id: lv for lv in levers}
    for lv in levers:
        problems = _check_lever(lv)
        if lv.group not in group_ids:
            problems.append(f"group {lv.group!r} is not a declared group")
        if problems:
            raise PlanError(f"{file}: lever {lv.id}: " + "; ".join(problems))
    _check_main(file, levers)
    symbols: set[str] = set()
    for lv in (lv for lv in levers if lv.symbol):
        if lv.symbol in symbols:
            raise PlanError(f"{file}: lever {lv.id}: symbol '{lv.symbol}' is another lever's too")
        symbols.add(lv.symbol)
    timing = lever_by_id["formation_timing"]
    if timing.kind != "choice" or set(timing.choices) != set(TIMINGS):
        raise PlanError(f"{file}: lever formation_timing: choices must be {', '.join(TIMINGS)}")
    for t in targets:
        if t.main_lever not in lever_by_id or not lever_by_id[t.main_lever].is_number:
            raise PlanError(f"{file}: target {t.id}: main_lever {t.main_lever!r} is not a numeric lever")
    decimals = {t.id: t.decimals for t in targets}
    for b in baseline:
        if round_baseline(b.value, decimals[b.id]) != b.value:
            raise PlanError(f"{file}: baseline {b.id}: value {short_number(b.value)} has more than {decimals[b.id]} decimals")
    for b in baseline:
        if b.part_of is not None and (b.part_of not in BASELINE_IDS or b.part_of == b.id):
            raise PlanError(f"{file}: baseline {b.id}: part_of {b.part_of!r} is not another baseline value")
        if b.id in DIVISOR_BASELINES and b.value <= 0:
            value = short_number(b.value)
            raise PlanError(f"{file}: baseline {b.id}: value {value} must be more than 0 (the equations divide by it)")
    base = {b.id: b.value for b in baseline}
    for part, whole in parts_over_wholes(base, _parts(baseline)):
        raise PlanError(f"{file}: baseline {part}: {short_number(base[part])} is more than {whole} {short_number(base[whole])}")

    preset_ids = [p.id for p in presets]
    _check_ids(file, "preset", preset_ids, tuple(dict.fromkeys(preset_ids)))
    if "default" not in preset_ids:
        raise PlanError(f"{file}: preset default: row is missing")
    for p in presets:
        for lid, value in p.levers.items():
            if lid not in lever_by_id:
                raise PlanError(f"{file}: preset {p.id}: levers.{lid} is not a lever")
            lv = lever_by_id[lid]
            if lv.kind == "choice":
                if value not in lv.choices:
                    raise PlanError(f"{file}: preset {p.id}: levers.{lid} {value!r} is not one of {', '.join(lv.choices)}")
                continue
            if isinstance(value, str):
                raise PlanError(f"{file}: preset {p.id}: levers.{lid} {value!r} is not a number")
            row, given = f"{file}: preset {p.id}: levers.{lid}", short_number(value)
            if not lv.lo <= value <= lv.hi:
                raise PlanError(f"{row} {given} is outside {short_number(lv.lo)}–{short_number(lv.hi)}")
            if not on_step(value, lv.lo, lv.step_size):
                raise PlanError(f"{row} {given} is not on the step {short_number(lv.step_size)}")
    return Plan(
        meta=meta,
        targets=tuple(targets),
        baseline=tuple(baseline),
        levers=tuple(levers),
        groups=tuple(groups),
        presets=tuple(presets),
        path=file,
    )


def parts_over_wholes(base: Mapping[str, float], parts: Mapping[str, str]) -> list[tuple[str, str]]:
    """(part, whole) for every part of a complete baseline that is more than its whole (``parts``:
    Plan.parts, part id → whole id): the baseline's consistency, as data."""
    return [(part, whole) for part, whole in parts.items() if base[part] > base[whole]]


def _check_main(file: str, levers: list[Lever]) -> None:
    """The main levers' positions are 1, 2, … n (n main levers), each once."""
    mains = [lv for lv in levers if lv.main is not None]
    seen: set[int] = set()
    for lv in mains:
        if not 1 <= (lv.main or 0) <= len(mains):
            raise PlanError(f"{file}: lever {lv.id}: main {lv.main} is not between 1 and {len(mains)}, the number of main levers")
        if lv.main in seen:
            raise PlanError(f"{file}: lever {lv.id}: main {lv.main} is another lever's too")
        seen.add(lv.main)


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and check a plan file (TOML). Raises PlanError naming file, row, field."""
    p = Path(path) if path is not None else DEFAULT_PLAN_PATH
    try:
        with p.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise PlanError(f"{p}: file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise PlanError(f"{p.name}: not valid TOML ({err})") from None
    except OSError as err:
        raise PlanError(f"{p}: cannot be read ({err.strerror})") from None
    return parse_plan(raw, file=p.name)


class Observation(_Row):
    indicator: str
    date: dt.date
    date_label_vi: str
    date_label_en: str
    value: float
    qualifier: Literal["", "about", "over"] = ""
    scope_vi: str
    scope_en: str
    note_vi: str = ""
    note_en: str = ""
    source: str

    def date_label(self, lang: str) -> str:
        return self._in("date_label", lang)

    def scope(self, lang: str) -> str:
        return self._in("scope", lang)

    def note(self, lang: str) -> str:
        return self._in("note", lang)


def load_observations(path: str | Path | None = None) -> tuple[Observation, ...]:
    """Reported figures after the plan (CSV), each row checked; errors name file, line, field."""
    p = Path(path) if path is not None else DEFAULT_OBSERVATIONS_PATH
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise PlanError(f"{p}: file not found") from None
    out = []
    for i, row in enumerate(rows):
        line = i + 2  # the header is line 1
        try:
            obs = Observation.model_validate(row)
        except ValidationError as err:
            e = err.errors()[0]
            where = ".".join(str(x) for x in e["loc"])
            raise PlanError(f"{p.name}: line {line}: {where} {e['msg'].removeprefix('Value error, ')}") from None
        if obs.indicator not in INDICATOR_IDS:
            raise PlanError(f"{p.name}: line {line}: indicator {obs.indicator!r} is not an indicator")
        out.append(obs)
    return tuple(out)
