"""The plans desk in the authorization matrix (found by ``tests/api/matrix_desks``).

The lead's chain of command (commander, staff officer) drafts and amends its
plan; each participating nation adds and amends its own lines, approves its
own lines (commander), executes them (commander) and comments (commander,
staff officer, liaison officer); everyone reads what is released to them.
A released plan has both nations as participants; a national-only plan only
its lead.

Approvals go on plans of their own (``plan_to_approve``) that no cell
changes, so that the hash a cell reads is still current when it approves;
the matrix withdraws (``approve: false``), so that no plan becomes approved
and ``execute`` answers ``not_approved`` throughout.
"""

from __future__ import annotations

from typing import Any

from alliance.plans import (
    DESK,
    ApprovalIn,
    CommentIn,
    LineKind,
    PlanIn,
    PlanKind,
    PlanLineIn,
    PlanParticipant,
    PlansDesk,
)
from alliance.plans.common import plan_state
from alliance.plans.tables import PlanRow
from tests.api.matrix_desks import DeskMatrix
from tests.api.matrix_rules import (
    API,
    CDR,
    CDR_STAFF,
    CDR_STAFF_LO,
    CREATED,
    OK,
    Call,
    Expect,
    Row,
    any_nation_may,
    node_role,
    owner_acts,
    signed_in,
    view,
)
from tests.api.matrix_world import NAT, PARTNER, REL, TOP_HQ, Side, actor, marking

TO_APPROVE = "plan_to_approve"
NOT_APPROVED = Expect(409, "not_approved")
NO_HASH = "sha256:" + "0" * 64


def _plan_in(nation: str, released: bool, title: str) -> PlanIn:
    who = [nation, PARTNER[nation]] if released else [nation]
    return PlanIn(
        kind=PlanKind.TEMPLATE,
        title=title,
        title_ja=f"{title}（行列）",
        hq_id=TOP_HQ[nation],
        participants=[PlanParticipant(nation=n, hq_id=TOP_HQ[n]) for n in who],
        phases=[{"id": "ph-1", "name": "Phase I", "name_ja": "第I段階"}],
        marking=marking(nation, released),
    )


def _create(side: Side) -> None:
    desk = side.node.desk("plans", PlansDesk)
    cdr = actor(side.nation)
    for mark in (REL, NAT):
        released = mark == REL
        plan = desk.create_plan(cdr, _plan_in(side.nation, released, f"Matrix plan {mark}"))
        side.objects[("plan", mark)] = plan.id
        line = desk.add_line(
            cdr,
            plan.id,
            PlanLineIn(kind=LineKind.EFFORT, phase_id="ph-1", title=f"Matrix line {mark}"),
        )
        side.objects[("plan_line", mark)] = line.id
        side.objects[("plan_comment", mark)] = desk.comment(
            cdr, plan.id, CommentIn(line_id=line.id, text=f"Matrix comment {mark}")
        ).id
        other = desk.create_plan(cdr, _plan_in(side.nation, released, f"Matrix approval {mark}"))
        side.objects[(TO_APPROVE, mark)] = other.id
        side.objects[("plan_approval", mark)] = desk.approve(
            cdr, other.id, ApprovalIn(content_hash=other.content_hash, approve=False)
        ).id


def _current_hash(c: Call, ident: str) -> str:
    """The hash of the plan as the calling node holds it (any, for one it lacks)."""
    with c.side.node.db.read() as s:
        row = s.get(PlanRow, ident)
        return plan_state(s, row, c.side.nation).content_hash if row is not None else NO_HASH


def _plan_body(c: Call, _ident: str) -> dict[str, Any]:
    return _plan_in(c.side.nation, True, f"matrix {c.serial}").model_dump(mode="json")


def _note(key: str) -> Any:
    return lambda c, _i: {key: f"matrix {c.serial}"}


P = f"{API}/plans"

MATRIX = DeskMatrix(
    desk=DESK,
    rows=(
        Row("GET", P, signed_in(OK)),
        Row("POST", P, node_role(CDR_STAFF, CREATED), body=_plan_body),
        Row("GET", f"{P}/lines/{{line_id}}", view(), "plan_line"),
        Row(
            "PATCH",
            f"{P}/lines/{{line_id}}",
            owner_acts(CDR_STAFF, OK),
            "plan_line",
            _note("detail"),
        ),
        Row("GET", f"{P}/{{plan_id}}", view(), "plan"),
        Row("PATCH", f"{P}/{{plan_id}}", owner_acts(CDR_STAFF, OK), "plan", _note("purpose")),
        Row(
            "POST",
            f"{P}/{{plan_id}}/lines",
            any_nation_may(CDR_STAFF, CREATED),
            "plan",
            lambda c, _i: {"kind": "effort", "title": f"matrix {c.serial}"},
        ),
        Row("GET", f"{P}/{{plan_id}}/approvals", view(), TO_APPROVE),
        Row(
            "POST",
            f"{P}/{{plan_id}}/approvals",
            any_nation_may(CDR, CREATED),
            TO_APPROVE,
            lambda c, i: {"content_hash": _current_hash(c, i), "approve": False},
        ),
        Row(
            "POST",
            f"{P}/{{plan_id}}/execute",
            any_nation_may(CDR, NOT_APPROVED),
            TO_APPROVE,
            lambda c, i: {"content_hash": _current_hash(c, i)},
        ),
        Row("GET", f"{P}/{{plan_id}}/comments", view(), "plan"),
        Row(
            "POST",
            f"{P}/{{plan_id}}/comments",
            any_nation_may(CDR_STAFF_LO, CREATED),
            "plan",
            _note("text"),
        ),
        Row("GET", f"{P}/{{plan_id}}/revisions", view(), "plan"),
        Row("GET", f"{P}/{{plan_id}}/diff", view(), "plan", params=lambda c, i: {"from": "1"}),
        Row("GET", f"{P}/{{plan_id}}/sync", view(), "plan"),
        Row("GET", f"{P}/{{plan_id}}/sync.svg", view(), "plan"),
        Row("GET", f"{P}/{{plan_id}}/sync.png", view(), "plan"),
    ),
    type_routes={
        "plan": f"PATCH {P}/{{plan_id}}",
        "plan_line": f"PATCH {P}/lines/{{line_id}}",
        "plan_approval": f"POST {P}/{{plan_id}}/approvals",
        "plan_comment": f"POST {P}/{{plan_id}}/comments",
    },
    create=_create,
)
