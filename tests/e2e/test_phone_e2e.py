"""On a phone (390 × 844, touch) in Chromium: the participant's panel and tables that fit the screen.

- The Overview shows the main levers in the page without opening the sidebar; a − / + step updates
  the summary; the summary sticks in view while the participant scrolls down to the last lever.
- Overview, Scenario and Compare never scroll sideways at 390 px.
- On a wide screen (1400 px) the panel is hidden: the sidebar has the levers.
Screenshots (390 and 1400 px, vi and en) are saved in the test's tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import settle
from playwright.sync_api import Browser, Page, expect

from model.plan import load_plan
from model.text import tr
from ui.phone import exact_key, panel_key, slider_key, summary_key

PLAN = load_plan()
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 1000}
PANEL = f".st-key-{panel_key('overview')}"
SUMMARY = f".st-key-{summary_key('overview')}"
TITLE = '[data-testid="stMain"] h1'
# What scrolls sideways, if anything does: the document, and Streamlit's main area (its own scroller).
WIDTHS_JS = """() => ({
  document: document.documentElement.scrollWidth,
  main: document.querySelector('[data-testid="stMain"]').scrollWidth,
  widest: Math.max(0, ...[...document.querySelectorAll('[data-testid="stMain"] table')]
    .filter(t => t.offsetParent !== null).map(t => Math.ceil(t.getBoundingClientRect().right))),
})"""

# Scroll the main area so that the element sits just under the sticky summary (selector given).
SCROLL_UNDER_JS = """(e, summary) => {
  const main = document.querySelector('[data-testid="stMain"]');
  main.scrollTop += e.getBoundingClientRect().top - document.querySelector(summary).getBoundingClientRect().bottom - 8;
}"""
VISIBLE_HEADERS_JS = "t => [...t.querySelectorAll('thead th')].filter(h => h.offsetParent !== null).map(h => h.innerText.trim())"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def wide(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    yield page
    context.close()


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(TITLE)).to_be_visible(timeout=30_000)
    settle(page)


def summary_text(page: Page) -> str:
    return page.locator(SUMMARY).inner_text().strip()


def exact_input(page: Page, lever_id: str) -> object:
    return page.locator(f".st-key-{exact_key('overview', lever_id)} input")


def test_levers_in_the_page_and_the_summary_in_view(phone: Page, app_url: str, tmp_path: Path) -> None:
    open_page(phone, f"{app_url}/")
    panel = phone.locator(PANEL)
    expect(panel).to_be_visible()
    # The sidebar stays closed: the levers are in the page, the first one on the first screen.
    expect(phone.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    expect(phone.locator('[data-testid="stSidebar"] input[type="range"]').first).not_to_be_in_viewport()
    first = exact_input(phone, "new_coops")
    expect(first).to_be_in_viewport()
    expect(first).to_have_value("85")
    start = tr("vi", "phone.summary", reached=5, total=17, close=3)
    expect(phone.locator(SUMMARY)).to_have_text(start)
    phone.screenshot(path=str(tmp_path / "overview-390-vi-top.png"))

    # Typed: 84 of 85 new coops is only close to that target, and the summary says so at once. No English
    # "Press Enter to apply" under the box while typing.
    first.click()
    first.fill("")
    phone.keyboard.type("84")
    # Streamlit draws no instructions under a box this narrow (checked: none attached), so this says what the
    # user sees, not that ui/chrome's rule hid them.
    expect(phone.locator(PANEL)).not_to_contain_text("Press Enter")
    first.press("Enter")
    expect(phone.locator(SUMMARY)).not_to_have_text(start, timeout=15_000)
    moved = summary_text(phone)
    assert f"{PLAN.target('new_coops').label_vi}: {tr('vi', 'phone.now_close')} (85 → 84)" in moved, moved
    slider = phone.locator(f".st-key-{slider_key('overview', 'new_coops')} input[type='range']")
    expect(slider).to_have_attribute("aria-valuetext", "84")

    # + steps back to 85: reached again, and the summary says that.
    phone.locator(f".st-key-{exact_key('overview', 'new_coops')}_up button").click()
    expect(first).to_have_value("85", timeout=15_000)
    expect(phone.locator(SUMMARY)).to_contain_text(start, timeout=15_000)
    expect(phone.locator(SUMMARY)).to_contain_text(f"{tr('vi', 'phone.now_reached')} (84 → 85)")

    # Scrolled down to the last lever: the summary is still on the screen, under the header, above the lever.
    last = exact_input(phone, "income_growth")
    header = phone.locator('[data-testid="stHeader"]').bounding_box()
    assert header is not None
    for where in ("end", "center", "under the summary"):
        if where == "under the summary":  # as far down as the lever can go and still be seen
            last.evaluate(SCROLL_UNDER_JS, SUMMARY)
        else:
            last.evaluate(f"e => e.scrollIntoView({{block: '{where}'}})")
        phone.wait_for_timeout(300)
        box, lever = phone.locator(SUMMARY).bounding_box(), last.bounding_box()
        assert box is not None and lever is not None
        assert box["y"] >= header["y"] + header["height"] - 1, (where, box, header)
        assert box["y"] + box["height"] <= lever["y"], (where, box, lever)
        assert lever["y"] + lever["height"] <= PHONE["height"] + 1, (where, lever)  # sub-pixel layout: 844.47
    assert phone.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop") > 200  # it really scrolled
    expect(phone.locator(SUMMARY)).to_be_in_viewport()
    phone.screenshot(path=str(tmp_path / "overview-390-vi-scrolled.png"))

    # An emptied number changes nothing: the field shows the lever's value again.
    members = exact_input(phone, "members_per_new_coop")
    members.scroll_into_view_if_needed()
    members.click()
    members.fill("")
    members.press("Enter")
    members.blur()
    expect(members).to_have_value("12", timeout=15_000)

    # A number typed between the steps, with the Vietnamese decimal comma (kept by the text box): the value used
    # is shown in the locale's format.
    growth = exact_input(phone, "revenue_growth")
    growth.scroll_into_view_if_needed()
    growth.click()
    growth.fill("")
    phone.keyboard.type("3,26")
    growth.press("Enter")
    expect(growth).to_have_value("3,5", timeout=15_000)
    note = tr("vi", "phone.snapped", typed="3,26", used="3,5", step="0,5")  # revenue growth moves by 0.5
    expect(phone.locator(f"{PANEL} [data-testid='stCaptionContainer']")).to_contain_text(note)
    assert not phone.locator('[data-testid="stException"]').count()


@pytest.mark.parametrize("path", ["/", "/scenario", "/compare"])
def test_no_sideways_scrolling_at_390(phone: Page, app_url: str, path: str, tmp_path: Path) -> None:
    open_page(phone, f"{app_url}{path}")
    if path == "/compare":
        expect(phone.locator(".st-key-compare_phone_year_end table")).to_be_visible(timeout=30_000)
        expect(phone.locator(".st-key-compare_wide_year_end")).to_be_hidden()
    else:
        expect(phone.locator('[class*="st-key-scorecard_"] table')).to_be_visible(timeout=30_000)
    phone.wait_for_timeout(1000)  # charts and tables laid out
    widths = phone.evaluate(WIDTHS_JS)
    assert widths["document"] <= PHONE["width"], widths
    assert widths["main"] <= PHONE["width"], widths
    assert widths["widest"] <= PHONE["width"], widths
    name = path.strip("/") or "overview"
    phone.screenshot(path=str(tmp_path / f"{name}-390-vi.png"), full_page=True)


def test_scorecard_on_a_phone_shows_status_projection_and_target(phone: Page, app_url: str) -> None:
    open_page(phone, f"{app_url}/?lang=en")
    table = phone.locator('[class*="st-key-scorecard_"] table')
    expect(table).to_be_visible(timeout=30_000)
    visible = table.evaluate(VISIBLE_HEADERS_JS)
    assert visible == [tr("en", f"table.{c}") for c in ("indicator", "status", "projected", "target")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshots_phone_and_wide(phone: Page, wide: Page, app_url: str, lang: str, tmp_path: Path) -> None:
    """The panel on a phone, not on a wide screen (there the sidebar has the levers); screenshots of both."""
    open_page(phone, f"{app_url}/?lang={lang}")
    expect(phone.locator(PANEL)).to_be_visible()
    expect(exact_input(phone, "income_growth")).to_have_value("12,0" if lang == "vi" else "12.0", timeout=15_000)
    expect(phone.locator(SUMMARY)).to_contain_text(tr(lang, "phone.summary", reached=5, total=17, close=3))
    phone.screenshot(path=str(tmp_path / f"overview-390-{lang}.png"))
    open_page(wide, f"{app_url}/?lang={lang}")
    expect(wide.locator('[data-testid="stSidebar"] input[type="range"]').first).to_be_visible()
    expect(wide.locator(PANEL)).to_be_hidden()
    expect(wide.locator(f".st-key-{exact_key('overview', 'new_coops')}")).to_be_hidden()
    # The wide scorecard keeps every column.
    headers = wide.locator('[class*="st-key-scorecard_"] table thead th')
    expect(headers).to_have_count(9)  # with the "change" column (empty until the scenario changes)
    for header in headers.all():
        expect(header).to_be_visible()
    wide.screenshot(path=str(tmp_path / f"overview-1400-{lang}.png"))
    for path in ("compare", "scenario"):
        open_page(phone, f"{app_url}/{path}?lang={lang}")
        phone.wait_for_timeout(1000)
        phone.screenshot(path=str(tmp_path / f"{path}-390-{lang}.png"), full_page=True)
        open_page(wide, f"{app_url}/{path}?lang={lang}")
        wide.wait_for_timeout(1000)
        wide.screenshot(path=str(tmp_path / f"{path}-1400-{lang}.png"))
