"""Session-state keys are declared once, in ui/keys.py, and read through it.

What is checked: every read or write of ``st.session_state`` (or a mapping bound as session / ss) with the key
written out as a string or f-string. Not checked: widget ``key="…"`` arguments and keys built into a variable
first (those widgets' values are not read from the session by name)."""

from __future__ import annotations

import ast
from pathlib import Path

from ui.keys import Keys, all_keys

ROOT = Path(__file__).resolve().parents[2]
SESSION_NAMES = {"session", "ss", "session_state"}  # st.session_state, or a name it is passed or bound as


def _is_session(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "session_state"
    return isinstance(node, ast.Name) and node.id in SESSION_NAMES


def _is_written_out(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def literal_keys(source: str) -> list[tuple[int, str]]:
    """(line, code) of every session-state access whose key is written out instead of named."""
    found = []
    for node in ast.walk(ast.parse(source)):
        key = None
        if isinstance(node, ast.Subscript) and _is_session(node.value):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"get", "pop", "setdefault"}
            and _is_session(node.func.value)
            and node.args
        ):
            key = node.args[0]
        elif isinstance(node, ast.Compare) and any(_is_session(c) for c in node.comparators):
            key = node.left
        if key is not None and _is_written_out(key):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_key_values_are_unique() -> None:
    keys = all_keys()
    assert len(set(keys.values())) == len(keys), "two names for one session key"
    assert Keys.SEED == "mc_seed" and Keys.ROOM == "workshop_room"  # the strings links and tests reach


def test_the_app_names_every_session_key() -> None:
    files = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]
    written_out = {
        f"{path.relative_to(ROOT)}:{line}": code for path in files for line, code in literal_keys(path.read_text("utf-8"))
    }
    assert written_out == {}


def test_the_check_finds_a_written_out_key() -> None:
    source = 'st.session_state["levers"] = 1\nx = session.get(f"a_{b}")\nif "tolerance" in st.session_state: pass\n'
    assert [line for line, _ in literal_keys(source)] == [1, 2, 3]
    assert literal_keys("st.session_state[Keys.LEVERS] = 1\nss.get(Keys.labelled(Keys.CHART_PICKER, lang))\n") == []
