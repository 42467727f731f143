"""Hostile board names and groups at volume (issue 11 item 3), on SQLite and PostgreSQL.

Names and groups with markup, links, images, RTL overrides, zero-width, filler and
control characters, lone surrogates and up to 10,000 characters: 300 generated
saves per backend (plus explicit examples). Each comes back exactly as the one
cleaning rule (model.text.clean_label) says, or is refused with a clear error
(empty, too long) and nothing is stored — never truncated silently.

Deterministic: hypothesis runs derandomized.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from model.text import clean_label
from store import Board, InvalidInputError, new_owner_token
from tests.fuzzing import FUZZ, MARKUP

pytestmark = pytest.mark.fuzz

ROOM = "K7QM"
TEXT = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(["\u202eevil\u202c", "\u2066x\u2069", "\u200b", "\u3164", "\u2800", "\u0301", "\ufeff", "Nho\u0301m 3"]),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "So"]), max_size=12),
    st.text(max_size=70),
    # Up to 10,000 characters of one kind.
    st.tuples(st.sampled_from(["x", "ơ", "\u200b", "<", "👨\u200d👩\u200d👧"]), st.integers(1, 10_000)).map(
        lambda t: t[0] * t[1]
    ),
)


@pytest.fixture
def roomy_board(make_board: Callable[..., Board]) -> Board:
    """A board with room for every generated save (each save has its own session token)."""
    return make_board(entries_per_room=10_000, entries=10_000)


def _expect_refusal(cleaned_name: str, cleaned_group: str, board: Board) -> str | None:
    if not cleaned_name:
        return "name_empty"
    if len(cleaned_name) > board.limits.name_chars:
        return "name_too_long"
    if len(cleaned_group) > board.limits.group_chars:
        return "group_too_long"
    return None


@settings(FUZZ, max_examples=300)
@given(name=TEXT, group=TEXT)
@example(name="\ud800", group="")
@example(name="\u200b\u3164", group="x")
@example(name="\u202e[x](javascript:alert(1))\u202c", group="![i](https://e.x/p.png)")
@example(name="x" * 10_000, group="")
@example(name="Nhóm 3", group="y" * 41)
@example(name="👨\u200d👩\u200d👧 " * 12, group="\x00\x1b[31m")
def test_names_come_back_as_the_rule_says(roomy_board: Board, scenario_json: str, name: str, group: str) -> None:
    board = roomy_board
    before = len(board.list_entries(ROOM))
    cleaned_name, cleaned_group = clean_label(name), clean_label(group)
    refusal = _expect_refusal(cleaned_name, cleaned_group, board)
    try:
        entry = board.save(ROOM, name=name, group=group, scenario_json=scenario_json, owner_token=new_owner_token())
    except InvalidInputError as err:
        assert err.code == refusal, (err.code, name[:80], group[:80])
        if refusal in ("name_too_long", "group_too_long"):
            kind = refusal.removesuffix("_too_long")
            assert err.params["length"] == len(cleaned_name if kind == "name" else cleaned_group)
            assert err.params["limit"] == getattr(board.limits, f"{kind}_chars")
        assert len(board.list_entries(ROOM)) == before  # nothing stored
        return
    assert refusal is None, (refusal, name[:80], group[:80])
    assert (entry.name, entry.group) == (cleaned_name, cleaned_group)
    stored = board.get_entry(ROOM, entry.id)
    assert (stored.name, stored.group) == (cleaned_name, cleaned_group)
    listed = {e.id: e for e in board.list_entries(ROOM)}
    assert (listed[entry.id].name, listed[entry.id].group) == (cleaned_name, cleaned_group)
    assert len(listed) == before + 1
