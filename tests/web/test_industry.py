"""The industry pane in a real browser (Debian's Chromium through Playwright,
every request beyond the node refused): a JPN staff officer loads the
illustrative model, solves it with two scenarios, and compares them side by
side — the table and both plots (deliveries against requirements, the
bottleneck timeline) for each. Then the pane reads in Japanese. A JPN
commander stores the nation's own model, releases its aggregates to USA,
solves a joint plan on it and USA's release, approves it, sees it turn
approved live when USA approves, and sees its plots.

``ALLIANCE_DOCS_SCREENSHOTS=1`` also refreshes docs/industry.png (the README's picture)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from alliance.core.authority import Actor, Role
from alliance.industry import IndustryDesk, parse_model
from alliance.industry.records import DatasetIn, JointApprovalIn, ReleaseIn
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.industry.models import own
from tests.web.test_coordination import Seat
from tests.web.test_exercise import _reachable

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

USA_CDR = Actor("usa-cdr", "USA commander", "USA", "usa-jfhq", Role.COMMANDER)


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[tuple[LiveServer, str]]:
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    live = LiveServer(node).start()
    try:
        yield live, tokens["JPN staff_officer jpn-jjoc"]
    finally:
        live.stop()


@pytest.fixture
def joint_site(make_node: NodeFactory) -> Iterator[tuple[LiveServer, str]]:
    """A node hosting both nations, USA's own dataset released to JPN."""
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    desk = node.desk("industry", IndustryDesk)
    made = desk.create_dataset(USA_CDR, DatasetIn(name="USA lines", model=parse_model(own("USA"))))
    desk.release(USA_CDR, made.id, ReleaseIn(to=["JPN"], name="USA capacity"))
    live = LiveServer(node).start()
    try:
        yield live, tokens["JPN commander jpn-jjoc"]
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
        assert "架空" in page.locator("#pane-industry .in-note").first.inner_text()
        caption = page.locator("#in-plots figure[data-scenario='baseline'] figcaption")
        assert caption.inner_text() == "基準 — 制約の時系列"

        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()


def test_a_commander_stores_releases_solves_and_approves_a_joint_plan(
    browser: Browser, joint_site: tuple[LiveServer, str], tmp_path: Path
) -> None:
    live, token = joint_site
    seat = Seat(browser, live.url, "en-US")
    page = seat.page
    model = tmp_path / "jpn.json"
    model.write_text(json.dumps(own("JPN")))
    try:
        page.goto(f"{live.url}/console/#/industry")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#pane-industry").wait_for(state="visible")
        assert page.locator("#in-store").is_disabled()
        page.set_input_files("#in-file", str(model))
        page.click("#in-store")
        dataset = page.locator("#in-ds-rows tr").first
        dataset.wait_for()
        assert "Hand model" in dataset.inner_text()
        page.click("#in-ds-rows button[data-release-to='USA']")
        page.locator("#in-rel-rows tr").nth(1).wait_for()
        assert page.locator("#in-rel-rows input[data-release='USA']").is_checked()
        assert page.locator("#in-rel-rows input[data-release='JPN']").count() == 0

        page.fill("#in-plan-title", "PAC-3 joint plan")
        page.click("#in-plan")
        plan = page.locator("#in-plan-rows tr").first
        plan.wait_for(timeout=60_000)
        assert plan.get_attribute("data-status") == "awaiting_approval"
        assert "awaiting JPN, USA" in plan.inner_text()
        page.click("#in-plan-rows button[data-approve]")
        page.wait_for_function(
            "() => document.querySelector('#in-plan-rows tr').textContent.includes('awaiting USA')"
        )
        assert page.locator("#in-plan-rows button[data-approve]").count() == 0
        # USA's commander approves the same revision: the row turns approved
        # live, from the node's stream, with no reload.
        desk = live.node.desk("industry", IndustryDesk)
        (stored,) = desk.plans(USA_CDR)
        desk.approve(USA_CDR, stored.id, JointApprovalIn(content_hash=stored.content_hash))
        page.wait_for_function(
            "() => document.querySelector('#in-plan-rows tr').dataset.status === 'approved'"
        )
        assert "approved by all" in plan.inner_text()

        page.click("#in-plan-rows button[data-plots]")
        for what in ("deliveries", "production"):
            img = page.locator(f"#in-joint-plots img[data-plot='{what}']")
            img.wait_for()
            page.wait_for_function(
                "(el) => el.complete && el.naturalWidth > 100", arg=img.element_handle()
            )
        assert page.locator("#in-error").is_hidden()

        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert "全参加国承認済" in plan.inner_text()
        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()
