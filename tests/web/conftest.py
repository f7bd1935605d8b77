"""Browser tests: Playwright driving Debian's Chromium against a real node server.

They exercise the console, not storage, so they run once, on SQLite, whatever
``--backends`` says: ``database_url`` here does not ask for ``backend``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'node.db'}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # A failure, not a skip: a green run must not hide a missing install step.
        pytest.fail("Debian's chromium is not installed: run tools/system-deps.sh (make test does)")
    with sync_playwright() as pw:
        # Debian's browser, never a downloaded one.
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
