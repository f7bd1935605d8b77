"""The COP map's operator tools in a real browser, on a real node: the MGRS grid
and its labels, the cursor readout, range and bearing against GeographicLib,
the nautical-mile scale, altitude in feet and flight level, the alert list (a
lost link selects its aircraft), decluttered labels, a trail from the node's
history, and all of it in Japanese.

``ALLIANCE_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/web/test_map_tools.py``
also refreshes docs/console-map-ja.png (the README's picture of the map in
Japanese).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mgrs
import pytest
from geographiclib.geodesic import Geodesic
from playwright.sync_api import Browser

from alliance.cop import LinkStatus, ReportIn
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.web.test_console import Console

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

DOCS_PNG = Path(__file__).resolve().parents[2] / "docs" / "console-map-ja.png"
TO_JPN = MarkingIn(releasable_to=["JPN"])
TO_USA = MarkingIn(releasable_to=["USA"])
NOW = datetime.now(UTC)

# A lost-link drone among four ships crowded at the mouth of Tokyo Bay.
LOST_UAS = ReportIn(
    uid="USA-MT-UAS07",
    sidc="SFAPMFQ--------",
    callsign="BLUE RPA 07",
    lat=35.05,
    lon=139.80,
    hae=3000,
    unmanned=True,
    control_link=LinkStatus.LOST,
    marking=TO_JPN,
)
CROWD = [
    ReportIn(
        uid=f"USA-MT-DD{n}",
        sidc="SFSPCLDD-------",
        callsign=f"BLUE DD {n} (notional)",
        lat=35.05 + 0.012 * n,
        lon=139.80 + 0.008 * n,
        marking=TO_JPN,
    )
    for n in range(1, 5)
]
FIGHTER = ReportIn(
    uid="USA-MT-FTR41",
    sidc="SFAPMFF--------",
    callsign="BLUE FTR 41",
    lat=36.2,
    lon=140.4,
    hae=7600,
    course=270.0,
    speed=230.0,
    marking=TO_JPN,
)
# A JPN patrol ship with three reports: its trail.
PATROL = [
    ReportIn(
        uid="JPN-MT-PS11",
        sidc="SFSPCLFF-------",
        callsign="PATROL 11 (notional)",
        lat=34.80 + 0.05 * n,
        lon=139.60 + 0.04 * n,
        time=NOW - timedelta(minutes=3 - n),
        stale_seconds=3600,
        marking=TO_USA,
    )
    for n in range(3)
]
HOSTILE = ReportIn(
    uid="JPN-MT-CONTACT9",
    sidc="SHSPCL---------",
    callsign="HOSTILE CONTACT 9",
    lat=34.5,
    lon=139.2,
    marking=TO_USA,
)

# A boat whose report goes stale two seconds after it is made.
SHORT_LIVED = ReportIn(
    uid="USA-MT-BOAT5",
    sidc="SFSPCLFF-------",
    callsign="BLUE BOAT 5",
    lat=34.7,
    lon=139.4,
    stale_seconds=2,
    marking=TO_JPN,
)

YOKOSUKA = (35.28331, 139.66672)
RB_A = (35.0, 139.0)
RB_B = (34.0, 140.5)


@pytest.fixture
def served(make_node: NodeFactory) -> Iterator[tuple[LiveServer, dict[str, Actor], dict[str, str]]]:
    node = make_node("JPN", hosted=["USA"])
    people = add_people(node)
    live = LiveServer(node).start()
    tokens = {
        "JPN": people.tokens["JPN staff_officer jpn-jjoc"],
        "USA": people.tokens["USA staff_officer usa-jfhq"],
    }
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


def point(console: Console, lat: float, lon: float) -> tuple[float, float]:
    """Where (lat, lon) is on the page, in CSS pixels."""
    got = console.js(
        """([lat, lon]) => { const p = allianceMap.latLngToContainerPoint([lat, lon]);
             const c = allianceMap.getContainer().getBoundingClientRect();
             return [c.left + p.x, c.top + p.y]; }""",
        [lat, lon],
    )
    return float(got[0]), float(got[1])


def set_view(console: Console, lat: float, lon: float, zoom: int) -> None:
    console.js(
        "([lat, lon, z]) => { allianceMap.setView([lat, lon], z, { animate: false }); }",
        [lat, lon, zoom],
    )
    console.page.wait_for_function(
        "(z) => allianceMap.getZoom() === z && document.querySelector('.mgrs-line')", arg=zoom
    )
    console.page.wait_for_timeout(150)  # the layout after moveend (one animation frame)


def mgrs_parts(ref: str) -> tuple[str, int, int]:
    m = re.fullmatch(r"(\d{1,2}[C-X] ?[A-Z]{2}) ?(\d{5}) ?(\d{5})", ref)
    assert m, ref
    return m[1].replace(" ", ""), int(m[2]), int(m[3])


def disjoint(boxes: list[dict[str, Any]]) -> None:
    """No two of the boxes overlap."""
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a, b)


def label_boxes(console: Console) -> list[dict[str, Any]]:
    return list(
        console.js(
            """() => [...document.querySelectorAll('.leaflet-marker-pane .trk')]
                 .filter(t => !t.classList.contains('clustered'))
                 .map(t => [t.dataset.uid, t.querySelector('.lbl')])
                 .filter(([, l]) => l && getComputedStyle(l).visibility !== 'hidden')
                 .map(([uid, l]) => { const r = l.getBoundingClientRect();
                   return { uid, left: r.left, top: r.top, right: r.right, bottom: r.bottom }; })"""
        )
    )


def test_the_map_an_operator_works_on(
    console: Console,
    served: tuple[LiveServer, dict[str, Actor], dict[str, str]],
    tmp_path: Path,
) -> None:
    live, actors, tokens = served
    jpn, usa = actors["JPN"], actors["USA"]
    for data in (LOST_UAS, *CROWD, FIGHTER):
        live.node.cop.report(usa, data)
    for data in PATROL:
        live.node.cop.report(jpn, data)
    page = console.page

    # The JPN watch officer signs in.
    page.goto(live.url + "/console/")
    page.fill("#token", tokens["JPN"])
    page.click("#signin-button")
    page.locator("#live[data-state='live']").wait_for()
    page.wait_for_function("() => document.body.dataset.basemap === 'ready'")
    seen = {LOST_UAS.uid, FIGHTER.uid, PATROL[0].uid, *(c.uid for c in CROWD)}
    console.wait_markers(seen)

    # The lost link raises an alert at once; clicking it selects the aircraft.
    lost = page.locator("#alert-list li[data-kind='lost']")
    lost.wait_for()
    assert lost.inner_text().startswith("LINK LOST — BLUE RPA 07")
    assert page.locator("#alert-list").get_attribute("aria-live") == "polite"
    assert page.locator("#alert-list li").first.get_attribute("data-kind") == "lost"
    lost.locator(".alert-select").click()
    page.locator("#d-callsign", has_text="BLUE RPA 07").wait_for()
    # A hostile contact reported now is new: it is announced too.
    live.node.cop.report(jpn, HOSTILE)
    page.locator("#alert-list li[data-kind='hostile']", has_text="HOSTILE CONTACT 9").wait_for()
    # So is a track that goes stale while watched.
    live.node.cop.report(usa, SHORT_LIVED)
    page.locator("#alert-list li[data-kind='stale']", has_text="BLUE BOAT 5").wait_for()

    # The finer coastline: Natural Earth 1:10m replaces the coarse land from zoom 6.
    set_view(console, 35.35, 139.80, 11)
    page.wait_for_function("() => allianceMap.getContainer().dataset.coast === '10m'")
    assert page.locator(".land-fine").count() >= 1
    coarse = page.locator(".land-coarse")
    assert coarse.count() >= 1
    assert all(coarse.nth(i).is_hidden() for i in range(coarse.count()))
    # The basemap library files are served by this node (the 10m land, the geodesic library).
    for path in (
        "/static/world-atlas/land-10m.json",
        "/static/geographiclib-geodesic/geographiclib-geodesic.min.js",
    ):
        assert page.request.get(live.url + path).status == 200, path

    # MGRS grid: 100 km squares at zoom 8, labelled as the mgrs package names them.
    grid = mgrs.MGRS()
    set_view(console, 35.3, 139.7, 8)
    assert page.locator("#map").get_attribute("data-grid") == "100000"
    labels = set(page.locator(".mgrs-label span").all_inner_texts())
    square = grid.toMGRS(35.3, 139.7, MGRSPrecision=0)  # 54SUE
    assert f"{square[:3]} {square[3:]}" in labels, labels
    # 10 km at zoom 11, 1 km at zoom 13: "UE 6 0", "UE 62 07".
    set_view(console, *YOKOSUKA, 11)
    assert page.locator("#map").get_attribute("data-grid") == "10000"
    ten = grid.toMGRS(*YOKOSUKA, MGRSPrecision=1)
    assert f"{ten[3:5]} {ten[5]} {ten[6]}" in page.locator(".mgrs-label span").all_inner_texts()
    set_view(console, *YOKOSUKA, 13)
    assert page.locator("#map").get_attribute("data-grid") == "1000"
    one = grid.toMGRS(*YOKOSUKA, MGRSPrecision=2)
    assert f"{one[3:5]} {one[5:7]} {one[7:9]}" in page.locator(".mgrs-label span").all_inner_texts()
    assert page.locator(".mgrs-line").count() >= 1

    # Cursor readout: the MGRS of the point under the cursor, to the metre.
    x, y = (round(v) for v in point(console, *YOKOSUKA))
    page.mouse.move(x, y)
    page.locator("#cursor-where", has_text="Cursor").wait_for()
    under = console.js(
        """([x, y]) => { const c = allianceMap.getContainer().getBoundingClientRect();
             const ll = allianceMap.containerPointToLatLng([x - c.left, y - c.top]); return [ll.lat, ll.lng]; }""",
        [x, y],
    )
    shown = mgrs_parts(console.text("#cursor-mgrs"))
    # The same metre as the Python mgrs package (which truncates where JS rounds).
    exact = mgrs_parts(grid.toMGRS(under[0], under[1], MGRSPrecision=5).lstrip("0"))
    assert shown[0] == exact[0]
    assert abs(shown[1] - exact[1]) <= 1
    assert abs(shown[2] - exact[2]) <= 1
    known = mgrs_parts(grid.toMGRS(*YOKOSUKA, MGRSPrecision=5))
    assert shown[0] == known[0]
    assert abs(shown[1] - known[1]) <= 20
    assert abs(shown[2] - known[2]) <= 20
    assert re.fullmatch(r"35\.283\d\d° N, 139\.66\d\d\d° E", console.text("#cursor-latlon"))
    page.click("#cursor-format")
    page.mouse.move(x, y)
    assert re.fullmatch(r"35°16′5\d\.\d″N 139°40′0\d\.\d″E", console.text("#cursor-latlon"))

    # Range and bearing between two clicked points: great circle on WGS 84, within 1 NM and 1°.
    set_view(console, 34.5, 139.75, 8)
    page.click("#rb-toggle")
    assert page.locator("#rb-toggle").get_attribute("aria-pressed") == "true"
    for lat, lon in (RB_A, RB_B):
        page.mouse.click(*point(console, lat, lon))
    result = page.locator("#rb-result[data-nm]")
    result.wait_for()
    truth = Geodesic.WGS84.Inverse(*RB_A, *RB_B)
    nm = float(result.get_attribute("data-nm") or "nan")
    km = float(result.get_attribute("data-km") or "nan")
    bearing = float(result.get_attribute("data-bearing") or "nan")
    assert abs(nm - truth["s12"] / 1852) <= 1.0, (nm, truth["s12"] / 1852)
    assert abs(km - truth["s12"] / 1000) <= 1.852
    assert abs(bearing - truth["azi1"] % 360) <= 1.0, (bearing, truth["azi1"])
    assert re.fullmatch(r"\d+\.\d NM · \d+\.\d km · \d{3}\.\d° T", result.inner_text())
    assert page.locator(".rb-line").count() == 1
    page.keyboard.press("Escape")  # keyboard cancel
    page.locator("#rb-result").wait_for(state="hidden")
    assert page.locator(".rb-line").count() == 0
    assert page.locator("#rb-toggle").get_attribute("aria-pressed") == "false"
    # From the keyboard: the tool's button, then Enter on the map marks its centre.
    page.focus("#rb-toggle")
    page.keyboard.press("Enter")
    page.focus("#map")
    page.keyboard.press("Enter")
    start = console.js("() => { const c = allianceMap.getCenter(); return [c.lat, c.lng]; }")
    page.keyboard.press("ArrowRight")  # Leaflet pans the map
    page.wait_for_function("(lng) => allianceMap.getCenter().lng > lng + 0.1", arg=start[1])
    page.wait_for_timeout(400)  # the pan's animation
    end = console.js("() => { const c = allianceMap.getCenter(); return [c.lat, c.lng]; }")
    page.keyboard.press("Enter")
    result.wait_for()
    truth = Geodesic.WGS84.Inverse(*start, *end)
    assert abs(float(result.get_attribute("data-nm") or "nan") - truth["s12"] / 1852) <= 0.1
    page.keyboard.press("Escape")
    page.locator("#rb-result").wait_for(state="hidden")

    # Scales: nautical miles beside kilometres.
    assert re.fullmatch(r"\d+(\.\d)? NM", console.text("#nm-scale")), console.text("#nm-scale")
    assert re.fullmatch(
        r"\d+ k?m", page.locator(".leaflet-control-scale-line:not(.nm-scale)").inner_text()
    )

    # Altitude in feet and flight level beside metres: detail and hover tooltip.
    page.click(f"#track-rows tr[data-uid='{FIGHTER.uid}']")
    page.locator("#d-callsign", has_text="BLUE FTR 41").wait_for()
    assert console.text("#d-hae") == "7,600 m · 24,934 ft · FL249"
    page.locator(f".trk[data-uid='{FIGHTER.uid}'] img.sym").hover()
    tip = page.locator(".trk-tooltip")
    tip.wait_for()
    assert "FL249" in tip.inner_text()
    assert "BLUE FTR 41" in tip.inner_text()
    assert page.locator(".selection-halo").count() == 1

    # Labels: none hides another, and the lost link's is always shown.
    set_view(console, 35.08, 139.82, 9)
    boxes = label_boxes(console)
    assert LOST_UAS.uid in {b["uid"] for b in boxes}
    assert len(boxes) >= 2
    disjoint(boxes)
    # Zoomed out, the crowd is one numbered cluster (the lost link stays apart).
    set_view(console, 35.0, 139.5, 5)
    cluster = page.locator(".cluster")
    cluster.first.wait_for()
    members = set((cluster.first.get_attribute("data-uids") or "").split())
    assert {c.uid for c in CROWD} <= members
    assert LOST_UAS.uid not in members

    # A trail: the patrol ship's three reports, from the node's history.
    page.click(f"#track-rows tr[data-uid='{PATROL[0].uid}']")
    page.wait_for_function(
        "(uid) => allianceMap.getContainer().dataset.trail === uid + ':3'", arg=PATROL[0].uid
    )
    assert page.locator(".trail-line").count() == 1
    assert page.locator(".trail-dot").count() == 3

    # 日本語: the tools, the alerts and the place names.
    set_view(console, 35.25, 139.75, 9)
    page.click("#rb-toggle")
    page.mouse.click(*point(console, 35.44, 139.64))  # Yokohama
    page.mouse.click(*point(console, 35.0, 139.87))  # Tateyama
    page.click("#console button.lang[data-lang='ja']")
    page.wait_for_function("() => document.documentElement.lang === 'ja'")
    assert console.text("#rb-toggle") == "距離・方位"
    assert re.fullmatch(r"\d+\.\d海里・\d+\.\d km・真方位 \d{3}\.\d°", console.text("#rb-result"))
    assert re.fullmatch(r"\d+(\.\d)?海里", console.text("#nm-scale"))
    assert console.text("#alerts-title").startswith("警報")
    assert console.text("#alert-list li[data-kind='lost']").startswith("リンク途絶 — BLUE RPA 07")
    assert console.text("#cursor-format") == "度分秒"
    assert "東京湾" in page.locator(".place .name").all_inner_texts()
    assert "横須賀（海軍港）" in page.locator(".place .name").all_inner_texts()
    page.wait_for_timeout(100)
    disjoint(
        console.js(
            """() => [...document.querySelectorAll('.place:not(.place-hidden)')].map(e => {
                 const r = e.getBoundingClientRect();
                 return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; })"""
        )
    )
    page.locator(f".trk[data-uid='{PATROL[0].uid}'] img.sym").hover()
    page.locator(".trk-tooltip", has_text="高度").wait_for()
    page.click(f"#track-rows tr[data-uid='{FIGHTER.uid}']")
    assert console.text("#d-hae") == "7,600 m・24,934 ft・FL249"
    page.click(f"#track-rows tr[data-uid='{PATROL[0].uid}']")
    page.wait_for_function(
        "(uid) => allianceMap.getContainer().dataset.trail === uid + ':3'", arg=PATROL[0].uid
    )
    set_view(console, 35.2, 139.75, 9)
    page.mouse.move(*point(console, 35.3, 139.6))
    page.wait_for_timeout(300)
    shot = tmp_path / "console-map-ja.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, DOCS_PNG)

    assert console.outside == [], "the console tried to reach beyond this node"
    assert console.errors == []
