"""Browser tests: Playwright driving Debian's Chromium against a real node server.

They exercise the console, not storage, so they run once, on SQLite, whatever
``--backends`` says: ``database_url`` here does not ask for ``backend``.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'node.db'}"
