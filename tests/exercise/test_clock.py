"""The exercise clock and the delivery scheduler on one node: the controls and
their rules, the ledger keeping real time, injects delivered at their
exercise time (not before), pause, resume, speed and setting time forward."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from alliance.core.authority import Actor
from alliance.core.errors import Conflict, Forbidden, InvalidInput
from alliance.exercise.models import (
    ClockChangeIn,
    ClockSetIn,
    ClockSpeedIn,
    ClockStartIn,
    ClockState,
    ExerciseRole,
    InjectState,
    InjectStepIn,
    RoleIn,
)
from alliance.exercise.tables import InjectDeliveryRow
from alliance.node import Node
from alliance.store.ledger import iter_events
from alliance.store.writer import Tx
from tests.conftest import add_people

from .helpers import (
    approved,
    deliveries,
    delivery_times,
    desk_of,
    exercise_in,
    inject_in,
    wait_for,
)

H = datetime(2026, 11, 2, tzinfo=UTC)
NO = ClockChangeIn()


def _people(node: Node) -> dict[str, Actor]:
    people = add_people(node)
    return {k: node.users.authenticate(t) for k, t in people.tokens.items()}


def _events(node: Node, exercise_id: str) -> list[tuple[str, datetime]]:
    return [
        (e.kind, e.ts)
        for e in iter_events(node.db)
        if e.object_type == "exercise" and e.object_id == exercise_id
    ]


def test_the_clock_controls_keep_their_rules_and_the_ledger_real_time(combined: Node) -> None:
    desk = desk_of(combined)
    p = _people(combined)
    cdr, staff = p["JPN commander jpn-jjoc"], p["JPN staff_officer jpn-jjoc"]
    usa_cdr, usa_staff = p["USA commander usa-jfhq"], p["USA staff_officer usa-jfhq"]
    ex = desk.create_exercise(cdr, exercise_in(speed=60.0))

    # A staff officer without a role in the exercise does not run its clock.
    with pytest.raises(Forbidden) as err:
        desk.start_clock(staff, ex.id, ClockStartIn())
    assert err.value.code == "exercise_role_required"
    # A partner's controller (given the role by the partner) does not either:
    # the clock is the lead nation's.
    desk.assign_role(
        usa_cdr, ex.id, RoleIn(user_id=usa_staff.user_id, role=ExerciseRole.CONTROLLER)
    )
    with pytest.raises(Forbidden) as err:
        desk.start_clock(usa_staff, ex.id, ClockStartIn())
    assert err.value.code == "not_owner_nation"
    desk.assign_role(cdr, ex.id, RoleIn(user_id=staff.user_id, role=ExerciseRole.CONTROLLER))
    for step in (desk.pause_clock, desk.resume_clock):
        with pytest.raises(Conflict) as state:
            step(staff, ex.id, NO)
        assert state.value.code == "wrong_state"

    before = datetime.now(UTC)
    out = desk.start_clock(staff, ex.id, ClockStartIn(speed=120.0))
    assert (out.clock.state, out.clock.speed) == (ClockState.RUNNING, 120.0)
    assert out.clock.ex is not None
    assert out.clock.ex.iso.startswith("2026-11-02T00:00:00")
    with pytest.raises(Conflict):
        desk.start_clock(staff, ex.id, ClockStartIn())
    time.sleep(0.3)
    now_ex = desk.exercise_time(usa_staff, ex.id).clock.now_ex  # a partner reads the time
    assert now_ex is not None
    ran = datetime.fromisoformat(now_ex.iso) - H
    assert timedelta(seconds=30) <= ran < timedelta(minutes=30), ran

    paused = desk.pause_clock(staff, ex.id, NO)
    stood = desk.exercise_time(staff, ex.id).clock.now_ex
    time.sleep(0.2)
    assert desk.exercise_time(staff, ex.id).clock.now_ex == stood == paused.clock.ex

    # Never back: refused naming the field, nothing changed.
    kept = (len(_events(combined, ex.id)), desk.get_exercise(staff, ex.id).version)
    with pytest.raises(InvalidInput) as bad:
        desk.set_time(staff, ex.id, ClockSetIn(at=H))
    assert (bad.value.field, bad.value.code) == ("at", "clock_backwards")
    assert "forward" in bad.value.message.en
    assert "前" in bad.value.message.ja
    assert (len(_events(combined, ex.id)), desk.get_exercise(staff, ex.id).version) == kept
    # A stale version is refused too.
    with pytest.raises(Conflict):
        desk.resume_clock(staff, ex.id, ClockChangeIn(version=1))

    forward = desk.set_time(staff, ex.id, ClockSetIn(at=H + timedelta(hours=2)))
    assert forward.clock.state == ClockState.PAUSED
    assert forward.clock.ex is not None
    assert forward.clock.ex.iso.startswith("2026-11-02T02:00:00")
    desk.set_speed(staff, ex.id, ClockSpeedIn(speed=1.0))
    resumed = desk.resume_clock(staff, ex.id, ClockChangeIn(version=forward.version + 1))
    assert (resumed.clock.state, resumed.clock.speed) == (ClockState.RUNNING, 1.0)
    ended = desk.end_clock(staff, ex.id, NO)
    assert ended.clock.state == ClockState.ENDED
    with pytest.raises(Conflict):
        desk.resume_clock(staff, ex.id, NO)

    # Each control is one change of the exercise row in the ledger, stamped
    # with real time (never the exercise time, which is in November).
    events = _events(combined, ex.id)
    assert [k for k, _ts in events] == [
        "exercise.created",
        "exercise.clock.started",
        "exercise.clock.paused",
        "exercise.clock.set",
        "exercise.clock.speed",
        "exercise.clock.resumed",
        "exercise.clock.ended",
    ]
    after = datetime.now(UTC)
    assert all(before - timedelta(seconds=5) <= ts <= after for _k, ts in events[1:])


def test_injects_are_delivered_at_their_exercise_time_and_pause_holds_them(
    combined: Node,
) -> None:
    desk = desk_of(combined)
    p = _people(combined)
    cdr = p["JPN commander jpn-jjoc"]
    usa = p["USA staff_officer usa-jfhq"]
    ex = desk.create_exercise(cdr, exercise_in(speed=600.0))
    # 600x: H+00:05 is 0.5 s after the start, H+00:30 is 3 s.
    first = approved(desk, cdr, ex.id, inject_in("JPN-001", "H+00:05"))
    held = approved(desk, cdr, ex.id, inject_in("JPN-002", "H+00:30"))
    dtg = approved(
        desk,
        cdr,
        ex.id,
        inject_in("JPN-003", None, due=(H + timedelta(hours=3)).isoformat()),
    )
    draft = desk.create_inject(cdr, ex.id, inject_in("JPN-004", "H+00:01")).id
    # Approved but the clock has not started: nothing goes out.
    time.sleep(0.3)
    assert deliveries(combined) == 0

    started = datetime.now(UTC)
    desk.start_clock(cdr, ex.id, ClockStartIn())
    wait_for(lambda: deliveries(combined, first) == 1, 20, "the first inject")
    due_at, delivered_at = delivery_times(combined, first)
    # Due 0.5 s (real) after the start; not delivered before it.
    assert abs((due_at - started).total_seconds() - 0.5) < 0.3, (due_at, started)
    assert delivered_at >= due_at
    assert [d.serial for d in desk.inbox(usa, exercise_id=ex.id)] == ["JPN-001"]

    desk.pause_clock(cdr, ex.id, NO)
    time.sleep(3.5)  # longer than JPN-002 was from due when running
    assert deliveries(combined, held) == 0
    desk.resume_clock(cdr, ex.id, NO)
    wait_for(lambda: deliveries(combined, held) == 1, 20, "the second inject after resume")
    # Set forward past the DTG inject: it goes out at once, due when the time was set.
    set_at = datetime.now(UTC)
    desk.set_time(cdr, ex.id, ClockSetIn(at=H + timedelta(hours=4)))
    wait_for(lambda: deliveries(combined, dtg) == 1, 20, "the DTG inject")
    due_at, _delivered = delivery_times(combined, dtg)
    assert due_at >= set_at - timedelta(seconds=1)
    # The draft never goes out; each approved one went out once.
    time.sleep(0.3)
    assert deliveries(combined, draft) == 0
    assert deliveries(combined) == 3
    states = {i.serial: i.state for i in desk.list_injects(cdr, ex.id)}
    assert states == {
        "JPN-001": InjectState.DELIVERED,
        "JPN-002": InjectState.DELIVERED,
        "JPN-003": InjectState.DELIVERED,
        "JPN-004": InjectState.DRAFT,
    }


def test_an_inject_that_cannot_be_delivered_is_kept_back_and_the_rest_go_out(
    combined: Node,
) -> None:
    desk = desk_of(combined)
    cdr = _people(combined)["JPN commander jpn-jjoc"]
    ex = desk.create_exercise(cdr, exercise_in(speed=600.0))
    ids = [approved(desk, cdr, ex.id, inject_in(f"JPN-00{k}", "H+00:02")) for k in range(1, 4)]
    poisoned = ids[1]
    scheduler = desk.scheduler
    real = scheduler._deliver

    def deliver(tx: Tx, due: Sequence[tuple[str, datetime]]) -> list[InjectDeliveryRow]:
        if any(i == poisoned for i, _at in due):
            raise RuntimeError("this inject cannot be delivered (test)")
        return real(tx, due)

    scheduler._deliver = deliver
    desk.start_clock(cdr, ex.id, ClockStartIn())
    wait_for(lambda: deliveries(combined) == 2, 20, "the two others")
    time.sleep(0.5)
    assert deliveries(combined, poisoned) == 0
    assert poisoned in scheduler._failed  # tried again later, not in a loop
    assert scheduler.running


def test_the_scheduler_plans_ahead_and_drops_its_plan_when_a_clock_or_inject_changes(
    combined: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler reads what falls due in the next seconds once and wakes at
    each moment from that plan; a pause or a cancelled row after the reading
    still holds the inject back (the plan is read again), and many moments
    cost few readings."""
    from alliance.exercise import scheduler as sched

    monkeypatch.setattr(sched, "LOOKAHEAD_S", 30.0)  # everything below is planned at once
    desk = desk_of(combined)
    cdr = _people(combined)["JPN commander jpn-jjoc"]
    ex = desk.create_exercise(cdr, exercise_in(speed=60.0))
    # 60x: H+00:02:00 is 2 s (real) after the start, H+00:02:30 is 2.5 s.
    paused = approved(desk, cdr, ex.id, inject_in("JPN-101", "H+00:02:00"))
    cancelled = approved(desk, cdr, ex.id, inject_in("JPN-102", "H+00:02:30"))
    # Twenty more, one a second of exercise time apart (17 ms real).
    many = [
        approved(desk, cdr, ex.id, inject_in(f"JPN-2{i:02d}", f"H+00:03:{i:02d}"))
        for i in range(20)
    ]
    scheduler = desk.scheduler
    desk.start_clock(cdr, ex.id, ClockStartIn())
    wait_for(lambda: scheduler.reads > 0 and bool(scheduler._plan), 5, "the plan")
    desk.pause_clock(cdr, ex.id, NO)
    desk.cancel_inject(cdr, cancelled, InjectStepIn(note="Overtaken by events."))
    time.sleep(3.0)  # past both moments had the clock run on
    assert deliveries(combined, paused) == 0
    desk.resume_clock(cdr, ex.id, NO)
    reads = scheduler.reads
    wait_for(lambda: all(deliveries(combined, i) == 1 for i in many), 20, "the twenty")
    assert deliveries(combined, paused) == 1
    assert deliveries(combined, cancelled) == 0
    # Twenty-one moments on one reading after the resume (and a few for the
    # commits that woke the scheduler), not one reading a moment.
    assert scheduler.reads - reads <= 5, scheduler.reads - reads


