"""What the exercise desk's parts share: the owned kinds, views, the exercise
lookups and the exercise-scoped role rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Grant, Target, authorize
from alliance.core.errors import Forbidden, InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut, TimeOut
from alliance.org import HQ as HQ_TYPE
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.memo import forget_on_write, memo
from alliance.store.owned import OwnedKind, Ref, view

from . import tables
from .clock import Clock, due_ex
from .models import (
    ClockOut,
    ClockState,
    DeliveryOut,
    ExerciseOut,
    ExerciseRole,
    InjectOut,
    InjectState,
    Method,
    ObjectiveOut,
    Participant,
    RoleOut,
    format_h_plus,
)
from .tables import (
    ExerciseRoleRow,
    ExerciseRow,
    InjectDeliveryRow,
    InjectRow,
    ObjectiveRow,
)


def participant_hq(row: ExerciseRow, nation: str) -> str | None:
    """The HQ ``nation`` takes part from, or None when it does not take part."""
    for p in row.participants:
        if p.get("nation") == nation:
            return p.get("hq_id")
    return None


def exercise_chain(s: Session, row: ExerciseRow, nation: str) -> tuple[str, ...]:
    """The chain of command holding ``nation``'s part of the exercise: its
    participating HQ and that HQ's superiors (empty when it takes no part)."""
    hq_id = participant_hq(row, nation)
    return hq_chain(s, hq_id) if hq_id else ()


def chain_of(s: Session, exercise_id: str, nation: str) -> tuple[str, ...]:
    ex = s.get(ExerciseRow, exercise_id)
    return exercise_chain(s, ex, nation) if ex is not None else ()


_EXERCISE_REF = Ref("exercise_id", tables.EXERCISE, "exercise_id")

EXERCISE: OwnedKind[ExerciseRow] = OwnedKind(
    tables.EXERCISE,
    lambda s, row: exercise_chain(s, row, row.owner),
    refs=(Ref("participants", HQ_TYPE, "participants", key="hq_id"),),
)
OBJECTIVE: OwnedKind[ObjectiveRow] = OwnedKind(
    tables.OBJECTIVE, lambda s, r: chain_of(s, r.exercise_id, r.owner), refs=(_EXERCISE_REF,)
)
EXERCISE_ROLE: OwnedKind[ExerciseRoleRow] = OwnedKind(
    tables.EXERCISE_ROLE,
    lambda s, r: chain_of(s, r.exercise_id, r.owner),
    refs=(_EXERCISE_REF,),
)
# An inject is national-only: what it names is judged when it is delivered.
INJECT: OwnedKind[InjectRow] = OwnedKind(
    tables.INJECT,
    lambda s, r: chain_of(s, r.exercise_id, r.owner),
    refs=(_EXERCISE_REF, Ref("addressee_hq_id", HQ_TYPE, "addressee_hq_id")),
)
DELIVERY: OwnedKind[InjectDeliveryRow] = OwnedKind(
    tables.INJECT_DELIVERY,
    lambda s, r: chain_of(s, r.exercise_id, r.owner),
    refs=(_EXERCISE_REF, Ref("addressee_hq_id", HQ_TYPE, "addressee_hq_id")),
)


# -- views ---------------------------------------------------------------------


def clock_of(row: ExerciseRow) -> Clock:
    return Clock(ClockState(row.clock_state), row.clock_speed, row.clock_real, row.clock_ex)


def exercise_view(row: ExerciseRow, now: datetime, roles: Iterable[str] = ()) -> ExerciseOut:
    clock = clock_of(row)
    return view(
        ExerciseOut,
        row,
        participants=[Participant.model_validate(p) for p in row.participants],
        h_hour=TimeOut.of(row.h_hour),
        clock=ClockOut(
            state=clock.state,
            speed=clock.speed,
            now_ex=TimeOut.maybe(clock.now_ex(now)),
            real=TimeOut.maybe(row.clock_real),
            ex=TimeOut.maybe(row.clock_ex),
        ),
        my_roles=sorted({ExerciseRole(r) for r in roles}),
    )


def objective_view(row: ObjectiveRow) -> ObjectiveOut:
    return view(ObjectiveOut, row)


def role_view(row: ExerciseRoleRow) -> RoleOut:
    return view(RoleOut, row, role=ExerciseRole(row.role), revoked=TimeOut.maybe(row.revoked_at))


def inject_due_ex(row: InjectRow, exercise: ExerciseRow) -> datetime:
    return due_ex(exercise.h_hour, row.due_ex, row.offset_s)


def inject_view(row: InjectRow, exercise: ExerciseRow) -> InjectOut:
    return view(
        InjectOut,
        row,
        due=TimeOut.maybe(row.due_ex),
        h_plus=format_h_plus(row.offset_s) if row.offset_s is not None else None,
        due_ex=TimeOut.of(inject_due_ex(row, exercise)),
        method=Method(row.method),
        objective_ids=list(row.objective_ids),
        release_marking=MarkingOut.of(release_marking(row), row.owner),
        state=InjectState(row.state),
        delivered=TimeOut.maybe(row.delivered_at),
    )


