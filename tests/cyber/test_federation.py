"""Cyber objects across two sovereign nodes (each on the selected backend,
federated over mutual TLS on loopback), with no federation code of the desk's
own: a JPN version released to USA arrives at USA's node and is served by
USA's TAXII under JPN's marking; a JPN-only version never reaches USA's
database; JPN's delete withdraws it at USA; USA cannot version JPN's object."""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.markings import TLP
from alliance.cyber import FeedRow, StixRow
from alliance.cyber.feed import Query
from alliance.cyber.stix import rel_marking_id
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained

from .helpers import cyber, indicator, shared_collection, staff


def test_a_partners_objects_arrive_are_served_under_its_marking_and_withdraw(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    collection = shared_collection(jpn)
    shared = indicator(1, rel=("USA",), tlp=TLP.AMBER)
    later = indicator(1, rel=("USA",), tlp=TLP.AMBER, modified="2026-11-05T00:00:00.000Z")
    national = indicator(2)  # JPN only
    _status, outcomes = cyber(jpn).add(staff("JPN"), collection, [shared, national, later])
    assert all(o.ok for o in outcomes)
    wait_drained(jpn, [usa], timeout=30)

    # At USA: exactly the versions released to USA, served by USA's own desk.
    page = cyber(usa).page(staff("USA"), Query("USA", collection, versions=("all",)))
    assert [o["modified"] for o in page.objects] == [shared["modified"], later["modified"]]
    assert rel_marking_id("USA") in page.objects[0]["object_marking_refs"]
    with usa.db.read() as s:
        held = {r.stix_id for r in s.scalars(select(StixRow))}
        assert held == {shared["id"]}  # the JPN-only object never left JPN
        assert all(r.owner == "JPN" and r.origin == "replica" for r in s.scalars(select(StixRow)))
        # USA's feed numbers what USA reads, from 1.
        assert sorted(s.scalars(select(FeedRow.nseq).where(FeedRow.nation == "USA"))) == [1, 2]

    # USA may not add a version of JPN's object, on its own node.
    usa_version = indicator(1, rel=("JPN",), modified="2026-11-09T00:00:00.000Z")
    _status, refused = cyber(usa).add(staff("USA"), collection, [usa_version])
    assert [o.code for o in refused] == ["not_owner_nation"]

    # JPN deletes it: withdrawn at USA too, every version.
    assert cyber(jpn).delete(staff("JPN"), collection, shared["id"]) == 2
    wait_drained(jpn, [usa], timeout=30)
    page = cyber(usa).page(staff("USA"), Query("USA", collection, versions=("all",)))
    assert page.objects == []
    with usa.db.read() as s:
        assert s.scalars(select(FeedRow)).all() == []
