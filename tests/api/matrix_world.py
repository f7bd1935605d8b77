"""The two-nation world the authorization matrix runs in.

A JPN node and a USA node, each on a database of its own on the selected
backend, federated over real mutual TLS on loopback. Each nation's chain of
command creates, at its top HQ, one object of every kind in two markings —
released to the partner, and national-only — and the released ones reach the
partner through the release stream. National-only HQs and units are first
released and then withdrawn, so the partner's node still holds a row for them
(a withdrawn replica): "not released" is then tested against an object that
is physically there, not just one that never arrived.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from alliance.access import UserIn
from alliance.acm import (
    ActionItemIn,
    DecisionIn,
    MeetingIn,
    NationalDecisionIn,
    RequestIn,
    ResponseIn,
    WorkingGroupIn,
)
from alliance.config import load_settings
from alliance.cop.desk import ReportIn
from alliance.core.authority import Actor, Role
from alliance.core.models import MarkingIn
from alliance.desks import object_types
from alliance.node import Node
from alliance.org import (
    CounterpartIn,
    HqIn,
    HqPatch,
    RelationshipIn,
    TaskingIn,
    UnitIn,
    UnitPatch,
    load_document,
    packaged_seed,
    parse_document,
)
from tests.conftest import People, add_people, standing_guidance
from tests.federation.helpers import federate, wait_drained, wait_until

from .matrix_desks import for_desks, world_desks

TOP_HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}
PARTNER = {"JPN": "USA", "USA": "JPN"}

# The two markings of the matrix.
REL = "released"
NAT = "national"


def owned_types() -> list[str]:
    """The owned object types the world's nodes ship and drift-check: the
    product's desks' and those of the desks only tests register."""
    return sorted(object_types(world_desks()))


def marking(nation: str, released: bool) -> MarkingIn:
    return MarkingIn(releasable_to=[PARTNER[nation]] if released else [])


def actor(nation: str, role: Role = Role.COMMANDER) -> Actor:
    """A member of the nation's top HQ, as the desks see a signed-in user."""
    return Actor(
        f"mx-{nation}-{role.value}", f"{nation} {role.value}", nation, TOP_HQ[nation], role
    )


@dataclass
class Side:
    """One nation's node and what its chain of command created there."""

    nation: str
    node: Node
    people: People = field(default_factory=People)
    # (object type, marking) -> id; tracks under ("track", marking) -> uid
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    # a user of this nation, and one that is disabled
    user_id: str = ""
    disabled_token: str = ""

    @property
    def partner(self) -> str:
        return PARTNER[self.nation]

    def token(self, role: Role) -> str:
        return self.people.tokens[f"{self.nation} {role.value} {TOP_HQ[self.nation]}"]

    def obj(self, kind: str, mark: str) -> str:
        return self.objects[(kind, mark)]


@dataclass
class World:
    sides: dict[str, Side]

    def side(self, nation: str) -> Side:
        return self.sides[nation]

    def unreleased_of(self, nation: str) -> set[str]:
        """Ids of ``nation``'s national-only objects: its partner must never see them."""
        return {i for (_k, mark), i in self.sides[nation].objects.items() if mark == NAT}