def delivery_view(row: InjectDeliveryRow) -> DeliveryOut:
    return view(
        DeliveryOut,
        row,
        method=Method(row.method),
        due_ex=TimeOut.of(row.due_ex),
        due_at=TimeOut.of(row.due_at),
        delivered=TimeOut.of(row.delivered_at),
    )


def release_marking(row: InjectRow) -> Marking:
    """What the inject's delivery releases (the row itself stays national-only)."""
    return Marking.from_columns(row.release_rel, row.release_tlp)


def set_release(row: InjectRow, marking: Marking) -> None:
    row.release_rel = marking.rel_text()
    row.release_tlp = marking.tlp.value if marking.tlp else None


def national(owner: str) -> Marking:
    return Marking(frozenset({owner}), None)


# -- exercise roles ------------------------------------------------------------

ROLE_NAMES: dict[ExerciseRole, Text] = {
    ExerciseRole.OWNER: Text("exercise owner", "演習統括"),
    ExerciseRole.EDITOR: Text("MSEL editor", "MSEL編集者"),
    ExerciseRole.APPROVER: Text("MSEL approver", "MSEL承認者"),
    ExerciseRole.CONTROLLER: Text("controller", "統制官"),
    ExerciseRole.EVALUATOR: Text("evaluator", "評価官"),
    ExerciseRole.VIEWER: Text("viewer", "閲覧者"),
}


def roles_in(s: Session, exercise_id: str, actor: Actor) -> set[str]:
    """The actor's roles in the exercise in force (its own nation's assignments);
    kept in the session's memo until a role is written (a job writing many
    injects for one editor asks once)."""
    known = memo(s, _ROLES_MEMO)
    key = (exercise_id, actor.user_id, actor.nation)
    roles: frozenset[str] | None = known.get(key)
    if roles is None:
        stmt = select(ExerciseRoleRow.role).where(
            ExerciseRoleRow.exercise_id == exercise_id,
            ExerciseRoleRow.user_id == actor.user_id,
            ExerciseRoleRow.owner == actor.nation,
            ExerciseRoleRow.revoked_at.is_(None),
        )
        roles = known[key] = frozenset(s.scalars(stmt))
    return set(roles)


_ROLES_MEMO = "exercise.roles"
forget_on_write(_ROLES_MEMO, ExerciseRoleRow)


def require_role(
    s: Session, actor: Actor, exercise: ExerciseRow, *allowed: ExerciseRole
) -> set[str]:
    """Refuse unless the actor holds one of ``allowed`` (or owner) in the exercise."""
    held = roles_in(s, exercise.id, actor)
    wanted = {r.value for r in allowed} | {ExerciseRole.OWNER.value}
    if held & wanted:
        return held
    names = sorted(allowed, key=lambda r: r.value)
    en = " or ".join(ROLE_NAMES[r].en for r in names)
    ja = "または".join(ROLE_NAMES[r].ja for r in names)
    raise Forbidden(
        Text(
            f"This needs the role {en} in exercise '{exercise.id}'; you hold "
            f"{', '.join(sorted(held)) or 'no role'} in it. Exercise roles are given by "
            "the exercise owner of your nation.",
            f"この操作には演習「{exercise.id}」における{ja}の役割が必要です。"
            "演習内の役割は自国の演習統括者が付与します。",
        ),
        code="exercise_role_required",
    )


def require_participant_nation(exercise: ExerciseRow, nation: str, field: str) -> str:
    """The HQ ``nation`` takes part from; refused when it takes no part."""
    hq_id = participant_hq(exercise, nation)
    if hq_id is None:
        raise InvalidInput(
            Text(
                f"{nation} takes no part in exercise '{exercise.id}'.",
                f"{nation}は演習「{exercise.id}」に参加していません。",
            ),
            field=field,
            code="not_a_participant",
        )
    return hq_id


class ExerciseBase:
    """What every part of the exercise desk holds: the node's context."""

    ctx: DeskContext

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    def _exercise(self, s: Session, actor: Actor, exercise_id: str) -> ExerciseRow:
        return EXERCISE.find(s, actor.nation, exercise_id, "exercise_id")


__all__ = [
    "DELIVERY",
    "EXERCISE",
    "EXERCISE_ROLE",
    "INJECT",
    "OBJECTIVE",
    "ROLE_NAMES",
    "ExerciseBase",
    "chain_of",
    "clock_of",
    "delivery_view",
    "exercise_chain",
    "exercise_view",
    "inject_due_ex",
    "inject_view",
    "national",
    "objective_view",
    "participant_hq",
    "release_marking",
    "require_participant_nation",
    "require_role",
    "role_view",
    "roles_in",
    "set_release",
]
