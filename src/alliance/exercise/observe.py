"""Observations and evaluations: what the players did with each inject, and
how well that met the training objectives.

A controller records the players' response to a delivered inject as an
observation of the controller's own nation (single writer: a USA controller
watching USA players respond to a JPN inject records a USA observation of
JPN's delivery). An evaluator rates an observation against one training
objective (T, P, U) as an evaluation of the evaluator's nation. Each is
released as its writer chooses; the after-action report of a nation is built
only from what is released to it.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.models import TimeOut
from alliance.org import hq_chain
from alliance.store.owned import OwnedKind, Ref, create_owned, record, released_to, touch, view
from alliance.store.writer import Tx

from . import tables
from .common import (
    DELIVERY,
    INJECT,
    OBJECTIVE,
    ExerciseBase,
    chain_of,
    clock_of,
    require_participant_nation,
    require_role,
)
from .models import (
    EvaluationIn,
    EvaluationOut,
    ExerciseRole,
    InjectState,
    ObservationIn,
    ObservationOut,
    Rating,
)
from .tables import EvaluationRow, InjectRow, ObservationRow

_EXERCISE_REF = Ref("exercise_id", tables.EXERCISE, "exercise_id")

OBSERVATION: OwnedKind[ObservationRow] = OwnedKind(
    tables.OBSERVATION,
    lambda s, r: chain_of(s, r.exercise_id, r.owner),
    refs=(_EXERCISE_REF, Ref("delivery_id", tables.INJECT_DELIVERY, "delivery_id")),
)
EVALUATION: OwnedKind[EvaluationRow] = OwnedKind(
    tables.EVALUATION,
    lambda s, r: chain_of(s, r.exercise_id, r.owner),
    refs=(
        _EXERCISE_REF,
        Ref("observation_id", tables.OBSERVATION, "observation_id"),
        Ref("objective_id", tables.OBJECTIVE, "objective_id"),
    ),
)


def observation_view(row: ObservationRow) -> ObservationOut:
    return view(
        ObservationOut,
        row,
        observed=TimeOut.of(row.observed_at),
        observed_ex=TimeOut.maybe(row.observed_ex),
    )


def evaluation_view(row: EvaluationRow) -> EvaluationOut:
    return view(EvaluationOut, row, rating=Rating(row.rating))


class Observe(ExerciseBase):
    """Recording the players' responses, and rating them."""

    def observe(self, actor: Actor, data: ObservationIn) -> ObservationOut:
        return self.ctx.writer.run(lambda tx: self.observe_in(tx, actor, data))

    def observe_in(self, tx: Tx, actor: Actor, data: ObservationIn) -> ObservationOut:
        s = tx.session
        delivery = DELIVERY.find(s, actor.nation, data.delivery_id, "delivery_id")
        exercise = self._exercise(s, actor, delivery.exercise_id)
        hq_id = require_participant_nation(exercise, actor.nation, "delivery_id")
        require_role(s, actor, exercise, ExerciseRole.CONTROLLER)
        observed_at = data.observed_at or tx.now
        marking = data.marking.build(actor.nation)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("exercise_observation", "new", actor.nation, marking, hq_chain(s, hq_id)),
        )
        row = ObservationRow(
            id=new_id(),
            exercise_id=exercise.id,
            inject_id=delivery.inject_id,
            delivery_id=delivery.id,
            player_hq_id=delivery.addressee_hq_id,
            observed_at=observed_at,
            observed_ex=clock_of(exercise).now_ex(observed_at),
            response=data.response,
            response_ja=data.response_ja,
            author_id=actor.user_id,
            author_name=actor.name,
        )
        create_owned(
            tx,
            OBSERVATION,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="exercise.observation.recorded",
        )
        # The owner's own inject moves on to answered (a partner's inject is
        # the partner's to change: its MSEL shows the response from this
        # observation once released to it).
        inject = s.get(InjectRow, delivery.inject_id)
        if (
            inject is not None
            and inject.owner == actor.nation
            and inject.state == InjectState.DELIVERED.value
        ):
            inject.state = InjectState.ANSWERED.value
            touch(inject, tx.now)
            record(tx, inject, INJECT.object_type, "exercise.inject.answered", actor, grant)
        return observation_view(row)

    def evaluate(self, actor: Actor, observation_id: str, data: EvaluationIn) -> EvaluationOut:
        return self.ctx.writer.run(lambda tx: self.evaluate_in(tx, actor, observation_id, data))

    def evaluate_in(
        self, tx: Tx, actor: Actor, observation_id: str, data: EvaluationIn
    ) -> EvaluationOut:
        s = tx.session
        observation = OBSERVATION.find(s, actor.nation, observation_id, "observation_id")
        exercise = self._exercise(s, actor, observation.exercise_id)
        hq_id = require_participant_nation(exercise, actor.nation, "observation_id")
        require_role(s, actor, exercise, ExerciseRole.EVALUATOR)
        objective = OBJECTIVE.find(s, actor.nation, data.objective_id, "objective_id")
        if objective.exercise_id != exercise.id:
            raise InvalidInput(
                Text(
                    f"Objective '{objective.id}' belongs to another exercise.",
                    f"訓練目標「{objective.id}」は別の演習のものです。",
                ),
                field="objective_id",
                code="objective_of_other_exercise",
            )
        marking = data.marking.build(actor.nation)
        grant = self._authorize(
            actor,
            Action.CREATE,
            Target("exercise_evaluation", "new", actor.nation, marking, hq_chain(s, hq_id)),
        )
        row = EvaluationRow(
            id=new_id(),
            exercise_id=exercise.id,
            observation_id=observation.id,
            objective_id=objective.id,
            rating=data.rating.value,
            comment=data.comment,
            comment_ja=data.comment_ja,
            author_id=actor.user_id,
            author_name=actor.name,
        )
        create_owned(
            tx,
            EVALUATION,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="exercise.evaluation.recorded",
        )
        return evaluation_view(row)

    def observations(self, actor: Actor, exercise_id: str) -> list[ObservationOut]:
        """The observations of the exercise released to the actor's nation."""
        with self.ctx.db.read() as s:
            self._exercise(s, actor, exercise_id)
            stmt = released_to(select(ObservationRow), ObservationRow, actor.nation).where(
                ObservationRow.exercise_id == exercise_id
            )
            rows = s.scalars(stmt.order_by(ObservationRow.observed_at, ObservationRow.id))
            return [observation_view(r) for r in rows]

    def evaluations(self, actor: Actor, exercise_id: str) -> list[EvaluationOut]:
        """The evaluations of the exercise released to the actor's nation."""
        with self.ctx.db.read() as s:
            self._exercise(s, actor, exercise_id)
            stmt = released_to(select(EvaluationRow), EvaluationRow, actor.nation).where(
                EvaluationRow.exercise_id == exercise_id
            )
            rows = s.scalars(stmt.order_by(EvaluationRow.created_at, EvaluationRow.id))
            return [evaluation_view(r) for r in rows]
