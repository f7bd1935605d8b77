"""Measures across two sovereign nodes (each on the selected backend,
federated over mutual TLS on loopback): a JPN measure and a USA measure in
conflict are seen in conflict on both nodes, each from what it holds, and
exactly one coordination request is opened, by the nation that changed its
measure last; once the addressee concurs, both may approve; the purpose JPN
keeps national never reaches USA; withdrawing a measure clears its conflict
on both nodes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from alliance.acm import AcmDesk, RequestOut, ResponseIn, ResponseKind
from alliance.airspace import AirspaceDesk, MeasureIn, MeasureRow, VolumeRow
from alliance.core.authority import Actor, Role
from alliance.core.errors import Conflict
from alliance.node import Node
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained, wait_until

from .helpers import measure

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}


def _cdr(nation: str) -> Actor:
    return Actor(f"cdr-{nation.lower()}", f"{nation} commander", nation, HQ[nation], Role.COMMANDER)


def _requests(node: Node, nation: str) -> list[RequestOut]:
    listed = node.desk("acm", AcmDesk).list_requests(_cdr(nation))
    return [r for r in listed if r.subject.startswith("Airspace conflict")]


def _pairs(desk: AirspaceDesk, nation: str) -> list[tuple[str, str]]:
    return [(c.a, c.b) for c in desk.conflicts(_cdr(nation))]


def test_a_conflict_across_nodes_is_seen_on_both_and_withdrawal_clears_it(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    jdesk, udesk = jpn.desk("airspace", AirspaceDesk), usa.desk("airspace", AirspaceDesk)
    mine = jdesk.propose(
        _cdr("JPN"), MeasureIn.model_validate(measure("ROZ EX-1", release=["USA"]))
    )
    theirs = udesk.propose(
        _cdr("USA"), MeasureIn.model_validate(measure("UAS EX-7", 139.05, 35.05, release=["JPN"]))
    )
    wait_drained(jpn, [usa], timeout=30)
    # JPN's measure may reach USA after USA proposed: USA's node opens the
    # request when it sees the conflict, then ships it.
    wait_until(lambda: bool(_requests(usa, "USA")), 15, "USA's node to open the request")
    wait_drained(usa, [jpn], timeout=30)

    expected = [tuple(sorted((mine.id, theirs.id)))]
    assert _pairs(jdesk, "JPN") == expected
    assert _pairs(udesk, "USA") == expected
    with usa.db.read() as s:
        assert {r.id for r in s.scalars(select(VolumeRow))} == {mine.id, theirs.id}
        # JPN's purpose stayed national: never in USA's database
        assert {r.owner for r in s.scalars(select(MeasureRow))} == {"USA"}

    # Exactly one coordination request, by USA (its measure changed last), on both nodes.
    for node, nation in ((jpn, "JPN"), (usa, "USA")):
        requests = _requests(node, nation)
        assert [(r.from_hq_id, r.to_hq_ids) for r in requests] == [("usa-jfhq", ["jpn-jjoc"])]
    (rid,) = {c.request_id for c in jdesk.conflicts(_cdr("JPN"))}
    assert rid is not None
    assert {c.request_id for c in udesk.conflicts(_cdr("USA"))} == {rid}
    with pytest.raises(Conflict):
        jdesk.approve(_cdr("JPN"), mine.id)

    # JPN's commander concurs at JPN's node; both measures may then be approved.
    jpn.desk("acm", AcmDesk).respond(_cdr("JPN"), rid, ResponseIn(kind=ResponseKind.CONCUR))
    wait_drained(jpn, [usa], timeout=30)
    assert udesk.approve(_cdr("USA"), theirs.id).status == "approved"
    assert jdesk.approve(_cdr("JPN"), mine.id).status == "approved"

    # A second USA measure in conflict, then withdrawn: cleared on both nodes.
    extra = udesk.propose(
        _cdr("USA"), MeasureIn.model_validate(measure("UAS EX-8", 139.02, 35.02, release=["JPN"]))
    )
    wait_drained(usa, [jpn], timeout=30)
    assert extra.id in {x for c in jdesk.conflicts(_cdr("JPN")) for x in (c.a, c.b)}
    udesk.withdraw(_cdr("USA"), extra.id)
    wait_drained(usa, [jpn], timeout=30)
    for desk, nation in ((jdesk, "JPN"), (udesk, "USA")):
        assert extra.id not in {x for c in desk.conflicts(_cdr(nation)) for x in (c.a, c.b)}
        assert len(desk.conflicts(_cdr(nation))) == 1
