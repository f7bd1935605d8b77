"""Measures across two sovereign nodes (each on the selected backend,
federated over mutual TLS on loopback): a JPN measure and a USA measure in
conflict are seen in conflict on both nodes, each from what it holds; the
purpose JPN keeps national never reaches USA; withdrawing one clears the
conflict on both nodes."""

from __future__ import annotations

from sqlalchemy import select

from alliance.airspace import AirspaceDesk, MeasureIn, MeasureRow, VolumeRow
from alliance.core.authority import Actor, Role
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained

from .helpers import measure

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}


def _cdr(nation: str) -> Actor:
    return Actor(f"cdr-{nation.lower()}", f"{nation} commander", nation, HQ[nation], Role.COMMANDER)


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
    wait_drained(usa, [jpn], timeout=30)

    expected = [tuple(sorted((mine.id, theirs.id)))]
    assert _pairs(jdesk, "JPN") == expected
    assert _pairs(udesk, "USA") == expected
    with usa.db.read() as s:
        assert {r.id for r in s.scalars(select(VolumeRow))} == {mine.id, theirs.id}
        # JPN's purpose stayed national: never in USA's database
        assert {r.owner for r in s.scalars(select(MeasureRow))} == {"USA"}

    udesk.withdraw(_cdr("USA"), theirs.id)
    wait_drained(usa, [jpn], timeout=30)
    assert _pairs(udesk, "USA") == []
    assert _pairs(jdesk, "JPN") == []
    approved = jdesk.approve(_cdr("JPN"), mine.id)
    assert approved.status == "approved"
