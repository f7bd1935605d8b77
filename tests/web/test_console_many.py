"""The COP pane with a large picture (issue 12, item 6): above 250 tracks the
symbols are drawn on one canvas and the table is virtual. What the user relies
on stays: every released track drawn where it is and clickable, the whole
table reachable by scrolling, filters narrowing map and table together, the
selected track's detail kept live, a language switch re-labelling the rows.

Real node, real browser (Debian's Chromium), as tests/web/test_console.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from alliance.cop import ReportIn
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.web.test_console import Console

MANY = 600
LONE = "JPN-LONE-01"  # apart from the others, so that a click on it can hit nothing else

DRAWN_JS = "() => Number(document.querySelector('.track-canvas')?.dataset.drawn ?? -1)"


def many(i: int) -> ReportIn:
    sidc = ("SFSPCLDD-------", "SFAPMF---------", "SUSP-----------")[i % 3]
    return ReportIn(
        uid=f"JPN-MANY-{i:04d}",
        sidc=sidc,
        callsign=f"JPN TRACK {i:04d}",
        lat=24.0 + (i % 30) * 0.4,
        lon=124.0 + (i // 30) * 0.8,
        stale_seconds=3600,
        marking=MarkingIn(releasable_to=["USA"]),
    )


LONE_REPORT = ReportIn(
    uid=LONE,
    sidc="SFSPCLDD-------",
    callsign="ZZ LONE 01",  # sorts last
    lat=40.5,
    lon=146.0,
    stale_seconds=3600,
    marking=MarkingIn(releasable_to=["USA"]),
)


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[tuple[LiveServer, Actor, str]]:
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    jpn = node.users.authenticate(people.tokens["JPN staff_officer jpn-jjoc"])
    for i in range(MANY):
        node.cop.report(jpn, many(i))
    node.cop.report(jpn, LONE_REPORT)
    live = LiveServer(node).start()
    try:
        yield live, jpn, people.tokens["USA staff_officer usa-jfhq"]
    finally:
        live.stop()


def test_a_large_picture_on_the_canvas_and_a_virtual_table(
    browser: Browser, served: tuple[LiveServer, Actor, str]
) -> None:
    live, jpn, token = served
    total = MANY + 1
    console = Console(browser, live.url)
    page = console.page
    try:
        page.goto(live.url + "/")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#live[data-state='live']").wait_for()

        # Every released track drawn, on the canvas, not as DOM markers.
        page.wait_for_function(f"(n) => ({DRAWN_JS})() === n", arg=total)
        assert page.locator(".leaflet-marker-pane .trk").count() == 0
        assert console.text("#count") == f"{total} of {total} tracks"

        # The table holds only the rows in view, in order; scrolling reaches the last.
        rows = console.rows()
        assert 10 < len(rows) < 100, len(rows)
        assert rows[0] == "JPN-MANY-0000"
        page.locator(".table-wrap").evaluate("e => { e.scrollTop = e.scrollHeight; }")
        page.locator(f"#track-rows tr[data-uid='{LONE}']").wait_for()
        assert len(console.rows()) < 100
        page.click("#track-rows tr[data-uid='JPN-MANY-0599']")
        page.locator("#d-uid", has_text="JPN-MANY-0599").wait_for()
        assert console.text("#d-callsign") == "JPN TRACK 0599"

        # A click where a track is drawn selects it.
        x, y = page.evaluate(
            """([lat, lon]) => { const p = allianceMap.latLngToContainerPoint([lat, lon]);
                 const r = allianceMap.getContainer().getBoundingClientRect();
                 return [r.left + p.x, r.top + p.y]; }""",
            [LONE_REPORT.lat, LONE_REPORT.lon],
        )
        page.mouse.click(x, y)
        page.locator("#d-uid", has_text=LONE).wait_for()
        assert console.text("#d-callsign") == "ZZ LONE 01"

        # The selected track's detail follows its reports, live.
        jpn_moved = LONE_REPORT.model_copy(update={"lat": 40.75, "lon": 146.25})
        live.node.cop.report(jpn, jpn_moved)
        page.locator("#d-latlon", has_text="40.75000° N, 146.25000° E").wait_for()

        # Filters narrow the canvas and the table together.
        page.select_option("#f-domain", "air")
        air = len([i for i in range(MANY) if i % 3 == 1])
        page.wait_for_function(f"(n) => ({DRAWN_JS})() === n", arg=air)
        assert console.text("#count") == f"{air} of {total} tracks"
        assert all(uid.startswith("JPN-MANY-") and int(uid[-4:]) % 3 == 1 for uid in console.rows())
        page.select_option("#f-domain", "")
        page.wait_for_function(f"(n) => ({DRAWN_JS})() === n", arg=total)

        # 日本語: the rows in view are re-labelled.
        page.click("#console button.lang[data-lang='ja']")
        page.wait_for_function("() => document.documentElement.lang === 'ja'")
        assert console.text("#count") == f"全{total}件中 {total}件"
        domains = page.locator("#track-rows tr td:nth-child(3)").all_inner_texts()
        assert domains
        assert set(domains) <= {"海上", "航空"}, domains

        assert console.errors == []
        assert console.outside == []
    finally:
        console.close()
