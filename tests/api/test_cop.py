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

SHIP = {
    "uid": "JPN-EX-DD03",
    "sidc": "SFSPCLDD-------",
    "callsign": "BLUE DD 03 / 演習護衛艦03",
    "lat": 35.2833,
    "lon": 139.6667,
    "course": 92.5,
    "speed": 8.2,
    "marking": {"releasable_to": ["USA"]},
}
QUIET = {
    "uid": "JPN-SS-QUIET",
    "sidc": "SFGPUCR----E---",
    "callsign": "National only",
    "lat": 34.9,
    "lon": 139.9,
}


def _report(site: Site, who: Headers, body: dict[str, Any]) -> httpx.Response:
    return site.client.post("/cop/tracks", json=body, headers=who)


def test_partner_sees_released_tracks_only(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    assert _report(site, jpn, SHIP).status_code == 201
    assert _report(site, jpn, QUIET).status_code == 201
    seen = {t["uid"]: t for t in site.client.get("/cop/tracks", headers=usa).json()}
    assert set(seen) == {"JPN-EX-DD03"}
    ship = seen["JPN-EX-DD03"]
    assert ship["owner"] == "JPN"
    assert ship["cot_type"] == "a-f-S-C-L-D-D"
    assert ship["domain"] == "maritime"
    # Written as the viewer's nation writes it, as the banner and exports do.
    assert ship["marking"]["banner"]["en"] == "CUI//REL TO USA, JPN"
    assert ship["marking"]["portion"]["en"] == "(CUI//REL TO USA, JPN)"
    assert ship["marking"]["tlp_label"] is None
    assert_error(site.client.get("/cop/tracks/JPN-SS-QUIET", headers=usa), 404, "not_found")
    own = {t["uid"]: t["owner"] for t in site.client.get("/cop/tracks", headers=jpn).json()}
    assert own == {"JPN-EX-DD03": "JPN", "JPN-SS-QUIET": "JPN"}


def test_a_partner_cannot_move_our_track(site: Site) -> None:
    """A USA report under JPN's uid makes a USA track of its own; JPN's stays put."""
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "commander", "usa-jfhq")
    _report(site, jpn, SHIP)
    moved = dict(SHIP, lat=10.0, marking={"releasable_to": ["JPN"]})
    made = _report(site, usa, moved)
    assert made.status_code == 201, made.text
    assert made.json()["owner"] == "USA"
    still = site.client.get("/cop/tracks/JPN-EX-DD03", headers=jpn).json()
    assert (still["owner"], still["lat"]) == ("JPN", SHIP["lat"])
    # USA sees its own under that uid; JPN's, released to it, on asking for it.
    assert site.client.get("/cop/tracks/JPN-EX-DD03", headers=usa).json()["lat"] == 10.0
    theirs = site.client.get("/cop/tracks/JPN-EX-DD03?owner=JPN", headers=usa).json()
    assert (theirs["owner"], theirs["lat"]) == ("JPN", SHIP["lat"])


def test_a_report_on_a_partners_secret_uid_answers_as_on_a_free_uid(site: Site) -> None:
    """No existence oracle: USA reporting under the uid of a JPN national-only
    track gets what it gets for a free uid, and JPN's track is untouched."""
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    assert _report(site, jpn, QUIET).status_code == 201
    jpn_before = site.client.get("/cop/tracks/JPN-SS-QUIET", headers=jpn).json()

    ours = dict(QUIET, lat=20.0, lon=130.0, callsign="USA boat", time="2026-11-29T00:00:00Z")
    taken = _report(site, usa, ours)
    free = _report(site, usa, dict(ours, uid="USA-FREE-UID"))
    assert (taken.status_code, free.status_code) == (201, 201), (taken.text, free.text)
    assert dict(taken.json(), uid="USA-FREE-UID") == free.json()
    assert taken.json()["owner"] == "USA"

    # JPN's track: same position, owner and marking; JPN's picture shows its own.
    assert site.client.get("/cop/tracks/JPN-SS-QUIET", headers=jpn).json() == jpn_before
    assert jpn_before["marking"]["releasable_to"] == ["JPN"]
    shown = [
        t for t in site.client.get("/cop/tracks", headers=jpn).json() if t["uid"] == QUIET["uid"]
    ]
    assert shown == [jpn_before]
    history = site.client.get("/cop/tracks/JPN-SS-QUIET/history", headers=jpn).json()
    assert [(p["owner"], p["lat"]) for p in history] == [("JPN", QUIET["lat"])]
    # USA's picture shows USA's own; JPN's is as absent to it as a nation holding none.
    assert site.client.get("/cop/tracks/JPN-SS-QUIET", headers=usa).json()["owner"] == "USA"
    secret = site.client.get("/cop/tracks/JPN-SS-QUIET?owner=JPN", headers=usa)
    absent = site.client.get("/cop/tracks/JPN-SS-QUIET?owner=GBR", headers=usa)
    assert_error(secret, 404, "not_found")
    assert (secret.status_code, secret.json()) == (absent.status_code, absent.json())
    for path in (
        "/cop/tracks/JPN-SS-QUIET/history?owner=JPN",
        "/cop/tracks/JPN-SS-QUIET/history?owner=GBR",
    ):
        assert site.client.get(path, headers=usa).json() == secret.json()


