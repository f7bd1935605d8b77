"""Injects delivered on the exercise clock across two federated nodes (each on
the selected backend, mutual TLS on loopback).

JPN leads an exercise with USA on an accelerated clock. A JPN inject
addressed to USA's HQ reaches USA's inbox at its exercise time and not
before: until then USA's database holds nothing of it, in no table (no
inject, no delivery, no ledger event naming its id or its text). A
national-only inject never leaves JPN. USA's own inject in the JPN-led
exercise is delivered by USA's node on JPN's replicated clock. Pause holds
delivery; resume goes on. An inject due while JPN's node was stopped arrives
once after it starts again.

Lateness is asserted generously here (a shared two-core machine); the
benchmark (``bench/exercise.py``) measures it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import chain

from alliance.core.authority import Actor
from alliance.exercise.models import ClockChangeIn, ClockStartIn, ExerciseRole, RoleIn
from alliance.exercise.tables import InjectRow
from alliance.node import Node
from alliance.store.ledger import iter_events
from alliance.store.projection import check_state
from tests.conftest import NodeFactory, add_people
from tests.federation.helpers import mentions, served_pair, wait_drained

from .helpers import approved, deliveries, delivery_times, desk_of, exercise_in, inject_in, wait_for

NO = ClockChangeIn()


def _people(node: Node) -> dict[str, Actor]:
    people = add_people(node)
    return {k: node.users.authenticate(t) for k, t in people.tokens.items()}


def _events_of(node: Node, object_id: str) -> list[str]:
    return [ev.kind for ev in iter_events(node.db) if ev.object_id == object_id]


def _delivery_id(node: Node, inject_id: str) -> str:
    with node.db.read() as s:
        row = s.get(InjectRow, inject_id)
        assert row is not None
        assert row.delivery_id is not None
        return row.delivery_id


def test_an_inject_reaches_the_partner_at_its_exercise_time_and_not_before(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    j, u = _people(jpn), _people(usa)
    cdr, usa_cdr = j["JPN commander jpn-jjoc"], u["USA commander usa-jfhq"]
    usa_staff = u["USA staff_officer usa-jfhq"]
    jd, ud = desk_of(jpn), desk_of(usa)
    # 300x: H+00:30 is 6 s real after the start, H+00:45 is 9 s, H+01:00 is 12 s.
    ex = jd.create_exercise(cdr, exercise_in(speed=300.0))
    shared = approved(jd, cdr, ex.id, inject_in("JPN-001", "H+00:30"))
    national = approved(jd, cdr, ex.id, inject_in("JPN-002", "H+00:10", to="jpn-jjoc", release=[]))
    held = approved(jd, cdr, ex.id, inject_in("JPN-003", "H+01:00"))
    wait_drained(jpn, [usa], timeout=30)
    # USA writes its own inject in JPN's exercise, on its own node, for JPN's HQ.
    ud.assign_role(usa_cdr, ex.id, RoleIn(user_id=usa_cdr.user_id, role=ExerciseRole.EDITOR))
    ud.assign_role(usa_cdr, ex.id, RoleIn(user_id=usa_cdr.user_id, role=ExerciseRole.APPROVER))
    theirs = approved(
        ud, usa_cdr, ex.id, inject_in("USA-001", "H+00:45", to="jpn-jjoc", release=["JPN"])
    )
    secrets = {
        shared: ["FICTIONAL inject JPN-001", "SECRET-EXPECTED-JPN-001"],
        national: ["FICTIONAL inject JPN-002", "SECRET-EXPECTED-JPN-002"],
        held: ["FICTIONAL inject JPN-003"],
    }
    usa_secrets = {theirs: ["FICTIONAL inject USA-001", "SECRET-EXPECTED-USA-001"]}
    assert mentions(usa, [shared, national, held, *chain.from_iterable(secrets.values())]) == []
    assert mentions(jpn, [theirs, *usa_secrets[theirs]]) == []

    started = datetime.now(UTC)
    jd.start_clock(cdr, ex.id, ClockStartIn())
    due = {i: started + timedelta(seconds=s) for i, s in ((shared, 6), (theirs, 9), (held, 12))}
    # The partner has the clock (not the injects) at once.
    wait_for(lambda: ud.exercise_time(usa_staff, ex.id).clock.state == "running", 20, "the clock")
    # The national-only inject is delivered at home (H+00:10, 2 s).
    wait_for(lambda: deliveries(jpn, national) == 1, 20, "the national-only inject")
    assert [d.serial for d in jd.inbox(cdr, exercise_id=ex.id)] == ["JPN-002"]

    # Until just before H+00:30, USA holds nothing of JPN-001 anywhere; nor
    # JPN anything of USA-001.
    while datetime.now(UTC) < due[shared] - timedelta(seconds=1):
        assert deliveries(usa, shared) == 0, "delivered to the partner early"
        time.sleep(0.1)
    assert mentions(usa, [shared, national, held, *secrets[shared], *secrets[held]]) == []
    assert mentions(jpn, [theirs, *usa_secrets[theirs]]) == []

    # Then it arrives, at its time (generously: a shared machine), not before.
    wait_for(lambda: deliveries(usa, shared) == 1, 30, "JPN-001 at USA")
    arrived = datetime.now(UTC)
    due_at, delivered_at = delivery_times(usa, shared)
    assert abs((due_at - due[shared]).total_seconds()) < 1.0, (due_at, due[shared])
    assert delivered_at >= due_at
    assert arrived >= due[shared] - timedelta(seconds=0.3)
    [got] = ud.inbox(usa_staff, exercise_id=ex.id)
    assert (got.serial, got.owner, got.inject_id) == ("JPN-001", "JPN", shared)
    assert got.description.startswith("FICTIONAL inject JPN-001")
    # What the player receives, never the controller's expected action.
    assert mentions(usa, secrets[shared][1:]) == []

    # USA's own inject goes out from USA's node on JPN's (replicated) clock.
    wait_for(lambda: deliveries(jpn, theirs) == 1, 30, "USA-001 at JPN")
    due_at, _ = delivery_times(jpn, theirs)
    assert abs((due_at - due[theirs]).total_seconds()) < 1.0, (due_at, due[theirs])
    assert sorted(d.serial for d in jd.inbox(cdr, exercise_id=ex.id)) == ["JPN-002", "USA-001"]

    # Pause before H+01:00: JPN-003 waits (well past its time) until resumed.
    jd.pause_clock(cdr, ex.id, NO)
    assert deliveries(jpn, held) == 0
    time.sleep(max(0.0, (due[held] - datetime.now(UTC)).total_seconds()) + 2.0)
    assert deliveries(jpn, held) == 0
    assert mentions(usa, [held, *secrets[held]]) == []
    jd.resume_clock(cdr, ex.id, NO)
    wait_for(lambda: deliveries(usa, held) == 1, 30, "JPN-003 at USA after resume")

    # The national-only inject never left JPN, even long after it was due.
    wait_drained(jpn, [usa], timeout=30)
    wait_drained(usa, [jpn], timeout=30)
    assert mentions(usa, [national, *secrets[national]]) == []
    # Each delivered once on each side.
    assert (deliveries(jpn), deliveries(usa)) == (4, 3)
    for node in (jpn, usa):
        assert node.verify_ledger().ok
        drift = check_state(node.db, node.types)
        assert drift.ok, drift.drifts[:5]


def test_an_inject_due_while_the_owner_node_was_down_arrives_once_after_restart(
    make_node: NodeFactory,
) -> None:
    jpn, usa = served_pair(make_node)
    cdr = _people(jpn)["JPN commander jpn-jjoc"]
    usa_staff = _people(usa)["USA staff_officer usa-jfhq"]
    jd = desk_of(jpn)
    # 60x: H+00:08 is 8 s real after the start.
    ex = jd.create_exercise(cdr, exercise_in(speed=60.0))
    missed = approved(jd, cdr, ex.id, inject_in("JPN-001", "H+00:08"))
    started = datetime.now(UTC)
    jd.start_clock(cdr, ex.id, ClockStartIn())
    due = started + timedelta(seconds=8)
    wait_drained(jpn, [usa], timeout=30)
    jpn.close()  # the JPN node goes down before the inject is due
    assert datetime.now(UTC) < due, "the node took too long to stop; the test proves nothing"
    assert deliveries(jpn, missed) == 0
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 1.0)
    assert deliveries(usa, missed) == 0  # nobody delivered it while JPN was down

    again = Node(jpn.settings).start()
    try:
        again.serve_federation(wait=0.5)
        wait_for(lambda: deliveries(again, missed) == 1, 30, "delivery on start")
        wait_for(lambda: deliveries(usa, missed) == 1, 30, "the delivery at USA")
        due_at, delivered_at = delivery_times(again, missed)
        assert abs((due_at - due).total_seconds()) < 1.0  # it was due then
        assert delivered_at > due_at  # and delivered late, as it says
        # Once: one delivery row and one event per side, even after a second restart.
        again.close()
        again = Node(jpn.settings).start()
        again.serve_federation(wait=0.5)
        time.sleep(1.0)
        wait_drained(again, [usa], timeout=30)
        delivery = _delivery_id(again, missed)
        assert (deliveries(again), deliveries(usa)) == (1, 1)
        assert _events_of(again, missed).count("exercise.inject.delivered") == 1
        assert _events_of(again, delivery) == ["exercise.inject.delivered"]
        replicas = [
            ev.body_json()["data"]["origin"]["event_kind"]
            for ev in iter_events(usa.db)
            if ev.object_id == delivery
        ]
        assert replicas == ["exercise.inject.delivered"]
        assert [d.serial for d in desk_of(usa).inbox(usa_staff, exercise_id=ex.id)] == ["JPN-001"]
        assert again.verify_ledger().ok
        assert check_state(again.db, again.types).ok
    finally:
        again.close()
