"""The cyber pane in a real browser (Debian's Chromium through Playwright,
every request beyond the node refused), on a node hosting JPN and USA.

JPN shares fictional indicators and their sightings with the USA in one
collection, and keeps one indicator national-only. The US staff officer opens
the collection: the objects released to the USA are listed with their owner
and marking as the USA writes it, the national-only one is not there; an
indicator's versions open; the node's plot of sightings over time loads; and
the pane reads in Japanese."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from alliance.core.markings import TLP
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.cyber.helpers import cyber, indicator, shared_collection, sighting, staff
from tests.web.test_coordination import Seat
from tests.web.test_exercise import _reachable

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@dataclass
class Served:
    live: LiveServer
    token: str
    collection: str
    shared: list[str]
    national: str


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[Served]:
    node = make_node("JPN", hosted=["USA"])
    tokens = add_people(node).tokens
    collection = shared_collection(node)
    first = indicator(1, rel=("USA",), tlp=TLP.AMBER)
    later = indicator(1, rel=("USA",), tlp=TLP.AMBER, modified="2026-11-03T00:00:00.000Z")
    other = indicator(2, rel=("USA",))
    national = indicator(3)
    seen = [
        sighting(first["id"], f"2026-11-0{day}T06:00:00Z", count, rel=("USA",))
        for day, count in ((1, 2), (2, 5), (4, 1))
    ]
    _status, outcomes = cyber(node).add(
        staff("JPN"), collection, [first, other, national, later, *seen]
    )
    assert all(o.ok for o in outcomes)
    live = LiveServer(node).start()
    try:
        yield Served(
            live,
            tokens["USA staff_officer usa-jfhq"],
            collection,
            [first["id"], other["id"], *(s["id"] for s in seen)],
            national["id"],
        )
    finally:
        live.stop()


def test_the_cyber_pane(browser: Browser, served: Served) -> None:
    seat = Seat(browser, served.live.url, "en-US")
    page = seat.page
    try:
        page.goto(f"{served.live.url}/console/#/cyber/{served.collection}")
        page.fill("#token", served.token)
        page.click("#signin-button")
        page.locator("#pane-cyber").wait_for(state="visible")
        rows = page.locator("#cy-rows tr")
        page.locator(f"#cy-rows tr[data-id='{served.shared[0]}']").wait_for()
        listed = rows.evaluate_all("rows => rows.map(r => r.dataset.id)")
        assert sorted(listed) == sorted(served.shared)  # never the national-only one
        assert served.national not in listed
        row = page.locator(f"#cy-rows tr[data-id='{served.shared[0]}']")
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == "indicator"
        assert cells[2] == "JPN"
        assert "USA" in cells[3]
        assert "TLP:AMBER" in cells[3]
        assert cells[4] == "2026-11-03T00:00:00.000Z"  # the latest version
        _reachable(page)

        # Both versions of the indicator.
        row.locator("button").click()
        page.locator("#cy-versions").wait_for(state="visible")
        versions = page.locator("#cy-version-list li").all_inner_texts()
        assert len(versions) == 2
        assert versions[0].startswith("2026-11-01T00:00:00.000Z · JPN")

        # Sightings over time, drawn by the node.
        page.wait_for_function(
            "() => { const i = document.querySelector('#cy-plot');"
            " return i.complete && i.naturalWidth > 100; }"
        )

        # In Japanese.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert page.locator("#pane-cyber h3").first.inner_text() == "検知の推移"
        assert "架空" in page.locator("#pane-cyber .cy-note").inner_text()

        assert seat.outside == [], "the console tried to reach beyond this node"
        assert seat.errors == [], seat.errors
    finally:
        seat.close()
