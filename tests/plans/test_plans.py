"""The plans desk's rules on one node hosting JPN and USA authority (each
backend): approval of an exact revision by every nation, who approves, a
partner comments but never edits, execution issues each nation's own
taskings, revisions with a readable diff, and bad input changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from alliance.core.authority import Actor
from alliance.core.errors import Conflict, Forbidden, InvalidInput
from alliance.node import Node
from alliance.org.tables import TaskingRow
from alliance.plans import (
    ApprovalIn,
    CommentIn,
    ExecuteIn,
    PlanIn,
    PlanKind,
    PlanLinePatch,
    PlanParticipant,
    PlanPatch,
    PlanStatus,
    ProposedLine,
)
from alliance.plans.tables import PlanApprovalRow, PlanLineRow, PlanRow
from alliance.store.ledger import count

from .helpers import JPN_UNIT, USA_UNIT, bilateral_plan, people, plans, task_line


def _count(node: Node, model: type) -> int:
    with node.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _setup(node: Node) -> tuple[dict[str, Actor], str, str, str]:
    p = people(node)
    jcdr, ucdr = p["JPN commander jpn-jjoc"], p["USA commander usa-jfhq"]
    plan = bilateral_plan(node, jcdr)
    jline = task_line(node, jcdr, plan.id, JPN_UNIT, "JASDF sector watch")
    uline = task_line(node, ucdr, plan.id, USA_UNIT, "Fighter support")
    return p, plan.id, jline.id, uline.id


def test_a_revision_is_approved_only_when_every_nation_approved_its_own_lines_of_it(
    combined: Node,
) -> None:
    p, plan_id, _jline, uline = _setup(combined)
    desk = plans(combined)
    jcdr, ucdr = p["JPN commander jpn-jjoc"], p["USA commander usa-jfhq"]
    plan = desk.get_plan(jcdr, plan_id)
    assert plan.revision == 3  # the plan, then two lines
    assert plan.classification["en"].startswith("Real operation plans are classified")

    desk.approve(jcdr, plan_id, ApprovalIn(content_hash=plan.content_hash))
    plan = desk.get_plan(jcdr, plan_id)
    assert (plan.status, plan.awaiting) == (PlanStatus.DRAFT, ["USA"])

    desk.approve(ucdr, plan_id, ApprovalIn(content_hash=plan.content_hash))
    approved = desk.get_plan(jcdr, plan_id)
    assert (approved.status, approved.awaiting) == (PlanStatus.APPROVED, [])

    # USA changes its line: revision N+1, a different hash; approvals of N do not count.
    desk.update_line(ucdr, uline, PlanLinePatch(detail="Two flights, not one."))
    changed = desk.get_plan(jcdr, plan_id)
    assert changed.revision == approved.revision + 1
    assert changed.content_hash != approved.content_hash
    assert (changed.status, changed.awaiting) == (PlanStatus.DRAFT, ["JPN", "USA"])

    # Approving what one saw before the change is refused, and stores nothing.
    before = _count(combined, PlanApprovalRow)
    with pytest.raises(Conflict) as stale:
        desk.approve(jcdr, plan_id, ApprovalIn(content_hash=approved.content_hash))
    assert stale.value.code == "stale_revision"
    assert stale.value.field == "content_hash"
    assert "第" in stale.value.message.ja
    assert _count(combined, PlanApprovalRow) == before

    desk.approve(jcdr, plan_id, ApprovalIn(content_hash=changed.content_hash))
    assert desk.get_plan(jcdr, plan_id).awaiting == ["USA"]
    # A nation may withdraw its approval: its latest position stands.
    desk.approve(ucdr, plan_id, ApprovalIn(content_hash=changed.content_hash))
    assert desk.get_plan(jcdr, plan_id).status == PlanStatus.APPROVED
    desk.approve(ucdr, plan_id, ApprovalIn(content_hash=changed.content_hash, approve=False))
    assert desk.get_plan(jcdr, plan_id).awaiting == ["USA"]


def test_only_the_nations_commander_in_the_plans_chain_approves_its_lines(combined: Node) -> None:
    p, plan_id, _j, _u = _setup(combined)
    desk = plans(combined)
    digest = desk.get_plan(p["JPN commander jpn-jjoc"], plan_id).content_hash
    for who, code in (
        ("JPN staff_officer jpn-jjoc", "role_not_authorized"),
        ("JPN liaison_officer jpn-jjoc", "role_not_authorized"),
        ("JPN commander jpn-gcc", "not_in_chain"),  # not JPN's HQ in the plan, nor above it
    ):
        with pytest.raises(Forbidden) as refused:
            desk.approve(p[who], plan_id, ApprovalIn(content_hash=digest))
        assert refused.value.code == code, who
    assert _count(combined, PlanApprovalRow) == 0


def test_a_partner_comments_and_proposes_on_a_line_it_does_not_own_but_cannot_edit_it(
    combined: Node,
) -> None:
    p, plan_id, _jline, uline = _setup(combined)
    desk = plans(combined)
    jstaff = p["JPN staff_officer jpn-jjoc"]
    revision = desk.get_plan(jstaff, plan_id).revision
    with pytest.raises(Forbidden) as refused:
        desk.update_line(jstaff, uline, PlanLinePatch(title="JPN rewrites the US line"))
    assert refused.value.code == "not_owner_nation"
    assert "belongs to USA" in refused.value.message.en
    assert "propose" in refused.value.message.en
    assert "USAの所有" in refused.value.message.ja
    assert "提案" in refused.value.message.ja
    line = desk.get_line(jstaff, uline)
    assert (line.title, line.edits) == ("Fighter support", 1)
    assert desk.get_plan(jstaff, plan_id).revision == revision

    comment = desk.comment(
        jstaff,
        plan_id,
        CommentIn(
            line_id=uline,
            kind="proposal",
            text="Add a second flight.",
            text_ja="二個編隊にしてはどうか。",
            proposed=ProposedLine(detail="Two flights."),
        ),
    )
    assert (comment.owner, comment.line_id, comment.proposed) == (
        "JPN",
        uline,
        {"detail": "Two flights."},
    )
    assert comment.revision == revision
    # A comment is not content: no new revision.
    assert desk.get_plan(jstaff, plan_id).revision == revision
    assert [c.id for c in desk.comments(p["USA commander usa-jfhq"], plan_id)] == [comment.id]


def test_executing_issues_each_nations_taskings_under_its_own_authority_only(
    combined: Node,
) -> None:
    p, plan_id, jline, uline = _setup(combined)
    desk = plans(combined)
    jcdr, ucdr = p["JPN commander jpn-jjoc"], p["USA commander usa-jfhq"]
    digest = desk.get_plan(jcdr, plan_id).content_hash

    with pytest.raises(Conflict) as early:
        desk.execute(jcdr, plan_id, ExecuteIn(content_hash=digest))
    assert early.value.code == "not_approved"
    assert _count(combined, TaskingRow) == 0

    desk.approve(jcdr, plan_id, ApprovalIn(content_hash=digest))
    desk.approve(ucdr, plan_id, ApprovalIn(content_hash=digest))
    with pytest.raises(Forbidden):
        desk.execute(p["JPN staff_officer jpn-jjoc"], plan_id, ExecuteIn(content_hash=digest))

    done = desk.execute(jcdr, plan_id, ExecuteIn(content_hash=digest))
    assert done.owner == "JPN"
    assert len(done.tasking_ids) == 1
    with combined.db.read() as s:
        tasking = s.get(TaskingRow, done.tasking_ids[0])
        assert tasking is not None
        assert (tasking.owner, tasking.unit_id, tasking.issuing_hq_id) == (
            "JPN",
            JPN_UNIT,
            "jpn-jjoc",
        )
        assert tasking.title == "JASDF sector watch"
    assert desk.get_line(jcdr, jline).tasking_ids == done.tasking_ids
    assert desk.get_line(jcdr, uline).tasking_ids == []  # USA's line: USA executes it
    plan = desk.get_plan(jcdr, plan_id)
    assert plan.status == PlanStatus.EXECUTING
    assert plan.revision == 3
    assert plan.content_hash == digest

    with pytest.raises(Conflict) as twice:
        desk.execute(jcdr, plan_id, ExecuteIn(content_hash=digest))
    assert twice.value.code == "already_executed"

    usa = desk.execute(ucdr, plan_id, ExecuteIn(content_hash=digest))
    with combined.db.read() as s:
        owners = {s.get(TaskingRow, t).owner for t in usa.tasking_ids}  # type: ignore[union-attr]
    assert owners == {"USA"}
    assert desk.get_plan(ucdr, plan_id).status == PlanStatus.EXECUTED
    assert _count(combined, TaskingRow) == 2


def test_revisions_are_kept_and_the_diff_says_what_changed_field_by_field(
    combined: Node,
) -> None:
    p, plan_id, jline, uline = _setup(combined)
    desk = plans(combined)
    jcdr, ucdr = p["JPN commander jpn-jjoc"], p["USA commander usa-jfhq"]
    desk.update_plan(jcdr, plan_id, PlanPatch(title="Bilateral air defense exercise plan v2"))
    desk.update_line(ucdr, uline, PlanLinePatch(state="removed"))
    desk.update_line(jcdr, jline, PlanLinePatch(title_ja="空自の警戒"))
    plan = desk.get_plan(jcdr, plan_id)
    revs = desk.revisions(jcdr, plan_id)
    assert [r.revision for r in revs] == [1, 2, 3, 4, 5, 6]
    assert revs[-1].content_hash == plan.content_hash  # read back from the ledger
    assert [r.nation for r in revs] == ["JPN", "JPN", "USA", "JPN", "USA", "JPN"]

    d = desk.diff(jcdr, plan_id, 3)
    by_what = {(c.what, c.change): c for c in d.changes}
    plan_change = by_what[("plan", "changed")]
    assert [(f.field, f.after) for f in plan_change.fields] == [
        ("title", "Bilateral air defense exercise plan v2")
    ]
    assert plan_change.fields[0].label == {"en": "title", "ja": "表題"}
    assert by_what[("line", "removed")].id == uline
    assert by_what[("line", "removed")].owner == "USA"
    line_change = by_what[("line", "changed")]
    assert [(f.field, f.label["ja"], f.after) for f in line_change.fields] == [
        ("title_ja", "表題（日本語）", "空自の警戒")
    ]
    added = desk.diff(jcdr, plan_id, 1, 2).changes
    assert [(c.what, c.change, c.id) for c in added] == [("line", "added", jline)]
    assert "系列" in added[0].label["ja"]
    with pytest.raises(InvalidInput) as unknown:
        desk.diff(jcdr, plan_id, 7)
    assert (unknown.value.field, unknown.value.code) == ("from", "unknown_revision")


def test_bad_input_is_refused_and_changes_nothing(combined: Node) -> None:
    p, plan_id, _j, _u = _setup(combined)
    desk = plans(combined)
    jcdr = p["JPN commander jpn-jjoc"]
    events = count(combined.db)
    plans_before = _count(combined, PlanRow)
    base: dict[str, Any] = {
        "kind": PlanKind.TEMPLATE,
        "title": "Bad",
        "hq_id": "jpn-jjoc",
        "participants": [PlanParticipant(nation="JPN", hq_id="jpn-jjoc")],
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"participants": [PlanParticipant(nation="JPN", hq_id="usa-jfhq")]},
            "participants.0.hq_id",
            "hq_of_other_nation",
        ),
        (
            {"participants": [PlanParticipant(nation="USA", hq_id="usa-jfhq")]},
            "participants",
            "lead_not_participant",
        ),
        (
            {
                "participants": [
                    PlanParticipant(nation="JPN", hq_id="jpn-jjoc"),
                    PlanParticipant(nation="USA", hq_id="usa-jfhq"),
                ]
            },
            "marking.releasable_to",
            "not_released_to_participant",
        ),
        (
            {"phases": [PHASES_DUP, PHASES_DUP]},
            "phases.1",
            "duplicate_id",
        ),
    ]
    for change, field, code in cases:
        with pytest.raises(InvalidInput) as bad:
            desk.create_plan(jcdr, PlanIn(**{**base, **change}))
        assert (bad.value.field, bad.value.code) == (field, code)
        assert bad.value.message.ja
    with pytest.raises(InvalidInput) as foreign_unit:
        task_line(combined, jcdr, plan_id, USA_UNIT, "Task a US unit")
    assert (foreign_unit.value.field, foreign_unit.value.code) == (
        "unit_ids.0",
        "unit_of_other_nation",
    )
    assert count(combined.db) == events
    assert _count(combined, PlanRow) == plans_before
    assert _count(combined, PlanLineRow) == 2


PHASES_DUP = {"id": "ph-x", "name": "Phase X"}
