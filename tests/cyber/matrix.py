"""The cyber desk in the authorization matrix (found by ``tests/api/matrix_desks``):
its console routes under ``/api/v1/cyber`` and every TAXII 2.1 route under
``/taxii2``, by every role of both nations, on their own and the partner's
collections and objects, released and national-only.

Each nation keeps a released and a national-only collection; in its released
one, a STIX object released to the partner and a national-only one (a
partner sees the collection and the first, never the second). A status
resource is the node's own record for the nation that posted: the partner's
does not exist here.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import select

from alliance.core.authority import Role
from alliance.cyber import DESK, CollectionIn, CyberDesk, StixRow
from alliance.cyber.stix import rel_marking_id
from alliance.cyber.taxii import TAXII
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR_STAFF,
    CREATED,
    NOT_FOUND,
    OK,
    Call,
    Expect,
    Row,
    Rule,
    Subject,
    node_role,
    owner_acts,
    signed_in,
    view,
)
from tests.api.matrix_world import NAT, PARTNER, REL, Side, actor, marking

ACCEPTED = Expect(202)
CANNOT_WRITE = Expect(403, "cannot_write")
STATUS = "taxii_status"
STIX_ID = "stix_id"  # the STIX id of a ("stix_object", mark): a partner never reads a NAT one

_STIX_IDS: dict[str, str] = {}
"""Row id (what the ledger's object history names) -> STIX id (what TAXII names)."""


def _stix(nation: str, label: str, released: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'matrix-{nation}-{label}')}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": "2026-11-01T00:00:00.000Z",
        "name": f"Matrix indicator {label} (fictional)",
        "pattern": "[ipv4-addr:value = '198.51.100.9']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
    }
    if released:
        obj["object_marking_refs"] = [rel_marking_id(PARTNER[nation])]
    return obj


def _create(side: Side) -> None:
    desk = side.node.desk("cyber", CyberDesk)
    cdr = actor(side.nation)
    for mark in (REL, NAT):
        made = desk.create_collection(
            cdr,
            CollectionIn(
                title=f"Matrix collection {mark}",
                title_ja=f"行列コレクション {mark}",
                marking=marking(side.nation, mark == REL),
            ),
        )
        side.objects[("taxii_collection", mark)] = made.id
    shared, national = _stix(side.nation, REL, True), _stix(side.nation, NAT, False)
    status, outcomes = desk.add(cdr, side.obj("taxii_collection", REL), [shared, national])
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    for mark, obj in ((REL, shared), (NAT, national)):
        side.objects[("stix_object", mark)] = _row_id(side, obj["id"])
        side.objects[(STIX_ID, mark)] = obj["id"]
    side.objects[(STATUS, REL)] = side.objects[(STATUS, NAT)] = status.id


def _row_id(side: Side, stix_id: str) -> str:
    with side.node.db.read() as s:
        row_id = s.scalars(
            select(StixRow.id).where(StixRow.stix_id == stix_id, StixRow.owner == side.nation)
        ).one()
    _STIX_IDS[row_id] = stix_id
    return row_id


def _stix_id(ident: str) -> str:
    """The STIX id of a version row the matrix made (an unknown id stays as it is)."""
    return _STIX_IDS.get(ident, ident)


def _holder_collection(c: Call) -> str:
    """The released collection of the nation whose object the cell names."""
    holder = c.side if c.subject.whose == "own" else c.other
    return holder.obj("taxii_collection", REL)


def _own_record(_role: Role, s: Subject) -> Expect:
    """A status resource: the nation that posted reads it; no one else has it."""
    return OK if s.whose == "own" else NOT_FOUND


def _may_write(role: Role, s: Subject) -> Expect:
    """Adding to a collection one sees: the roles that create, in any nation."""
    if s.whose == "missing" or (s.whose == "partner" and s.mark == NAT):
        return NOT_FOUND
    return ACCEPTED if role in CDR_STAFF else CANNOT_WRITE


