"""The COP console in a real browser (Debian's Chromium through Playwright), served
by a real node, with every request that is not to this node refused.

A combined JPN+USA node holds five tracks released to USA and one JPN
national-only track; the USA staff officer signs in and must see exactly the
five, each symbol where its position is on the map, a new report move its
symbol, the filters narrow map and table, MGRS as the ``mgrs`` package
computes it, and every string switch to Japanese.

``ALLIANCE_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/web`` also refreshes
docs/console.png (the README's picture).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import mgrs
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from alliance.cop import LinkStatus, ReportIn, Track
from alliance.core.authority import Actor
from alliance.core.dtg import format_dtg, parse_dtg
from alliance.core.markings import Marking
from alliance.core.models import MarkingIn
from tests.conftest import LiveServer, NodeFactory, add_people

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

DOCS_PNG = Path(__file__).resolve().parents[2] / "docs" / "console.png"
WAIT_MS = 15_000

JPN_SHIP = ReportIn(
    uid="JPN-EX-DD03",
    sidc="SFSPCLDD-------",
    callsign="BLUE DD 03 (notional)",
    lat=35.28331,
    lon=139.66672,
    course=182.0,
    speed=7.5,
    marking=MarkingIn(releasable_to=["USA"]),
)
JPN_CONTACT = ReportIn(
    uid="JPN-CONTACT-0042",
    sidc="SUSP-----------",
    callsign="UNKNOWN CONTACT 42",
    lat=28.51234,
    lon=125.48765,
    course=45.0,
    speed=6.0,
    marking=MarkingIn(releasable_to=["USA"]),
)
JPN_NATIONAL = ReportIn(
    uid="JPN-15BDE",
    sidc="SFGPUCI----H---",
    callsign="15th Brigade / 第15旅団",
    lat=26.21242,
    lon=127.68091,
)
USA_FIGHTER = ReportIn(
    uid="USA-EX-FTR41",
    sidc="SFAPMFF--------",
    callsign="BLUE FTR 41",
    lat=38.71234,
    lon=141.38765,
    hae=7600,
    course=270.0,
    speed=230.0,
    marking=MarkingIn(releasable_to=["JPN"]),
)
USA_UAS = ReportIn(
    uid="USA-EX-UAS42",
    sidc="SFAPMFQ--------",
    callsign="BLUE RPA 42",
    lat=26.93456,
    lon=129.21987,
    hae=7000,
    course=30.0,
    speed=80.0,
    unmanned=True,
    control_link=LinkStatus.DEGRADED,
    marking=MarkingIn(releasable_to=["JPN"]),
)
USA_SHIP_STALE = ReportIn(
    uid="USA-EX-DDG43",
    sidc="SFSPCLDD-------",
    callsign="BLUE DDG 43 (notional)",
    lat=33.91234,
    lon=136.45678,
    time=datetime.now(UTC) - timedelta(hours=1),
    stale_seconds=60,
    marking=MarkingIn(releasable_to=["JPN"]),
)
SEEN_BY_USA = {"JPN-EX-DD03", "JPN-CONTACT-0042", "USA-EX-FTR41", "USA-EX-UAS42", "USA-EX-DDG43"}

# Where a symbol's anchor is on screen, and where the map says the position is.
OFFSET_JS = """([uid, lat, lon]) => {
  const map = window.allianceMap;
  const img = document.querySelector(`.trk[data-uid="${CSS.escape(uid)}"] img.sym`);
  if (!img) return null;
  const r = img.getBoundingClientRect();
  const c = map.getContainer().getBoundingClientRect();
  const p = map.latLngToContainerPoint([lat, lon]);
  return [r.left + Number(img.dataset.ax) - (c.left + p.x),
          r.top + Number(img.dataset.ay) - (c.top + p.y)];
}"""
MARKERS_JS = (
    "() => [...document.querySelectorAll('.leaflet-marker-pane .trk')].map(e => e.dataset.uid)"
)
ROWS_JS = "() => [...document.querySelectorAll('#track-rows tr')].map(e => e.dataset.uid)"


def spaced(dtg: str) -> str:
    """``291200ZNOV26`` as the console shows it: ``291200Z NOV 26``."""
    return f"{dtg[:7]} {dtg[7:10]} {dtg[10:]}"


class Console:
    """A signed-out browser page on the console, recording what it tried and said."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1600, "height": 900}, locale="en-US", accept_downloads=True
        )
        self.context.route("**/*", self._only_this_node)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _only_this_node(self, route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type in {"error", "warning"}:
            self.errors.append(f"{msg.type}: {msg.text}")

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def markers(self) -> set[str]:
        return set(self.js(MARKERS_JS))

    def rows(self) -> list[str]:
        return list(self.js(ROWS_JS))

    def wait_markers(self, uids: set[str]) -> None:
        self.page.wait_for_function(
            f"(want) => {{ const got = ({MARKERS_JS})(); "
            "return got.length === want.length && want.every(u => got.includes(u)); }",
            arg=sorted(uids),
        )
        self.page.wait_for_function(
            f"(n) => ({ROWS_JS})().length === n || document.querySelector('#table-empty')"
            ".hidden === false && n === 0",
            arg=len(uids),
        )

    def offset(self, uid: str, lat: float, lon: float) -> tuple[float, float]:
        found = self.js(OFFSET_JS, [uid, lat, lon])
        assert found is not None, uid
        return float(found[0]), float(found[1])

    def close(self) -> None:
        self.context.close()


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


def report(live: LiveServer, actor: Actor, data: ReportIn) -> Track:
    return live.node.cop.report(actor, data)


def test_cop_console_for_the_usa_staff_officer(
    console: Console,
    served: tuple[LiveServer, dict[str, Actor], dict[str, str]],
    tmp_path: Path,
) -> None:
    live, actors, tokens = served
    jpn, usa = actors["JPN"], actors["USA"]
    tracks = {
        t.uid: t
        for t in (
            report(live, jpn, JPN_SHIP),
            report(live, jpn, JPN_CONTACT),
            report(live, jpn, JPN_NATIONAL),
            report(live, usa, USA_FIGHTER),
            report(live, usa, USA_UAS),
            report(live, usa, USA_SHIP_STALE),
        )
    }
    page = console.page

    # Sign-in: "/" leads to the console; a wrong token is refused in the node's words.
    response = page.goto(live.url + "/")
    assert response is not None
    assert urlsplit(page.url).path == "/console/"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.locator("#signin").wait_for(state="visible")
    assert console.text("#banner-top") == "UNCLASSIFIED"
    page.fill("#token", "alc_not-a-real-token")
    page.click("#signin-button")
    page.locator("#signin-error", has_text="Missing or unknown API token.").wait_for()
    assert [e for e in console.errors if "401 (Unauthorized)" not in e] == []  # only the refusal
    console.errors.clear()
    page.fill("#token", tokens["USA"])
    page.click("#signin-button")
    page.locator("#console").wait_for(state="visible")
    assert page.evaluate("sessionStorage.getItem('alliance.token')") == tokens["USA"]
    page.locator("#live[data-state='live']").wait_for()
    page.wait_for_function("() => document.body.dataset.basemap === 'ready'")

    # Exactly what is released to USA: the JPN national-only unit is nowhere.
    console.wait_markers(SEEN_BY_USA)
    assert console.markers() == SEEN_BY_USA
    assert set(console.rows()) == SEEN_BY_USA
    assert "JPN-15BDE" not in page.content()
    assert "15th Brigade" not in page.inner_text("body")
    assert "USA staff_officer usa-jfhq" in console.text("#user-line")
    assert console.text("#released-to") == "Picture released to USA"
    # The banner as a US viewer's practice writes it: USA first.
    banner = Marking.of("USA", ["JPN"]).marks("USA").banner
    assert console.text("#banner-bottom") == banner.en == "CUI//REL TO USA, JPN"
    # The top line adds the node's note: which tracks set the banner (its tooltip too).
    note = console.text("#banner-note")
    assert "tracks" in note, note
    assert console.text("#banner-top") == f"{banner.en} {note}"
    assert page.get_attribute("#banner-top", "title") == note

    # Each symbol is drawn where its track is, on the initial view over Japan.
    center = page.evaluate("[allianceMap.getCenter().lat, allianceMap.getCenter().lng]")
    assert center == pytest.approx([30, 135], abs=0.05)
    for uid in SEEN_BY_USA:
        dx, dy = console.offset(uid, tracks[uid].lat, tracks[uid].lon)
        assert math.hypot(dx, dy) <= 2, (uid, dx, dy)

    # Stale tracks are dimmed on the map and in the table; the unmanned one says who flies it.
    assert page.locator(".trk.stale").evaluate_all("els => els.map(e => e.dataset.uid)") == [
        "USA-EX-DDG43"
    ]
    assert page.locator("#track-rows tr.stale").count() == 1
    assert float(page.locator(".trk.stale").evaluate("e => getComputedStyle(e).opacity")) < 0.6
    uas_label = page.locator(".trk[data-uid='USA-EX-UAS42'] .uas").inner_text()
    assert uas_label == "UAS · OP USA · LINK DEGRADED"

    # The clock: one moment as DTG in Z, JST (I) and HST (W).
    clock = [console.text(f"#clock-{zone}") for zone in ("z", "jst", "hst")]
    assert [c[6] for c in clock] == ["Z", "I", "W"], clock
    moments = {parse_dtg(c) for c in clock}
    assert len(moments) == 1 or max(moments) - min(moments) <= timedelta(minutes=1), clock
    assert abs(min(moments) - datetime.now(UTC)) < timedelta(minutes=2)

    # Clicking a row pans to the track and shows it: lat/lon, MGRS, time in three zones.
    fighter = tracks["USA-EX-FTR41"]
    page.click("#track-rows tr[data-uid='USA-EX-FTR41']")
    page.locator("#d-callsign", has_text="BLUE FTR 41").wait_for()
    from_center = page.evaluate(
        """([lat, lon]) => { const p = allianceMap.latLngToContainerPoint([lat, lon]);
             const s = allianceMap.getSize(); return Math.hypot(p.x - s.x / 2, p.y - s.y / 2); }""",
        [fighter.lat, fighter.lon],
    )
    assert from_center <= 1.5
    assert console.text("#d-latlon") == "38.71234° N, 141.38765° E"
    expected_mgrs = mgrs.MGRS().toMGRS(fighter.lat, fighter.lon, MGRSPrecision=5)
    shown_mgrs = console.text("#d-mgrs")
    assert re.fullmatch(r"\d{1,2}[C-X] [A-Z]{2} \d{5} \d{5}", shown_mgrs), shown_mgrs
    assert shown_mgrs.replace(" ", "") == expected_mgrs.lstrip("0"), (shown_mgrs, expected_mgrs)
    times = page.locator("#d-time div").all_inner_texts()
    assert times == [
        f"{spaced(format_dtg(fighter.time, zone))}  {name}"
        for zone, name in (("Z", "Z"), ("I", "JST"), ("W", "HST"))
    ]
    assert page.locator("#detail .uas-only").first.is_hidden()
    for uid in SEEN_BY_USA:  # still in place after the pan
        dx, dy = console.offset(uid, tracks[uid].lat, tracks[uid].lon)
        assert math.hypot(dx, dy) <= 2, (uid, dx, dy)

    # A new report moves the symbol, live.
    moved = report(live, jpn, JPN_SHIP.model_copy(update={"lat": 34.61234, "lon": 139.98765}))
    page.wait_for_function(
        f"(a) => {{ const o = ({OFFSET_JS})(a); return o && Math.hypot(o[0], o[1]) <= 2; }}",
        arg=[moved.uid, moved.lat, moved.lon],
    )
    assert page.locator(".trk").count() == len(SEEN_BY_USA)

    # Filters narrow the table and the map together.
    for selector, value, expected in (
        ("#f-owner", "JPN", {"JPN-EX-DD03", "JPN-CONTACT-0042"}),
        ("#f-affiliation", "unknown", {"JPN-CONTACT-0042"}),
        ("#f-domain", "air", {"USA-EX-FTR41", "USA-EX-UAS42"}),
    ):
        page.select_option(selector, value)
        console.wait_markers(expected)
        assert set(console.rows()) == expected, (selector, value)
        page.select_option(selector, "")
    page.uncheck("#f-stale")
    console.wait_markers(SEEN_BY_USA - {"USA-EX-DDG43"})
    page.check("#f-stale")
    console.wait_markers(SEEN_BY_USA)

    # Exports download with the token in the header, never in a URL.
    with page.expect_download() as got:
        page.click("#export-geojson")
    exported = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert {f["id"] for f in exported["features"]} == SEEN_BY_USA
    assert got.value.suggested_filename.startswith("cop-USA-")

    # The unmanned aircraft selected: operator nation and control link; then the picture.
    page.locator(".trk[data-uid='USA-EX-UAS42'] img.sym").click()
    page.locator("#d-callsign", has_text="BLUE RPA 42").wait_for()
    assert console.text("#d-operator") == "USA"
    assert console.text("#d-link") == "DEGRADED"
    assert page.locator("#d-operator").is_visible()
    assert page.locator("#d-link").is_visible()
    shot = tmp_path / "console.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    if os.environ.get("ALLIANCE_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, DOCS_PNG)

    # 日本語: every string on the page changes, the banner included.
    page.click("#console button.lang[data-lang='ja']")
    page.wait_for_function("() => document.documentElement.lang === 'ja'")
    # A US control marking is a prescribed string: the same in the Japanese console.
    assert console.text("#banner-bottom") == banner.ja == "CUI//REL TO USA, JPN"
    note = console.text("#banner-note")
    assert "航跡" in note, note
    assert console.text("#banner-top") == f"{banner.ja} {note}"
    headers = page.locator("#tracks th").all_inner_texts()
    assert headers == ["呼出符号", "国", "領域", "識別", "位置", "時刻（Z）", "提供範囲"]
    assert console.text("#released-to") == "USAへ提供された状況図"
    assert console.text("#d-link") == "劣化"
    assert console.text("#tabs .tab[data-pane='pane-cop']") == "状況図"
    assert page.locator("#f-domain option[value='air']").inner_text() == "航空"
    _no_english_left(console)

    # Signing out forgets the token; the sign-in screen stays in Japanese.
    page.click("#signout")
    page.locator("#signin").wait_for(state="visible")
    assert page.evaluate("sessionStorage.getItem('alliance.token')") is None
    assert console.text("#signin h1") == "サインイン"
    assert console.text("#signin-button") == "サインイン"
    assert console.text("#banner-top") == "非秘密"
    _no_english_left(console)

    assert console.outside == [], "the console tried to reach beyond this node"
    assert console.errors == []