def _database(backend: str, home: Path, pg_server: str | None, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{home / f'{name}.db'}"
    assert pg_server is not None
    db = f"t_mx_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    return f"{pg_server.rsplit('/', 1)[0]}/{db}"


def _drop(pg_server: str | None, url: str) -> None:
    if pg_server is None or url.startswith("sqlite"):
        return
    with psycopg.connect(pg_server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _node(nation: str, home: Path, url: str) -> Node:
    settings = load_settings(home / nation.lower(), nation=nation, hosted=[], database_url=url)
    desks = world_desks()
    node = Node.init(settings, desks=desks)
    for declared in for_desks(desks):
        if declared.migrate is not None:
            declared.migrate(node.db)  # a test-only desk's migration step
    node.start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)
    standing_guidance(node)
    return node


def _first_round(side: Side) -> None:
    """Every kind of object, released and (to be) national-only, by the owner's chain."""
    n, node = side.nation, side.node
    cdr, top, partner_top = actor(n), TOP_HQ[n], TOP_HQ[side.partner]
    prefix = n.lower()
    o = side.objects
    o[("nation", REL)] = n  # seeded at both nodes, never written through the API
    for mark in (REL, NAT):
        released = mark == REL
        # HQs and units start released: the national-only ones are withdrawn later.
        o[("hq", mark)] = node.org.create_hq(
            cdr,
            HqIn(
                id=f"{prefix}-mx-hq-{mark}",
                nation=n,
                parent_id=top,
                kind="component",
                name_en=f"Matrix HQ {mark}",
                name_ja=f"行列司令部 {mark}",
                short_en=f"MX-{mark[:3]}",
                short_ja=f"行列{mark[:3]}",
                marking=marking(n, True),
            ),
        ).id
        o[("unit", mark)] = node.org.create_unit(
            cdr,
            UnitIn(
                id=f"{prefix}-mx-unit-{mark}",
                hq_id=top,
                name_en=f"Matrix unit {mark}",
                name_ja=f"行列部隊 {mark}",
                sidc="10031000001211000000",
                domain="land",
                marking=marking(n, True),
            ),
        ).id
        o[("relationship", mark)] = node.org.create_relationship(
            cdr,
            RelationshipIn(
                kind="opcon",
                superior={"kind": "hq", "id": top},
                subordinate={"kind": "unit", "id": f"{prefix}-mx-unit-{REL}"},
                valid_from="2026-01-01T00:00:00Z",
                marking=marking(n, released),
            ),
        ).id
        o[("counterpart", mark)] = node.org.create_counterpart(
            cdr,
            CounterpartIn(hq_id=top, partner_hq_id=partner_top, marking=marking(n, released)),
        ).id
        o[("tasking", mark)] = node.org.task_unit(
            cdr,
            TaskingIn(
                unit_id=f"{prefix}-mx-unit-{REL}",
                title=f"Matrix tasking {mark}",
                marking=marking(n, released),
            ),
        ).id
        track = f"mx-{prefix}-track-{mark}"
        node.cop.report(
            cdr,
            ReportIn(
                uid=track,
                sidc="10031000001211000000",
                callsign=f"MX {n} {mark}",
                lat=35.0,
                lon=139.0,
                stale_seconds=86400,
                marking=marking(n, released),
            ),
        )
        o[("track", mark)] = track
    # A request is national-only while it is a draft, and released once sent.
    o[("coordination_request", REL)] = _request(side, "released", send=True)
    o[("coordination_request", NAT)] = _request(side, "draft", send=False)
    o[("concurred_request", REL)] = _request(side, "to be decided in the matrix", send=True)
    o[("decided_request", REL)] = _request(side, "decided before the matrix", send=True)
    o[("coordination_response", REL)] = node.acm.respond(
        cdr, o[("coordination_request", REL)], ResponseIn(kind="comment", text="Own comment.")
    ).id
    group = node.acm.create_group(
        cdr,
        WorkingGroupIn(
            name_en=f"Matrix group {n}",
            name_ja=f"行列作業部会 {n}",
            members=[
                {"nation": n, "name": f"{n} lead", "hq_id": top},
                {"nation": side.partner, "name": f"{side.partner} lead", "hq_id": partner_top},
            ],
            marking=marking(n, True),
        ),
    )
    o[("working_group", REL)] = group.id
    o[("meeting", REL)] = node.acm.add_meeting(
        cdr, group.id, MeetingIn(starts_at="2026-08-01T00:00:00Z", location="Ichigaya")
    ).id
    o[("action_item", REL)] = node.acm.add_action(
        cdr, group.id, ActionItemIn(title=f"Matrix action {n}")
    ).id


def _request(side: Side, subject: str, *, send: bool) -> str:
    n = side.nation
    req = side.node.acm.create_request(
        actor(n),
        RequestIn(
            kind="rfs",
            from_hq_id=TOP_HQ[n],
            to_hq_ids=[TOP_HQ[side.partner]],
            subject=f"Matrix request ({subject})",
            marking=marking(n, True),
        ),
    )
    if send:
        side.node.acm.send(actor(n), req.id)
    return req.id


def _partner_concurs(side: Side, other: Side) -> None:
    """``side``'s commander concurs on the partner's two requests meant for a decision."""
    for kind in ("concurred_request", "decided_request"):
        side.node.acm.respond(actor(side.nation), other.obj(kind, REL), ResponseIn(kind="concur"))


def _withdraw(side: Side) -> None:
    """National-only HQ and unit: released first, now withdrawn (the partner keeps the row)."""
    cdr, national = actor(side.nation), MarkingIn()
    side.node.org.update_hq(cdr, side.obj("hq", NAT), HqPatch(marking=national))
    side.node.org.update_unit(cdr, side.obj("unit", NAT), UnitPatch(marking=national))


def _own_concurs(side: Side) -> None:
    cdr = actor(side.nation)
    for kind in ("concurred_request", "decided_request"):
        side.node.acm.respond(cdr, side.obj(kind, REL), ResponseIn(kind="concur"))
    decision = side.node.acm.decide(
        cdr, side.obj("decided_request", REL), DecisionIn(summary="Decided before the matrix.")
    )
    side.objects[("decision", REL)] = decision.id
    # The nation's own decisions implementing the outcome (a later one supersedes).
    for mark in (REL, NAT):
        side.objects[("national_decision", mark)] = side.node.acm.decide_nationally(
            cdr,
            decision.id,
            NationalDecisionIn(
                course="implement",
                summary=f"Matrix national decision {mark}",
                marking=marking(side.nation, mark == REL),
            ),
        ).id


def _drain(jpn: Node, usa: Node) -> None:
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)


