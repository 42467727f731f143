"""In a real browser: a scenario saved on the board in one context appears in another."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_save_in_one_browser_see_it_in_another(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/workshop?new_coops=100")
    page.get_by_role("button", name="Tạo phòng mới").click()
    heading = page.get_by_role("heading", name=re.compile(r"^Phòng [A-Z0-9]{4,8}"))
    expect(heading).to_be_visible(timeout=20_000)
    room = heading.inner_text().strip().removeprefix("Phòng ").strip()
    expect(page).to_have_url(re.compile(rf"room={room}"))

    page.get_by_label("Tên kịch bản").fill("Nhóm 3 <i>thử</i>")
    page.get_by_label("Nhóm", exact=True).fill("Nhóm 3")
    page.get_by_role("button", name="Lưu vào phòng").click()
    expect(page.get_by_text("Đã lưu «Nhóm 3 <i>thử</i>».")).to_be_visible(timeout=20_000)

    other = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[union-attr]
    second = other.new_page()
    second.goto(f"{app_url}/workshop?room={room}")
    expect(second.get_by_role("heading", name=f"Phòng {room}")).to_be_visible(timeout=20_000)
    # The entry is listed as plain text (a table cell), never rendered as HTML.
    expect(second.locator("td", has_text="Nhóm 3 <i>thử</i>").first).to_be_visible(timeout=20_000)
    assert not second.locator("td i", has_text="thử").count()

    # Opening the entry in the second browser moves its sidebar and its link at once (not only the list).
    second.get_by_role("button", name="Mở kịch bản này").click()
    expect(second).to_have_url(re.compile(r"new_coops=100"), timeout=15_000)
    expect(second.locator('[data-testid="stSidebar"] input[type="range"]').first).to_have_attribute("aria-valuetext", "100")

    # A second save, from the second browser, reaches the first within a few seconds (live refresh).
    second.get_by_label("Tên kịch bản").fill("Nhóm 4")
    second.get_by_role("button", name="Lưu vào phòng").click()
    expect(page.locator("td", has_text="Nhóm 4").first).to_be_attached(timeout=15_000)
    assert not page.locator('[data-testid="stException"]').count()
    other.close()
