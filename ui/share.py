"""The share box (copyable link and QR code) and the report of a repaired link."""

from __future__ import annotations

import functools
import io

import segno
import streamlit as st

from model.problems import Problem
from ui import cached, state
from ui.i18n import md_escape, t
from ui.keys import Keys
from ui.links import LinkState, share_url
from ui.problems import link_line

SHOWN_PROBLEMS = 12  # problems said in full; the keys of the rest follow in one line
SHORT_KEY_CHARS = 16  # a key in that line is cut to this many characters (a phone is 390 px wide)


def problem_line(problem: Problem) -> str:
    """One problem as a sentence in the session's language, with the link's text escaped."""
    return link_line(problem, state.lang(), cached.get_plan(), escape=md_escape)


def short_key(key: str) -> str:
    """A key as the report's last line names it: «key», cut to SHORT_KEY_CHARS characters, not yet escaped."""
    return f"«{key if len(key) <= SHORT_KEY_CHARS else key[: SHORT_KEY_CHARS - 1] + '…'}»"


def report_lines(problems: list[Problem]) -> list[str]:
    """The warning's Markdown lines: the first problems in full, then every other key in one line.

    Each unusable part is named (issue 11 item 3), yet a link with 200 bad keys stays a short
    warning: the rest is one comma-separated line of shortened keys, each named once.
    """
    lines = [t("links.problems_intro", n=len(problems))]
    lines += [f"- {problem_line(p)}" for p in problems[:SHOWN_PROBLEMS]]
    rest = list(dict.fromkeys(short_key(p.field) for p in problems[SHOWN_PROBLEMS:]))
    if rest:
        keys = ", ".join(md_escape(k) for k in rest)
        lines.append(f"- {t('links.more_keys', keys=keys)}")
    return lines


def remember_link_report(link: LinkState | None) -> None:
    """Keep what a freshly opened link needs to say (shown until dismissed)."""
    if link is None or not (link.problems or link.other_version or link.other_plan):
        return
    st.session_state[Keys.LINK_REPORT] = link


def _dismiss() -> None:
    st.session_state.pop(Keys.LINK_REPORT, None)


def render_link_report() -> None:
    """One warning listing what was ignored or clamped; a notice for another plan version."""
    link: LinkState | None = st.session_state.get(Keys.LINK_REPORT)
    if link is None:
        return
    plan = cached.get_plan()
    if link.other_plan:
        st.warning(t("links.other_plan", plan=md_escape(link.other_plan), this=plan.id), icon="⚠️")
    elif link.other_version:
        st.info(t("links.other_version", version=md_escape(link.other_version), this=plan.version), icon="ℹ️")
    if link.problems:
        st.warning("\n".join(report_lines(link.problems)), icon="⚠️")
    st.button(t("links.dismiss"), key="links_dismiss", on_click=_dismiss)


@functools.lru_cache(maxsize=512)
def qr_png(url: str) -> bytes:
    """A QR code of the link, large enough to scan from a projector (~40 ms to make: kept per link)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def current_url() -> str:
    return share_url(st.context.url, state.link_params())


def render_share_box() -> None:
    """Copyable link (st.code has a copy button) and its QR code."""
    url = current_url()
    st.caption(t("links.share_help"))
    st.code(url, language=None, wrap_lines=True)
    st.image(qr_png(url), caption=t("links.qr_caption"), width=220)
