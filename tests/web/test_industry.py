"""The industry pane in a real browser (Debian's Chromium through Playwright,
every request beyond the node refused): a JPN staff officer loads the
illustrative model, solves it with two scenarios, and compares them side by
side — the table and both plots (deliveries against requirements, the
bottleneck timeline) for each. Then the pane reads in Japanese.

``ALLIANCE_DOCS_SCREENSHOTS=1`` also refreshes docs/industry.png (the README's picture)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.conftest import LiveServer, NodeFactory, add_people
from tests.web.test_coordination import Seat
from tests.web.test_exercise import _reachable

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[tuple[LiveServer, str]]:
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    live = LiveServer(node).start()
    try:
        yield live, tokens["JPN staff_officer jpn-jjoc"]
    finally:
        live.stop()


def _plots_shown(page: Page, what: str, scenarios: list[str]) -> None:
    for sid in scenarios:
        img = page.locator(f"#in-plots figure[data-scenario='{sid}'] img[data-plot='{what}']")
        img.wait_for()
        page.wait_for_function(
            "(el) => el.complete && el.naturalWidth > 100", arg=img.element_handle()
        )


def test_a_planner_compares_scenarios_and_sees_both_plots(
    browser: Browser, served: tuple[LiveServer, str]
) -> None:
    live, token = served
    seat = Seat(browser, live.url, "en-US")
    page = seat.page
    try:
        page.goto(f"{live.url}/console/#/industry")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#pane-industry").wait_for(state="visible")
        assert page.locator("#in-solve").is_disabled()

        page.click("#in-example")
        page.wait_for_function(
            "() => document.querySelector('#in-model').textContent.includes('fictional')"
        )
        assert "seekers-plus-30" in page.locator("#in-scenarios").input_value()
        page.click("#in-solve")
        rows = page.locator("#in-rows tr")
        rows.nth(2).wait_for(timeout=90_000)
        scenarios = ["baseline", "seekers-plus-30", "jpn-amraam-2029"]
        assert [rows.nth(i).get_attribute("data-scenario") for i in range(3)] == scenarios
        baseline = rows.nth(0).inner_text()
        assert "Baseline" in baseline
        assert "optimal" in baseline
        assert "PAC-3 seeker" in baseline  # the main bottleneck, in words
        assert "Seeker supply +30% from 2027" in rows.nth(1).inner_text()

        # Both plots, for every scenario side by side.
        _plots_shown(page, "deliveries", scenarios)
        if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
            page.evaluate("() => document.querySelector('#in-results').scrollIntoView()")
            page.screenshot(path=str(ROOT / "docs" / "industry.png"))
        page.select_option("#in-plot", "bottlenecks")
        _plots_shown(page, "bottlenecks", scenarios)
        _reachable(page)

        # In Japanese.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#pane-industry h3").first.inner_text() == "シナリオの比較"
        assert "基準" in rows.nth(0).inner_text()
        assert "2027年からシーカー供給30%増" in rows.nth(1).inner_text()
        assert "架空" in page.locator("#pane-industry .in-note").inner_text()
        caption = page.locator("#in-plots figure[data-scenario='baseline'] figcaption")
        assert caption.inner_text() == "基準 — 制約の時系列"

        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()
