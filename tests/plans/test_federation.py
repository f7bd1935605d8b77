"""A bilateral plan across two sovereign nodes (each on the selected backend,
federated over mutual TLS on loopback): each nation writes, approves and
executes its own lines on its own node; the plan is approved on both nodes
only once both approved the same revision; a partner's comment reaches the
owner. No federation code of the desk's own: the registry ships its types."""

from __future__ import annotations

from alliance.node import Node
from alliance.org.tables import TaskingRow
from alliance.plans import ApprovalIn, CommentIn, ExecuteIn, PlanLinePatch, PlanStatus
from tests.conftest import NodeFactory
from tests.federation.helpers import served_pair, wait_drained

from .helpers import JPN_UNIT, USA_UNIT, bilateral_plan, people, plans, task_line


def _drain(jpn: Node, usa: Node) -> None:
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)


def test_each_nation_approves_its_lines_on_its_own_node_and_both_see_the_plan_approved(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    j, u = people(jpn), people(usa)
    jcdr, ucdr = j["JPN commander jpn-jjoc"], u["USA commander usa-jfhq"]

    plan = bilateral_plan(jpn, jcdr)
    jline = task_line(jpn, jcdr, plan.id, JPN_UNIT, "JASDF sector watch")
    _drain(jpn, usa)
    uline = task_line(usa, ucdr, plan.id, USA_UNIT, "Fighter support")
    _drain(jpn, usa)

    at_jpn, at_usa = plans(jpn).get_plan(jcdr, plan.id), plans(usa).get_plan(ucdr, plan.id)
    assert at_jpn.revision == at_usa.revision == 3
    assert at_jpn.content_hash == at_usa.content_hash
    assert [line.owner for line in at_usa.lines] == ["JPN", "USA"]

    plans(jpn).approve(jcdr, plan.id, ApprovalIn(content_hash=at_jpn.content_hash))
    _drain(jpn, usa)
    assert plans(usa).get_plan(ucdr, plan.id).awaiting == ["USA"]
    plans(usa).approve(ucdr, plan.id, ApprovalIn(content_hash=at_usa.content_hash))
    _drain(jpn, usa)
    for node, who in ((jpn, jcdr), (usa, ucdr)):
        seen = plans(node).get_plan(who, plan.id)
        assert (seen.status, seen.awaiting) == (PlanStatus.APPROVED, []), node.settings.nation
        assert [p.approved for p in seen.parts] == [True, True]

    # The revisions read back from each node's ledger agree.
    assert plans(jpn).revisions(jcdr, plan.id) == plans(usa).revisions(ucdr, plan.id)

    # Each nation executes its own lines on its own node: the lead's node
    # issues JPN's taskings only, the partner's node USA's.
    done_j = plans(jpn).execute(jcdr, plan.id, ExecuteIn(content_hash=at_jpn.content_hash))
    _drain(jpn, usa)
    assert plans(usa).get_plan(ucdr, plan.id).status == PlanStatus.EXECUTING
    with jpn.db.read() as s:
        mine = s.query(TaskingRow).filter(TaskingRow.origin == "local").all()
        assert {(t.owner, t.unit_id) for t in mine} == {("JPN", JPN_UNIT)}
    assert plans(usa).get_line(ucdr, jline.id).tasking_ids == done_j.tasking_ids
    done_u = plans(usa).execute(ucdr, plan.id, ExecuteIn(content_hash=at_usa.content_hash))
    _drain(jpn, usa)
    with usa.db.read() as s:
        mine = s.query(TaskingRow).filter(TaskingRow.origin == "local").all()
        assert {(t.owner, t.unit_id) for t in mine} == {("USA", USA_UNIT)}
        assert [t.id for t in mine] == done_u.tasking_ids
    assert plans(jpn).get_plan(jcdr, plan.id).status == PlanStatus.EXECUTED

    # A change by USA on its node makes a new revision: on both nodes the plan
    # needs both approvals again.
    plans(usa).update_line(ucdr, uline.id, PlanLinePatch(detail="Two flights."))
    _drain(jpn, usa)
    again = plans(jpn).get_plan(jcdr, plan.id)
    assert again.revision == 4
    assert (again.status, again.awaiting) == (PlanStatus.DRAFT, ["JPN", "USA"])
    assert [c.fields[0].after for c in plans(jpn).diff(jcdr, plan.id, 3).changes] == [
        "Two flights."
    ]


def test_a_partners_comment_on_a_line_it_does_not_own_reaches_the_owner(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    j, u = people(jpn), people(usa)
    jcdr, ustaff = j["JPN commander jpn-jjoc"], u["USA staff_officer usa-jfhq"]
    plan = bilateral_plan(jpn, jcdr)
    jline = task_line(jpn, jcdr, plan.id, JPN_UNIT, "JASDF sector watch")
    _drain(jpn, usa)

    comment = plans(usa).comment(
        ustaff,
        plan.id,
        CommentIn(
            line_id=jline.id,
            kind="proposal",
            text="Extend the sector north.",
            proposed={"detail": "Sector extended north."},
        ),
    )
    _drain(jpn, usa)
    [seen] = plans(jpn).comments(jcdr, plan.id)
    assert (seen.id, seen.owner, seen.line_id, seen.kind) == (
        comment.id,
        "USA",
        jline.id,
        "proposal",
    )
    assert seen.proposed == {"detail": "Sector extended north."}
    assert seen.content_hash == plans(jpn).get_plan(jcdr, plan.id).content_hash
