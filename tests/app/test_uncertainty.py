"""Uncertainty page: what it shows in both languages, the Monte Carlo probability
against a hand calculation, reproducibility by seed, the stored settings, and the
plain-words reading (in N of 100 plausible years, the current scenario beside it,
why the two disagree)."""

from __future__ import annotations

import pandas as pd
import pytest
from apptools import assert_draws_like, make_app
from streamlit.testing.v1 import AppTest

from model.analysis import lever_pulls
from model.plan import load_plan
from ui import uncertainty as mc
from ui.charts import style
from ui.keys import Keys

PLAN = load_plan()


def results(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def probability(at: AppTest, indicator: str, lang: str = "en") -> float:
    """The shown chance of reaching a target, as a fraction ("37" of 100 years → 0.37)."""
    table = results(at)
    first, column = ("Indicator", "Reached in … of 100 years") if lang == "en" else ("Chỉ tiêu", "Đạt trong … /100 năm")
    text = table[table[first] == PLAN.target(indicator).label(lang)].iloc[0][column]
    return float(text.strip()) / 100.0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_row_per_target_one_chart_and_the_seed(lang: str) -> None:
    """(That the page runs and shows its title: tests/app/test_smoke.py.)"""
    at = make_app("uncertainty", lang=lang)
    assert len(results(at)) == len(PLAN.targets)
    assert len(at.get("vega_lite_chart")) == 1
    # The seed is initialized in session state for a share link to carry.
    assert at.session_state[Keys.SEED] == 0
    assert at.session_state[Keys.DRAWS] == mc.DEFAULT_DRAWS


def test_new_coops_probability_matches_triangle() -> None:
    """new_coops drawn from the triangle 60–85–100 (default 85, spread −25/+15):
    P(F ≥ 85) = (100 − 85)² / ((100 − 60)(100 − 85)) = 15 / 40 = 0.375.
    With 20,000 draws the sampling error (95 %) is about ±0.007; ±0.02 leaves room for rounding."""
    at = make_app("uncertainty", lang="en")
    at.number_input(key=Keys.DRAWS_WIDGET).set_value(20_000).run()
    at.number_input(key=Keys.SEED_WIDGET).set_value(7).run()
    assert not at.exception
    assert at.session_state[Keys.DRAWS] == 20_000
    assert at.session_state[Keys.SEED] == 7
    assert probability(at, "new_coops") == pytest.approx(0.375, abs=0.02)
    assert "20,000 plausible years, code 7" in at.subheader[0].value


def test_vietnamese_probability_format() -> None:
    at = make_app("uncertainty", lang="vi")
    assert probability(at, "new_coops", lang="vi") == pytest.approx(0.375, abs=0.03)
    row = results(at).iloc[0]
    assert row["Nhận định"] == "Không chắc chắn"  # between 20 % and 80 %
    assert "2.000 năm có thể xảy ra" in at.subheader[0].value


def test_same_seed_same_numbers() -> None:
    at = make_app("uncertainty", lang="en")
    at.number_input(key=Keys.SEED_WIDGET).set_value(42).run()
    first = results(at)
    at.run()
    pd.testing.assert_frame_equal(results(at), first)
    # A fresh session with the same seed shows the same table.
    other = make_app(None, lang="en")
    other.session_state[Keys.SEED] = 42
    other.switch_page("pages/uncertainty.py").run()
    pd.testing.assert_frame_equal(results(other), first)


def test_new_seed_button_changes_the_seed_and_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mc.secrets, "randbelow", lambda _n: 4242)  # the "random" seed, known
    at = make_app("uncertainty", lang="en")
    before = results(at)
    at.button(key="uncertainty_new_seed").click().run()
    assert not at.exception
    assert at.session_state[Keys.SEED] == 4242
    assert at.number_input(key=Keys.SEED_WIDGET).value == 4242
    assert not results(at).equals(before)


def test_seed_survives_a_page_switch() -> None:
    at = make_app("uncertainty", lang="en")
    at.number_input(key=Keys.SEED_WIDGET).set_value(123).run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/uncertainty.py").run()
    assert at.session_state[Keys.SEED] == 123
    assert at.number_input(key=Keys.SEED_WIDGET).value == 123


def test_stored_settings_are_repaired() -> None:
    """A seed or number of draws that is not a whole number in range is replaced, and said so."""
    session: dict[str, object] = {Keys.SEED: "abc", Keys.DRAWS: 10**9}
    draws, seed, problems = mc.settings(session)
    assert (draws, seed) == (mc.MAX_DRAWS, 0)
    assert problems == ["seed", "draws"]
    assert session[Keys.SEED] == 0 and session[Keys.DRAWS] == mc.MAX_DRAWS  # stored repaired
    fresh: dict[str, object] = {}
    assert mc.settings(fresh) == (mc.DEFAULT_DRAWS, mc.DEFAULT_SEED, [])
    assert fresh[Keys.SEED] == mc.DEFAULT_SEED


