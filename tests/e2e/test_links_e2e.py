"""In a real browser: shared links open with their numbers, the URL follows the sliders,
the language switches, and a tampered link warns without an exception."""

from __future__ import annotations

import re
from pathlib import Path

from appserver import settle, start_app, stop
from playwright.sync_api import Browser, Page, expect

SIDEBAR_SLIDER = '[data-testid="stSidebar"] input[type="range"]'


PROJECTED = {"vi": "Dự báo cuối năm", "en": "Year-end projection"}


SCORECARD = '[data-testid="stMarkdownContainer"] table'
CELL_JS = """
([label, header]) => {
  const table = document.querySelector('[data-testid="stMarkdownContainer"] table');
  const headers = [...table.querySelectorAll('thead th')].map(h => h.innerText.trim());
  const column = headers.indexOf(header);
  const row = [...table.querySelectorAll('tbody tr')].find(r => r.cells[0].innerText.trim() === label);
  return row && column >= 0 ? row.cells[column].innerText.trim() : null;
}
"""


def scorecard_cell(page: Page, label: str, lang: str = "vi") -> str:
    """The year-end projection the scorecard shows for one indicator (column found by its header)."""
    return str(page.evaluate(CELL_JS, [label, PROJECTED[lang]]))


def wait_ready(page: Page) -> None:
    page.wait_for_selector(SCORECARD, timeout=30_000)
    settle(page)


def test_shared_link_opens_with_its_numbers(page: Page, app_url: str) -> None:
    """?new_coops=60&dissolution_rate=3: the sliders show 60 and 3,0; coops = 815·0.97 + founded ≈ 851."""
    page.goto(f"{app_url}/?new_coops=60&dissolution_rate=3&lang=vi")
    wait_ready(page)
    sliders = page.locator(SIDEBAR_SLIDER)
    expect(sliders.nth(0)).to_have_attribute("aria-valuetext", "60")
    expect(sliders.nth(1)).to_have_attribute("aria-valuetext", "3,0")
    assert scorecard_cell(page, "Hợp tác xã thành lập mới") == "60"
    # S = 815·0.97 = 790.55; A = Σ 5·0.97^((12−m)/12) ≈ 5·11.82 = 59.1 → N ≈ 849.7.
    assert scorecard_cell(page, "Tổng số hợp tác xã cuối năm") == "850"
    assert not page.locator('[data-testid="stException"]').count()


def test_moving_a_slider_changes_url_and_scorecard(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/")
    wait_ready(page)
    assert scorecard_cell(page, "Tổng số hợp tác xã cuối năm") == "900"
    slider = page.locator(SIDEBAR_SLIDER).first
    slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(re.compile(r"new_coops=84"), timeout=10_000)
    coops_row = page.locator("tr", has=page.locator("td", has_text="Tổng số hợp tác xã cuối năm")).first
    expect(coops_row).to_contain_text("899", timeout=15_000)
    # The link, opened in a fresh context, shows the same numbers.
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    fresh = other.new_page()
    fresh.goto(page.url)
    wait_ready(fresh)
    assert scorecard_cell(fresh, "Tổng số hợp tác xã cuối năm") == "899"
    other.close()


def test_switching_language(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/")
    wait_ready(page)
    expect(page.get_by_text("5/17 chỉ tiêu đạt, 3 gần đạt")).to_be_visible()
    page.locator('[data-testid="stSidebar"] label', has_text="English").click()
    expect(page.get_by_text("5 of 17 targets reached, 3 close")).to_be_visible(timeout=10_000)
    expect(page).to_have_url(re.compile(r"lang=en"))
    assert scorecard_cell(page, "Average revenue per coop", "en") == "1,941.0"


def test_tampered_link_warns_and_applies_the_rest(page: Page, app_url: str) -> None:
    page.goto(
        f"{app_url}/?new_coops=60&dissolution_rate=abc&member_growth=NaN&revenue_growth=1e999"
        "&income_growth=Infinity&formation_timing=sideways&foo=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        "&new_coops=61&managers_per_new_coop=3.3&" + "x" * 5000 + "=1"
    )
    wait_ready(page)
    warning = page.locator('[data-testid="stAlertContentWarning"]')
    expect(warning).to_have_count(1)
    text = warning.inner_text()
    for fragment in ("Tỷ lệ giải thể", "«abc» không phải là số", "không đúng bước", "<script>alert(1)</script>"):
        assert fragment in text
    assert not page.locator('[data-testid="stException"]').count()
    # The rest applies: the repeated new_coops uses its last value, 61.
    assert scorecard_cell(page, "Hợp tác xã thành lập mới") == "61"


def test_first_session_on_a_fresh_server_keeps_its_settings(browser: Browser, tmp_path: Path) -> None:
    """Regression: the first session after a server start ran its first script run in Streamlit's
    legacy pages/ mode, so the first slider move re-created every widget: the slider lost focus and
    the tolerance fell to 0 (tol=0 in the URL, "close" statuses gone)."""
    proc, url = start_app(tmp_path)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/?lang=en")
        page.wait_for_selector(SCORECARD, timeout=30_000)
        # As a person does: the first key press after the page has finished its run and drawn it. Under a
        # loaded CI machine a press made while the first runs were still drawing went to another slider
        # (revenue growth) once in ~1,500 tests (the served app no longer starts in Streamlit's legacy
        # pages/ mode, whose extra first run was the likely cause: deploy/asgi.py).
        settle(page)
        slider = page.locator(SIDEBAR_SLIDER).first
        slider.focus()
        page.keyboard.press("ArrowRight")
        expect(page).to_have_url(re.compile(r"new_coops=86"), timeout=10_000)
        page.keyboard.press("ArrowRight")  # still focused: the second press moves it again
        expect(page).to_have_url(re.compile(r"new_coops=87"), timeout=10_000)
        assert "tol=" not in page.url
        assert "lang=en" in page.url
        context.close()
    finally:
        stop(proc)
