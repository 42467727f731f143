"""Every user-facing string exists in both languages; pages hold no user-facing literals."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from model.text import LANGS, strings

ROOT = Path(__file__).resolve().parents[2]
UI_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])

# Streamlit calls whose text a person reads.
DISPLAY_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning", "error",
    "success", "metric", "button", "download_button", "selectbox", "radio", "slider", "select_slider",
    "number_input", "text_input", "text_area", "checkbox", "toggle", "tabs", "expander", "file_uploader",
    "multiselect", "popover", "toast", "spinner", "status", "page_link", "form_submit_button", "segmented_control",
    "pills", "link_button", "Page",
}  # fmt: skip
TEXT_KEYWORDS = {"label", "help", "placeholder", "caption", "body", "title", "text", "value"}
WORDS = re.compile(r"[A-Za-zÀ-ỹ]{2,}")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Same text in both languages on purpose (proper names, symbols).
SAME_IN_BOTH = re.compile(r"^(lang\.|cli\.p\d0$)")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    vi, en = strings("vi"), strings("en")
    assert sorted(set(vi) - set(en)) == [], "keys only in vi.toml"
    assert sorted(set(en) - set(vi)) == [], "keys only in en.toml"


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_strings(lang: str) -> None:
    assert [k for k, v in strings(lang).items() if not v.strip()] == []


def test_placeholders_match() -> None:
    vi, en = strings("vi"), strings("en")
    assert {k: (_placeholders(vi[k]), _placeholders(en[k])) for k in vi if _placeholders(vi[k]) != _placeholders(en[k])} == {}


def test_vietnamese_is_not_english_left_over() -> None:
    """A vi string identical to its en string is English left in the Vietnamese view."""
    vi, en = strings("vi"), strings("en")
    same = [k for k in vi if vi[k] == en[k] and WORDS.search(PLACEHOLDER.sub("", vi[k])) and not SAME_IN_BOTH.match(k)]
    assert same == []


def _string_parts(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.List | ast.Tuple):
        return [p for elt in node.elts for p in _string_parts(elt)]
    if isinstance(node, ast.BinOp):
        return _string_parts(node.left) + _string_parts(node.right)
    return []


def _literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in DISPLAY_CALLS:
            continue
        candidates = list(node.args[:1]) + [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        if node.func.attr == "Page":  # st.Page(file, title=...): the file path is not text
            candidates = [kw.value for kw in node.keywords if kw.arg == "title"]
        if node.func.attr == "page_link":  # st.page_link(file, label=...): likewise
            candidates = [kw.value for kw in node.keywords if kw.arg in ("label", "help")]
        for arg in candidates:
            found += [f"{path.name}:{node.lineno}: {text!r}" for text in _string_parts(arg) if WORDS.search(text)]
    return found


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.name)
def test_pages_hold_no_user_facing_literals(path: Path) -> None:
    assert _literals(path) == []


def test_the_literal_scan_finds_a_literal(tmp_path: Path) -> None:
    """The scan itself must catch a hard-coded label (or the test above proves nothing)."""
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.title("Overview")\ncol.metric(f"Reached {n}", 3)\nst.button(t("ok"))\n')
    assert len(_literals(page)) == 2