def test_moving_a_lever_moves_the_probability() -> None:
    """new_coops at 100: triangle 75–100–115, so P(F ≥ 85) = 1 − (85 − 75)² / (40 · 25) = 0.9."""
    at = make_app(None, lang="en")
    at.session_state["levers"] = {**PLAN.defaults(), "new_coops": 100.0}
    at.switch_page("pages/uncertainty.py").run()
    at.number_input(key=Keys.DRAWS_WIDGET).set_value(20_000).run()
    assert probability(at, "new_coops") == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize(
    ("p", "key"),
    [
        (1.0, "almost_certain"),
        (0.95, "almost_certain"),
        (0.8, "likely"),
        (0.5, "uncertain"),
        (0.2, "unlikely"),
        (0.05, "very_unlikely"),
        (0.0, "very_unlikely"),
    ],
)
def test_reading_words(p: float, key: str) -> None:
    assert mc.reading_key(p) == key


def test_fan_chart_indicator_survives_a_language_switch() -> None:
    at = make_app("uncertainty")
    at.selectbox(key="uncertainty_indicator_vi").set_value("members").run()
    at.radio(key="lang").set_value("en").run()
    assert at.selectbox(key="uncertainty_indicator_en").value == "members"
    assert not at.exception


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fan_chart_spec_is_the_chart_built_for_the_scenario(lang: str) -> None:
    """The fan chart's spec is built once per indicator and language and filled in per rerun (issue 7:
    Altair in every rerun). Filled in, it is valid Vega-Lite and draws what the chart built directly draws."""
    frame = pd.DataFrame({"date": range(13), "date_text": "x", "p10": 1.0, "p50": 2.0, "p90": 3.0, "projection": 2.5})
    spec = mc.fan_spec_filled(frame, target=900.0, unit="HTX", decimals=0, year=2023, lang=lang)
    chart = mc.fan_chart(frame, target=900.0, unit="HTX", decimals=0, year=2023, lang=lang)
    direct = style(chart, lang=lang, height=mc.CHART_HEIGHT)
    assert_draws_like(spec, direct.to_dict())
    for layer in (0, 1, 2, 4):  # band, median, projection, hover: the months; 3 is the target rule
        assert spec["layer"][layer]["data"]["values"] == frame.to_dict("records")


# ---------------------------------------------------------------- in plain words (issue 9)

JARGON_VI = ("Monte Carlo", "P10", "P50", "P90", "Hạt giống", "hạt giống", "mô phỏng")


def page_text(at: AppTest) -> str:
    """What the page writes (titles, Markdown, captions, info boxes, table headers and cells), not help tooltips."""
    parts = [e.value for e in [*at.title, *at.subheader, *at.markdown, *at.caption, *at.info]]
    parts += [label.label for label in [*at.number_input, *at.button]]
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns] + [str(v) for v in frame.value.to_numpy().ravel()]
    return "\n".join(str(p) for p in parts)


