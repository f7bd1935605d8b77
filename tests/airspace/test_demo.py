"""The demo's airspace content on two federated nodes: the fictional training
area and UAS volume conflict on both nodes, one coordination request covers
them, and JPN's national-only zone stays at JPN."""

from __future__ import annotations

from datetime import UTC, datetime

from alliance.airspace import AirspaceDesk
from alliance.airspace.demo import content
from alliance.core.authority import Actor, Role
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained, wait_until


def test_the_demo_measures_conflict_on_both_nodes_under_one_request(make_node: NodeFactory) -> None:
    jpn, usa = served_pair(make_node)
    now = datetime.now(UTC)
    content(jpn.desk("airspace", AirspaceDesk), "JPN", now)
    content(usa.desk("airspace", AirspaceDesk), "USA", now)
    readers = {
        "JPN": Actor("v-jpn", "JPN viewer", "JPN", "jpn-jjoc", Role.VIEWER),
        "USA": Actor("v-usa", "USA viewer", "USA", "usa-jfhq", Role.VIEWER),
    }
    desks = {"JPN": jpn.desk("airspace", AirspaceDesk), "USA": usa.desk("airspace", AirspaceDesk)}

    def settled() -> bool:
        wait_drained(jpn, [usa], timeout=30)
        wait_drained(usa, [jpn], timeout=30)
        found = [desks[n].conflicts(readers[n]) for n in desks]
        return all(len(f) == 1 and f[0].request_id for f in found)

    wait_until(settled, 30, "the demo conflict and its request on both nodes")
    (jc,), (uc,) = (desks[n].conflicts(readers[n]) for n in ("JPN", "USA"))
    assert {jc.a_designator, jc.b_designator} == {"TA EX-SHIKOKU", "UAS EX-OPVOL"}
    assert jc.request_id == uc.request_id
    assert "ROZ EX-KII" not in {m.designator for m in desks["USA"].measures(readers["USA"])}
    assert all(
        "FICTIONAL" in (m.purpose.name if m.purpose else "FICTIONAL")
        for m in desks["JPN"].measures(readers["JPN"])
    )
