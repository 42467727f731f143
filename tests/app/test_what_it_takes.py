"""What it takes: goal seek per target, the plan-implied scenario (and its button), the tornado."""

from __future__ import annotations

import pandas as pd
import pytest
from apptools import assert_draws_like, make_app
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from model.analysis import sensitivity
from model.plan import load_plan
from model.text import LANGS
from ui.what_it_takes import (
    tornado_chart,
    tornado_frame,
    tornado_height,
    tornado_levers,
    tornado_spec_filled,
    tornado_texts,
    tornado_x_domain,
)

PLAN = load_plan()
PLAN_IDS = [t.id for t in PLAN.targets]


def page(lang: str = "vi") -> AppTest:
    return make_app("what_it_takes", lang=lang)


def target_box(at: AppTest) -> Selectbox:
    """The target picker (its key carries a digest of its labels, which follow language and status)."""
    (box,) = [s for s in at.selectbox if s.key and s.key.startswith("what_it_takes_target_")]
    return box


@pytest.mark.parametrize("lang", LANGS)
def test_smoke(lang: str) -> None:
    at = page(lang)
    assert not at.exception
    assert at.title[0].value == {"vi": "Cần gì để đạt các chỉ tiêu?", "en": "What does it take to reach the targets?"}[lang]
    assert len(at.subheader) == 3
    assert len(at.get("vega_lite_chart")) == 1  # the tornado
    # Every target appears once in the main-lever table.
    assert len(at.table[0].value) == len(PLAN.targets)


def test_revenue_growth_needed_for_revenue_per_coop() -> None:
    """Hand: (3000·900 − 85·800) / (815·2000) − 1 = 2,632,000 / 1,630,000 − 1 = 0.61472 → 61,47 %."""
    needed = (3000 * 900 - 85 * 800) / (815 * 2000) - 1
    assert needed == pytest.approx(0.614724, abs=1e-6)
    at = page("vi")
    main = at.table[0].value
    # 815 + F ≥ 900 → F = 85 exactly: shown like the slider ("85"), not "85,0".
    assert main.loc["Tổng số hợp tác xã cuối năm", "Mức cần để vừa đạt"].startswith("ít nhất 85 HTX/năm")
    row = main.loc["Doanh thu bình quân một HTX"]
    assert row["Đòn bẩy chính"] == "Tăng doanh thu ở HTX đang có"
    assert row["Mức cần để vừa đạt"] == "ít nhất 61,47 %/năm (+58,47 điểm % so với hiện tại)"


def test_detail_defaults_to_the_furthest_target_and_lists_its_levers() -> None:
    """Revenue per coop is furthest from its target (1,941 of 3,000 = 64.7 %): the detail opens on it."""
    at = page("en")
    assert target_box(at).value == "revenue_per_coop"
    detail = at.dataframe[1].value.set_index("Lever")
    assert detail.loc["Revenue growth, existing coops", "Needed to just reach"] == "at least 61.47 % / yr (+58.47 pp from now)"
    # New coops cannot lift the average to 3,000 within 0–300 (fewer new coops: best 2,060.0 at 0).
    assert detail.loc["New coops founded in the year", "Needed to just reach"].startswith("not reachable in range 0–300")
    # Levers that do not move revenue per coop are folded away, not listed as rows.
    assert "Member growth, existing coops" not in detail.index
    assert any("have no effect" in e.label for e in at.expander)


def test_changing_the_target_moves_the_detail_and_the_tornado() -> None:
    """Worker income: 48·(1+g)=60 → g = 25 %; only income_growth moves it."""
    at = page("en")
    target_box(at).set_value("worker_income").run()
    assert not at.exception
    detail = at.dataframe[1].value.set_index("Lever")
    assert list(detail.index) == ["Worker income growth"]
    # 60 / 48 − 1 = 25 % exactly: shown like the slider, not 25.00.
    assert detail.loc["Worker income growth", "Needed to just reach"] == "at least 25.0 % / yr (+13.0 pp from now)"
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Worker income growth" in spec
    assert "Members per new coop" not in spec  # zero-swing levers are dropped


def test_implied_steps_and_highlight() -> None:
    at = page("vi")
    steps = at.dataframe[0].value
    revenue = steps[steps["Chỉ tiêu"] == "Doanh thu bình quân một HTX"].iloc[0]
    assert revenue["Trước"] == "3,0 %/năm"
    assert revenue["Mức cần (làm tròn theo bước)"] == "61,5 %/năm"
    assert revenue["Thay đổi"] == "+58,5 điểm %"
    bullets = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert bullets and bullets[0].startswith("- **Tăng doanh thu ở HTX đang có**: 3,0 → **61,5** %/năm")
    assert "gần như không đổi" in bullets[0]


def test_apply_plan_implied_scenario_reaches_all_17() -> None:
    """The button sets the levers; the Overview headline then reads 17/17 reached."""
    at = page("vi")
    at.button(key="what_it_takes_apply").click().run()
    assert not at.exception
    assert at.session_state["levers"]["revenue_growth"] == pytest.approx(61.5)
    assert at.session_state["levers"]["member_growth"] == pytest.approx(13.5)
    assert any("Đang dùng kịch bản kế hoạch ngầm định" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "what_it_takes_apply"]
    # The assumptions are still spelled out against the defaults (recent trends).
    bullets = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert bullets[0].startswith("- **Tăng doanh thu ở HTX đang có**: 3,0 → **61,5** %/năm")
    at.switch_page("pages/overview.py")
    at.run()
    assert at.subheader[0].value == "17/17 chỉ tiêu đạt, 0 gần đạt"


def test_target_choice_survives_language_switch_and_shows_the_new_language() -> None:
    """The picker is a new widget per language (the browser kept showing the old labels under one key,
    which AppTest cannot see), so the choice itself must be carried across the switch."""
    at = page("vi")
    target_box(at).set_value("worker_income").run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    box = target_box(at)
    assert box.value == "worker_income"
    assert "Worker income" in box.options[PLAN_IDS.index("worker_income")]
    assert all("Thu nhập" not in o for o in box.options)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("indicator", ["revenue_per_coop", "worker_income", "coops"])
def test_tornado_is_the_chart_built_for_the_scenario(lang: str, indicator: str) -> None:
    """The tornado's spec is built once per indicator and language and filled in per rerun (issue 7:
    Altair in every rerun). Filled in, it is valid Vega-Lite and draws what the chart built directly draws."""
    levers = PLAN.defaults() | {"new_coops": 140.0}
    frame = tornado_frame(PLAN, sensitivity(PLAN, levers, indicator=indicator), indicator, lang=lang)
    target = PLAN.target(indicator)
    spec = tornado_spec_filled(frame, indicator, lang=lang)
    levers_shown = tornado_levers(frame)
    direct = tornado_chart(
        frame,
        pd.DataFrame({"x": [float(frame["base"].iloc[0])]}),
        levers=levers_shown,
        x_domain=tornado_x_domain(frame, target.value),
        height=tornado_height(len(levers_shown)),
        target_value=target.value,
        lang=lang,
        **tornado_texts(PLAN, indicator, lang),
    ).to_dict()
    assert_draws_like(spec, direct)
    assert spec["layer"][0]["data"]["values"] == frame.to_dict("records")
    assert spec["layer"][1]["data"]["values"] == [{"x": pytest.approx(float(frame["base"].iloc[0]))}]
    # The bar ends in the order the old chart took them from the frame: low first.
    assert direct["layer"][0]["encoding"]["color"]["scale"]["domain"] == list(
        dict.fromkeys(frame.sort_values("end", ascending=False)["end_label"])
    )
