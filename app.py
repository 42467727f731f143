"""Entry point: page config, navigation over pages/, and the shared sidebar."""

from __future__ import annotations

import streamlit as st

from model.text import tr
from ui import cached, chrome, exact, state, widgets, workshop
from ui.i18n import t
from ui.keys import Keys
from ui.share import remember_link_report, render_link_report, render_share_box

CUSTOM = "__custom__"
LANGUAGE_NAMES = {"vi": tr("vi", "lang.vi"), "en": tr("en", "lang.en")}  # each in its own language

st.set_page_config(page_title="Sơn La HTX 2023", page_icon="🌾", layout="wide", initial_sidebar_state="auto")
state.leave_legacy_pages_mode()
state.init_state()
remember_link_report(state.load_link())
plan = cached.get_plan()
chrome.apply()  # Streamlit's own texts (uploader, Stop, …) in the session's language


def _apply_preset() -> None:
    choice = st.session_state[Keys.labelled(Keys.SIDEBAR_PRESET, state.lang())]
    if choice != CUSTOM:
        state.set_levers(plan.preset_levers(choice), replace=True)


def _reset() -> None:
    state.reset()


with st.sidebar:
    st.radio(
        t("sidebar.language"),
        options=["vi", "en"],
        format_func=lambda code: LANGUAGE_NAMES[code],
        key=Keys.LANG,
        horizontal=True,
    )
    lang = state.lang()
    matched = state.matching_preset()
    # One key per language: the options' labels differ, so the widgets do too.
    preset_key = Keys.labelled(Keys.SIDEBAR_PRESET, lang)
    st.session_state[preset_key] = matched or CUSTOM
    options = [p.id for p in plan.presets] + [CUSTOM]
    custom_label = t("sidebar.custom")
    st.selectbox(
        t("sidebar.preset"),
        options=options,
        format_func=lambda pid: custom_label if pid == CUSTOM else plan.preset(pid).label(lang),
        key=preset_key,
        on_change=_apply_preset,
        help=t("sidebar.preset_help"),
    )
    # The style of every lever's value box (sidebar, Scenario page, phone panel) travels with this heading.
    st.markdown(f"**{t('sidebar.main_levers')}**\n\n{exact.EXACT_CSS}", unsafe_allow_html=True)
    with st.container(key=f"{exact.STACK}sidebar"):
        for lever_id in plan.main_levers:
            lever = plan.lever(lever_id)
            unit = lever.unit(lang)
            widgets.lever_widget(
                lever_id,
                page="sidebar",
                label=f"{lever.label(lang)} ({unit})" if unit else lever.label(lang),
                help_text=lever.help(lang),
            )
            exact.exact_popover(lever_id, page="sidebar", language=lang)  # − , the value, + when opened
    with st.expander(t("sidebar.settings")):
        widgets.tolerance_widget(label=t("sidebar.tolerance"), help_text=t("sidebar.tolerance_help"))
    st.button(t("sidebar.reset"), key="sidebar_reset", on_click=_reset, width="stretch", help=t("sidebar.reset_help"))
    # Lazy: the link and its QR code are built only while the expander is open.
    share = st.expander(t("links.share"), key="sidebar_share", on_change="rerun")
    if share.open:
        with share:
            render_share_box()
    if workshop.live_on():
        workshop.live_heartbeat()  # draws nothing: keeps this tab's live scenario fresh in the room

state.sync_url()
render_link_report()

pages = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="home", default=True),
    st.Page("pages/scenario.py", title=t("nav.scenario"), icon=":material/tune:", url_path="scenario"),
    st.Page("pages/compare.py", title=t("nav.compare"), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/uncertainty.py", title=t("nav.uncertainty"), icon=":material/casino:", url_path="uncertainty"),
    st.Page("pages/what_it_takes.py", title=t("nav.what_it_takes"), icon=":material/flag:", url_path="what_it_takes"),
    st.Page("pages/data_sources.py", title=t("nav.data_sources"), icon=":material/menu_book:", url_path="data_sources"),
    st.Page("pages/workshop.py", title=t("nav.workshop"), icon=":material/groups:", url_path="workshop"),
    st.Page("pages/projector.py", title=t("nav.projector"), icon=":material/co_present:", url_path="projector"),
]
pages.append(chrome.overview_alias(pages[0]))  # /overview opens the Overview (served at the root)
unknown = chrome.unknown_page_alias(pages)  # a mistyped address opens the Overview, said in the session's language
page = st.navigation([*pages, unknown] if unknown else pages, position="sidebar")
chrome.say_page_not_found()
if page.url_path != "projector":  # the projector's tab shows the room; it is not a participant
    # A participant's moves flow into their workshop room (widget callbacks ran before this run began).
    workshop.share_live()
page.run()
state.sync_url()  # a page may have changed the scenario (e.g. applied a preset or an upload)
