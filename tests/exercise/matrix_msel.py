"""The planning side of the exercise desk in the authorization matrix: its
routes' rows, the routes that exercise its owned types, and the objects the
matrix world holds (declared for the desk in ``tests/exercise/matrix.py``).

Exercise roles, not node roles, decide most of it. In each nation's two
exercises (one with both nations taking part, released to the partner; one
national-only, the nation alone), the commander who created it is its
owner, the staff officer is MSEL editor and approver, the matrix viewer a
viewer; nobody else holds a role. So:

- the exercise, its roles list and its released objectives: whoever sees
  the exercise;
- giving and taking back roles: the nation's commander or administrator
  (for a partner's released exercise too: each nation gives its own people
  roles in it);
- reading the MSEL and its export: a role in the exercise; writing rows,
  objectives and importing sheets: the owner or an editor. Nobody holds a
  role in the partner's exercise (roles are given after the world is made),
  so there every MSEL call is ``exercise_role_required``;
- an MSEL row (and a role assignment) is national-only: the partner never
  finds it.
"""

from __future__ import annotations

from typing import Any

from alliance.core.authority import Actor, Role
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import (
    ExerciseIn,
    ExerciseRole,
    InjectIn,
    ObjectiveIn,
    Participant,
    RoleIn,
)
from alliance.exercise.tables import InjectDeliveryRow
from alliance.store.writer import Tx
from tests.api.matrix_rules import (
    API,
    CDR_STAFF,
    CREATED,
    NOT_FOUND,
    OK,
    Call,
    Expect,
    Row,
    Rule,
    Subject,
    node_role,
    signed_in,
    view,
)
from tests.api.matrix_world import NAT, REL, TOP_HQ, Side

ROLE_REQUIRED = Expect(403, "exercise_role_required")
EX = f"{API}/exercises"
GIVERS = frozenset({Role.COMMANDER, Role.ADMIN})
READERS = frozenset({Role.COMMANDER, Role.STAFF_OFFICER, Role.VIEWER})


def _seen(s: Subject) -> bool:
    return s.whose == "own" or (s.whose == "partner" and s.mark == REL)


def exercise_role(holders: frozenset[Role], ok: Expect) -> Rule:
    """An MSEL step on an exercise: the holders of the role in the nation's
    own exercises; nobody in the partner's; what is unseen does not exist."""

    def rule(role: Role, s: Subject) -> Expect:
        if not _seen(s):
            return NOT_FOUND
        return ok if s.whose == "own" and role in holders else ROLE_REQUIRED

    return rule


def role_giver(ok: Expect, *, own_only: bool = False) -> Rule:
    """Giving (or taking back) roles: the nation's commander or administrator,
    in any exercise its nation takes part in (``own_only``: on its own record)."""

    def rule(role: Role, s: Subject) -> Expect:
        if not _seen(s) or (own_only and s.whose != "own"):
            return NOT_FOUND
        return ok if role in GIVERS else ROLE_REQUIRED

    return rule


def _actor(side: Side, role: Role) -> Actor:
    return side.node.users.authenticate(side.token(role))


def _desk(side: Side) -> ExerciseDesk:
    return side.node.desk("exercise", ExerciseDesk)


def _inject_in(side: Side, serial: str, *, to_partner: bool = False) -> InjectIn:
    return InjectIn(
        serial=serial,
        h_plus="H+00:10",
        sender="Matrix EXCON",
        addressee_hq_id=TOP_HQ[side.partner if to_partner else side.nation],
        description=f"FICTIONAL: matrix inject {serial}",
        marking=MarkingIn(releasable_to=[side.partner] if to_partner else []),
    )


def create_planning(side: Side) -> None:
    """Each nation's two exercises, the roles in them, objectives, MSEL rows
    and one delivery of each marking."""
    desk, n, o = _desk(side), side.nation, side.objects
    cdr, staff = _actor(side, Role.COMMANDER), _actor(side, Role.STAFF_OFFICER)
    viewer, liaison = _actor(side, Role.VIEWER), _actor(side, Role.LIAISON_OFFICER)
    prefix = n.lower()
    for mark in (REL, NAT):
        released = mark == REL
        participants = [Participant(nation=n, hq_id=TOP_HQ[n])]
        if released:
            participants.append(Participant(nation=side.partner, hq_id=TOP_HQ[side.partner]))
        ex = desk.create_exercise(
            cdr,
            ExerciseIn(
                id=f"{prefix}-mx-ex-{mark}",
                name=f"Matrix exercise {mark} (FICTIONAL)",
                participants=participants,
                h_hour="2026-11-02T00:00:00Z",
                marking=MarkingIn(releasable_to=[side.partner] if released else []),
            ),
        )
        o[("exercise", mark)] = ex.id
        for who, role in (
            (staff, ExerciseRole.EDITOR),
            (staff, ExerciseRole.APPROVER),
            (viewer, ExerciseRole.VIEWER),
        ):
            desk.assign_role(cdr, ex.id, RoleIn(user_id=who.user_id, role=role))
        o[("exercise_objective", mark)] = desk.create_objective(
            cdr,
            ex.id,
            ObjectiveIn(
                code=f"MX-TO-{mark[:3]}",
                title=f"Matrix objective {mark}",
                marking=MarkingIn(releasable_to=[side.partner] if released else []),
            ),
        ).id
    ex_rel = o[("exercise", REL)]
    # A role assignment is national-only; this one is for taking back.
    o[("exercise_role", NAT)] = desk.assign_role(
        cdr, ex_rel, RoleIn(user_id=liaison.user_id, role=ExerciseRole.VIEWER)
    ).id
    # An MSEL row is national-only (the one PATCH changes, and the refused steps name).
    o[("inject", NAT)] = desk.create_inject(staff, ex_rel, _inject_in(side, "MX-ROW")).id
    # Delivered injects: what the player receives, released or national-only.
    now = side.node.ctx.clock()
    for mark in (REL, NAT):
        inject = desk.create_inject(
            staff, ex_rel, _inject_in(side, f"MX-DLV-{mark[:3]}", to_partner=mark == REL)
        )
        desk.approve_inject(staff, inject.id)

        def deliver(tx: Tx, ident: str = inject.id) -> InjectDeliveryRow | None:
            return desk.deliver_in(tx, ident, now)

        delivered = side.node.writer.run(deliver)
        assert delivered is not None
        o[("inject_delivery", mark)] = delivered.id


