"""The COP pane with a large picture (issue 12, item 6): above 250 tracks the
symbols are drawn on one canvas and the table is virtual. What the user relies
on stays: every released track drawn where it is and clickable, the whole
table reachable by scrolling, filters narrowing map and table together, the
selected track's detail kept live, a language switch re-labelling the rows.

Real node, real browser (Debian's Chromium), as tests/web/test_console.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from alliance.cop import ReportIn
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.web.test_console import Console
from tests.web.test_map_tools import disjoint

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


# What the canvas keeps of what it drew (tracklayer.js), as page boxes.
DRAWN_BOXES_JS = """() => {
  const c = document.querySelector('.track-canvas').getBoundingClientRect();
  const page = (b) => b && { left: c.left + b.left, top: c.top + b.top,
                             right: c.left + b.right, bottom: c.top + b.bottom };
  return allianceTracks.drawn().map((d) => ({ uid: d.uid, symbol: page(d.symbol), label: page(d.label) }));
}"""

# Whether the canvas has paint inside each box (page pixels), within the
# canvas (null for a box outside it): what it says it drew is there.
PAINTED_JS = """(boxes) => {
  const canvas = document.querySelector('.track-canvas');
  const c = canvas.getBoundingClientRect();
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(canvas, 0, 0);
  const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
  return boxes.map((b) => {
    const x0 = Math.max(0, Math.round(b.left - c.left)), y0 = Math.max(0, Math.round(b.top - c.top));
    const x1 = Math.min(copy.width, Math.round(b.right - c.left));
    const y1 = Math.min(copy.height, Math.round(b.bottom - c.top));
    if (x1 - x0 < 4 || y1 - y0 < 4) return null;
    for (let y = y0; y < y1; y += 1) {
      for (let x = x0; x < x1; x += 1) if (data[(y * copy.width + x) * 4 + 3] > 0) return true;
    }
    return false;
  });
}"""


# The canvas's pixels, as a digest (and how many are painted).
PIXELS_JS = """() => {
  const canvas = document.querySelector('.track-canvas');
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const ctx = copy.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(canvas, 0, 0);
  const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
  let hash = 0, painted = 0;
  for (let i = 0; i < data.length; i += 1) hash = (Math.imul(hash, 31) + data[i]) | 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return { hash, painted, width: copy.width, height: copy.height };
}"""


def painted(console: Console, boxes: list[dict[str, Any]]) -> None:
    got = console.js(PAINTED_JS, boxes)
    assert any(got), got
    assert all(x is not False for x in got), got


def test_canvas_tracks_have_hover_tooltips_and_labels_that_do_not_overlap(
    browser: Browser, served: tuple[LiveServer, Actor, str]
) -> None:
    """Above 250 tracks the canvas draws them; what the DOM markers gave the
    operator stays: a tooltip on hover, and labels that never hide one
    another (a label that would is left out, the selected track's kept)."""
    live, _jpn, token = served
    total = MANY + 1
    console = Console(browser, live.url)
    page = console.page
    try:
        page.goto(live.url + "/")
        page.fill("#token", token)
        page.click("#signin-button")
        page.locator("#live[data-state='live']").wait_for()
        page.wait_for_function(f"(n) => ({DRAWN_JS})() === n", arg=total)
        assert page.locator(".leaflet-marker-pane .trk").count() == 0

        # Hover the lone track: its tooltip, as a DOM marker's.
        tip = page.locator(".trk-tooltip")
        lone = point(console, LONE_REPORT.lat, LONE_REPORT.lon)
        page.mouse.move(*lone)
        tip.wait_for()
        assert tip.inner_text().splitlines()[:2] == ["ZZ LONE 01", "JPN · SFSPCLDD-------"]
        # In the crowd: the symbol on top under the cursor (the last drawn there).
        crowd = many(599)
        page.mouse.move(*point(console, crowd.lat, crowd.lon))
        page.locator(".trk-tooltip", has_text="JPN TRACK 0599").wait_for()
        # Off every track: no tooltip.
        page.mouse.move(*point(console, 45.0, 128.0))
        tip.wait_for(state="hidden")

        # Labels: none over another, each where the canvas painted; crowded at
        # this zoom, so some are left out, the lone track's kept.
        page.wait_for_function("() => allianceTracks.drawn().some((d) => d.label)")
        drawn = console.js(DRAWN_BOXES_JS)
        labelled = [d for d in drawn if d["label"]]
        disjoint([d["label"] for d in labelled])
        assert LONE in {d["uid"] for d in labelled}
        assert 10 <= len(labelled) < total, len(labelled)
        painted(console, [d["label"] for d in labelled])

        # Select a track whose label was left out, by a click on its symbol:
        # its label comes first now, and still none overlaps another.
        hidden = [d for d in drawn if d["label"] is None]
        target = next(
            d
            for d in reversed(hidden)
            if console.js(
                "([x, y]) => allianceTracks.hit({ x, y })",
                [
                    (d["symbol"]["left"] + d["symbol"]["right"]) / 2 - console.js(CANVAS_LEFT_JS),
                    (d["symbol"]["top"] + d["symbol"]["bottom"]) / 2 - console.js(CANVAS_TOP_JS),
                ],
            )
            == d["uid"]
        )
        s = target["symbol"]
        page.mouse.click((s["left"] + s["right"]) / 2, (s["top"] + s["bottom"]) / 2)
        page.locator("#d-uid", has_text=target["uid"]).wait_for()
        page.wait_for_function(
            "(uid) => allianceTracks.drawn().some((d) => d.uid === uid && d.label)",
            arg=target["uid"],
        )
        disjoint([d["label"] for d in console.js(DRAWN_BOXES_JS) if d["label"]])

        # A pan: the canvas follows by moving what it drew and drawing what the
        # pan uncovered; pixel for pixel what a whole redraw gives.
        console.js("() => allianceMap.panBy([137, -83], { animate: false })")
        page.wait_for_timeout(400)  # the canvas follows a frame later; the labels are placed again
        followed = console.js(PIXELS_JS)
        assert followed["painted"] > 1000
        console.js("() => allianceTracks.drawNow()")
        assert console.js(PIXELS_JS) == followed
        assert console.js(DRAWN_JS) == total

        # Closer in: more room, more labels, still apart.
        console.js("() => allianceMap.setView([30, 136], 8, { animate: false })")
        page.wait_for_timeout(300)  # the whole redraw a frame after the move, then the placing
        page.wait_for_function("() => allianceTracks.drawn().filter((d) => d.label).length > 0")
        closer = [d for d in console.js(DRAWN_BOXES_JS) if d["label"]]
        disjoint([d["label"] for d in closer])
        painted(console, [d["label"] for d in closer])

        assert console.errors == []
        assert console.outside == []
    finally:
        console.close()


CANVAS_LEFT_JS = "() => document.querySelector('.track-canvas').getBoundingClientRect().left"
CANVAS_TOP_JS = "() => document.querySelector('.track-canvas').getBoundingClientRect().top"


def point(console: Console, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is on the page, in CSS pixels."""
    got = console.js(
        """([lat, lon]) => { const p = allianceMap.latLngToContainerPoint([lat, lon]);
             const r = allianceMap.getContainer().getBoundingClientRect();
             return [r.left + p.x, r.top + p.y]; }""",
        [lat, lon],
    )
    return float(got[0]), float(got[1])