def test_a_partner_sees_only_released_points_and_nothing_once_the_release_narrows(
    site: Site,
) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    secret = dict(SHIP, marking={"releasable_to": []})
    assert (
        _report(site, jpn, dict(secret, lat=30.0, time="2026-11-29T00:00:00Z")).status_code == 201
    )
    assert _report(site, jpn, dict(SHIP, lat=31.0, time="2026-11-29T00:01:00Z")).status_code == 201
    path = "/cop/tracks/JPN-EX-DD03/history"
    # JPN sees every point; USA only the one released to it.
    assert [p["lat"] for p in site.client.get(path, headers=jpn).json()] == [30.0, 31.0]
    assert [p["lat"] for p in site.client.get(path, headers=usa).json()] == [31.0]

    assert (
        _report(site, jpn, dict(secret, lat=32.0, time="2026-11-29T00:02:00Z")).status_code == 201
    )
    absent = site.client.get("/cop/tracks/NO-SUCH-TRACK", headers=usa)
    for url in ("/cop/tracks/JPN-EX-DD03", path, path + "?owner=JPN"):
        gone = site.client.get(url, headers=usa)
        assert_error(gone, 404, "not_found")
        assert gone.json() == _renamed(absent.json(), "NO-SUCH-TRACK", "JPN-EX-DD03")
    assert site.client.get("/cop/tracks", headers=usa).json() == []
    assert [p["lat"] for p in site.client.get(path, headers=jpn).json()] == [30.0, 31.0, 32.0]


