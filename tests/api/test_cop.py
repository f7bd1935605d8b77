"""The COP over HTTP: reports from the owning nation only, the picture filtered
by marking, exports and live updates carrying only what is released."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
from defusedxml.ElementTree import fromstring

from alliance.config import load_settings
from alliance.node import Node

from .conftest import Headers, Site, assert_error

IZUMO = {
    "uid": "JPN-DDH-183",
    "sidc": "SFSPCLDD-------",
    "callsign": "IZUMO / いずも",
    "lat": 35.2833,
    "lon": 139.6667,
    "course": 92.5,
    "speed": 8.2,
    "marking": {"releasable_to": ["USA"]},
}
QUIET = {
    "uid": "JPN-SS-QUIET",
    "sidc": "SFUPSN---------",
    "callsign": "National only",
    "lat": 34.9,
    "lon": 139.9,
}


def _report(site: Site, who: Headers, body: dict[str, Any]) -> httpx.Response:
    return site.client.post("/cop/tracks", json=body, headers=who)


def test_partner_sees_released_tracks_only(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    assert _report(site, jpn, IZUMO).status_code == 201
    assert _report(site, jpn, QUIET).status_code == 201
    seen = {t["uid"]: t for t in site.client.get("/cop/tracks", headers=usa).json()}
    assert "JPN-DDH-183" in seen
    assert "JPN-SS-QUIET" not in seen
    izumo = seen["JPN-DDH-183"]
    assert izumo["owner"] == "JPN"
    assert izumo["cot_type"] == "a-f-S-C-L-D-D"
    assert izumo["domain"] == "maritime"
    assert izumo["marking"]["banner"]["en"] == "UNCLASSIFIED//REL TO JPN, USA"
    assert_error(site.client.get("/cop/tracks/JPN-SS-QUIET", headers=usa), 404, "not_found")
    own = {t["uid"] for t in site.client.get("/cop/tracks", headers=jpn).json()}
    assert {"JPN-DDH-183", "JPN-SS-QUIET"} <= own


def test_a_partner_cannot_move_our_track(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "commander", "usa-jfhq")
    _report(site, jpn, IZUMO)
    moved = dict(IZUMO, lat=10.0, marking={"releasable_to": ["JPN"]})
    assert_error(_report(site, usa, moved), 403, "not_owner_nation")
    still = site.client.get("/cop/tracks/JPN-DDH-183", headers=jpn).json()
    assert still["lat"] == IZUMO["lat"]


def test_bad_reports_are_refused_and_change_nothing(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    for bad, field in (
        (dict(IZUMO, lat=95), "lat"),
        (dict(IZUMO, sidc="NOT-A-SIDC"), "sidc"),
        (dict(IZUMO, uid="has space"), "uid"),
        (dict(IZUMO, surprise=1), "surprise"),
        (dict(IZUMO, time="9999-12-31T23:59:59Z"), "time"),  # no stale time after it exists
    ):
        assert_error(_report(site, jpn, bad), 422, _code(field), field=field)
    assert site.client.get("/cop/tracks", headers=jpn).json() == []


def _code(field: str) -> str:
    return "invalid_sidc" if field == "sidc" else "invalid"


def test_viewers_report_nothing(site: Site) -> None:
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    assert_error(_report(site, viewer, IZUMO), 403, "role_not_authorized")


def test_exports_carry_only_what_is_released(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    _report(site, jpn, IZUMO)
    _report(site, jpn, QUIET)
    gj = site.client.get("/cop/export.geojson", headers=usa)
    assert gj.headers["content-type"].startswith("application/geo+json")
    features = gj.json()["features"]
    assert [f["id"] for f in features] == ["JPN-DDH-183"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [139.6667, 35.2833]}
    k = site.client.get("/cop/export.kml", headers=usa)
    root = fromstring(k.content)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [
        p.findtext("k:name", namespaces=ns)
        for p in root.iter("{http://www.opengis.net/kml/2.2}Placemark")
    ]
    assert names == ["IZUMO / いずも"]
    assert b"JPN-SS-QUIET" not in k.content


def test_live_updates_carry_only_what_is_released(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    received: list[dict[str, Any]] = []
    ready = threading.Event()

    def listen() -> None:
        with site.client.stream("GET", "/cop/stream", headers=usa, timeout=20) as response:
            ready.set()
            for line in response.iter_lines():
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
                    if received[-1]["uid"] == "JPN-DDH-183":
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10)
    _report(site, jpn, QUIET)
    _report(site, jpn, IZUMO)
    thread.join(15)
    assert [t["uid"] for t in received] == ["JPN-DDH-183"]


def test_the_picture_survives_a_restart(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _report(site, jpn, IZUMO)
    _report(site, jpn, dict(IZUMO, lat=35.3))
    node = site.node
    node.cop.store.flush()
    again = Node(load_settings(node.settings.home, database_url=node.settings.database_url))
    again.cop.start()
    try:
        track = again.cop.hub.get("JPN-DDH-183", "JPN")
        assert track is not None
        assert track.lat == 35.3
        assert len(again.cop.hub.history("JPN-DDH-183", "JPN")) == 0  # history is in the table
    finally:
        again.cop.stop()
        again.db.dispose()
