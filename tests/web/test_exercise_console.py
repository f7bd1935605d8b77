"""The exercise in the console (Debian's Chromium through Playwright): an
EXERCISE banner whenever exercise data is on the picture, each exercise track
badged, and an unmanned aircraft whose link the scenario has lost shown with
its time in state, its estimated position, its lost-link route and its
control station.

``ALLIANCE_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/web`` also refreshes
docs/console-exercise.png (for the README's tour).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from alliance.cop import Simulator
from alliance.cop.simulator import CYCLE, EPOCH, EXERCISE_NAME, FORCES, LinkEvent
from alliance.cop.tracks import LinkStatus
from alliance.core.authority import Actor
from tests.conftest import LiveServer, NodeFactory, add_people

from .test_console import Console

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

DOCS_PNG = Path(__file__).resolve().parents[2] / "docs" / "console-exercise.png"


def _lost_four_minutes_ago(now: datetime) -> tuple[LinkEvent, ...]:
    """A scenario whose one inject lost USA-EX-UAS07's link four minutes before ``now``."""
    into = (now - EPOCH) % CYCLE
    assert into >= timedelta(minutes=4)
    return (
        LinkEvent(
            "USA-EX-UAS07", into - timedelta(minutes=4), timedelta(minutes=12), LinkStatus.LOST
        ),
    )


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[tuple[LiveServer, dict[str, Actor], dict[str, str]]]:
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    live = LiveServer(node).start()
    tokens = {"USA": people.tokens["USA staff_officer usa-jfhq"]}
    actors = {nation: node.users.authenticate(token) for nation, token in tokens.items()}
    try:
        yield live, actors, tokens
    finally:
        live.stop()


@pytest.fixture
def console(
    browser: Browser, served: tuple[LiveServer, dict[str, Actor], dict[str, str]]
) -> Iterator[Console]:
    live, _actors, _tokens = served
    page = Console(browser, live.url)
    yield page
    page.close()


def test_the_console_marks_the_exercise_and_shows_a_lost_link(
    console: Console,
    served: tuple[LiveServer, dict[str, Actor], dict[str, str]],
    tmp_path: Path,
) -> None:
    live, _actors, tokens = served
    page = console.page
    page.goto(live.url + "/")
    page.fill("#token", tokens["USA"])
    page.click("#signin-button")
    page.locator("#live[data-state='live']").wait_for()
    # Nothing of an exercise yet: no banner.
    assert page.locator("#exercise-banner").is_hidden()

    # The scenario's inject: the drone's link was lost four minutes ago.
    at = datetime.now(UTC).replace(second=0, microsecond=0)
    if (at - EPOCH) % CYCLE < timedelta(minutes=4):  # the cycle has just begun
        at -= timedelta(minutes=5)
    sim = Simulator(live.node.cop, "USA", clock=lambda: at, events=_lost_four_minutes_ago(at))
    sim.interval = 60.0  # stale after ten minutes: fresh for the picture
    sim.step()
    expected = {m.uid for m in FORCES["USA"]}
    console.wait_markers(expected)
    banner = page.locator("#exercise-banner")
    banner.wait_for(state="visible")
    assert banner.inner_text() == (
        f"EXERCISE EXERCISE EXERCISE — {EXERCISE_NAME} — exercise data, not real-world"
    )
    assert page.locator("#track-rows .badge.exercise").count() == len(expected)

    # The opposing force's notional training box, labelled FICTIONAL.
    area = page.locator(".exercise-area-label")
    area.wait_for()
    assert area.inner_text() == "TRAINING BOX KILO (FICTIONAL)"
    assert page.locator("path.exercise-area").count() == 1

    # The drone whose link the scenario has lost: an estimate, time in state,
    # its control station and its lost-link route.
    page.click("#track-rows tr[data-uid='USA-EX-UAS07']")
    page.locator("#d-callsign", has_text="BLUE UAS 07").wait_for()
    assert console.text("#d-link").startswith("LOST for 4 min (since ")
    assert console.text("#d-latlon").endswith("estimated (h-e)")
    assert console.text("#d-exercise") == f"EXERCISE — {EXERCISE_NAME}"
    assert console.text("#d-station").startswith("BLUE GCS SOUTH (notional) — 32.20000° N")
    assert console.text("#d-llr") == "2 waypoints: 27.80 131.60 → 28.20 131.30"
    assert page.locator(".trk[data-uid='USA-EX-UAS07']").evaluate(
        "e => e.classList.contains('estimated')"
    )
    label = page.locator(".trk[data-uid='USA-EX-UAS07'] .uas").inner_text()
    assert label == "UAS · OP USA · LINK LOST · EST"
    # The route is drawn (dashed) and the station marked.
    assert page.locator(".leaflet-overlay-pane path[stroke-dasharray]").count() >= 1

    shot = tmp_path / "exercise.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, DOCS_PNG)

    # 日本語: the banner too.
    page.click("#console button.lang[data-lang='ja']")
    page.wait_for_function("() => document.documentElement.lang === 'ja'")
    assert (
        banner.inner_text()
        == f"演習 演習 演習 — {EXERCISE_NAME} — 演習データ（実動ではありません）"
    )
    assert console.text("#d-link").startswith("途絶（")
    page.locator(".exercise-area-label", has_text="訓練区域 KILO（架空）").wait_for()
    assert console.errors == []
    assert console.outside == []
