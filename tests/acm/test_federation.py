"""The ACM's tiers, graded positions and delegations cross to the partner's node:
each node on the selected backend, federated over mutual TLS on loopback."""

from __future__ import annotations

from alliance.acm import (
    ActionItemIn,
    DecisionIn,
    DelegationIn,
    EscalateIn,
    GradedComment,
    Level,
    RequestIn,
    RequestKind,
    RequestPatch,
    ResponseIn,
    ResponseKind,
    RevokeIn,
    WorkingGroupIn,
)
from alliance.acm.models import Member
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.store.projection import check_state
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


def test_the_japanese_subject_and_title_reach_the_partner(make_node: NodeFactory) -> None:
    jpn, usa = served_pair(make_node)
    j, u = _people(jpn), _people(usa)
    jjoc_staff, jjoc_cdr = j["JPN staff_officer jpn-jjoc"], j["JPN commander jpn-jjoc"]
    usa_staff = u["USA staff_officer usa-jfhq"]

    req = jpn.acm.create_request(
        jjoc_staff,
        RequestIn(
            kind=RequestKind.RFS,
            from_hq_id="jpn-jjoc",
            to_hq_ids=["usa-jfhq"],
            subject="Shared range schedule",
            subject_ja="共同使用射場の日程",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    jpn.acm.send(jjoc_staff, req.id)
    group = jpn.acm.create_group(
        jjoc_cdr,
        WorkingGroupIn(
            name_en="Range Working Group",
            name_ja="射場作業部会",
            members=[
                Member(nation="JPN", name="J3", hq_id="jpn-jjoc"),
                Member(nation="USA", name="J3", hq_id="usa-jfhq"),
            ],
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    jpn.acm.add_action(
        jjoc_staff, group.id, ActionItemIn(title="Publish the range week", title_ja="射場週の公示")
    )
    _drain(jpn, usa)

    seen = usa.acm.thread(usa_staff, req.id).request
    assert (seen.subject, seen.subject_ja) == ("Shared range schedule", "共同使用射場の日程")
    [action] = usa.acm.list_actions(usa_staff, group.id)
    assert (action.title, action.title_ja) == ("Publish the range week", "射場週の公示")
    # Removing the Japanese subject reaches the partner too (it is not kept there).
    jpn.acm.update_request(jjoc_staff, req.id, RequestPatch(subject_ja=""))
    _drain(jpn, usa)
    assert usa.acm.thread(usa_staff, req.id).request.subject_ja == ""
    # Each node's tables still say what its ledger says, replicas included.
    for node in (jpn, usa):
        assert check_state(node.db, node.types).ok
        assert node.verify_ledger().ok
