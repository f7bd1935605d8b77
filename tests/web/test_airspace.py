"""The airspace pane in a real browser (Debian's Chromium through Playwright,
every request beyond the node refused), on a node hosting JPN and USA.

A US UAS volume, released to Japan, is already proposed. The Japanese planner
(a commander, who may approve) proposes a restricted operations zone over it
from the pane's form, sees the conflict on the map and in the list, opens the
coordination request the node opened for it, and — once the US commander has
concurred — approves the zone. Then the pane reads in Japanese.

``ALLIANCE_DOCS_SCREENSHOTS=1`` also refreshes docs/airspace.png (the README's picture)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from alliance.airspace import AirspaceDesk, MeasureIn
from alliance.core.authority import Actor, Role
from tests.airspace.helpers import measure
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.web.test_coordination import Seat
from tests.web.test_exercise import _reachable

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

USA = Actor("cdr-usa", "USA commander", "USA", "usa-jfhq", Role.COMMANDER)


@dataclass
class Served:
    live: LiveServer
    jpn: str
    usa: str
    theirs: str


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[Served]:
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    now = datetime.now(UTC)
    body = measure(
        "UAS EX-7", 139.0, 35.0, release=["JPN"], kind="uas_volume",
        window={"start": now.isoformat(), "end": (now + timedelta(hours=8)).isoformat()},
    )  # fmt: skip
    theirs = node.desk("airspace", AirspaceDesk).propose(USA, MeasureIn.model_validate(body))
    live = LiveServer(node).start()
    try:
        yield Served(
            live,
            tokens["JPN commander jpn-jjoc"],
            tokens["USA commander usa-jfhq"],
            theirs.id,
        )
    finally:
        live.stop()


def test_a_planner_proposes_sees_the_conflict_coordinates_and_approves(
    browser: Browser, served: Served
) -> None:
    seat = Seat(browser, served.live.url, "en-US")
    page = seat.page
    try:
        page.goto(f"{served.live.url}/console/#/airspace")
        page.fill("#token", served.jpn)
        page.click("#signin-button")
        page.locator("#pane-airspace").wait_for(state="visible")
        page.locator(f"#as-measures tr[data-id='{served.theirs}']").wait_for()

        # Propose a zone over the US volume, from the form.
        page.fill("#as-f-designator", "ROZ EX-1")
        page.select_option("#as-f-kind", "roz")
        page.fill("#as-f-name", "Exercise zone (fictional)")
        page.fill("#as-f-coords", "139.05, 35.05\n139.15, 35.05\n139.15, 35.15\n139.05, 35.15")
        page.click("#as-f-submit")
        row = page.locator("#as-measures tr[data-status='proposed']", has_text="ROZ EX-1")
        row.wait_for()
        mine = row.get_attribute("data-id")
        assert mine

        # The conflict: in the list (cross-nation), and red on the map, both measures.
        conflict = page.locator("#as-conflicts tr.as-cross")
        conflict.wait_for()
        assert "ROZ EX-1 (JPN)" in conflict.inner_text()
        assert "UAS EX-7 (USA)" in conflict.inner_text()
        for ident in (mine, served.theirs):
            page.locator(f"#as-map path.as-hot[data-measure='{ident}']").wait_for()
        if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
            page.evaluate("() => document.querySelector('#as-map').scrollIntoView()")
            page.screenshot(path=str(ROOT / "docs" / "airspace.png"))
        _reachable(page)

        # Approving now is refused: the request is not concurred yet.
        row.locator("button.as-approve").click()
        page.locator("#as-error").wait_for(state="visible")
        assert "not yet concurred" in page.locator("#as-error").inner_text()
        # The browser logs the refused POST; that one is expected.
        assert [e for e in seat.errors if "409" not in e] == [], seat.errors
        seat.errors.clear()

        # Open the coordination request the node opened (JPN's zone changed last).
        button = conflict.locator("button.as-open-request")
        request_id = button.get_attribute("data-request")
        button.click()
        page.wait_for_function(f"() => location.hash.includes('acm/requests/{request_id}')")
        page.locator("#pane-acm").wait_for(state="visible")
        page.get_by_text("Airspace conflict: ROZ EX-1 / UAS EX-7").first.wait_for()

        # The US commander concurs (on the partner's side of the ACM).
        with httpx.Client(base_url=f"{served.live.url}/api/v1") as api:
            concur = api.post(
                f"/acm/requests/{request_id}/responses",
                json={"kind": "concur"},
                headers={"Authorization": f"Bearer {served.usa}"},
            )
            assert concur.status_code == 201, concur.text

        # Back on the airspace pane: approve.
        page.goto(f"{served.live.url}/console/#/airspace")
        page.locator("#pane-airspace").wait_for(state="visible")
        page.locator(f"#as-measures tr[data-id='{mine}'] button.as-approve").click()
        page.locator(f"#as-measures tr[data-id='{mine}'][data-status='approved']").wait_for()

        # In Japanese.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#pane-airspace h3").first.inner_text() == "競合"
        assert "架空" in page.locator("#pane-airspace .as-note").inner_text()
        assert (
            page.locator(f"#as-measures tr[data-id='{mine}'] .as-status").inner_text() == "承認済"
        )

        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()
