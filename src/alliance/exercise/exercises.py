"""Exercises and the roles in them.

The lead nation creates an exercise from its HQ among the participants and
owns it (and so its clock, :mod:`.clock`); its creator becomes the
exercise's owner for that nation. Each participating nation gives roles in
the exercise to its own people (the roles are its own objects): its
commander, its node administrator, or a user holding the owner role for it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Role, Target
from alliance.core.errors import Forbidden, InvalidInput, not_found
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow, hq_chain
from alliance.store.owned import create_owned, record, released_to, touch, visible
from alliance.store.schema.access import UserRow
from alliance.store.writer import Tx

from .common import (
    EXERCISE,
    EXERCISE_ROLE,
    ExerciseBase,
    exercise_view,
    national,
    require_participant_nation,
    role_view,
    roles_in,
)
from .models import ExerciseIn, ExerciseOut, ExerciseRole, RoleIn, RoleOut
from .tables import ExerciseRoleRow, ExerciseRow


class Exercises(ExerciseBase):
    """Creating exercises, reading them, and the roles in them."""

    def create_exercise(self, actor: Actor, data: ExerciseIn) -> ExerciseOut:
        return self.ctx.writer.run(lambda tx: self.create_exercise_in(tx, actor, data))

    def create_exercise_in(self, tx: Tx, actor: Actor, data: ExerciseIn) -> ExerciseOut:
        s = tx.session
        nations: dict[str, str] = {}
        for i, p in enumerate(data.participants):
            hq = visible(
                s.get(HqRow, p.hq_id),
                actor.nation,
                HQ_TYPE.label,
                p.hq_id,
                f"participants.{i}.hq_id",
            )
            if hq.owner != p.nation:
                raise InvalidInput(
                    Text(
                        f"HQ '{p.hq_id}' is {hq.owner}'s, not {p.nation}'s.",
                        f"司令部「{p.hq_id}」は{p.nation}ではなく{hq.owner}の司令部です。",
                    ),
                    field=f"participants.{i}.hq_id",
                    code="hq_of_other_nation",
                )
            if p.nation in nations:
                raise InvalidInput(
                    Text(
                        f"{p.nation} is named twice: a nation takes part from one HQ.",
                        f"{p.nation}が重複しています。各国は一つの司令部から参加します。",
                    ),
                    field=f"participants.{i}.nation",
                    code="duplicate_participant",
                )
            nations[p.nation] = p.hq_id
        if actor.nation not in nations:
            raise InvalidInput(
                Text(
                    f"The lead nation ({actor.nation}) must take part: name its HQ among "
                    "the participants.",
                    f"主催国（{actor.nation}）も参加国として司令部を指定してください。",
                ),
                field="participants",
                code="lead_not_participant",
            )
        marking = data.marking.build(actor.nation)
        missing = sorted(set(nations) - marking.releasable_to)
        if missing:
            raise InvalidInput(
                Text(
                    f"The marking does not release the exercise to {', '.join(missing)}, "
                    "which take part in it. Add them to releasable_to.",
                    f"区分が参加国（{', '.join(missing)}）への提供を許していません。"
                    "releasable_toに追加してください。",
                ),
                field="marking.releasable_to",
                code="not_released_to_participant",
            )
        ident = data.id or new_id()
        if s.get(ExerciseRow, ident) is not None:
            raise InvalidInput(
                Text(f"Exercise '{ident}' exists already.", f"演習「{ident}」は既に存在します。"),
                field="id",
                code="exists",
            )
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("exercise", "new", actor.nation, marking, hq_chain(s, nations[actor.nation])),
        )
        row = ExerciseRow(
            id=ident,
            name=data.name,
            name_ja=data.name_ja,
            description=data.description,
            description_ja=data.description_ja,
            participants=[p.model_dump() for p in data.participants],
            h_hour=data.h_hour,
            clock_state="planning",
            clock_speed=data.clock_speed,
            author_id=actor.user_id,
        )
        create_owned(
            tx,
            EXERCISE,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="exercise.created",
        )
        self._grant_role(tx, actor, row, actor.user_id, actor.name, ExerciseRole.OWNER)
        return exercise_view(row, tx.now, [ExerciseRole.OWNER.value])

    def _grant_role(
        self,
        tx: Tx,
        actor: Actor,
        exercise: ExerciseRow,
        user_id: str,
        user_name: str,
        role: ExerciseRole,
    ) -> ExerciseRoleRow:
        s = tx.session
        hq_id = require_participant_nation(exercise, actor.nation, "exercise_id")
        # A role assignment is the nation's own record, seen by no partner.
        marking = national(actor.nation)
        grant = (
            self._authorize(
                actor,
                Action.CREATE,
                Target("exercise_role", "new", actor.nation, marking, hq_chain(s, hq_id)),
            )
            if actor.role != Role.ADMIN
            else None
        )
        row = ExerciseRoleRow(
            id=new_id(),
            exercise_id=exercise.id,
            user_id=user_id,
            user_name=user_name,
            role=role.value,
            assigned_by=actor.user_id,
        )
        create_owned(
            tx,
            EXERCISE_ROLE,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="exercise.role.assigned",
        )
        return row

    def assign_role(self, actor: Actor, exercise_id: str, data: RoleIn) -> RoleOut:
        return self.ctx.writer.run(lambda tx: self.assign_role_in(tx, actor, exercise_id, data))

    def assign_role_in(self, tx: Tx, actor: Actor, exercise_id: str, data: RoleIn) -> RoleOut:
        s = tx.session
        exercise = self._exercise(s, actor, exercise_id)
        require_participant_nation(exercise, actor.nation, "exercise_id")
        require_role_giver(s, actor, exercise)
        user = s.get(UserRow, data.user_id)
        if user is None or user.nation != actor.nation:
            raise not_found(Text("user", "利用者"), data.user_id, "user_id")
        existing = s.scalar(
            select(ExerciseRoleRow).where(
                ExerciseRoleRow.exercise_id == exercise.id,
                ExerciseRoleRow.user_id == user.id,
                ExerciseRoleRow.role == data.role.value,
                ExerciseRoleRow.revoked_at.is_(None),
            )
        )
        if existing is not None:
            return role_view(existing)
        return role_view(self._grant_role(tx, actor, exercise, user.id, user.name, data.role))

    def revoke_role(self, actor: Actor, role_id: str) -> RoleOut:
        return self.ctx.writer.run(lambda tx: self.revoke_role_in(tx, actor, role_id))

    def revoke_role_in(self, tx: Tx, actor: Actor, role_id: str) -> RoleOut:
        """End a role in an exercise (who gives roles takes them back). The
        assignment stays on record, revoked; revoking it again changes nothing."""
        s = tx.session
        row = EXERCISE_ROLE.find(s, actor.nation, role_id, "role_id")
        exercise = self._exercise(s, actor, row.exercise_id)
        require_role_giver(s, actor, exercise)
        if row.revoked_at is not None:
            return role_view(row)
        grant = (
            self._authorize(actor, Action.CHANGE, EXERCISE_ROLE.target(s, row))
            if actor.role != Role.ADMIN
            else None
        )
        row.revoked_at = tx.now
        touch(row, tx.now)
        record(tx, row, EXERCISE_ROLE.object_type, "exercise.role.revoked", actor, grant)
        return role_view(row)

    def roles(self, actor: Actor, exercise_id: str) -> list[RoleOut]:
        """The roles in the exercise that the actor's nation gave (its own records)."""
        with self.ctx.db.read() as s:
            self._exercise(s, actor, exercise_id)
            stmt = released_to(select(ExerciseRoleRow), ExerciseRoleRow, actor.nation).where(
                ExerciseRoleRow.exercise_id == exercise_id
            )
            return [role_view(r) for r in s.scalars(stmt.order_by(ExerciseRoleRow.id))]

    def list_exercises(self, actor: Actor) -> list[ExerciseOut]:
        with self.ctx.db.read() as s:
            stmt = released_to(select(ExerciseRow), ExerciseRow, actor.nation)
            rows = list(s.scalars(stmt.order_by(ExerciseRow.h_hour, ExerciseRow.id)))
            now = self.ctx.clock()
            return [exercise_view(r, now, roles_in(s, r.id, actor)) for r in rows]

    def get_exercise(self, actor: Actor, exercise_id: str) -> ExerciseOut:
        with self.ctx.db.read() as s:
            row = self._exercise(s, actor, exercise_id)
            return exercise_view(row, self.ctx.clock(), roles_in(s, row.id, actor))


def require_role_giver(s: Session, actor: Actor, exercise: ExerciseRow) -> None:
    """Roles in an exercise are given and taken back by the nation's
    commander, node administrator or exercise owner."""
    held = roles_in(s, exercise.id, actor)
    if actor.role not in (Role.COMMANDER, Role.ADMIN) and ExerciseRole.OWNER.value not in held:
        raise Forbidden(
            Text(
                "Roles in an exercise are given by your nation's commander, node "
                "administrator or exercise owner.",
                "演習内の役割は自国の指揮官、ノード管理者または演習統括者が付与します。",
            ),
            code="exercise_role_required",
        )
