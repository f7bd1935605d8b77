"""The ACM's tiers, graded positions and delegations cross to the partner's node:
each node on the selected backend, federated over mutual TLS on loopback."""

from __future__ import annotations

from alliance.acm import (
    DecisionIn,
    DelegationIn,
    EscalateIn,
    GradedComment,
    Level,
    RequestIn,
    RequestKind,
    ResponseIn,
    ResponseKind,
    RevokeIn,
)
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from alliance.node import Node
from tests.conftest import NodeFactory, add_people
from tests.federation.helpers import served_pair, wait_drained


def _people(node: Node) -> dict[str, Actor]:
    people = add_people(node)
    return {key: node.users.authenticate(token) for key, token in people.tokens.items()}


def _drain(jpn: Node, usa: Node) -> None:
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)


def test_escalation_graded_positions_and_a_delegated_concurrence_reach_the_partner(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    j, u = _people(jpn), _people(usa)
    jjoc_cdr, gcc_cdr = j["JPN commander jpn-jjoc"], j["JPN commander jpn-gcc"]
    usa_cdr, usa_staff = u["USA commander usa-jfhq"], u["USA staff_officer usa-jfhq"]

    req = jpn.acm.create_request(
        gcc_cdr,
        RequestIn(
            kind=RequestKind.ACTIVITY,
            level=Level.CCC,
            from_hq_id="jpn-gcc",
            to_hq_ids=["usa-usarj"],
            subject="Shared range schedule",
            marking=MarkingIn(releasable_to=["USA"], tlp="AMBER"),
        ),
    )
    jpn.acm.send(gcc_cdr, req.id)
    jpn.acm.escalate(
        jjoc_cdr,
        req.id,
        EscalateIn(level=Level.BOCC, from_hq_id="jpn-jjoc", to_hq_ids=["usa-jfhq"], note="Up."),
    )
    delegation = usa.acm.delegate(
        usa_cdr,
        DelegationIn(
            delegate_id=usa_staff.user_id,
            level=Level.BOCC,
            valid_from="2026-01-01T00:00:00Z",
            valid_until="2099-01-01T00:00:00Z",
            marking=MarkingIn(releasable_to=["JPN"]),
        ),
    )
    _drain(jpn, usa)

    # The partner sees the request at its new tier, with its escalation and marking.
    seen = usa.acm.thread(usa_staff, req.id).request
    assert (seen.level, seen.from_hq_id, seen.to_hq_ids, seen.revision) == (
        Level.BOCC,
        "jpn-jjoc",
        ["usa-jfhq"],
        2,
    )
    assert [(e.from_level, e.to_level, e.note) for e in seen.escalations] == [
        (Level.CCC, Level.BOCC, "Up.")
    ]
    assert seen.marking.tlp == "AMBER"
    # ... and JPN sees by whose direction USA's staff will speak.
    [held] = jpn.acm.list_delegations(jjoc_cdr)
    assert (held.id, held.owner, held.delegate_name) == (
        delegation.id,
        "USA",
        usa_staff.name,
    )

    comment = GradedComment(grade="administrative", text="Dates in Z, please.", ref="para 2")
    usa.acm.respond(
        usa_staff,
        req.id,
        ResponseIn(kind=ResponseKind.CONCUR_WITH_COMMENT, comments=[comment]),
    )
    jpn.acm.respond(jjoc_cdr, req.id, ResponseIn(kind=ResponseKind.CONCUR))
    _drain(jpn, usa)
    thread = jpn.acm.thread(jjoc_cdr, req.id)
    usa_position = next(r for r in thread.responses if r.owner == "USA")
    assert usa_position.comments == [comment]
    assert (usa_position.delegation_id, usa_position.by_direction_of) == (
        delegation.id,
        usa_cdr.name,
    )
    decision = jpn.acm.decide(jjoc_cdr, req.id, DecisionIn(summary="Range week two."))
    by_nation = {c.nation: c for c in decision.concurrences}
    assert by_nation["USA"].by_direction_of == usa_cdr.name
    assert by_nation["USA"].kind == ResponseKind.CONCUR_WITH_COMMENT

    # A revocation reaches the partner too.
    usa.acm.revoke_delegation(usa_cdr, delegation.id, RevokeIn(note="Back in the chair."))
    _drain(jpn, usa)
    [revoked] = jpn.acm.list_delegations(jjoc_cdr)
    assert revoked.revoked is not None
