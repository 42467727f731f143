"""Streamlit's own texts (file uploader, "Press Enter to apply", the running "Stop" button, "No results",
"Skip to main content") in the session's language, /overview as an address of the Overview, and an address
that is no page opening the Overview with a note in the session's language (not Streamlit's English
"Page not found" dialog).

Streamlit has no way to translate its built-in texts (its issues #1353 and #13500), so the texts are
replaced with CSS: the original text is shrunk to nothing and the translation (data/strings, section
[chrome]) is drawn as ``::after`` content. The style is one Markdown element at the top of the main
area, hidden by its own rules; not an st.html style element, which goes to Streamlit's event container
ahead of the sidebar and made Chromium re-mount the sidebar's sliders (see ui/tables.py).
"""

from __future__ import annotations

import functools
import json
import re

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from model.text import tr
from ui import state
from ui.i18n import md_escape
from ui.keys import Keys

CHROME_KEY = "chrome_style"  # the container of the style element: class st-key-chrome_style


def _css_string(text: str) -> str:
    """A CSS string literal (JSON's escapes are valid CSS escapes for quotes and backslashes)."""
    return json.dumps(text, ensure_ascii=False)


def _replace(selector: str, text: str, *, size: str) -> str:
    """Rules that hide an element's own text and show ``text`` in its place, at ``size``."""
    return (
        f"{selector} {{ font-size: 0 !important; line-height: 0 !important; }}\n"
        f"{selector}::after {{ content: {_css_string(text)}; font-size: {size}; line-height: 1.6; }}\n"
    )


@functools.lru_cache(maxsize=8)
def css(lang: str, max_upload_mb: int) -> str:
    """The style element (``<style>…</style>``) with Streamlit's built-in texts in ``lang``."""
    uploader = '[data-testid="stFileUploaderDropzone"]'
    rules = [
        f".st-key-{CHROME_KEY} {{ display: none; }}",
        # The file uploader: "Upload" / "Browse files" on its button; "Drag and drop file here",
        # "Limit 1MB per file • JSON" beside it.
        _replace(f'{uploader} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p',
                 tr(lang, "chrome.upload_button"), size="0.875rem"),
        '[data-testid="stFileUploaderDropzoneInstructions"] > div > * { display: none !important; }',
        f'[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: '
        f'{_css_string(tr(lang, "chrome.upload_limit", mb=max_upload_mb))}; font-size: 0.875rem; opacity: 0.8; }}',
        # On a phone nothing is dragged: the limits alone.
        f'@media (max-width: 640px) {{ [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: '
        f'{_css_string(tr(lang, "chrome.upload_limit_phone", mb=max_upload_mb))}; }} }}',
        # "Press Enter to apply" under a text or number box: the box applies on Enter or on leaving it anyway.
        '[data-testid="InputInstructions"] { display: none !important; }',
        # While the script runs: the "Stop" button in the header (the running icon has no visible text).
        _replace('[data-testid="stStatusWidget"] button', tr(lang, "chrome.stop"), size="0.875rem"),
        # A drop-down list with nothing to pick: "No results" (or "You can only select up to 6 options").
        _replace('[role="listbox"][data-empty="true"] [role="option"] > span', tr(lang, "chrome.no_options"),
                 size="0.875rem"),
        # The keyboard users' first stop.
        _replace('[data-testid="stSkipToContent"]', tr(lang, "chrome.skip_to_content"), size="1rem"),
    ]  # fmt: skip
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def apply() -> None:
    """Send the style for the session's language (call once per run, right after st.set_page_config)."""
    max_mb = int(st.get_option("server.maxUploadSize"))
    with st.container(key=CHROME_KEY):
        st.markdown(css(state.lang(), max_mb), unsafe_allow_html=True)


def overview_alias(overview: st.Page) -> st.Page:
    """A hidden page at /overview that opens the Overview (the default page lives at the app's root, so
    Streamlit would say "Page not found" for /overview). The link's query (scenario, language) is kept."""

    def to_overview() -> None:
        st.switch_page(overview, query_params=st.query_params.to_dict())

    return st.Page(to_overview, title=overview.title, url_path="overview", visibility="hidden")


# What a page address can be taken as (a mistyped or old link: /tong-quan, /overveiw, /Scenario).
_PAGE_NAME = re.compile(r"[A-Za-z0-9_.~%-]{1,80}")


def unknown_page_alias(pages: list[st.Page]) -> st.Page | None:
    """For an address that is none of ``pages`` (a mistyped or old link), a hidden page at that address that
    opens the default page, keeping the link's query, with a note in the session's language; None otherwise.

    Streamlit would open the default page too, but under an English "Page not found" dialog that names
    the app's pages/ directory. The address is what the browser asked for in this run (the first run of a
    session opened at that address, before the browser knows any page's id)."""
    ctx = get_script_run_ctx()
    name = ctx.pages_manager.intended_page_name if ctx is not None else None
    if not name or ctx is None or ctx.pages_manager.intended_page_script_hash:
        return None
    # A page's own address (also the default page's, "home", served at the root) is never aliased: an alias
    # with the same url_path would have the same page id and the two would switch to each other forever.
    if name in {p._url_path for p in pages} | {p.url_path for p in pages} or not _PAGE_NAME.fullmatch(name):
        return None
    default = next(p for p in pages if p._default)

    def to_default() -> None:
        st.session_state[Keys.PAGE_NOT_FOUND] = name
        st.switch_page(default, query_params=st.query_params.to_dict())

    return st.Page(to_default, title=default.title, url_path=name, visibility="hidden")


def say_page_not_found() -> None:
    """The note for an address that was no page (see `unknown_page_alias`), once, on the page opened instead."""
    name = st.session_state.pop(Keys.PAGE_NOT_FOUND, None)
    if name:
        st.toast(tr(state.lang(), "chrome.page_not_found", page=md_escape(name)), icon="ℹ️")
