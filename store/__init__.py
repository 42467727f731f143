"""Storage for the Workshop page: the board of named scenarios in rooms (SQLite by default, PostgreSQL when configured)."""

from store.board import (
    ERROR_CODES,
    ROOM_ALPHABET,
    Board,
    BoardError,
    Entry,
    InvalidInputError,
    LimitReachedError,
    Limits,
    NotAllowedError,
    NotFoundError,
    UnavailableError,
    clean_text,
    dispose_engines,
    new_owner_token,
    new_room_code,
    normalize_room,
)
from store.config import board_pin, resolve_url

__all__ = [
    "ERROR_CODES",
    "ROOM_ALPHABET",
    "Board",
    "BoardError",
    "Entry",
    "InvalidInputError",
    "LimitReachedError",
    "Limits",
    "NotAllowedError",
    "NotFoundError",
    "UnavailableError",
    "board_pin",
    "clean_text",
    "dispose_engines",
    "new_owner_token",
    "new_room_code",
    "normalize_room",
    "resolve_url",
]
