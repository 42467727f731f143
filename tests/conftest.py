"""Shared test setup: make the repository root importable (`import model`).

The project is not installed into the virtualenv, and `.venv/bin/pytest` does
not put the working directory on sys.path, so the root is added here once.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
