"""The airspace desk over the API on a combined node (JPN and USA authority):
proposing, the conflicts each nation sees, approval refused while a
cross-nation conflict is open, withdrawal, and bad input refused with
nothing stored."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from defusedxml import ElementTree

from tests.api.conftest import Site, assert_error, site

from .helpers import measure

__all__ = ["site"]

A = "/airspace"


def _propose(site: Site, nation: str, body: dict[str, Any]) -> dict[str, Any]:
    hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[nation]
    r = site.client.post(f"{A}/measures", json=body, headers=site.as_(nation, "staff_officer", hq))
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_cross_nation_conflict_opens_one_request_and_blocks_approval_until_concurred(
    site: Site,
) -> None:
    c = site.client
    jpn, usa = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    mine = _propose(site, "JPN", measure("ROZ EX-1", release=["USA"]))
    theirs = _propose(
        site, "USA", measure("UAS EX-7", 139.05, 35.05, release=["JPN"], kind="uas_volume")
    )
    apart = _propose(
        site, "USA", measure("TA EX-9", 141.0, 38.0, release=["JPN"], kind="training_area")
    )
    assert mine["status"] == "proposed"

    for headers in (jpn, usa):
        listed = c.get(f"{A}/conflicts", headers=headers).json()
        assert [(x["a"], x["b"]) for x in listed] == [tuple(sorted((mine["id"], theirs["id"])))]
        assert listed[0]["cross_nation"] is True
        assert listed[0]["distance_m"] == 0.0
    assert c.get(f"{A}/measures/{apart['id']}/conflicts", headers=jpn).json() == []

    # The partner sees the volume, not the purpose kept national.
    seen = c.get(f"{A}/measures/{mine['id']}", headers=usa).json()
    assert seen["volume"] == mine["volume"]
    assert seen["purpose"] is None
    assert (
        c.get(f"{A}/measures/{mine['id']}", headers=jpn)
        .json()["purpose"]["name_ja"]
        .startswith("訓練用措置")
    )

    # Exactly one coordination request, opened by the owner of the measure
    # changed last (USA's) from its HQ to the other owner's, seen by both.
    request_ids = {
        x["request_id"] for h in (jpn, usa) for x in c.get(f"{A}/conflicts", headers=h).json()
    }
    assert len(request_ids) == 1
    (rid,) = request_ids
    assert rid is not None
    for headers in (jpn, usa):
        requests = [
            r
            for r in c.get("/acm/requests", headers=headers).json()
            if r["subject"].startswith("Airspace conflict")
        ]
        assert [r["id"] for r in requests] == [rid]
    request = c.get(f"/acm/requests/{rid}", headers=jpn).json()["request"]
    assert (request["from_hq_id"], request["to_hq_ids"], request["status"]) == (
        "usa-jfhq",
        ["jpn-jjoc"],
        "sent",
    )
    assert request["subject_ja"] == "空域競合: UAS EX-7 / ROZ EX-1"
    assert "Exercise measure" not in request["body"]  # the purposes stay out of it

    for who, headers in ((mine, jpn), (theirs, usa)):
        refused = c.post(f"{A}/measures/{who['id']}/approve", headers=headers)
        body = assert_error(refused, 409, "not_coordinated")
        assert rid in body["message"]["ja"]

    concur = c.post(f"/acm/requests/{rid}/responses", json={"kind": "concur"}, headers=jpn)
    assert concur.status_code == 201, concur.text
    for who, headers in ((mine, jpn), (theirs, usa)):
        approved = c.post(f"{A}/measures/{who['id']}/approve", headers=headers)
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
    # Still in conflict, now coordinated: nothing new is opened.
    assert {x["request_id"] for x in c.get(f"{A}/conflicts", headers=jpn).json()} == {rid}

    # JPN moves its zone a little, still over the US volume: the concurrence was
    # about the old zone. JPN changed last, so JPN's node opens a new request,
    # and the zone waits for it.
    moved = measure("ROZ EX-1", 139.02, 35.02)["volume"]
    r = c.patch(f"{A}/measures/{mine['id']}", json={"volume": moved}, headers=jpn)
    assert r.json()["status"] == "proposed"
    (again,) = c.get(f"{A}/conflicts", headers=usa).json()
    assert again["request_id"] not in (None, rid)
    body = assert_error(
        c.post(f"{A}/measures/{mine['id']}/approve", headers=jpn), 409, "not_coordinated"
    )
    assert again["request_id"] in body["message"]["en"]
    newest = c.get(f"/acm/requests/{again['request_id']}", headers=usa).json()["request"]
    assert (newest["from_hq_id"], newest["to_hq_ids"]) == ("jpn-jjoc", ["usa-jfhq"])


def test_a_partner_does_not_see_a_conflict_with_a_measure_not_released_to_it(site: Site) -> None:
    c = site.client
    jpn, usa = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    national = _propose(site, "JPN", measure("ROZ EX-2"))
    theirs = _propose(site, "USA", measure("UAS EX-8", 139.05, 35.05, release=["JPN"]))
    assert c.get(f"{A}/conflicts", headers=usa).json() == []
    assert [x["b"] for x in c.get(f"{A}/conflicts", headers=jpn).json()] == [theirs["id"]]
    assert c.get(f"{A}/measures/{national['id']}", headers=usa).status_code == 404
    draft = c.post(f"{A}/check", headers=usa, json={"volume": measure("X")["volume"]}).json()
    assert [x["b"] for x in draft["conflicts"]] == [theirs["id"]]  # JPN's national one unseen
    # USA cannot see JPN's measure: no request is opened (it would disclose it),
    # and JPN's approval is refused until it releases the volume to coordinate.
    assert c.get("/acm/requests", headers=jpn).json() == []
    assert_error(
        c.post(f"{A}/measures/{national['id']}/approve", headers=jpn), 409, "cross_nation_conflict"
    )
    # USA withdraws its measure: the conflict is gone, JPN's approval goes through.
    assert (
        c.post(f"{A}/measures/{theirs['id']}/withdraw", headers=usa).json()["status"] == "withdrawn"
    )
    assert c.get(f"{A}/conflicts", headers=jpn).json() == []
    assert c.get(f"{A}/measures/{theirs['id']}", headers=jpn).status_code == 404
    assert (
        c.post(f"{A}/measures/{national['id']}/approve", headers=jpn).json()["status"] == "approved"
    )


def test_moving_a_measure_clears_its_conflict_and_a_changed_one_is_approved_again(
    site: Site,
) -> None:
    c = site.client
    jpn, usa = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    mine = _propose(site, "JPN", measure("ROZ EX-5"))
    theirs = _propose(site, "JPN", measure("TA EX-6", 139.05, 35.05))
    assert len(c.get(f"{A}/conflicts", headers=jpn).json()) == 1  # within JPN: no request
    moved = measure("ROZ EX-5", 139.5, 35.5)["volume"]
    r = c.patch(f"{A}/measures/{mine['id']}", json={"volume": moved, "version": 1}, headers=jpn)
    assert r.status_code == 200, r.text
    assert r.json()["volume"]["footprint"]["coordinates"][0] == [139.5, 35.5]
    assert c.get(f"{A}/conflicts", headers=jpn).json() == []
    assert (
        c.post(f"{A}/measures/{theirs['id']}/approve", headers=jpn).json()["status"] == "approved"
    )
    # A new window on an approved measure: proposed again, deconflicted again.
    window = {"start": "2026-12-11T00:00:00Z", "end": "2026-12-11T06:00:00Z"}
    later = {**measure("TA EX-6", 139.05, 35.05)["volume"], "window": window}
    r = c.patch(f"{A}/measures/{theirs['id']}", json={"volume": later}, headers=jpn)
    assert r.json()["status"] == "proposed"
    # A stale version is refused; the partner may not change it; a bad volume names its field.
    assert_error(
        c.patch(f"{A}/measures/{mine['id']}", json={"designator": "X", "version": 1}, headers=jpn),
        409,
        "version_conflict",
    )
    assert (
        c.patch(f"{A}/measures/{mine['id']}", json={"designator": "X"}, headers=usa).status_code
        == 404
    )
    bad = {**moved, "window": {"start": "2026-12-10T06:00:00Z", "end": "2026-12-10T00:00:00Z"}}
    assert_error(
        c.patch(f"{A}/measures/{mine['id']}", json={"volume": bad}, headers=jpn),
        422,
        "invalid_volume",
        "volume.window.end",
    )
    assert c.get(f"{A}/measures/{mine['id']}", headers=jpn).json()["volume"] == r_volume(moved)


def r_volume(raw: dict[str, Any]) -> dict[str, Any]:
    """A volume as the node gives it back: its defaults filled in."""
    return {**raw, "buffer": {"lateral_m": 5556.0, "vertical_ft": 500.0}}


def test_bad_volumes_are_refused_naming_the_field_and_nothing_is_stored(site: Site) -> None:
    c = site.client
    staff = site.as_("JPN", "staff_officer", "jpn-jjoc")
    before = site.ledger_events()
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"window": {"start": "2026-12-10T06:00:00Z", "end": "2026-12-10T00:00:00Z"}},
            "volume.window.end",
        ),
        (
            {"altitude": {"lower": 9000, "lower_datum": "MSL", "upper": 50, "upper_datum": "FL"}},
            "volume.altitude.upper",
        ),
        (
            {"altitude": {"lower": 0, "lower_datum": "AGL", "upper": 50, "upper_datum": "FL"}},
            "volume.altitude.lower_datum",
        ),
        (
            {
                "footprint": {
                    "shape": "polygon",
                    "coordinates": [[139, 35], [139.1, 35.1], [139.1, 35], [139, 35.1]],
                }
            },
            "volume.footprint.coordinates",
        ),
    ]
    for change, field in cases:
        body = measure("BAD")
        body["volume"] = {**body["volume"], **change}
        assert_error(
            c.post(f"{A}/measures", json=body, headers=staff), 422, "invalid_volume", field
        )
    assert site.ledger_events() == before
    assert c.get(f"{A}/measures", headers=staff).json() == []


def test_measures_export_as_geojson_and_kml_with_their_markings(site: Site) -> None:
    usa = site.as_("USA", "staff_officer", "usa-jfhq")
    shared = _propose(site, "JPN", measure("ROZ EX-3", release=["USA"]))
    national = _propose(site, "JPN", measure("ROZ EX-4", 141.0, 38.0))
    r = site.client.get(f"{A}/measures.geojson", headers=usa)
    assert r.headers["content-type"] == "application/geo+json"
    doc = r.json()
    (f,) = doc["features"]  # never the national-only one
    assert f["id"] == shared["id"]
    assert f["properties"]["designator"] == "ROZ EX-3"
    assert "USA" in f["properties"]["portion"]
    assert f["geometry"]["type"] == "Polygon"
    assert doc["banner"]

    k = site.client.get(f"{A}/measures.kml", headers=usa)
    assert k.headers["content-type"] == "application/vnd.google-earth.kml+xml"
    root = ElementTree.fromstring(k.content)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [p.findtext("k:name", namespaces=ns) for p in root.iterfind(".//k:Placemark", ns)]
    assert names == ["ROZ EX-3"]
    assert national["id"] not in k.text
    ring = root.findtext(".//k:coordinates", namespaces=ns)
    assert ring is not None
    lon, lat, alt = (float(v) for v in ring.split()[0].split(","))
    assert alt == pytest.approx(10_000 * 0.3048, abs=0.1)  # the band's top, in metres
    assert 139.0 <= lon <= 139.1
    assert 35.0 <= lat <= 35.1


def _feature(designator: str, lon: float, lat: float, **props: Any) -> dict[str, Any]:
    body = measure(designator, lon, lat)
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [body["volume"]["footprint"]["coordinates"]],
        },
        "properties": {
            "designator": designator,
            "kind": "training_area",
            "name": f"{designator} (fictional)",
            "altitude": body["volume"]["altitude"],
            "window": body["volume"]["window"],
            **props,
        },
    }


def test_a_geojson_collection_is_imported_all_or_nothing(site: Site) -> None:
    c = site.client
    jpn, usa = site.as_("JPN", "commander", "jpn-jjoc"), site.as_("USA", "commander", "usa-jfhq")
    theirs = _propose(site, "USA", measure("UAS EX-9", 139.05, 35.05, release=["JPN"]))
    doc = {
        "type": "FeatureCollection",
        "features": [_feature("TA EX-A", 139.0, 35.0), _feature("TA EX-B", 142.0, 40.0)],
    }
    headers = {**jpn, "Content-Type": "application/geo+json"}
    before = site.ledger_events()
    bad = {**doc, "features": [doc["features"][0], _feature("TA EX-C", 142.0, 95.0)]}
    assert_error(
        c.post(f"{A}/measures/import", content=orjson.dumps(bad), headers=headers),
        422,
        "invalid_volume",
        "features[1].footprint.coordinates[0]",
    )
    nameless = {**doc, "features": [doc["features"][0], _feature("TA EX-D", 142.0, 40.0, name="")]}
    assert_error(
        c.post(f"{A}/measures/import", content=orjson.dumps(nameless), headers=headers),
        422,
        "invalid_geojson",
        "features[1].properties.name",
    )
    assert_error(
        c.post(f"{A}/measures/import", content=b"{not json", headers=headers),
        422,
        "invalid_geojson",
        "body",
    )
    assert site.ledger_events() == before  # nothing of a refused document was stored

    r = c.post(f"{A}/measures/import?release=USA", content=orjson.dumps(doc), headers=headers)
    assert r.status_code == 201, r.text
    made = r.json()
    assert [m["designator"] for m in made] == ["TA EX-A", "TA EX-B"]
    assert all("USA" in m["marking"]["releasable_to"] for m in made)
    listed = c.get(f"{A}/conflicts", headers=usa).json()
    assert [(x["a"], x["b"]) for x in listed] == [tuple(sorted((made[0]["id"], theirs["id"])))]
    assert c.get(f"{A}/measures/{made[0]['id']}", headers=usa).json()["purpose"] is None
