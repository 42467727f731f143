"""Every page, in both languages, runs without an exception (and with no English left in the
Vietnamese view's headings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptools import ROOT, make_app

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.workshop import get_board

    monkeypatch.setenv("SONLA_BOARD_DB", str(tmp_path / "board.sqlite"))
    get_board.clear()


def test_every_page_file_is_in_the_navigation() -> None:
    app_text = (ROOT / "app.py").read_text(encoding="utf-8")
    assert [p for p in PAGES if f'"pages/{p}.py"' not in app_text] == []


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page: str, lang: str) -> None:
    at = make_app(page, lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title, "every page has a title"
    if lang == "vi":
        english = {"Overview", "Scenario", "Compare", "Uncertainty", "What it takes", "Data & sources", "Workshop"}
        assert not {t.value for t in at.title} & english
