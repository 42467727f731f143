"""Where the workshop board lives: the database URL and the facilitator PIN, from arguments or the environment.

Order for the URL: an explicit URL (the page passes st.secrets["database_url"]),
then SONLA_DATABASE_URL (PostgreSQL in production), then SONLA_BOARD_DB (a
SQLite file path), then the default SQLite file `.board/board.sqlite` in the
project folder (created on first use; ignored by git).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_DATABASE_URL = "SONLA_DATABASE_URL"
ENV_BOARD_DB = "SONLA_BOARD_DB"
ENV_BOARD_PIN = "SONLA_BOARD_PIN"

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Anchored at the project folder, not the working directory, so `streamlit run`
# from anywhere finds the same board.
DEFAULT_SQLITE_PATH = PROJECT_DIR / ".board" / "board.sqlite"

# Hosted PostgreSQL services hand out postgres:// or postgresql:// URLs; the
# driver installed with the app is psycopg 3, which SQLAlchemy calls postgresql+psycopg.
_POSTGRES_PREFIXES = ("postgres://", "postgresql://")
_PSYCOPG_PREFIX = "postgresql+psycopg://"


def sqlite_url(path: str | Path) -> str:
    """A SQLAlchemy URL for a SQLite file (an absolute path, so the URL does not depend on the working directory)."""
    return f"sqlite:///{Path(path).expanduser().absolute()}"


def normalize_url(url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3; leave every other URL as given."""
    text = url.strip()
    for prefix in _POSTGRES_PREFIXES:
        if text.startswith(prefix):
            return _PSYCOPG_PREFIX + text[len(prefix) :]
    return text


def resolve_url(url: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The board's database URL: the argument, else SONLA_DATABASE_URL, else SONLA_BOARD_DB, else the default file."""
    env = os.environ if environ is None else environ
    if url and url.strip():
        return normalize_url(url)
    from_env = env.get(ENV_DATABASE_URL, "").strip()
    if from_env:
        return normalize_url(from_env)
    path = env.get(ENV_BOARD_DB, "").strip()
    if path:
        return sqlite_url(path)
    return sqlite_url(DEFAULT_SQLITE_PATH)


def board_pin(environ: Mapping[str, str] | None = None) -> str | None:
    """The facilitator PIN from SONLA_BOARD_PIN; None when unset or blank (then only owners can delete)."""
    env = os.environ if environ is None else environ
    pin = env.get(ENV_BOARD_PIN, "").strip()
    return pin or None
