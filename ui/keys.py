"""Every session-state key the app uses, declared once.

The values are the keys' strings in ``st.session_state`` (tests and AppTest reach them by value too, and
some are widget keys, so also CSS classes ``st-key-…``): change a value only with every test that names it.
Keys built per page, lever or language are the functions at the end. A share link's query parameters are
not session keys: they are in ui/links.py (``PARAM_…``).
"""

from __future__ import annotations


class Keys:
    """Session-state keys, grouped by who owns them."""

    # ---- the scenario (ui/state.py)
    LEVERS = "levers"  # dict lever id → value (plan units: percent for rates)
    BASELINE = "baseline"  # dict baseline id → override value (only the overridden ones)
    LANG = "lang"  # "vi" | "en": also the language radio's own key
    TOLERANCE = "tolerance"  # percent, for "close"
    SEED = "mc_seed"  # the Monte Carlo seed (a plain key, so a link can carry it)
    DRAWS = "mc_draws"  # the Monte Carlo draws
    ROOM = "workshop_room"  # the workshop room joined (a code), or None
    LINK_LOADED = "link_loaded"  # the URL was read into the scenario (a session's first run)
    LINK_REPORT = "link_report"  # what the link said and what was wrong with it, until dismissed
    PAGE_NOT_FOUND = "page_not_found"  # an address that was no page, said once on the page opened instead

    # ---- widgets (ui/widgets.py)
    PUSHED = "widgets_pushed"  # widget key → what the browser showed before the app set a new value
    SIDEBAR_TOLERANCE = "sidebar_tolerance"  # the tolerance slider
    SIDEBAR_PRESET = "sidebar_preset"  # the preset picker (language-keyed: see `labelled`)
    SEED_WIDGET = "uncertainty_seed"  # the seed box, synced to SEED
    DRAWS_WIDGET = "uncertainty_draws"  # the draws box, synced to DRAWS
    CHART_IDS = "scenario_chart_ids"  # the Scenario page's charted indicators (a list of ids)
    CHART_PICKER = "scenario_indicators"  # its picker (language-keyed)
    COMPARE_INDICATOR = "compare_indicator"  # the Compare page's indicator (picker language-keyed)
    UNCERTAINTY_INDICATOR = "uncertainty_indicator"  # the Uncertainty page's indicator (picker language-keyed)
    WHAT_IT_TAKES_TARGET = "what_it_takes_target"  # the target shown in detail (picker keyed by its labels)

    # ---- page pieces
    EXACT_NOTES = "exact_notes"  # value box key → what was typed and what was used, shown once under that box
    SHOWN_SCENARIOS = "tables_shown_scenarios"  # the scenario drawn last and the one before (what changed)
    PHONE_STATUSES = "phone_statuses"  # the last scenario seen, its statuses and year-end values, what flipped
    APPLIED = "what_it_takes_applied"  # what the last "apply" changed: shown once, next to the button used
    EXPORTS_LAST_UPLOAD = "exports_last_upload_id"  # the uploader file id read last (read each file once)
    EXPORTS_OUTCOME = "exports_upload_outcome"  # what reading that file gave
    COMPARE_SELECTION = "compare_selection"  # the scenarios compared (option ids)
    COMPARE_UPLOADS = "compare_uploaded"  # content hash → {"name", "file", "levers", "baseline"}
    COMPARE_OUTCOMES = "compare_upload_outcomes"  # uploader file id → outcome (see `compare.add_upload`)
    COMPARE_LOADED = "compare_loaded"  # name of the scenario just loaded into the current one
    COMPARE_ROOM_ERROR = "compare_room_error"  # why adding the workshop room's scenarios failed, shown once

    BASELINE_EDITS = "data_sources_editor_generation"  # bumped on every baseline edit applied or turned down
    BASELINE_REJECTED = "data_sources_rejected"  # why the last baseline edit was turned down, shown once
    PROJECTOR_SEEN = "projector_seen"  # the room's change marker when the projector last drew the room
    PROJECTOR_JUST_DRAWN = "projector_just_drawn"  # set by a full run right before it starts the watcher

    # ---- the workshop (ui/workshop.py, pages/workshop.py)
    OWNER = "workshop_owner"  # this tab's owner token (may delete what it saved)
    FACILITATOR = "workshop_facilitator"  # {"room": code, "pin": pin}: facilitator rights in that room only
    LIVE = "workshop_live"  # share this tab's current scenario live with the room (on when joining)
    LIVE_NAME = "workshop_live_name"  # who is sharing: typed once
    LIVE_GROUP = "workshop_live_group"
    LIVE_SENT = "workshop_live_sent"  # (what was shared, monotonic time): share again only on a change
    LIVE_ERROR = "workshop_live_error"  # the board's last refusal of a live share, for the Workshop page
    LIVE_TOGGLE = "workshop_live_toggle"  # the toggle, synced to LIVE
    SAVE_NAME = "workshop_name"  # the save form's boxes
    SAVE_GROUP = "workshop_group"
    SAVE_NOTICE = "workshop_save_notice"  # (kind, text) of the last save, shown once
    NOTICE = "workshop_notice"  # (kind, text) of the last delete / load / clear, shown once
    JOIN_CODE = "workshop_code"  # the code box
    JOIN_ERROR = "workshop_join_error"  # why joining failed, shown once
    PIN = "workshop_pin"  # the facilitator PIN box (emptied after each try)
    PIN_NOTICE = "workshop_pin_notice"  # (kind, text): the PIN worked, or why it did not; shown once
    CLEAR_CONFIRM = "workshop_clear_confirm"  # the facilitator's "really clear the room" box
    LIST_CACHE = "workshop_list_cache"  # ((room, change time), (entries, results)): see workshop.session_memo
    TABLES_CACHE = "workshop_tables"  # + "_" + a table's name: ((what it was built for), Markdown)
    ROOM_CACHE = "workshop_room_info"  # ((room, change time), Room)
    WORKSHOP_SEEN = "workshop_seen"  # the room's change time when this tab last drew its list
    WORKSHOP_JUST_DRAWN = "workshop_just_drawn"  # set by a full run right before it starts the watcher
    COMPARE_PICK = "workshop_compare"  # the room's comparison picker
    COMPARE_OFF = "workshop_compare_off"  # ids the facilitator took out of the comparison (later ones are in)

    @staticmethod
    def labelled(key: str, labels: str) -> str:
        """The key of the widget showing the choice stored under ``key``, carrying what its option labels
        depend on (the language; or a digest of the labels when they change with the scenario too): the
        browser keeps showing a widget's old labels, so each set of labels has its own widget, synced to
        the stored choice (see `widgets.synced`)."""
        return f"{key}_{labels}"

    @staticmethod
    def lever_widget(page: str, lever_id: str) -> str:
        """A lever's slider (or radio) on a page."""
        return f"{page}_{lever_id}"

    @staticmethod
    def typed(key: str) -> str:
        """The text box of a value typed once and kept under ``key`` (the box is not drawn on every page)."""
        return f"{key}_input"


def all_keys() -> dict[str, str]:
    """Every declared key: attribute name → value."""
    return {name: value for name, value in vars(Keys).items() if name.isupper() and isinstance(value, str)}
