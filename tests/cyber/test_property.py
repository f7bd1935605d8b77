"""Property: through every TAXII read — objects (last, first, all versions),
manifest, one object, its versions — at every page size, a reader receives
exactly the objects and versions released to its nation: never one that is
not, and every one that is.

Hypothesis writes random objects (indicators and malware, one to three
versions, each version with its own release to any of JPN, USA and AUS and
its own TLP) as JPN's or USA's staff on the combined node, deletes some, and
then reads as JPN and as USA through the TAXII API with random page sizes.
Each example uses a collection of its own, so every check is exact.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.core.markings import TLP
from alliance.cyber.stix import TLP_IDS, rel_marking_id
from alliance.cyber.taxii import TAXII
from alliance.store.projection import check_state

from .conftest import Taxii
from .helpers import cyber, shared_collection, staff

NATIONS = ("JPN", "USA", "AUS")
READERS = ("JPN", "USA")
ROOT = "/taxii2/alliance"


@dataclass(frozen=True)
class Version:
    day: int
    rel: frozenset[str]
    tlp: TLP | None


@dataclass(frozen=True)
class Spec:
    owner: str
    kind: str
    versions: tuple[Version, ...]
    deleted: bool


versions = st.lists(
    st.builds(
        Version,
        day=st.integers(1, 28),
        rel=st.frozensets(st.sampled_from(NATIONS)),
        tlp=st.none() | st.sampled_from(list(TLP)),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda v: v.day,
)
specs = st.lists(
    st.builds(
        Spec,
        owner=st.sampled_from(READERS),
        kind=st.sampled_from(["indicator", "malware"]),
        versions=versions.map(tuple),
        deleted=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)
_counter = itertools.count()


def _stix(ident: str, kind: str, v: Version) -> dict[str, Any]:
    stamp = f"2026-10-{v.day:02d}T00:00:00.000Z"
    obj: dict[str, Any] = {
        "type": kind,
        "spec_version": "2.1",
        "id": ident,
        "created": "2026-10-01T00:00:00.000Z",
        "modified": stamp,
    }
    if kind == "indicator":
        obj |= {
            "pattern": "[domain-name:value = 'c2.example.net']",
            "pattern_type": "stix",
            "valid_from": "2026-10-01T00:00:00Z",
        }
    else:
        obj |= {"name": "Fictional exercise implant", "is_family": False}
    refs = ([TLP_IDS[v.tlp]] if v.tlp else []) + [rel_marking_id(n) for n in sorted(v.rel)]
    if refs:
        obj["object_marking_refs"] = refs
    return obj


def _pages(client: httpx.Client, token: str, url: str, limit: int, **params: str) -> list[Any]:
    found: list[Any] = []
    query: dict[str, Any] = {"limit": limit, **params}
    for _ in range(1000):
        r = client.get(
            url, params=query, headers={"Authorization": f"Bearer {token}", "Accept": TAXII}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        found.extend(body.get("objects", body.get("versions", [])))
        if not body["more"]:
            return found
        assert len(body.get("objects", body.get("versions", []))) == limit
        query["next"] = body["next"]
    raise AssertionError("paging did not end")


def test_a_reader_receives_exactly_what_is_released_to_its_nation(taxii: Taxii) -> None:
    node, client = taxii.node, taxii.client
    tokens = {n: taxii.token(n) for n in READERS}

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(specs, st.integers(2, 5))
    def run(objects: list[Spec], limit: int) -> None:
        n = next(_counter)
        collection = shared_collection(node, ident=f"jpn-prop-{n}")
        written: dict[str, Spec] = {}
        for owner in READERS:
            mine = [(f"{s.kind}--{uuid.uuid4()}", s) for s in objects if s.owner == owner]
            envelope = [_stix(i, s.kind, v) for i, s in mine for v in s.versions]
            if envelope:
                _status, outcomes = cyber(node).add(staff(owner), collection, envelope)
                assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
            written.update(mine)
        for ident, s in written.items():
            if s.deleted:
                assert cyber(node).delete(staff(s.owner), collection, ident) == len(s.versions)

        objects_url = f"{ROOT}/collections/{collection}/objects/"
        for reader in READERS:
            token = tokens[reader]
            seen: dict[str, list[str]] = {}
            for ident, s in written.items():
                stamps = sorted(
                    f"2026-10-{v.day:02d}T00:00:00.000Z"
                    for v in s.versions
                    if not s.deleted and (reader == s.owner or reader in v.rel)
                )
                if stamps:
                    seen[ident] = stamps

            def got(url: str, token: str = token, **params: str) -> list[tuple[str, str]]:
                items = _pages(client, token, url, limit, **params)
                return sorted((o["id"], o.get("modified", o.get("version"))) for o in items)

            assert got(objects_url) == sorted((i, v[-1]) for i, v in seen.items()), reader
            assert got(objects_url, **{"match[version]": "first"}) == sorted(
                (i, v[0]) for i, v in seen.items()
            )
            assert got(objects_url, **{"match[version]": "all"}) == sorted(
                (i, stamp) for i, v in seen.items() for stamp in v
            )
            manifest = f"{ROOT}/collections/{collection}/manifest/"
            assert got(manifest, **{"match[version]": "all"}) == sorted(
                (i, stamp) for i, v in seen.items() for stamp in v
            )
            for kind in ("indicator", "malware"):
                assert got(objects_url, **{"match[type]": kind}) == sorted(
                    (i, v[-1]) for i, v in seen.items() if i.startswith(kind)
                )
            headers = {"Authorization": f"Bearer {token}", "Accept": TAXII}
            for ident in written:
                one = client.get(f"{objects_url}{ident}/", headers=headers)
                listed = client.get(f"{objects_url}{ident}/versions/", headers=headers)
                if ident in seen:
                    assert [o["modified"] for o in one.json()["objects"]] == [seen[ident][-1]]
                    # Listed in the order they were added here, as every TAXII page is.
                    in_order = _pages(client, token, f"{objects_url}{ident}/versions/", limit)
                    assert sorted(in_order) == seen[ident]
                else:
                    assert (one.status_code, listed.status_code) == (404, 404), reader

    run()
    assert check_state(node.db, node.types).ok