def test_under_load_what_falls_due_while_the_writer_is_busy_goes_in_one_job(
    combined: Node,
) -> None:
    """While a delivery job is with the writer, the injects falling due wait
    for the next job and go together in it (one job and one commit for many,
    not one per moment); none is lost or delivered twice."""
    import threading

    desk = desk_of(combined)
    cdr = _people(combined)["JPN commander jpn-jjoc"]
    ex = desk.create_exercise(cdr, exercise_in(speed=60.0))
    # 60x: the first 1 s (real) after the start; the other 29 from 2 s, one a
    # second of exercise time apart (17 ms real) — a full second to hold the
    # writer in before they fall due, however loaded the machine is.
    ids = [approved(desk, cdr, ex.id, inject_in("JPN-300", "H+00:01:00"))] + [
        approved(desk, cdr, ex.id, inject_in(f"JPN-3{i:02d}", f"H+00:02:{i:02d}"))
        for i in range(1, 30)
    ]
    scheduler = desk.scheduler
    busy, release = threading.Event(), threading.Event()

    def hold(_tx: Tx) -> None:  # the writer busy with something else
        busy.set()
        release.wait(30)

    jobs = scheduler.jobs
    desk.start_clock(cdr, ex.id, ClockStartIn())
    wait_for(lambda: deliveries(combined, ids[0]) == 1, 10, "the first inject")
    held = combined.writer.submit(hold)
    assert busy.wait(10)
    time.sleep(1.9)  # the other 29 fall due (from 2 s to 2.5 s) while the writer is held
    release.set()
    held.result(30)
    wait_for(lambda: all(deliveries(combined, i) == 1 for i in ids), 20, "all thirty")
    # The first alone, then at most a job queued behind the held one and one
    # job for everything that fell due meanwhile.
    assert scheduler.jobs - jobs <= 4, scheduler.jobs - jobs
    with combined.db.read() as s:
        rows = s.query(InjectDeliveryRow).filter(InjectDeliveryRow.exercise_id == ex.id).count()
    assert rows == 30