def _fresh_inject(c: Call) -> str:
    """A new draft MSEL row of the caller's nation, for a step that uses it up."""
    side = c.side
    ex = side.obj("exercise", REL)
    staff = _actor(side, Role.STAFF_OFFICER)
    return _desk(side).create_inject(staff, ex, _inject_in(side, f"MX-F{c.serial}")).id


def _exercise_body(c: Call, _ident: str) -> dict[str, Any]:
    n = c.side.nation
    return {
        "id": f"{n.lower()}-mx-new-{c.serial}",
        "name": f"Matrix exercise {c.serial} (FICTIONAL)",
        "participants": [{"nation": n, "hq_id": TOP_HQ[n]}],
        "h_hour": "2026-11-02T00:00:00Z",
    }


def _inject_body(c: Call, _ident: str) -> dict[str, Any]:
    return {
        "serial": f"MX-{c.serial}",
        "h_plus": "H+00:20",
        "sender": "Matrix EXCON",
        "addressee_hq_id": TOP_HQ[c.side.nation],
        "description": f"FICTIONAL: matrix row {c.serial}",
    }


def _objective_body(c: Call, _ident: str) -> dict[str, Any]:
    return {
        "code": f"MX-{c.serial}",
        "title": f"Matrix objective {c.serial}",
        "marking": c.released_to_both(),
    }


def _sheet(c: Call, _ident: str) -> tuple[str, bytes]:
    head = "Serial,DTG,Sender,Addressee HQ,Description\r\n"
    row = f"MXS-{c.serial},H+00:30,Matrix EXCON,{TOP_HQ[c.side.nation]},FICTIONAL: sheet row\r\n"
    return "text/csv", (head + row).encode()


MSEL_ROWS: tuple[Row, ...] = (
    Row("GET", EX, signed_in(OK)),
    # Planning an exercise is its lead nation's chain of command's.
    Row("POST", EX, node_role(CDR_STAFF, CREATED), body=_exercise_body),
    Row("GET", f"{EX}/{{exercise_id}}", view(), kind="exercise"),
    Row("GET", f"{EX}/{{exercise_id}}/roles", view(), kind="exercise"),
    Row(
        "POST",
        f"{EX}/{{exercise_id}}/roles",
        role_giver(CREATED),
        "exercise",
        lambda c, _i: {"user_id": c.side.user_id, "role": "viewer"},
    ),
    Row("DELETE", f"{EX}/roles/{{role_id}}", role_giver(OK, own_only=True), kind="exercise_role"),
    Row("GET", f"{EX}/{{exercise_id}}/objectives", view(), kind="exercise"),
    Row(
        "POST",
        f"{EX}/{{exercise_id}}/objectives",
        exercise_role(CDR_STAFF, CREATED),
        "exercise",
        _objective_body,
    ),
    Row("GET", f"{EX}/{{exercise_id}}/injects", exercise_role(READERS, OK), kind="exercise"),
    Row(
        "POST",
        f"{EX}/{{exercise_id}}/injects",
        exercise_role(CDR_STAFF, CREATED),
        "exercise",
        _inject_body,
    ),
    Row(
        "PATCH",
        f"{EX}/injects/{{inject_id}}",
        exercise_role(CDR_STAFF, OK),
        "inject",
        lambda c, _i: {"controller": f"matrix {c.serial}"},
    ),
    Row(
        "POST",
        f"{EX}/injects/{{inject_id}}/approve",
        exercise_role(CDR_STAFF, OK),
        "inject",
        lambda _c, _i: {},
        fresh=True,
        make=_fresh_inject,
    ),
    Row(
        "POST",
        f"{EX}/injects/{{inject_id}}/cancel",
        exercise_role(CDR_STAFF, OK),
        "inject",
        lambda _c, _i: {},
        fresh=True,
        make=_fresh_inject,
    ),
    Row(
        "POST",
        f"{EX}/{{exercise_id}}/msel/import",
        exercise_role(CDR_STAFF, CREATED),
        "exercise",
        content=_sheet,
    ),
    Row("GET", f"{EX}/{{exercise_id}}/msel/export", exercise_role(READERS, OK), kind="exercise"),
)

MSEL_TYPE_ROUTES: dict[str, str] = {
    "exercise": f"GET {EX}/{{exercise_id}}",
    "exercise_objective": f"POST {EX}/{{exercise_id}}/objectives",
    "exercise_role": f"DELETE {EX}/roles/{{role_id}}",
    "inject": f"PATCH {EX}/injects/{{inject_id}}",
    # Until the inbox route (routes_run) has its row: the MSEL shows each
    # delivery's id; the ledger's object history reads the delivery itself.
    "inject_delivery": f"GET {EX}/{{exercise_id}}/injects",
}