def target_line(at: AppTest, indicator: str, lang: str) -> str:
    label = PLAN.target(indicator).label(lang)
    lines = [line for m in at.markdown for line in str(m.value).split("\n- ") if f"**{label}**:" in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_plain_words_in_vietnamese() -> None:
    """No unexplained jargon in the Vietnamese page: no Monte Carlo, P10/P50/P90 or "hạt giống" in what it writes
    (the technical terms are in the help tooltips only); the chance is "in N of 100 plausible years"."""
    at = make_app("uncertainty", lang="vi")
    text = page_text(at)
    assert [word for word in JARGON_VI if word in text] == []
    # new_coops: triangle 60–85–100, P(F ≥ 85) = 15² / (40 · 15) = 0.375 → "37/100" or "38/100" with 2,000 draws.
    line = target_line(at, "new_coops", "vi")
    assert "đạt trong **37/100** năm có thể xảy ra" in line or "đạt trong **38/100** năm có thể xảy ra" in line, line
    assert "Kịch bản hiện tại: 85 so với mục tiêu 85 HTX, ✅ đạt" in line
    helps = mc.column_help("vi")
    assert "P10" in helps["Năm thấp"] and "Monte Carlo" in helps["Đạt trong … /100 năm"]


def test_current_scenario_beside_the_chance_with_the_reason_when_they_disagree() -> None:
    """Issue 9: new coops are "reached" on the Overview (85 = 85) but in only 37 of 100 years. The line says why:
    the current scenario sits exactly on the target, and the new-coops range is lopsided (60–100 around 85).
    Coops at year end (900 = 900) also name dissolution, which can only rise from 0. Members (missed, 0 of 100)
    agree with the current scenario: no reason."""
    at = make_app("uncertainty", lang="en")
    new_coops = target_line(at, "new_coops", "en")
    assert "Current scenario: 85 against the target 85 coops, ✅ reached" in new_coops
    assert "Why they differ: the current scenario sits exactly on the target (85 = 85)" in new_coops
    assert f"the ranges are lopsided: {PLAN.lever('new_coops').label_en} moves from 60 to 100 around 85" in new_coops
    coops = target_line(at, "coops", "en")
    assert "sits exactly on the target (900 = 900)" in coops
    assert f"{PLAN.lever('dissolution_rate').label_en} can only rise from 0.0" in coops
    members = target_line(at, "members", "en")
    assert "Why they differ" not in members and "❌ missed" in members
    # The count: 5 of 17 in the current scenario, fewer in a typical year, and why.
    text = page_text(at)
    assert "The current scenario reaches **5 of 17** targets. Why a typical year reaches fewer" in text


def test_disagreement_reason_for_a_target_missed_centrally_but_reached_in_most_years() -> None:
    """A made-up result in which the draws reach members in 60 % of the years while the current scenario misses
    it by a hair (39,900 of 40,000): the reason says so, and names no lever when no range leans upwards."""
    target = PLAN.target("members")
    pulls = pd.Series(0.0, index=[lv.id for lv in PLAN.numeric_levers])
    reason = mc.disagreement_reason(
        PLAN, target, central=39_900.0, probability=0.6, pulls=pulls, levers=PLAN.defaults(), lang="en"
    )
    assert reason == "the current scenario is only just below the target (39,900 against 40,000), so a little luck reaches it"
    # They agree: no reason.
    assert (
        mc.disagreement_reason(PLAN, target, central=39_900.0, probability=0.3, pulls=pulls, levers=PLAN.defaults(), lang="en")
        is None
    )
    # Far from the target and no leaning range: the levers together.
    even = pulls.copy()
    even["members_per_new_coop"] = -1.0  # its range is balanced (12 ± 4): not "lopsided"
    reason = mc.disagreement_reason(
        PLAN, target, central=45_000.0, probability=0.4, pulls=even, levers=PLAN.defaults(), lang="vi"
    )
    assert reason is not None and "gộp lại" in reason


def test_lever_pulls_follow_the_lopsided_ranges() -> None:
    """Dissolution drawn from 0–0–3 %: its draws can only lower the coops at year end (pull < 0); new coops drawn
    from 60–85–100 pull the founded count by (60 + 100 − 2·85)/3 = −10/3 exactly (new_coops = F)."""
    pulls = lever_pulls(PLAN, PLAN.defaults())
    assert pulls.loc["dissolution_rate", "coops"] < 0
    assert pulls.loc["new_coops", "new_coops"] == pytest.approx(-10 / 3)
    assert pulls.loc["members_per_new_coop", "new_coops"] == pytest.approx(0.0)
    assert mc.lever_shape(PLAN.lever("dissolution_rate"), 0.0) == "only_up"
    assert mc.lever_shape(PLAN.lever("new_coops"), 85.0) == "more_down"
    assert mc.lever_shape(PLAN.lever("members_per_new_coop"), 12.0) == "even"


def test_ranges_are_shown_next_to_the_chart_with_the_note_on_lopsided_ranges() -> None:
    """The ranges are on the page (no expander), after the chart, with a note that they lean to one side."""
    at = make_app("uncertainty", lang="vi")
    assert len(at.main.expander) == 0
    assert len(at.dataframe) == 2
    ranges = at.dataframe[1].value
    row = ranges[ranges["Đòn bẩy"] == PLAN.lever("dissolution_rate").label_vi].iloc[0]
    assert row["Cân đối?"] == "chỉ tăng"
    assert any("Lưu ý về dữ liệu" in str(i.value) and "chỉ có thể tăng từ 0,0" in str(i.value) for i in at.info)


def test_in_100_wording() -> None:
    assert mc.in_100(0.375, "en") == "38"  # 37.5 exactly in binary; round() takes the half to the even 38
    assert mc.in_100(0.998, "en") == "more than 99"
    assert mc.in_100(0.001, "vi") == "chưa tới 1"
    assert mc.in_100(1.0, "vi") == "100"
    assert mc.in_100(0.0, "en") == "0"
