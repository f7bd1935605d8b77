"""The demo's industry content on two federated nodes: each nation's part of
the illustrative (fictional) model is its national dataset, its aggregates
are released to the partner, and a joint plan on either side equals the
plan of the whole illustrative model as it stands (no expansions of the
partner: those are not released)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alliance.core.authority import Actor, Role
from alliance.industry import IndustryDesk, solve
from alliance.industry.demo import content
from alliance.industry.records import JointPlanIn
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained


def test_the_demo_releases_each_nations_aggregates_for_a_joint_plan(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    now = datetime.now(UTC)
    desks = {"JPN": jpn.desk("industry", IndustryDesk), "USA": usa.desk("industry", IndustryDesk)}
    content(desks["JPN"], "JPN", now)
    content(desks["USA"], "USA", now)
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)
    staff = Actor("s-usa", "USA staff", "USA", "usa-jfhq", Role.STAFF_OFFICER)
    (own,) = desks["USA"].datasets(staff)
    assert own.marking.releasable_to == ["USA"]
    assert "fictional" in own.name
    assert {r.owner for r in desks["USA"].releases(staff)} == {"JPN", "USA"}
    theirs = next(r for r in desks["USA"].releases(staff) if r.owner == "JPN")
    plan = desks["USA"].create_plan(
        staff, JointPlanIn(title="Demo", dataset_id=own.id, release_ids=[theirs.id])
    )
    whole = desks["USA"].example(staff)
    as_it_stands = whole.model_copy(
        update={"expansions": [e for e in whole.expansions if e.nation == "USA"]}
    )
    assert plan.plan.weighted_shortfall == pytest.approx(
        solve(as_it_stands).weighted_shortfall, rel=1e-6, abs=1e-6
    )