def _renamed(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """An error body with one id swapped for another (the message names the id)."""
    renamed: dict[str, Any] = json.loads(json.dumps(body).replace(old, new))
    return renamed


def test_bad_reports_are_refused_and_change_nothing(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    for bad, field, code in (
        (dict(SHIP, lat=95), "lat", "invalid"),
        (dict(SHIP, sidc="NOT-A-SIDC"), "sidc", "invalid_sidc"),
        (dict(SHIP, uid="has space"), "uid", "invalid"),
        (dict(SHIP, surprise=1), "surprise", "invalid"),
        (dict(SHIP, callsign="BLUE\u0000"), "callsign", "control_character"),
        (dict(SHIP, callsign="\u202eEULB"), "callsign", "control_character"),
        (dict(SHIP, remarks="ok\nthen \u0000"), "remarks", "control_character"),
        (dict(SHIP, time="9999-12-31T23:00:00Z"), "time", "time_out_of_range"),
        (dict(SHIP, time="0001-01-01T00:00:00+01:00"), "time", "time_out_of_range"),
        (dict(SHIP, time="1899-12-31T23:59:59Z"), "time", "time_out_of_range"),
    ):
        assert_error(_report(site, jpn, bad), 422, code, field=field)
    assert site.client.get("/cop/tracks", headers=jpn).json() == []
    # Line breaks in remarks are text, not control characters.
    assert _report(site, jpn, dict(SHIP, remarks="line one\nline two")).status_code == 201


def test_viewers_report_nothing(site: Site) -> None:
    viewer = site.as_("JPN", "viewer", "jpn-jjoc")
    assert_error(_report(site, viewer, SHIP), 403, "role_not_authorized")


def test_exports_carry_only_what_is_released(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    _report(site, jpn, SHIP)
    _report(site, jpn, QUIET)
    gj = site.client.get("/cop/export.geojson", headers=usa)
    assert gj.headers["content-type"].startswith("application/geo+json")
    features = gj.json()["features"]
    assert [f["id"] for f in features] == ["JPN-EX-DD03"]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [139.6667, 35.2833]}
    k = site.client.get("/cop/export.kml", headers=usa)
    root = fromstring(k.content)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [
        p.findtext("k:name", namespaces=ns)
        for p in root.iter("{http://www.opengis.net/kml/2.2}Placemark")
    ]
    assert names == ["BLUE DD 03 / 演習護衛艦03"]
    assert b"JPN-SS-QUIET" not in k.content


def test_live_updates_carry_only_what_is_released(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    received: list[dict[str, Any]] = []
    ready = threading.Event()

    def listen() -> None:
        for kind, data in _events(site, usa, ready, until="JPN-EX-DD03"):
            if kind == "track":
                received.append(data)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10)
    _report(site, jpn, QUIET)
    _report(site, jpn, SHIP)
    thread.join(15)
    assert [t["uid"] for t in received] == ["JPN-EX-DD03"]


def _events(
    site: Site, who: Headers, ready: threading.Event, *, until: str
) -> list[tuple[str, dict[str, Any]]]:
    """The stream's events (name, data) up to the banner after the track ``until``."""
    out: list[tuple[str, dict[str, Any]]] = []
    kind = "message"
    with site.client.stream("GET", "/cop/stream", headers=who, timeout=20) as response:
        ready.set()
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                out.append((kind, json.loads(line[6:])))
                seen = [d.get("uid") for k, d in out if k == "track"]
                if until in seen and kind == "banner":
                    return out
    return out


def test_the_live_picture_carries_its_banner_in_both_languages(site: Site) -> None:
    """The node sends the banner of what the stream has shown; the console
    displays it and builds none. It narrows as soon as a narrower track shows."""
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    both = dict(SHIP, marking={"releasable_to": ["USA", "AUS"], "tlp": "GREEN"})
    assert _report(site, jpn, both).status_code == 201
    events: list[tuple[str, dict[str, Any]]] = []
    ready = threading.Event()
    narrower = dict(QUIET, uid="JPN-SS-PAIR", marking={"releasable_to": ["USA"], "tlp": "AMBER"})

    def listen() -> None:
        events.extend(_events(site, usa, ready, until="JPN-SS-PAIR"))

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10)
    assert _report(site, jpn, narrower).status_code == 201
    thread.join(15)
    banners = [d for k, d in events if k == "banner"]
    # As a US viewer's practice writes it (USA first), the TLP a label of its own.
    assert [(b["banner"], b["tlp_label"]) for b in banners] == [
        (
            {"en": "CUI//REL TO USA, AUS, JPN", "ja": "CUI//REL TO USA, AUS, JPN"},
            {"en": "TLP:GREEN", "ja": "TLP:GREEN"},
        ),
        (
            {"en": "CUI//REL TO USA, JPN", "ja": "CUI//REL TO USA, JPN"},
            {"en": "TLP:AMBER", "ja": "TLP:AMBER"},
        ),
    ]
    assert banners[-1]["releasable_to"] == ["JPN", "USA"]
    assert banners[-1]["tlp"] == "AMBER"
    # Each banner says which tracks set it, both languages.
    assert banners[0]["note"] == {
        "en": "All tracks shown (1) share this marking.",
        "ja": "表示中の航跡（1件）はすべて同じ区分です。",
    }
    assert banners[-1]["note"] == {
        "en": "CUI//REL TO USA, JPN set by 1 of 2 tracks: National only; "
        "TLP:AMBER set by 1 of 2 tracks: National only.",
        "ja": "CUI//REL TO USA, JPN：2件中1件の航跡による（National only）。"
        "TLP:AMBER：2件中1件の航跡による（National only）。",
    }


def test_an_export_is_marked_with_what_every_track_in_it_shares(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    empty = site.client.get("/cop/export.geojson", headers=usa).json()
    assert (empty["banner"], empty["tlp"]) == ("CUI//NOFORN", None)
    _report(site, jpn, dict(SHIP, marking={"releasable_to": ["USA"], "tlp": "AMBER"}))
    want = "CUI//REL TO USA, JPN"
    shared = site.client.get("/cop/export.geojson", headers=usa).json()
    assert (shared["banner"], shared["tlp"]) == (want, "TLP:AMBER")
    mine = site.client.get("/cop/export.geojson", headers=jpn).json()
    assert (
        mine["banner"]
        == "CHUI (HANDLE WITH CARE)//RELEASABLE TO JPN, USA / 注意（提供先：JPN, USA）"
    )
    # Each item keeps its own TLP, and its marking in the viewer's words.
    assert [f["properties"]["tlp"] for f in shared["features"]] == ["TLP:AMBER"]
    assert [f["properties"]["marking"]["banner"]["en"] for f in shared["features"]] == [want]
    # Each item's portion mark, as the viewer's nation writes it.
    assert [f["properties"]["portion"] for f in shared["features"]] == ["(CUI//REL TO USA, JPN)"]
    assert [f["properties"]["portion"] for f in mine["features"]] == ["(CHUI) / （注意）"]
    root = fromstring(site.client.get("/cop/export.kml", headers=usa).content)
    placemarks = root.iter("{http://www.opengis.net/kml/2.2}Placemark")
    described = [p.findtext("{http://www.opengis.net/kml/2.2}description") for p in placemarks]
    # Each placemark keeps its TLP beside its portion mark.
    assert [(d or "").split(" | ")[0] for d in described] == ["(CUI//REL TO USA, JPN) TLP:AMBER"]
    assert (
        root.findtext(
            "{http://www.opengis.net/kml/2.2}Document/{http://www.opengis.net/kml/2.2}name"
        )
        == want
    )
    assert (
        root.findtext(
            "{http://www.opengis.net/kml/2.2}Document/{http://www.opengis.net/kml/2.2}description"
        )
        == "TLP:AMBER | All tracks shown (1) share this marking. / "
        "表示中の航跡（1件）はすべて同じ区分です。"
    )


def test_the_banner_note_names_the_tracks_that_set_it(site: Site) -> None:
    """18 of 19 tracks releasable to USA and one national-only: the JPN banner is
    national-only, and the note says which track made it so (both languages)."""
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    for i in range(18):
        shared = dict(SHIP, uid=f"JPN-EX-DD{i:02d}", callsign=f"BLUE DD {i:02d}")
        assert _report(site, jpn, shared).status_code == 201
    assert _report(site, jpn, QUIET).status_code == 201
    export = site.client.get("/cop/export.geojson", headers=jpn).json()
    assert export["banner"] == "BUNAI KAGIRI (INTERNAL ONLY) / 部内限り"
    assert export["banner_note"] == {
        "en": "BUNAI KAGIRI (INTERNAL ONLY) set by 1 of 19 tracks: National only.",
        "ja": "部内限り：19件中1件の航跡による（National only）。",
    }
    root = fromstring(site.client.get("/cop/export.kml", headers=jpn).content)
    described = root.findtext(
        "{http://www.opengis.net/kml/2.2}Document/{http://www.opengis.net/kml/2.2}description"
    )
    assert described is not None
    assert "set by 1 of 19 tracks: National only" in described
    assert "19件中1件の航跡による（National only）" in described


def test_the_picture_survives_a_restart(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _report(site, jpn, SHIP)
    _report(site, jpn, dict(SHIP, lat=35.3))
    node = site.node
    node.cop.store.flush()
    again = Node(load_settings(node.settings.home, database_url=node.settings.database_url))
    again.cop.start()
    try:
        track = again.cop.hub.get("JPN-EX-DD03", "JPN")
        assert track is not None
        assert track.lat == 35.3
        assert len(again.cop.hub.history("JPN-EX-DD03", "JPN")) == 0  # history is in the table
    finally:
        again.cop.stop()
        again.db.dispose()


# -- bilingual data: the Japanese callsign and remarks beside the English ---------

BILINGUAL = dict(
    SHIP,
    uid="JPN-EX-DD07",
    callsign="BLUE DD 07 (notional)",
    callsign_ja="演習護衛艦07（想定）",
    remarks="Exercise escort, notional",
    remarks_ja="演習用の護衛艦（想定）\n二行目",
)


def test_the_japanese_callsign_and_remarks_go_in_and_come_out_beside_the_english(
    site: Site,
) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    made = _report(site, jpn, BILINGUAL)
    assert made.status_code == 201, made.text
    want = {
        "callsign": "BLUE DD 07 (notional)",
        "callsign_ja": "演習護衛艦07（想定）",
        "remarks": "Exercise escort, notional",
        "remarks_ja": "演習用の護衛艦（想定）\n二行目",
    }
    fields = list(want)
    assert {k: made.json()[k] for k in fields} == want
    # As the owner reads it, as the partner it is released to reads it, in the picture.
    for who in (jpn, usa):
        one = site.client.get("/cop/tracks/JPN-EX-DD07", headers=who).json()
        assert {k: one[k] for k in fields} == want
        [listed] = site.client.get("/cop/tracks", headers=who).json()
        assert {k: listed[k] for k in fields} == want
    # Exports: every GeoJSON feature has both; a KML placemark is named by the
    # callsign every client reads (the English one) and carries the Japanese one.
    [feature] = site.client.get("/cop/export.geojson", headers=usa).json()["features"]
    assert {k: feature["properties"][k] for k in fields} == want
    kml = fromstring(site.client.get("/cop/export.kml", headers=usa).content)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    placemark = kml.find(".//k:Placemark", ns)
    assert placemark is not None
    assert placemark.findtext("k:name", namespaces=ns) == "BLUE DD 07 (notional)"
    data = {
        d.get("name"): d.findtext("k:value", namespaces=ns)
        for d in placemark.iter("{http://www.opengis.net/kml/2.2}Data")
    }
    assert data["callsign_ja"] == want["callsign_ja"]
    # Without Japanese, the fields are empty, not absent.
    plain = _report(site, jpn, dict(SHIP)).json()
    assert (plain["callsign_ja"], plain["remarks_ja"]) == ("", "")


def test_the_banner_note_names_a_track_by_its_japanese_callsign_in_japanese(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _report(site, jpn, dict(BILINGUAL, marking={}))  # national only: it sets the banner
    _report(site, jpn, SHIP)
    note = site.client.get("/cop/export.geojson", headers=jpn).json()["banner_note"]
    assert note["en"].endswith("set by 1 of 2 tracks: BLUE DD 07 (notional)."), note
    assert note["ja"].endswith("2件中1件の航跡による（演習護衛艦07（想定））。"), note


def test_a_japanese_callsign_or_remarks_too_long_or_with_a_control_character_is_refused(
    site: Site,
) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    for bad, field, code in (
        (dict(BILINGUAL, callsign_ja="長" * 201), "callsign_ja", "invalid"),
        (dict(BILINGUAL, callsign_ja="護衛艦\u0000"), "callsign_ja", "control_character"),
        (dict(BILINGUAL, callsign_ja="護衛艦\n07"), "callsign_ja", "control_character"),
        (dict(BILINGUAL, callsign_ja="\u202e70艦衛護"), "callsign_ja", "control_character"),
        (dict(BILINGUAL, remarks_ja="長" * 2001), "remarks_ja", "invalid"),
        (dict(BILINGUAL, remarks_ja="備考\u0007"), "remarks_ja", "control_character"),
    ):
        assert_error(_report(site, jpn, bad), 422, code, field=field)
    # Nothing of them was taken.
    assert site.client.get("/cop/tracks", headers=jpn).json() == []
    # At the limits, both are taken.
    at_limit = dict(BILINGUAL, callsign_ja="長" * 200, remarks_ja="長" * 2000)
    assert _report(site, jpn, at_limit).status_code == 201


def test_the_japanese_callsign_and_remarks_survive_a_restart(site: Site) -> None:
    jpn = site.as_("JPN", "staff_officer", "jpn-jjoc")
    _report(site, jpn, BILINGUAL)
    node = site.node
    node.cop.store.flush()
    again = Node(load_settings(node.settings.home, database_url=node.settings.database_url))
    again.cop.start()
    try:
        track = again.cop.hub.get("JPN-EX-DD07", "JPN")
        assert track is not None
        assert (track.callsign, track.callsign_ja, track.remarks_ja) == (
            BILINGUAL["callsign"],
            BILINGUAL["callsign_ja"],
            BILINGUAL["remarks_ja"],
        )
    finally:
        again.cop.stop()
        again.db.dispose()
