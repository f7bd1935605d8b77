"""The TAXII 2.1 server, spoken to over HTTP as a client would: discovery, the
API root, collections, objects, manifest, versions, status and delete, with
the media types, headers and error shape the specification requires, and
every read cut to what the reader's nation may see."""

from __future__ import annotations

from typing import Any

import httpx

from alliance.core.markings import TLP
from alliance.cyber.stix import rel_marking_id
from alliance.cyber.taxii import TAXII

from .conftest import ROOT, Taxii
from .helpers import example, indicator, schema_errors, shared_collection


def assert_taxii_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The specification's error shape, with both languages in it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    body: dict[str, Any] = response.json()
    assert body["http_status"] == str(status)
    assert body["error_code"] == code, body
    assert body["title"]
    message = body["details"]["message"]
    assert message["en"].strip()
    assert message["ja"].strip()
    assert message["en"] != message["ja"]
    assert body["description"] == f"{message['en']} / {message['ja']}"
    return body


def test_discovery_api_root_and_collections(taxii: Taxii) -> None:
    found = taxii.client.get("/taxii2/", headers=taxii.auth("USA"))
    assert found.status_code == 200, found.text
    assert found.headers["content-type"] == TAXII
    body = found.json()
    assert body["default"].endswith("/taxii2/alliance/")
    assert body["api_roots"] == [body["default"]]

    root = taxii.get(f"{ROOT}/", "USA").json()
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] == taxii.node.settings.max_body_bytes

    listed = taxii.get(f"{ROOT}/collections/", "USA").json()["collections"]
    assert [c["id"] for c in listed] == [taxii.collection]
    one = taxii.get(f"{ROOT}/collections/{taxii.collection}/", "USA").json()
    assert one == listed[0]
    assert one["can_read"]
    assert one["can_write"]
    assert one["media_types"] == ["application/stix+json;version=2.1"]
    # A viewer reads but may not write.
    viewer = taxii.client.get(
        f"{ROOT}/collections/{taxii.collection}/", headers=taxii.auth("USA", "viewer")
    ).json()
    assert viewer["can_read"]
    assert not viewer["can_write"]


def test_a_reader_sees_only_what_is_released_to_its_nation(taxii: Taxii) -> None:
    report = example("poisonivy.json")  # no "releasable to" marking: national-only
    status = taxii.post("JPN", report)
    assert (status["status"], status["total_count"]) == ("complete", len(report))
    assert status["success_count"] == len(report), status["failures"][:3]
    shared = [indicator(i, rel=("USA",), tlp=TLP.AMBER) for i in range(5)]
    taxii.post("JPN", shared)
    usa_own = [indicator(100 + i) for i in range(3)]
    taxii.post("USA", usa_own)

    jpn = {o["id"] for o in taxii.everything("JPN", limit=40)}
    usa = {o["id"] for o in taxii.everything("USA", limit=2)}
    assert jpn == {o["id"] for o in report + shared}
    assert usa == {o["id"] for o in shared + usa_own}
    # Every object served is valid STIX 2.1 by the official schemas, and
    # carries the markings that released it.
    for obj in taxii.everything("USA"):
        assert schema_errors(obj) == []
        if obj["id"] in {s["id"] for s in shared}:
            assert rel_marking_id("USA") in obj["object_marking_refs"]
    # The manifest and the object endpoint say no more than the objects do.
    manifest = taxii.everything("USA", f"{taxii.objects_url()[:-8]}manifest/")
    assert {m["id"] for m in manifest} == usa
    hidden = report[0]["id"]
    assert_taxii_error(taxii.get(f"{taxii.objects_url()}{hidden}/", "USA"), 404, "not_found")
    assert_taxii_error(
        taxii.get(f"{taxii.objects_url()}{hidden}/versions/", "USA"), 404, "not_found"
    )
    assert taxii.get(f"{taxii.objects_url()}{hidden}/", "JPN").json()["objects"] == [report[0]]


