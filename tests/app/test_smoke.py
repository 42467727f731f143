"""Every page, in both languages: it runs without an exception, shows its own title in the session's
language, and (in the Vietnamese view) shows no text that exists only in English.

This is the one smoke test of the pages; the page test files test what each page does."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptools import ROOT, make_app
from streamlit.testing.v1 import AppTest

from model.text import LANGS, strings, tr

PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
# The strings key of the title each page shows to a fresh session (the projector has no room yet).
TITLE_KEYS = {page: f"{page}.title" for page in PAGES} | {"projector": "projector.title_no_room"}


@pytest.fixture(autouse=True)
def _board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.workshop import get_board

    monkeypatch.setenv("SONLA_BOARD_DB", str(tmp_path / "board.sqlite"))
    get_board.clear()


def english_only() -> set[str]:
    """Texts of en.toml that no Vietnamese string has (names, units and codes written the same are left out)."""
    vietnamese = set(strings("vi").values())
    return {text for text in strings("en").values() if text not in vietnamese and "{" not in text}


def shown_texts(at: AppTest) -> list[str]:
    """Headings, paragraphs, notes and the labels of buttons, expanders, tabs and inputs, as drawn."""
    texts = [str(e.value) for e in [*at.title, *at.header, *at.subheader, *at.caption, *at.markdown, *at.info, *at.warning]]
    widgets = [*at.button, *at.expander, *at.tabs, *at.selectbox, *at.multiselect, *at.radio, *at.select_slider, *at.toggle]
    return texts + [str(w.label) for w in widgets]


def test_every_page_file_is_in_the_navigation() -> None:
    app_text = (ROOT / "app.py").read_text(encoding="utf-8")
    assert [p for p in PAGES if f'"pages/{p}.py"' not in app_text] == []


def test_every_page_has_a_title_key() -> None:
    """Each title key exists in both languages, and the Vietnamese title is not the English one."""
    for page, key in TITLE_KEYS.items():
        assert tr("vi", key) != tr("en", key), page


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page: str, lang: str) -> None:
    at = make_app(page, lang=lang)
    assert not at.exception, [e.message for e in at.exception]
    assert [t.value for t in at.title][:1] == [tr(lang, TITLE_KEYS[page])]
    if lang == "vi":
        assert sorted(set(shown_texts(at)) & english_only()) == []
