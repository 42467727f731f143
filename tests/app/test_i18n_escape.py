"""md_escape (ui/i18n.py): user text inside Markdown is read literally, Streamlit's own syntax included.

Regression (issue 11 item 3): md_escape left ':' alone, so a link key or value, a scenario or file
name holding ":red[x]", ":material/home:", ":streamlit:" or ":smile:" rendered as coloured text, an
icon, the Streamlit logo (an image) or an emoji. Streamlit 1.67's Markdown (frontend
StreamlitMarkdown) finds icons, the logo, emoji and "->"-style typography in the text *after*
backslash escapes are removed, so the check below does the same: remove the escapes, then look
for what those plugins look for.
"""

from __future__ import annotations

import re

import pytest
from apptools import APP, plain
from streamlit.testing.v1 import AppTest

from ui.i18n import ZWSP, md_escape

# What Streamlit 1.67's Markdown rendering acts on (copied from its frontend bundle):
DIRECTIVE = re.compile(r":[a-zA-Z][\w-]*\[")  # remark-directive text directives: :red[…], :blue-badge[…], :small[…]
MATERIAL = re.compile(r":material_(\w+):")  # after the source's ":material/" is replaced by ":material_"
LOGO = re.compile(r":streamlit:")
EMOJI = re.compile(r":[\w+-][\w_+-]*:")  # remark-emoji shortcodes (and hm(): the emoji plugin is loaded)
TYPOGRAPHY = re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)")


def rendered_text(source: str) -> str:
    """The text Streamlit's text plugins see: ':material/' replaced in the source, backslash escapes removed."""
    return plain(source.replace(":material/", ":material_"))


def streamlit_syntax(source: str) -> list[str]:
    text = rendered_text(source)
    found = [m.group(0) for m in DIRECTIVE.finditer(source.replace("\\[", ""))]  # a directive needs a real '['
    for pattern in (MATERIAL, LOGO, EMOJI, TYPOGRAPHY):
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


HOSTILE = [
    ":red[red text]",
    ":blue-background[x]",
    ":green-badge[ok]",
    ":small[x] :shimmer[y]",
    ":material/home:",
    "go :material/arrow_forward: now",
    ":streamlit:",
    ":smile: :+1: :100: :-1:",
    "a -> b <- c <-> d -- e >= f <= g ~= h",
    "::red[x]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_unescaped_text_has_streamlit_syntax(text: str) -> None:
    """The check finds what it should (so the next test means something)."""
    assert streamlit_syntax(text) != []


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_streamlit_syntax_and_reads_the_same(text: str) -> None:
    escaped = md_escape(text)
    assert streamlit_syntax(escaped) == []
    assert plain(escaped).replace(ZWSP, "") == text  # what a person reads: the text as given


def test_plain_colons_are_left_as_they_are() -> None:
    """A colon before a space (the app's "name: value") is not touched."""
    assert md_escape("Nhóm 1: kịch bản") == "Nhóm 1: kịch bản"


def test_line_breaks_cannot_leave_the_line() -> None:
    """A line break in user text could end the list item it sits in ("x\\n  ===" under "- " is a heading)."""
    escaped = md_escape("x\n  ===\r\n\n# h")
    assert "\n" not in escaped and "\r" not in escaped
    assert plain(escaped) == "x   ===  # h"  # each line ending (\r\n one) is one space


def test_a_link_with_streamlit_syntax_renders_it_as_text() -> None:
    """In the app: a share link whose key and value hold Streamlit's syntax gives a warning whose
    Markdown source holds none of it."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({":material/home:": ":red[x] :smile:", ":streamlit:": "a -> b"})
    at.run()
    assert not at.exception
    (warning,) = at.warning
    assert streamlit_syntax(warning.value) == []
    text = plain(warning.value).replace(ZWSP, "")
    assert ":material/home:: «:red[x] :smile:»" in text
    assert ":streamlit:: «a -> b»" in text


def test_a_colon_at_the_end_cannot_join_the_text_after_it() -> None:
    """The caller's text follows: "x:" + "smile:" must not become ":smile:"."""
    assert streamlit_syntax(md_escape("x:") + "smile:") == []
