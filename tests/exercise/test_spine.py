"""The exercise desk's spine: an exercise led by one nation, roles scoped to
it, and MSEL rows that stay with their owner until delivered."""

from __future__ import annotations

from functools import partial

import pytest

from alliance.core.authority import Actor
from alliance.core.errors import AllianceError, Forbidden
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import (
    ExerciseIn,
    ExerciseRole,
    InjectIn,
    InjectState,
    Participant,
    RoleIn,
    format_h_plus,
    parse_h_plus,
)
from alliance.node import Node
from alliance.store.ledger import iter_events
from tests.conftest import add_people

H_HOUR = "2026-11-02T00:00:00Z"


def _actor(node: Node, key: str) -> Actor:
    people = add_people(node)
    return node.users.authenticate(people.tokens[key])


def _exercise_in() -> ExerciseIn:
    return ExerciseIn(
        id="ex-paper",
        name=f"{EXERCISE_NAME} ({FICTIONAL})",
        name_ja=f"{EXERCISE_NAME}（架空）",
        participants=[
            Participant(nation="JPN", hq_id="jpn-jjoc"),
            Participant(nation="USA", hq_id="usa-jfhq"),
        ],
        h_hour=H_HOUR,
        clock_speed=60.0,
        marking=MarkingIn(releasable_to=["USA"]),
    )


def _inject(serial: str = "JPN-001", **kw: object) -> InjectIn:
    data: dict[str, object] = {
        "serial": serial,
        "h_plus": "H+00:05",
        "sender": "Simulated higher HQ",
        "addressee_hq_id": "usa-jfhq",
        "description": "FICTIONAL: a fishing vessel reports smoke near the exercise area.",
        "description_ja": "架空：演習区域付近で漁船が煙を報告。",
        "expected_action": "Acknowledge; coordinate a search with the partner.",
        "marking": MarkingIn(releasable_to=["USA"]),
    }
    data.update(kw)
    return InjectIn.model_validate(data)


def test_h_plus_round_trips() -> None:
    assert parse_h_plus("H+01:30") == 5400
    assert parse_h_plus("H-00:15") == -900
    assert parse_h_plus("H+2d03:00:10") == 2 * 86400 + 3 * 3600 + 10
    assert parse_h_plus("H+1:75") is None
    assert parse_h_plus("1:30") is None
    assert format_h_plus(5400) == "H+01:30"
    assert format_h_plus(-910) == "H-00:15:10"


def test_the_creator_owns_the_exercise_and_writes_national_injects(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    staff = _actor(combined, "JPN staff_officer jpn-jjoc")
    ex = desk.create_exercise(staff, _exercise_in())
    assert ex.owner == "JPN"
    assert ex.my_roles == [ExerciseRole.OWNER]
    assert ex.clock.state == "planning"
    out = desk.create_inject(staff, ex.id, _inject())
    assert out.state == InjectState.DRAFT
    assert out.h_plus == "H+00:05"
    assert out.due_ex.iso.startswith("2026-11-02T00:05:00")
    # The row is national-only; what delivery releases is kept beside it.
    assert out.marking.releasable_to == ["JPN"]
    assert out.release_marking.releasable_to == ["JPN", "USA"]
    # A USA user of the same node does not see JPN's MSEL: with no role in the
    # exercise it reads no MSEL at all; with one, only its own nation's rows.
    usa = _actor(combined, "USA staff_officer usa-jfhq")
    with pytest.raises(Forbidden):
        desk.list_injects(usa, ex.id)
    usa_cdr = _actor(combined, "USA commander usa-jfhq")
    desk.assign_role(usa_cdr, ex.id, RoleIn(user_id=usa.user_id, role=ExerciseRole.VIEWER))
    assert desk.list_injects(usa, ex.id) == []
    assert [i.serial for i in desk.list_injects(staff, ex.id)] == ["JPN-001"]


def test_bad_injects_are_refused_naming_the_field_and_change_nothing(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    staff = _actor(combined, "JPN staff_officer jpn-jjoc")
    ex = desk.create_exercise(staff, _exercise_in())
    desk.create_inject(staff, ex.id, _inject())
    before = len(list(iter_events(combined.db)))
    cases = [
        (_inject("JPN-001"), "serial"),
        (_inject("JPN-002", h_plus="H+25:99"), "h_plus"),
        (_inject("JPN-003", h_plus=None), "due"),
        (_inject("JPN-004", addressee_hq_id="no-such-hq"), "addressee_hq_id"),
        (_inject("JPN-005", marking=MarkingIn()), "marking.releasable_to"),
        (_inject("JPN-006", objective_ids=["nope"]), "objective_ids.0"),
    ]
    for data, field in cases:
        with pytest.raises(AllianceError) as err:
            desk.create_inject(staff, ex.id, data)
        assert getattr(err.value, "field", None) == field, (data.serial, err.value)
    assert len(list(iter_events(combined.db))) == before
    assert [i.serial for i in desk.list_injects(staff, ex.id)] == ["JPN-001"]


def test_exercise_roles_are_scoped_to_the_exercise(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    commander = _actor(combined, "JPN commander jpn-jjoc")
    ex = desk.create_exercise(commander, _exercise_in())
    people = add_people(combined)
    staff = combined.users.authenticate(people.tokens["JPN staff_officer jpn-jjoc"])
    # Without a role in the exercise, a staff officer writes no MSEL row.
    with pytest.raises(Forbidden) as err:
        desk.create_inject(staff, ex.id, _inject())
    assert err.value.code == "exercise_role_required"
    desk.assign_role(commander, ex.id, RoleIn(user_id=staff.user_id, role=ExerciseRole.EDITOR))
    assert desk.create_inject(staff, ex.id, _inject()).serial == "JPN-001"
    assert desk.get_exercise(staff, ex.id).my_roles == [ExerciseRole.EDITOR]


def test_a_delivery_releases_what_the_player_receives_once(combined: Node) -> None:
    desk = combined.desk("exercise", ExerciseDesk)
    staff = _actor(combined, "JPN staff_officer jpn-jjoc")
    usa = _actor(combined, "USA staff_officer usa-jfhq")
    ex = desk.create_exercise(staff, _exercise_in())
    shared = desk.create_inject(staff, ex.id, _inject())
    own = desk.create_inject(
        staff, ex.id, _inject("JPN-002", addressee_hq_id="jpn-jjoc", marking=MarkingIn())
    )
    # A draft is not delivered.
    assert combined.writer.run(lambda tx: desk.deliver_in(tx, shared.id, tx.now)) is None
    for inject in (shared, own):
        desk.approve_inject(staff, inject.id)
    now = combined.ctx.clock()
    for inject in (shared, own):
        deliver = partial(desk.deliver_in, inject_id=inject.id, due_at=now)
        assert combined.writer.run(deliver) is not None
    # Delivered once: a second attempt (a restart, a race) writes nothing.
    assert combined.writer.run(lambda tx: desk.deliver_in(tx, shared.id, now)) is None
    inbox = desk.inbox(usa)
    assert [d.serial for d in inbox] == ["JPN-001"]
    assert inbox[0].marking.releasable_to == ["JPN", "USA"]
    assert not hasattr(inbox[0], "expected_action")
    assert [d.serial for d in desk.inbox(usa, "jpn-jjoc")] == []  # national-only stays home
    assert [d.serial for d in desk.inbox(staff)] == ["JPN-002"]
    states = {i.serial: i.state for i in desk.list_injects(staff, ex.id)}
    assert states == {"JPN-001": InjectState.DELIVERED, "JPN-002": InjectState.DELIVERED}