def _people(side: Side) -> None:
    add_people(side.node, side.people)
    user, _token = side.node.users.add(
        UserIn(
            name=f"{side.nation} matrix user",
            nation=side.nation,
            hq_id=TOP_HQ[side.nation],
            role=Role.VIEWER,
        )
    )
    side.user_id = user.id
    disabled, token = side.node.users.add(
        UserIn(
            name=f"{side.nation} disabled",
            nation=side.nation,
            hq_id=TOP_HQ[side.nation],
            role=Role.COMMANDER,
        )
    )
    side.node.users.disable(disabled.id)
    side.disabled_token = token


def _wait_for_track(side: Side, other: Side) -> None:
    uid = other.obj("track", REL)

    def arrived() -> bool:
        return side.node.cop.hub.get(uid, side.nation, other.nation) is not None

    wait_until(arrived, 30, f"{side.nation} to receive {uid}")


@pytest.fixture(scope="module")
def world(backend: str, pg_server: str | None) -> Iterator[World]:
    """The two federated nodes with every object in place (one pair per module)."""
    home = Path(tempfile.mkdtemp(prefix="alliance-matrix-"))
    urls = [_database(backend, home, pg_server, n) for n in ("jpn", "usa")]
    nodes: list[Node] = []
    try:
        jpn = _node("JPN", home, urls[0])
        nodes.append(jpn)
        usa = _node("USA", home, urls[1])
        nodes.append(usa)
        federate([jpn, usa])
        for node in nodes:
            node.serve_federation(wait=0.5)
        sides = {"JPN": Side("JPN", jpn), "USA": Side("USA", usa)}
        for side in sides.values():
            _people(side)
            _first_round(side)
            for declared in for_desks(side.node.desk_specs):
                declared.create(side)
        _drain(jpn, usa)
        for side in sides.values():
            _partner_concurs(side, sides[side.partner])
            _withdraw(side)
            for declared in for_desks(side.node.desk_specs):
                if declared.after_drain is not None:
                    declared.after_drain(side, sides[side.partner])
        _drain(jpn, usa)
        for side in sides.values():
            _own_concurs(side)
        _drain(jpn, usa)
        for side in sides.values():
            _wait_for_track(side, sides[side.partner])
        yield World(sides)
    finally:
        for node in nodes:
            node.close()
        for url in urls:
            _drop(pg_server, url)
        shutil.rmtree(home, ignore_errors=True)