def test_only_the_console_and_its_libraries_are_served(
    served: tuple[LiveServer, dict[str, Actor], dict[str, str]],
) -> None:
    live, _actors, _tokens = served
    with httpx.Client(base_url=live.url) as client:
        for path in (
            "/console/console.js",
            "/console/i18n.js",
            "/static/leaflet/leaflet.js",
            "/static/milsymbol/milsymbol.js",
            "/static/mgrs/mgrs.min.js",
            "/static/topojson-client/topojson-client.min.js",
            "/static/world-atlas/countries-50m.json",
            "/static/d3-hierarchy/d3-hierarchy.min.js",
            "/console/desks/org/pane.js",
            "/console/node/health/pane.js",
        ):
            got = client.get(path)
            assert got.status_code == 200, path
            assert got.headers["x-content-type-options"] == "nosniff", path
        for path in (
            "/static/leaflet/package.json",  # the package's dist/ only
            "/static/leaflet/../package.json",
            "/static/commander/package.json",  # not a console library
            "/static/d3-hierarchy/d3-hierarchy.js",  # only the file the page loads
            "/console/../__init__.py",
        ):
            assert client.get(path).status_code == 404, path


def _no_english_left(console: Console) -> None:
    """No English string of the console's tables (the shell's and every pane's) is
    visible in Japanese mode."""
    table = console.js(
        """async () => {
          const bases = ['/console/'];
          for (const pane of document.querySelectorAll('.pane[data-base]')) bases.push(pane.dataset.base);
          const out = [];
          for (const base of bases) {
            const m = await import(base + 'i18n.js');
            out.push(...Object.values(m.STRINGS));
            for (const kind of Object.values(m.LABELS || {})) out.push(...Object.values(kind));
          }
          return out;
        }"""
    )
    shown = console.page.inner_text("body")
    leftovers = [
        entry["en"]
        for entry in table
        if entry["en"] not in entry["ja"]
        and re.search(rf"(?<![\w-]){re.escape(entry['en'])}(?![\w-])", shown)
    ]
    assert leftovers == [], leftovers
