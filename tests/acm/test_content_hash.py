"""The ACM's decision follows the shared approval rule (alliance.core.approval):
a concurrence is pinned to the content hash of the request revision its
responder saw; a response written before hashes were kept (NULL) is judged by
its revision number (each backend)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from alliance.acm import DecisionIn, RequestIn, RequestKind, RequestPatch, ResponseIn, ResponseKind
from alliance.acm.status import request_hash
from alliance.acm.tables import CoordinationRequestRow, CoordinationResponseRow, DecisionRow
from alliance.core.authority import Actor
from alliance.core.errors import Conflict
from alliance.core.models import MarkingIn
from alliance.node import Node
from tests.conftest import add_people


def _cast(node: Node) -> tuple[Actor, Actor]:
    people = add_people(node)
    return (
        node.users.authenticate(people.tokens["JPN commander jpn-jjoc"]),
        node.users.authenticate(people.tokens["USA commander usa-jfhq"]),
    )


def _sent(node: Node, jcdr: Actor) -> str:
    req = node.acm.create_request(
        jcdr,
        RequestIn(
            kind=RequestKind.ACTIVITY,
            from_hq_id="jpn-jjoc",
            to_hq_ids=["usa-jfhq"],
            subject="Shared range schedule",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    )
    node.acm.send(jcdr, req.id)
    return req.id


def _set_hash(node: Node, value: str | None, owner: str | None = None) -> None:
    """Behind the ledger's back: what another node, or an older version, wrote."""
    stmt = update(CoordinationResponseRow).values(request_hash=value)
    if owner is not None:
        stmt = stmt.where(CoordinationResponseRow.owner == owner)
    node.ctx.writer.run(lambda tx: tx.session.execute(stmt))


def _concur_both(node: Node, jcdr: Actor, ucdr: Actor, req_id: str) -> None:
    for who in (jcdr, ucdr):
        node.acm.respond(who, req_id, ResponseIn(kind=ResponseKind.CONCUR))


def test_a_response_records_the_hash_of_the_revision_it_answered(combined: Node) -> None:
    jcdr, ucdr = _cast(combined)
    req_id = _sent(combined, jcdr)
    first = combined.acm.respond(ucdr, req_id, ResponseIn(kind=ResponseKind.CONCUR))
    with combined.db.read() as s:
        req = s.get(CoordinationRequestRow, req_id)
        assert req is not None
        assert first.request_hash == request_hash(req)
        assert first.request_hash.startswith("sha256:")
    combined.acm.update_request(jcdr, req_id, RequestPatch(body="Week two, not week one."))
    thread = combined.acm.thread(jcdr, req_id)
    assert thread.request.revision == 2
    # The concurrence on revision 1 is not a position on revision 2.
    assert {p.nation: p.position for p in thread.request.positions}["USA"] is None
    again = combined.acm.respond(ucdr, req_id, ResponseIn(kind=ResponseKind.CONCUR))
    assert again.request_hash != first.request_hash


def test_a_concurrence_pinned_to_other_content_does_not_count(combined: Node) -> None:
    jcdr, ucdr = _cast(combined)
    req_id = _sent(combined, jcdr)
    _concur_both(combined, jcdr, ucdr, req_id)
    # USA's node saw different content under the same revision number (two
    # amendments crossing on the wire): its concurrence names another hash.
    _set_hash(combined, "sha256:" + "0" * 64, owner="USA")
    with pytest.raises(Conflict) as missing:
        combined.acm.decide(jcdr, req_id, DecisionIn(summary="Agreed."))
    assert missing.value.code == "concurrence_missing"
    assert "USA" in missing.value.message.en
    with combined.db.read() as s:
        assert s.query(DecisionRow).count() == 0


def test_a_response_from_before_hashes_is_judged_by_its_revision(combined: Node) -> None:
    jcdr, ucdr = _cast(combined)
    req_id = _sent(combined, jcdr)
    _concur_both(combined, jcdr, ucdr, req_id)
    _set_hash(combined, None)  # as migration 0018 leaves the rows written before it
    assert combined.acm.thread(jcdr, req_id).request.awaiting == []
    decision = combined.acm.decide(jcdr, req_id, DecisionIn(summary="Agreed."))
    assert sorted(c.nation for c in decision.concurrences) == ["JPN", "USA"]


def test_an_old_response_on_an_earlier_revision_still_does_not_count(combined: Node) -> None:
    jcdr, ucdr = _cast(combined)
    req_id = _sent(combined, jcdr)
    _concur_both(combined, jcdr, ucdr, req_id)
    combined.acm.update_request(jcdr, req_id, RequestPatch(body="Amended."))
    combined.acm.respond(jcdr, req_id, ResponseIn(kind=ResponseKind.CONCUR))
    _set_hash(combined, None)
    with pytest.raises(Conflict) as missing:
        combined.acm.decide(jcdr, req_id, DecisionIn(summary="Agreed."))
    assert missing.value.code == "concurrence_missing"