def test_pages_carry_more_next_and_the_date_headers(taxii: Taxii) -> None:
    taxii.post("JPN", [indicator(i, rel=("USA",)) for i in range(7)])
    first = taxii.get(taxii.objects_url(), "USA", limit=3)
    body = first.json()
    assert body["more"] is True
    assert len(body["objects"]) == 3
    assert first.headers["X-TAXII-Date-Added-First"] <= first.headers["X-TAXII-Date-Added-Last"]
    second = taxii.get(taxii.objects_url(), "USA", limit=3, next=body["next"])
    assert second.headers["X-TAXII-Date-Added-First"] > first.headers["X-TAXII-Date-Added-Last"]
    rest = taxii.get(taxii.objects_url(), "USA", limit=10, next=second.json()["next"]).json()
    assert rest["more"] is False
    assert "next" not in rest
    assert len(rest["objects"]) == 1
    # added_after continues where a page's last date left off.
    after = taxii.get(
        taxii.objects_url(), "USA", added_after=first.headers["X-TAXII-Date-Added-Last"]
    ).json()
    assert [o["id"] for o in after["objects"]] == [
        o["id"] for o in second.json()["objects"] + rest["objects"]
    ]
    # Nothing added after the last one: an empty envelope, no date headers.
    last = taxii.get(taxii.objects_url(), "USA", limit=3, next=second.json()["next"])
    empty = taxii.get(
        taxii.objects_url(), "USA", added_after=last.headers["X-TAXII-Date-Added-Last"]
    )
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"more": False}
    assert "X-TAXII-Date-Added-First" not in empty.headers
    assert last.json()["objects"] == rest["objects"]


def test_versions_and_the_match_filters(taxii: Taxii) -> None:
    ident = indicator(1)["id"]
    v1 = indicator(1, rel=("USA",), modified="2026-11-01T00:00:00.000Z")
    v2 = indicator(1, modified="2026-11-02T00:00:00.000Z")  # national-only
    v3 = indicator(1, rel=("USA",), modified="2026-11-03T00:00:00.000Z")
    taxii.post("JPN", [v1, v2, v3])
    path = f"{taxii.objects_url()}{ident}/versions/"
    assert taxii.everything("JPN", path) == [
        "2026-11-01T00:00:00.000Z",
        "2026-11-02T00:00:00.000Z",
        "2026-11-03T00:00:00.000Z",
    ]
    assert taxii.everything("USA", path) == ["2026-11-01T00:00:00.000Z", "2026-11-03T00:00:00.000Z"]

    def modified(nation: str, **match: str) -> list[str]:
        params = {f"match[{k}]": v for k, v in match.items()}
        return [o["modified"] for o in taxii.everything(nation, **params)]

    assert modified("USA") == ["2026-11-03T00:00:00.000Z"]  # the last by default
    assert modified("USA", version="first") == ["2026-11-01T00:00:00.000Z"]
    assert modified("USA", version="all") == [
        "2026-11-01T00:00:00.000Z",
        "2026-11-03T00:00:00.000Z",
    ]
    assert modified("USA", version="2026-11-02T00:00:00Z") == []  # not released to USA
    assert modified("JPN", version="2026-11-02T00:00:00Z") == ["2026-11-02T00:00:00.000Z"]
    assert modified("USA", id=ident, type="indicator") == ["2026-11-03T00:00:00.000Z"]
    assert modified("USA", type="malware") == []
    assert modified("USA", spec_version="2.1") == ["2026-11-03T00:00:00.000Z"]


def test_delete_withdraws_every_version_from_every_reader(taxii: Taxii) -> None:
    kept, gone = indicator(1, rel=("USA",)), indicator(2, rel=("USA",))
    taxii.post("JPN", [kept, gone])
    url = f"{taxii.objects_url()}{gone['id']}/"
    # A partner may not delete the owner's object.
    refused = taxii.client.delete(url, headers=taxii.auth("USA"))
    assert_taxii_error(refused, 403, "not_owner_nation")
    deleted = taxii.client.delete(url, headers=taxii.auth("JPN"))
    assert deleted.status_code == 200, deleted.text
    for nation in ("JPN", "USA"):
        assert [o["id"] for o in taxii.everything(nation)] == [kept["id"]]
        assert_taxii_error(taxii.get(url, nation), 404, "not_found")


def test_the_status_of_a_post_lists_each_refusal_and_nothing_refused_is_stored(
    taxii: Taxii,
) -> None:
    good = indicator(1)
    granular = {
        **indicator(2),
        "granular_markings": [{"marking_ref": rel_marking_id("USA"), "selectors": ["description"]}],
    }
    old = {**indicator(3), "spec_version": "2.0"}
    broken = {**indicator(4), "pattern": "[this is not a pattern"}
    status = taxii.post("JPN", [good, granular, old, broken, "not an object"])
    assert (status["success_count"], status["failure_count"]) == (1, 4)
    assert [s["id"] for s in status["successes"]] == [good["id"]]
    codes = {f["id"]: f["code"] for f in status["failures"]}
    assert codes == {
        granular["id"]: "granular_marking",
        old["id"]: "wrong_spec_version",
        broken["id"]: "invalid_stix",
        "": "not_an_object",
    }
    assert all(" / " in f["message"] for f in status["failures"])  # English / Japanese
    assert [o["id"] for o in taxii.everything("JPN")] == [good["id"]]
    # The status resource is kept, for the nation that posted only.
    url = f"{ROOT}/status/{status['id']}/"
    assert taxii.get(url, "JPN").json() == status
    assert_taxii_error(taxii.get(url, "USA"), 404, "not_found")


