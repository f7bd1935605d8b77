"""Helpers for the cyber desk's tests: actors, the OASIS examples and schemas,
STIX objects to post, and a node's TAXII server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

from alliance.core.authority import Actor, Role
from alliance.core.markings import TLP
from alliance.core.models import MarkingIn
from alliance.cyber import CollectionIn, CyberDesk
from alliance.cyber.stix import TLP_IDS, rel_marking_id
from alliance.node import Node

STIX_DIR = Path(__file__).parent / "stix"
SCHEMAS = STIX_DIR / "schemas"
_REMOTE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq", "AUS": "aus-hq"}


def staff(nation: str, role: Role = Role.STAFF_OFFICER) -> Actor:
    return Actor(
        f"{nation.lower()}-{role.value}", f"{nation} {role.value}", nation, HQ[nation], role
    )


def cyber(node: Node) -> CyberDesk:
    return node.desk("cyber", CyberDesk)


def shared_collection(node: Node, nation: str = "JPN", ident: str | None = None) -> str:
    """A collection every ally sees (each object in it released on its own)."""
    others = [n for n in ("JPN", "USA", "AUS") if n != nation]
    made = cyber(node).create_collection(
        staff(nation),
        CollectionIn(
            id=ident or f"{nation.lower()}-shared-cti",
            title="Shared CTI",
            title_ja="共有脅威情報",
            marking=MarkingIn(releasable_to=others),
        ),
    )
    return made.id


def example(name: str) -> list[dict[str, Any]]:
    """The objects of one of the OASIS examples (a bundle, or one object)."""
    found = next(STIX_DIR.joinpath("examples").rglob(name))
    data: dict[str, Any] = orjson.loads(found.read_bytes())
    objects: list[dict[str, Any]] = data["objects"] if data["type"] == "bundle" else [data]
    return objects


def indicator(
    n: int,
    *,
    rel: tuple[str, ...] = (),
    tlp: TLP | None = None,
    modified: str = "2026-11-01T00:00:00.000Z",
    ident: str | None = None,
) -> dict[str, Any]:
    """A fictional indicator (an address in a documentation range), marked."""
    refs = ([TLP_IDS[tlp]] if tlp else []) + [rel_marking_id(x) for x in rel]
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": ident or f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'alliance-test-{n}')}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": modified,
        "name": f"Exercise C2 address {n} (fictional)",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
    }
    if refs:
        obj["object_marking_refs"] = refs
    return obj


def sighting(of: str, first_seen: str, count: int, *, rel: tuple[str, ...] = ()) -> dict[str, Any]:
    """A fictional sighting of ``of``, ``count`` times from ``first_seen``."""
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid5(uuid.NAMESPACE_URL, f'alliance-sighting-{of}-{first_seen}')}",
        "created": first_seen.replace("Z", ".000Z") if "." not in first_seen else first_seen,
        "modified": first_seen.replace("Z", ".000Z") if "." not in first_seen else first_seen,
        "sighting_of_ref": of,
        "first_seen": first_seen,
        "count": count,
    }
    if rel:
        obj["object_marking_refs"] = [rel_marking_id(x) for x in rel]
    return obj


@cache
def _validators() -> dict[str, Any]:
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        schema = orjson.loads(path.read_bytes())
        resources.append((_REMOTE + path.relative_to(SCHEMAS).as_posix(), schema))
    registry = jsonschema_rs.Registry(resources)
    out: dict[str, Any] = {}
    for uri, schema in resources:
        name = uri.rsplit("/", 1)[1].removesuffix(".json")
        if (
            "/sdos/" in uri
            or "/sros/" in uri
            or "/observables/" in uri
            or name
            in (
                "marking-definition",
                "bundle",
            )
        ):
            out[name] = jsonschema_rs.validator_for(schema, registry=registry)
    return out


def schema_errors(obj: dict[str, Any]) -> list[str]:
    """What the official STIX 2.1 schema of ``obj``'s type finds wrong with it."""
    validator = _validators().get(str(obj.get("type")))
    assert validator is not None, f"no schema for {obj.get('type')}"
    return [str(e) for e in validator.iter_errors(obj)]


def all_objects(pages: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for page in pages for o in page.get("objects", [])]
