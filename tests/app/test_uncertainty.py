"""Uncertainty page: smoke runs in both languages, the Monte Carlo probability
against a hand calculation, reproducibility by seed, and the stored settings."""

from __future__ import annotations

import pandas as pd
import pytest
from apptools import assert_draws_like, make_app
from streamlit.testing.v1 import AppTest

from model.plan import load_plan
from ui import uncertainty as mc
from ui.charts import style

PLAN = load_plan()


def results(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def probability(at: AppTest, indicator: str, lang: str = "en") -> float:
    """The shown probability of reaching a target, as a fraction ("37%" → 0.37)."""
    table = results(at)
    first, column = ("Indicator", "Probability of reaching") if lang == "en" else ("Chỉ tiêu", "Xác suất đạt")
    text = table[table[first] == PLAN.target(indicator).label(lang)].iloc[0][column]
    return float(text.replace("%", "").replace(",", ".").strip()) / 100.0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_smoke(lang: str) -> None:
    at = make_app("uncertainty", lang=lang)
    assert not at.exception
    title = {"vi": "Độ bất định: khả năng đạt từng chỉ tiêu", "en": "Uncertainty: how likely is each target?"}[lang]
    assert at.title[0].value == title
    assert len(results(at)) == len(PLAN.targets)
    assert len(at.get("vega_lite_chart")) == 1
    # The seed is initialized in session state for a share link to carry.
    assert at.session_state[mc.SEED_KEY] == 0
    assert at.session_state[mc.DRAWS_KEY] == mc.DEFAULT_DRAWS


def test_new_coops_probability_matches_triangle() -> None:
    """new_coops drawn from the triangle 60–85–100 (default 85, spread −25/+15):
    P(F ≥ 85) = (100 − 85)² / ((100 − 60)(100 − 85)) = 15 / 40 = 0.375.
    With 20,000 draws the sampling error (95 %) is about ±0.007; ±0.02 leaves room for rounding."""
    at = make_app("uncertainty", lang="en")
    at.number_input(key=mc.DRAWS_WIDGET).set_value(20_000).run()
    at.number_input(key=mc.SEED_WIDGET).set_value(7).run()
    assert not at.exception
    assert at.session_state[mc.DRAWS_KEY] == 20_000
    assert at.session_state[mc.SEED_KEY] == 7
    assert probability(at, "new_coops") == pytest.approx(0.375, abs=0.02)
    assert "20,000 draws, seed 7" in at.subheader[0].value


def test_vietnamese_probability_format() -> None:
    at = make_app("uncertainty", lang="vi")
    assert probability(at, "new_coops", lang="vi") == pytest.approx(0.375, abs=0.03)
    row = results(at).iloc[0]
    assert row["Nhận định"] == "Không chắc chắn"  # between 20 % and 80 %
    assert "2.000 lần mô phỏng" in at.subheader[0].value


def test_same_seed_same_numbers() -> None:
    at = make_app("uncertainty", lang="en")
    at.number_input(key=mc.SEED_WIDGET).set_value(42).run()
    first = results(at)
    at.run()
    pd.testing.assert_frame_equal(results(at), first)
    # A fresh session with the same seed shows the same table.
    other = make_app(None, lang="en")
    other.session_state[mc.SEED_KEY] = 42
    other.switch_page("pages/uncertainty.py").run()
    pd.testing.assert_frame_equal(results(other), first)


def test_new_seed_button_changes_the_seed_and_the_draws() -> None:
    at = make_app("uncertainty", lang="en")
    before = results(at)
    at.button(key="uncertainty_new_seed").click().run()
    assert not at.exception
    seed = at.session_state[mc.SEED_KEY]
    assert at.number_input(key=mc.SEED_WIDGET).value == seed
    if seed != 0:
        assert not results(at).equals(before)


def test_seed_survives_a_page_switch() -> None:
    at = make_app("uncertainty", lang="en")
    at.number_input(key=mc.SEED_WIDGET).set_value(123).run()
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/uncertainty.py").run()
    assert at.session_state[mc.SEED_KEY] == 123
    assert at.number_input(key=mc.SEED_WIDGET).value == 123


def test_stored_settings_are_repaired() -> None:
    """A seed or number of draws that is not a whole number in range is replaced, and said so."""
    session: dict[str, object] = {mc.SEED_KEY: "abc", mc.DRAWS_KEY: 10**9}
    draws, seed, problems = mc.settings(session)
    assert (draws, seed) == (mc.MAX_DRAWS, 0)
    assert problems == ["seed", "draws"]
    assert session[mc.SEED_WIDGET] == 0 and session[mc.DRAWS_WIDGET] == mc.MAX_DRAWS
    fresh: dict[str, object] = {}
    assert mc.settings(fresh) == (mc.DEFAULT_DRAWS, mc.DEFAULT_SEED, [])
    assert fresh[mc.SEED_KEY] == mc.DEFAULT_SEED


def test_moving_a_lever_moves_the_probability() -> None:
    """new_coops at 100: triangle 75–100–115, so P(F ≥ 85) = 1 − (85 − 75)² / (40 · 25) = 0.9."""
    at = make_app(None, lang="en")
    at.session_state["levers"] = {**PLAN.defaults(), "new_coops": 100.0}
    at.switch_page("pages/uncertainty.py").run()
    at.number_input(key=mc.DRAWS_WIDGET).set_value(20_000).run()
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


def test_extreme_probabilities_are_not_rounded_to_certainty() -> None:
    assert mc.probability_text(0.998, "en") == "> 99%"
    assert mc.probability_text(0.001, "vi") == "< 1%"
    assert mc.probability_text(1.0, "en") == "100%"


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
    frame = pd.DataFrame({"month": range(13), "p10": 1.0, "p50": 2.0, "p90": 3.0, "projection": 2.5})
    spec = mc.fan_spec_filled(frame, target=900.0, unit="HTX", decimals=0, lang=lang)
    direct = style(mc.fan_chart(frame, target=900.0, unit="HTX", decimals=0, lang=lang), lang=lang, height=mc.CHART_HEIGHT)
    assert_draws_like(spec, direct.to_dict())
    for layer in (0, 1, 2, 4):  # band, median, projection, hover: the months; 3 is the target rule
        assert spec["layer"][layer]["data"]["values"] == frame.to_dict("records")
