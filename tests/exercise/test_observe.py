"""Observations: each nation's controllers record its players' responses as
their own objects, released as they choose."""

from __future__ import annotations

import pytest

from alliance.core.errors import Forbidden, NotFound
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import ExerciseRole, InjectState, ObservationIn, RoleIn
from alliance.node import Node
from tests.conftest import add_people
from tests.exercise.test_spine import _exercise_in, _inject


def test_controllers_of_each_nation_record_responses_as_their_own(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    people = add_people(combined)
    jpn = combined.users.authenticate(people.tokens["JPN staff_officer jpn-jjoc"])
    usa_cdr = combined.users.authenticate(people.tokens["USA commander usa-jfhq"])
    usa = combined.users.authenticate(people.tokens["USA staff_officer usa-jfhq"])
    ex = desk.create_exercise(jpn, _exercise_in())
    inject = desk.create_inject(jpn, ex.id, _inject())
    desk.approve_inject(jpn, inject.id)
    now = combined.ctx.clock()
    delivery = combined.writer.run(lambda tx: desk.deliver_in(tx, inject.id, now))
    assert delivery is not None
    response = ObservationIn(
        delivery_id=delivery.id,
        response="JFHQ acknowledged and tasked a P-8 search (FICTIONAL).",
        response_ja="JFHQが受領し、P-8による捜索を命じた（架空）。",
        marking=MarkingIn(releasable_to=["JPN"]),
    )
    # Without a controller role in the exercise, nothing is recorded.
    with pytest.raises(Forbidden):
        desk.observe(usa, response)
    desk.assign_role(usa_cdr, ex.id, RoleIn(user_id=usa.user_id, role=ExerciseRole.CONTROLLER))
    seen = desk.observe(usa, response)
    assert seen.owner == "USA"
    assert seen.player_hq_id == "usa-jfhq"
    assert seen.inject_id == inject.id
    assert seen.marking.releasable_to == ["JPN", "USA"]
    # The partner's observation leaves JPN's inject as JPN wrote it.
    assert desk.list_injects(jpn, ex.id)[0].state == InjectState.DELIVERED
    # JPN's own controller (the exercise owner) records JPN's view: its inject is answered.
    desk.observe(jpn, response.model_copy(update={"marking": MarkingIn()}))
    assert desk.list_injects(jpn, ex.id)[0].state == InjectState.ANSWERED
    assert [o.owner for o in desk.observations(jpn, ex.id)] == ["USA", "JPN"]
    assert [o.owner for o in desk.observations(usa, ex.id)] == ["USA"]


def test_an_unknown_delivery_is_not_found(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    people = add_people(combined)
    jpn = combined.users.authenticate(people.tokens["JPN staff_officer jpn-jjoc"])
    desk.create_exercise(jpn, _exercise_in())
    with pytest.raises(NotFound) as err:
        desk.observe(jpn, ObservationIn(delivery_id="nope", response="x"))
    assert err.value.field == "delivery_id"