def test_bad_requests_get_the_specifications_error_and_change_nothing(taxii: Taxii) -> None:
    taxii.post("JPN", [indicator(1)])
    before = taxii.everything("JPN")
    url = taxii.objects_url()
    post = {**taxii.auth("JPN"), "Content-Type": TAXII}
    assert_taxii_error(
        taxii.client.post(url, content=b"{not json", headers=post), 400, "invalid_json"
    )
    assert_taxii_error(
        taxii.client.post(url, json={"objects": "x"}, headers=post), 400, "invalid_envelope"
    )
    assert_taxii_error(
        taxii.client.post(
            url, json={"objects": []}, headers={**post, "Content-Type": "application/json"}
        ),
        415,
        "unsupported_media_type",
    )
    assert_taxii_error(
        taxii.client.get(url, headers={**taxii.auth("JPN"), "Accept": "text/html"}),
        406,
        "not_acceptable",
    )
    big = b'{"objects": [' + b" " * (taxii.node.settings.max_body_bytes + 1) + b"]}"
    assert_taxii_error(taxii.client.post(url, content=big, headers=post), 413, "payload_too_large")
    assert_taxii_error(taxii.client.get(url), 401, "no_token")
    assert_taxii_error(taxii.get(url, "JPN", limit="0"), 400, "invalid_parameter")
    assert_taxii_error(taxii.get(url, "JPN", next="abc"), 400, "invalid_parameter")
    assert_taxii_error(taxii.get(url, "JPN", added_after="yesterday"), 400, "invalid_parameter")
    assert_taxii_error(taxii.get(f"{ROOT}/collections/nope/", "JPN"), 404, "not_found")
    assert_taxii_error(taxii.get(f"{ROOT}/no-such-endpoint/", "JPN"), 404, "not_found")
    assert taxii.everything("JPN") == before


def test_http_basic_with_the_token_as_password_signs_in(taxii: Taxii) -> None:
    ok = taxii.client.get(f"{ROOT}/collections/", headers=taxii.basic("USA"))
    assert ok.status_code == 200, ok.text
    wrong = taxii.client.get(
        f"{ROOT}/collections/",
        headers={"Authorization": "Basic " + "bm90OmEtdG9rZW4=", "Accept": TAXII},
    )
    assert_taxii_error(wrong, 401, "bad_token")


def test_next_and_the_date_headers_say_nothing_of_what_the_reader_cannot_see(
    taxii: Taxii,
) -> None:
    # JPN-only objects interleaved with objects released to USA, in one envelope.
    mixed = [indicator(i, rel=("USA",) if i % 3 == 0 else ()) for i in range(12)]
    taxii.post("JPN", mixed)
    tokens, stamps = [], []
    params: dict[str, Any] = {"limit": 1}
    while True:
        page = taxii.get(taxii.objects_url(), "USA", **params)
        body = page.json()
        stamps.append(page.headers["X-TAXII-Date-Added-First"])
        if not body["more"]:
            break
        tokens.append(body["next"])
        params["next"] = body["next"]
    # USA's pages are numbered 1, 2, 3 …: no gap where a JPN-only object sits.
    assert tokens == ["1", "2", "3"]
    assert len(stamps) == 4
    assert stamps == sorted(stamps)


def test_each_collection_has_its_own_latest_version_of_an_object(taxii: Taxii) -> None:
    other = shared_collection(taxii.node, ident="jpn-second-cti")
    v1 = indicator(1, rel=("USA",), modified="2026-11-01T00:00:00.000Z")
    v2 = indicator(1, rel=("USA",), modified="2026-11-02T00:00:00.000Z")
    taxii.post("JPN", [v1])
    taxii.post("JPN", [v2], collection=other)
    for collection, want in ((taxii.collection, v1), (other, v2)):
        got = taxii.everything("USA", taxii.objects_url(collection))
        assert [o["modified"] for o in got] == [want["modified"]], collection


def test_a_deleted_object_posted_again_is_served_again(taxii: Taxii) -> None:
    obj = indicator(1, rel=("USA",))
    taxii.post("JPN", [obj])
    deleted = taxii.client.delete(f"{taxii.objects_url()}{obj['id']}/", headers=taxii.auth("JPN"))
    assert deleted.status_code == 200, deleted.text
    assert taxii.everything("USA") == []
    again = taxii.post("JPN", [obj])
    assert again["success_count"] == 1
    assert [o["id"] for o in taxii.everything("USA")] == [obj["id"]]
