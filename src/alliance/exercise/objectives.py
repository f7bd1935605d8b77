"""Training objectives of an exercise.

Each nation writes its own objectives (an editor or the exercise owner of
that nation) and owns them; the writer chooses the marking — typically
released to the participating nations, so that the partner's controllers
and evaluators see what the exercise trains to. An MSEL row links
objectives by id (:attr:`~.models.InjectIn.objective_ids`); a sheet names
them by code, which is unique among one nation's objectives of an exercise.

Objectives are read by anyone they are released to (no exercise role is
needed: they say what is trained, not what the players will receive).
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.org import hq_chain
from alliance.store.owned import create_owned, released_to
from alliance.store.writer import Tx

from .common import (
    OBJECTIVE,
    ExerciseBase,
    objective_view,
    require_participant_nation,
    require_role,
)
from .models import ExerciseRole, ObjectiveIn, ObjectiveOut
from .tables import ObjectiveRow


class Objectives(ExerciseBase):
    """Writing and reading training objectives."""

    def create_objective(self, actor: Actor, exercise_id: str, data: ObjectiveIn) -> ObjectiveOut:
        return self.ctx.writer.run(
            lambda tx: self.create_objective_in(tx, actor, exercise_id, data)
        )

    def create_objective_in(
        self, tx: Tx, actor: Actor, exercise_id: str, data: ObjectiveIn
    ) -> ObjectiveOut:
        s = tx.session
        exercise = self._exercise(s, actor, exercise_id)
        hq_id = require_participant_nation(exercise, actor.nation, "exercise_id")
        require_role(s, actor, exercise, ExerciseRole.EDITOR)
        owner = actor.nation
        taken = s.scalar(
            select(ObjectiveRow.id).where(
                ObjectiveRow.exercise_id == exercise.id,
                ObjectiveRow.owner == owner,
                ObjectiveRow.code == data.code,
            )
        )
        if taken is not None:
            raise InvalidInput(
                Text(
                    f"{owner} has a training objective '{data.code}' in this exercise already.",
                    f"{owner}はこの演習に訓練目標「{data.code}」を既に定めています。",
                ),
                field="code",
                code="duplicate_code",
            )
        marking = data.marking.build(owner)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("exercise_objective", "new", owner, marking, hq_chain(s, hq_id)),
        )
        row = ObjectiveRow(
            id=new_id(),
            exercise_id=exercise.id,
            code=data.code,
            title=data.title,
            title_ja=data.title_ja,
            description=data.description,
            description_ja=data.description_ja,
        )
        create_owned(
            tx,
            OBJECTIVE,
            row,
            owner=owner,
            marking=marking,
            actor=actor,
            grant=grant,
            event="exercise.objective.created",
        )
        return objective_view(row)

    def list_objectives(self, actor: Actor, exercise_id: str) -> list[ObjectiveOut]:
        """The exercise's objectives released to the actor's nation, by code."""
        with self.ctx.db.read() as s:
            exercise = self._exercise(s, actor, exercise_id)
            stmt = released_to(select(ObjectiveRow), ObjectiveRow, actor.nation).where(
                ObjectiveRow.exercise_id == exercise.id
            )
            rows = s.scalars(stmt.order_by(ObjectiveRow.code, ObjectiveRow.owner))
            return [objective_view(r) for r in rows]


__all__ = ["Objectives"]
