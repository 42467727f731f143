"""One lever, several widgets: the browser's old value of a widget the app just moved is not a move.

Seen in Chromium: two quick key presses on the sidebar's new-coops slider set the lever back to where it
started, because the Overview's phone panel (hidden on a wide screen, still a widget) sent its old value
with the second press, before the browser had drawn the value the first press gave it.
"""

from __future__ import annotations

from apptools import make_app

from ui.phone import slider_key


def test_the_old_value_of_a_widget_the_app_moved_is_ignored() -> None:
    at = make_app("overview")
    panel = slider_key("overview", "new_coops")
    at.select_slider(key="sidebar_new_coops").set_value(86).run()
    assert at.session_state["levers"]["new_coops"] == 86
    # The next rerun arrives before the browser drew the panel's 86: it still sends the panel's old 85.
    at.select_slider(key=panel).set_value(85).run()
    assert at.session_state["levers"]["new_coops"] == 86
    assert at.select_slider(key=panel).value == 86  # and the panel is set to it again


def test_a_real_move_of_the_other_widget_still_counts() -> None:
    at = make_app("overview")
    panel = slider_key("overview", "new_coops")
    at.select_slider(key="sidebar_new_coops").set_value(86).run()
    at.run()  # the browser has drawn 86 everywhere
    at.select_slider(key=panel).set_value(85).run()
    assert at.session_state["levers"]["new_coops"] == 85
    assert at.select_slider(key="sidebar_new_coops").value == 85
