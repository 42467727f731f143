"""Helpers for the board tests (a module of its own: test modules do not import from conftest)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """A clock the test moves by hand (Board(clock=...)); starts at the real time now, in UTC."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward, e.g. advance(seconds=16) or advance(days=31); the new time comes back."""
        with self._lock:
            self._now += timedelta(**delta)
            return self._now
