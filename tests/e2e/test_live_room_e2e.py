"""A workshop room in real browsers: three participants on phones (390 × 844) move sliders in the page, the
projector (1920 × 1080) shows all three within 5 s, and the compare table lists every saved group with 17 rows.

Screenshots of a participant's view and of the projector view are kept in the test's temporary folder
(CI keeps them as artifacts).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from model.plan import load_plan
from ui.phone import exact_key

PLAN = load_plan()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _new_room(browser: Browser, app_url: str) -> tuple[Page, str]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    facilitator = context.new_page()
    facilitator.goto(f"{app_url}/workshop")
    facilitator.get_by_role("button", name="Tạo phòng mới").click()
    heading = facilitator.get_by_role("heading", name=re.compile(r"^Phòng [A-Z0-9]{4,8}"))
    expect(heading).to_be_visible(timeout=20_000)
    return facilitator, heading.inner_text().strip().removeprefix("Phòng ").strip()


def _step_up(page: Page, lever_id: str, times: int) -> None:
    """Press the in-page + of a lever (the phone panel's, beside its value box) and wait for each move to land."""
    plus = page.locator(f".st-key-{exact_key('workshop', lever_id)}_up button")
    value = page.locator(f".st-key-{exact_key('workshop', lever_id)} input")
    for _ in range(times):
        before = value.input_value()
        plus.click()
        expect(value).not_to_have_value(before, timeout=10_000)


def test_three_phones_and_the_projector(browser: Browser, app_url: str, tmp_path: Path) -> None:
    facilitator, room = _new_room(browser, app_url)
    phones = []
    for i in range(3):
        context = browser.new_context(**PHONE)
        phone = context.new_page()
        phone.goto(f"{app_url}/workshop?room={room}")
        expect(phone.get_by_role("heading", name=f"Phòng {room}")).to_be_visible(timeout=20_000)
        # The levers are in the page, visible without opening the sidebar drawer.
        expect(phone.locator(f".st-key-{exact_key('workshop', 'new_coops')} input")).to_be_visible(timeout=10_000)
        name = phone.get_by_label("Tên của bạn (hiện trên màn chiếu)")
        name.fill(f"Người {i + 1}")
        name.press("Tab")
        phones.append(phone)
    for i, phone in enumerate(phones):
        _step_up(phone, "new_coops", i + 1)
    moved_at = time.monotonic()

    facilitator.goto(f"{app_url}/projector?room={room}")
    projector = facilitator
    expect(projector.get_by_role("heading", name=f"Phòng {room}: trực tiếp")).to_be_visible(timeout=20_000)
    for i in range(3):
        expect(projector.get_by_role("link", name=f"Người {i + 1}")).to_be_visible(timeout=5_000)
    # One more move: the projector shows it within 5 s, without a reload.
    _step_up(phones[0], "dissolution_rate", 2)
    expect(projector.get_by_text(re.compile(r"^3 người đang chia sẻ"))).to_be_visible(timeout=5_000)
    expect(projector.locator("td", has_text=PLAN.lever("dissolution_rate").label("vi")).first).to_be_visible(
        timeout=5_000
    )
    assert time.monotonic() - moved_at < 120
    assert not projector.locator('[data-testid="stSidebar"]').is_visible()  # a beamer: no sidebar
    projector.screenshot(path=str(tmp_path / "projector-1920.png"), full_page=True)
    phones[0].screenshot(path=str(tmp_path / "participant-390.png"), full_page=False)

    # Each group saves; the compare table on the facilitator's Workshop page lists all three, 17 rows.
    for i, phone in enumerate(phones):
        phone.get_by_label("Tên kịch bản").fill(f"Nhóm {i + 1}")
        phone.get_by_role("button", name="Lưu vào phòng").click()
        expect(phone.get_by_text(f"Đã lưu «Nhóm {i + 1}».")).to_be_visible(timeout=20_000)
    facilitator.goto(f"{app_url}/workshop?room={room}")
    table = facilitator.locator("table").filter(has=facilitator.locator("th", has_text="Mục tiêu")).last
    for i in range(3):
        expect(table.locator("th", has_text=f"Nhóm {i + 1}")).to_be_visible(timeout=20_000)
    expect(table.locator("tbody tr")).to_have_count(len(PLAN.targets))
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(tmp_path / "facilitator-compare-1920.png"))
    for page in (facilitator, *phones):
        assert not page.locator('[data-testid="stException"]').count()
        page.context.close()
