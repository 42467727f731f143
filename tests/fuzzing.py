"""What the fuzz tests share: one deterministic hypothesis profile, the hostile texts, explicit examples.

Imported as ``tests.fuzzing`` (the repository root is on sys.path; see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, example, settings

F = TypeVar("F", bound=Callable[..., Any])

# The same examples on every run (CI must not find a new failure by chance), no example database,
# no deadline (AppTest runs take their time on a loaded 2-core machine).
FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))

# Text that must show literally wherever a name, file name, group or link value is shown:
# HTML, Markdown links and images, autolinks, direction overrides, invisible characters,
# Streamlit's colon directives and typography, SQL.
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "![i](https://e.x/p.png)",
    "**bold** _it_ `code`",
    "https://evil.example/a?b=c",
    "www.evil.example",
    "a@b.example",
    "# heading",
    "> quote",
    "| a | b |",
    "\u202eevil\u202c",
    "a\u200bb\u2060",
    "\u3164",
    "$x^2$",
    "\\",
    "&lt;b&gt;",
    ":red[red]",
    ":blue-background[x]",
    ":green-badge[ok]",
    ":material/home:",
    ":streamlit:",
    ":smile: :+1: :100:",
    "a -> b <- c -- d >= e",
    "x\n  ===",
    "x\n\n# heading",
    "'; DROP TABLE board_entries; --",
]


def with_examples(examples: Sequence[Any]) -> Callable[[F], F]:
    """@example for each of these (one-argument tests), in order."""

    def decorate(test: F) -> F:
        for case in reversed(examples):
            test = example(case)(test)
        return test

    return decorate
