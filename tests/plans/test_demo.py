"""The plans desk's demo content: one FICTIONAL template plan of the demo
exercise, JPN's part written on the JPN node and USA's on the USA node."""

from __future__ import annotations

from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.plans import PlanKind
from alliance.plans.demo import content
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained

from .helpers import people, plans


def test_the_demo_plan_is_fictional_with_jpn_and_usa_lines_each_written_at_home(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    now = jpn.clock()
    content(plans(usa), "USA", now)  # the plan has not arrived: nothing to add yet
    content(plans(jpn), "JPN", now)
    wait_drained(jpn, [usa], timeout=30)
    content(plans(usa), "USA", now)
    content(plans(usa), "USA", now)  # once only
    wait_drained(usa, [jpn], timeout=30)
    viewer = people(jpn)["JPN viewer jpn-jjoc"]
    [plan] = plans(jpn).list_plans(viewer)
    assert plan.kind == PlanKind.TEMPLATE
    assert EXERCISE_NAME in plan.title
    assert FICTIONAL in plan.title
    assert [(line.owner, line.kind.value) for line in plan.lines] == [
        ("JPN", "task"),
        ("JPN", "effort"),
        ("USA", "task"),
    ]
    assert [r.nation for r in plans(jpn).sync_matrix(viewer, plan.id).rows] == ["JPN", "JPN", "USA"]