def _envelope(c: Call, _ident: str) -> tuple[str, bytes]:
    obj = _stix(c.side.nation, f"posted {c.serial}", False)
    return TAXII, orjson.dumps({"objects": [obj]})


def _fresh_object(c: Call) -> str:
    """A new released object of the caller's nation, for a delete to use up."""
    obj = _stix(c.side.nation, f"fresh {c.serial}", True)
    desk = c.side.node.desk("cyber", CyberDesk)
    desk.add(actor(c.side.nation), c.side.obj("taxii_collection", REL), [obj])
    return _row_id(c.side, str(obj["id"]))


def _object_path(suffix: str = "") -> Any:
    def path(c: Call, ident: str) -> str:
        return f"{T}/collections/{_holder_collection(c)}/objects/{_stix_id(ident)}/{suffix}"

    return path


def _versions_path(c: Call, ident: str) -> str:
    return f"{C}/{_holder_collection(c)}/objects/{_stix_id(ident)}/versions"


C = f"{API}/cyber/collections"
T = "/taxii2/alliance"
VIEW: Rule = view()

MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        # The console's routes.
        Row("GET", C, signed_in(OK)),
        Row(
            "POST",
            C,
            node_role(CDR_STAFF, CREATED),
            body=lambda c, _i: {"title": f"matrix {c.serial}"},
        ),
        Row("GET", f"{C}/{{collection_id}}", VIEW, "taxii_collection"),
        Row("GET", f"{C}/{{collection_id}}/objects", VIEW, "taxii_collection"),
        Row(
            "GET",
            f"{C}/{{collection_id}}/objects/{{stix_id}}/versions",
            VIEW,
            "stix_object",
            path_of=_versions_path,
        ),
        Row("GET", f"{C}/{{collection_id}}/sightings", VIEW, "taxii_collection"),
        Row("GET", f"{C}/{{collection_id}}/sightings.svg", VIEW, "taxii_collection"),
        Row("GET", f"{C}/{{collection_id}}/bundle", VIEW, "taxii_collection"),
        # TAXII 2.1.
        Row("GET", "/taxii2/", signed_in(OK)),
        Row("GET", f"{T}/", signed_in(OK)),
        Row("GET", f"{T}/status/{{status_id}}/", _own_record, STATUS),
        Row("GET", f"{T}/status/{{status_id}}", _own_record, STATUS),
        Row("GET", f"{T}/collections/", signed_in(OK)),
        Row("GET", f"{T}/collections/{{collection_id}}/", VIEW, "taxii_collection"),
        Row("GET", f"{T}/collections/{{collection_id}}/objects/", VIEW, "taxii_collection"),
        Row(
            "POST",
            f"{T}/collections/{{collection_id}}/objects/",
            _may_write,
            "taxii_collection",
            content=_envelope,
        ),
        Row("GET", f"{T}/collections/{{collection_id}}/manifest/", VIEW, "taxii_collection"),
        Row(
            "GET",
            f"{T}/collections/{{collection_id}}/objects/{{object_id}}/",
            VIEW,
            "stix_object",
            path_of=_object_path(),
        ),
        Row(
            "DELETE",
            f"{T}/collections/{{collection_id}}/objects/{{object_id}}/",
            owner_acts(CDR_STAFF, OK),
            "stix_object",
            path_of=_object_path(),
            fresh=True,
            make=_fresh_object,
        ),
        Row(
            "GET",
            f"{T}/collections/{{collection_id}}/objects/{{object_id}}/versions/",
            VIEW,
            "stix_object",
            path_of=_object_path("versions/"),
        ),
    ),
    type_routes={
        "taxii_collection": f"GET {C}/{{collection_id}}",
        "stix_object": f"GET {T}/collections/{{collection_id}}/objects/{{object_id}}/",
    },
    create=_create,
)
