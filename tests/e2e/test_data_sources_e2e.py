"""In a real browser: a link with a baseline value the editor cannot show (issue 12) draws Data & sources
once and settles, instead of rerunning forever."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.parametrize("query", ["b_coops=0.00001", "b_unions=0.00001", "b_coops=1e-300"])
def test_link_with_tiny_baseline_draws_and_settles(page: Page, app_url: str, query: str) -> None:
    """Regression (issue 12): the page never drew and the server burned a core. Now the value is refused
    with a warning, the editor shows the plan's value, and the script stops running."""
    page.goto(f"{app_url}/data_sources?{query}&lang=en")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=30_000)
    key, given = query.split("=")
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_contain_text(f"«{given}»")
    expect(page.locator('[data-testid="stAlertContentWarning"]').first).to_contain_text(key)
    # Still settled a moment later: nothing started another run.
    page.wait_for_timeout(1500)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    assert not page.locator('[data-testid="stException"]').count()
