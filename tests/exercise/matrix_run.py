"""The running side of the exercise desk in the authorization matrix (its
clock and the inboxes): rows, type routes and objects that
:mod:`tests.exercise.matrix` adds to the desk's declaration.

Each nation leads two exercises of its own for these rows (named under the
matrix kind ``clock_exercise``, so that no other row finds their clock moved):
one with its partner (released to it) and one of its own (national-only). Its top commander created them and so holds
the exercise owner role; its top staff officer is given the controller role.
Nobody else holds a role in them: the partner's people may read a released
exercise's time and their inbox in it, never run its clock.

The clock's controls change state, and the matrix calls each route by every
role in turn (commander first, then staff officer): the commander starts the
clock, and the staff officer, one step later, finds it running (409
``wrong_state``); pause, resume and end likewise. A new speed and setting the
time forward (to a later moment each call) succeed for both.

Each nation also delivers one inject to its partner's top HQ, released to it
(the delivery is what the inbox lists), and keeps another inject, not yet
due, and the role assignments national-only: no body may name them. (A
delivered inject's id is named by its delivery, ``inject_id``, once the
partner receives it: that inject is not listed as unreleased.)

The MSEL's own routes (and so ``exercise_role``, ``inject``, objectives,
observations and evaluations) are declared beside their routes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alliance.core.authority import Role
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import ExerciseIn, ExerciseRole, InjectIn, Participant, RoleIn
from tests.api.matrix_rules import (
    API,
    NOT_FOUND,
    OK,
    WRONG_STATE,
    Call,
    Expect,
    Row,
    Rule,
    Subject,
    view,
)
from tests.api.matrix_world import NAT, PARTNER, REL, TOP_HQ, Side

ROLE_REQUIRED = Expect(403, "exercise_role_required")
EXERCISE = "clock_exercise"  # the matrix's kind for these rows' exercises
CLOCK = f"{API}/exercises/{{exercise_id}}/clock"


def controller(first: Expect, then: Expect) -> Rule:
    """Only the owning nation's exercise owner (its commander) or controller (its
    staff officer); ``then``: what the staff officer, who acts right after the
    commander on the same exercise, finds."""

    def rule(role: Role, s: Subject) -> Expect:
        if not (s.whose == "own" or (s.whose == "partner" and s.mark == REL)):
            return NOT_FOUND
        if s.whose == "partner":
            return ROLE_REQUIRED  # nobody of the partner holds a role in it
        if role is Role.COMMANDER:
            return first
        if role is Role.STAFF_OFFICER:
            return then
        return ROLE_REQUIRED

    return rule


def _empty(_c: Call, _ident: str) -> dict[str, Any]:
    return {}


def _speed(c: Call, _ident: str) -> dict[str, Any]:
    return {"speed": 1.0 + c.serial % 7}


def _set(c: Call, _ident: str) -> dict[str, Any]:
    # Later with every call: the time only moves forward.
    at = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=c.serial)
    return {"at": at.isoformat()}


def create_running(side: Side) -> None:
    n, node = side.nation, side.node
    desk = node.desk("exercise", ExerciseDesk)
    cdr = node.users.authenticate(side.token(Role.COMMANDER))
    staff = node.users.authenticate(side.token(Role.STAFF_OFFICER))
    partner = PARTNER[n]
    for mark in (REL, NAT):
        released = mark == REL
        participants = [Participant(nation=n, hq_id=TOP_HQ[n])]
        if released:
            participants.append(Participant(nation=partner, hq_id=TOP_HQ[partner]))
        ex = desk.create_exercise(
            cdr,
            ExerciseIn(
                id=f"{n.lower()}-mx-clock-{mark}",
                name=f"{EXERCISE_NAME} matrix {mark} ({FICTIONAL})",
                participants=participants,
                h_hour="2026-11-02T00:00:00Z",
                clock_speed=60.0,
                marking=MarkingIn(releasable_to=[partner] if released else []),
            ),
        )
        side.objects[(EXERCISE, mark)] = ex.id
        role = desk.assign_role(
            cdr, ex.id, RoleIn(user_id=staff.user_id, role=ExerciseRole.CONTROLLER)
        )
        if released:
            side.objects.setdefault(("exercise_role", NAT), role.id)
            inject = desk.create_inject(
                cdr,
                ex.id,
                InjectIn(
                    serial=f"{n}-MX-1",
                    h_plus="H+00:01",
                    sender="Matrix control cell (FICTIONAL)",
                    addressee_hq_id=TOP_HQ[partner],
                    description=f"FICTIONAL matrix inject of {n}.",
                    marking=MarkingIn(releasable_to=[partner]),
                ),
            )
            desk.approve_inject(cdr, inject.id)
            delivery = node.writer.run(
                lambda tx, ident=inject.id: desk.deliver_in(tx, ident, tx.now)  # type: ignore[misc]
            )
            assert delivery is not None
            side.objects.setdefault(("inject_delivery", REL), delivery.id)
            # An inject not yet delivered: nothing of it may reach the partner.
            # (A delivered one is named by its delivery, ``inject_id``: the
            # partner learns the id when it receives the inject.)
            waiting = desk.create_inject(
                cdr,
                ex.id,
                InjectIn(
                    serial=f"{n}-MX-2",
                    h_plus="H+99:00",
                    sender="Matrix control cell (FICTIONAL)",
                    addressee_hq_id=TOP_HQ[partner],
                    description=f"FICTIONAL matrix inject of {n}, not yet due.",
                    marking=MarkingIn(releasable_to=[partner]),
                ),
            )
            side.objects.setdefault(("inject", NAT), waiting.id)


RUN_ROWS = (
    Row("GET", CLOCK, view(OK), EXERCISE),
    Row("POST", f"{CLOCK}/start", controller(OK, WRONG_STATE), EXERCISE, _empty),
    Row("POST", f"{CLOCK}/pause", controller(OK, WRONG_STATE), EXERCISE, _empty),
    Row("POST", f"{CLOCK}/resume", controller(OK, WRONG_STATE), EXERCISE, _empty),
    Row("POST", f"{CLOCK}/speed", controller(OK, OK), EXERCISE, _speed),
    Row("POST", f"{CLOCK}/set", controller(OK, OK), EXERCISE, _set),
    Row("POST", f"{CLOCK}/end", controller(OK, WRONG_STATE), EXERCISE, _empty),
    Row("GET", f"{API}/exercises/{{exercise_id}}/inbox", view(OK), EXERCISE),
)
RUN_TYPE_ROUTES = {
    "exercise": f"GET {CLOCK}",
    "inject_delivery": f"GET {API}/exercises/{{exercise_id}}/inbox",
}
