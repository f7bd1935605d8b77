"""Running an exercise over the API: the clock endpoints, the exercise time,
the inbox, and the live stream announcing a delivery (the node's one stream,
``GET /api/v1/stream``: no stream of the desk's own)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from alliance.exercise.models import ExerciseRole, RoleIn
from alliance.node import Node
from alliance.store.ledger import iter_events
from tests.conftest import add_people

from .helpers import approved, deliveries, desk_of, exercise_in, inject_in, wait_for


def _count(node: Node) -> int:
    return sum(1 for _ in iter_events(node.db))


def test_the_clock_and_the_inbox_over_the_api(
    combined: Node, serve: Callable[[Node], httpx.Client]
) -> None:
    people = add_people(combined)
    api = serve(combined)
    cdr_h = people("JPN", "commander", "jpn-jjoc")
    staff_h = people("JPN", "staff_officer", "jpn-jjoc")
    usa_h = people("USA", "staff_officer", "usa-jfhq")
    desk = desk_of(combined)
    cdr = combined.users.authenticate(people.tokens["JPN commander jpn-jjoc"])
    ex = desk.create_exercise(cdr, exercise_in(speed=600.0))
    shared = approved(desk, cdr, ex.id, inject_in("JPN-001", "H+00:05"))
    clock = f"/exercises/{ex.id}/clock"

    # Refused, each naming why, and nothing stored changes.
    before = _count(combined)
    r = api.post(f"{clock}/start", json={}, headers=staff_h)
    assert (r.status_code, r.json()["code"]) == (403, "exercise_role_required")
    assert r.json()["message"]["ja"]
    r = api.post(f"{clock}/start", json={"speed": 0}, headers=cdr_h)
    assert (r.status_code, r.json()["field"]) == (422, "speed")
    r = api.post(f"{clock}/start", json={"at": "yesterday"}, headers=cdr_h)
    assert (r.status_code, r.json()["field"]) == (422, "at")
    r = api.post(f"{clock}/start", json={"sped": 2}, headers=cdr_h)
    assert (r.status_code, r.json()["field"]) == (422, "sped")
    r = api.post(f"{clock}/pause", json={}, headers=cdr_h)
    assert (r.status_code, r.json()["code"]) == (409, "wrong_state")
    r = api.post("/exercises/no-such-exercise/clock/start", json={}, headers=cdr_h)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert _count(combined) == before
    assert api.get(clock, headers=usa_h).json()["clock"]["state"] == "planning"

    # A controller of the lead nation runs it.
    staff = combined.users.authenticate(people.tokens["JPN staff_officer jpn-jjoc"])
    desk.assign_role(cdr, ex.id, RoleIn(user_id=staff.user_id, role=ExerciseRole.CONTROLLER))
    with (
        httpx.Client(base_url=str(api.base_url), timeout=30) as live,
        live.stream("GET", "/stream", headers=usa_h) as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines).startswith("retry")
        r = api.post(f"{clock}/start", json={}, headers=staff_h)
        assert r.status_code == 200, r.text
        assert r.json()["clock"]["state"] == "running"
        # The partner's stream announces the delivery when it is made.
        seen: list[dict[str, object]] = []
        deadline = time.monotonic() + 20
        for line in lines:
            if line.startswith("data:"):
                data = json.loads(line[5:])
                if data.get("type") == "inject_delivery":
                    seen.append(data)
                    break
            assert time.monotonic() < deadline, "no delivery announced"
    assert seen[0]["owner"] == "JPN"
    assert seen[0]["kind"] == "exercise.inject.delivered"
    wait_for(lambda: deliveries(combined, shared) == 1, 20, "the delivery")

    now = api.get(clock, headers=usa_h).json()
    assert now["exercise_id"] == ex.id
    assert now["clock"]["now_ex"]["iso"] > "2026-11-02T00:05"
    inbox = api.get(f"/exercises/{ex.id}/inbox", headers=usa_h).json()
    assert [(d["serial"], d["inject_id"]) for d in inbox] == [("JPN-001", shared)]
    assert "expected_action" not in inbox[0]
    # Another HQ's inbox, by hq_id: nothing addressed there.
    r = api.get(f"/exercises/{ex.id}/inbox", params={"hq_id": "jpn-jjoc"}, headers=usa_h)
    assert r.json() == []
    r = api.get(f"/exercises/{ex.id}/inbox", params={"hq_id": "bad id!"}, headers=usa_h)
    assert (r.status_code, r.json()["field"]) == (422, "hq_id")

    # Set back: refused naming the field; forward: fine; then it ends.
    r = api.post(f"{clock}/set", json={"at": "2026-11-02T00:00:00Z"}, headers=staff_h)
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (422, "at", "clock_backwards")
    r = api.post(f"{clock}/set", json={"at": "2026-11-03T00:00:00Z"}, headers=staff_h)
    assert r.status_code == 200, r.text
    r = api.post(f"{clock}/speed", json={"speed": 1}, headers=staff_h)
    assert r.json()["clock"]["speed"] == 1.0
    r = api.post(f"{clock}/pause", json={}, headers=staff_h)
    assert r.json()["clock"]["state"] == "paused"
    r = api.post(f"{clock}/resume", json={"version": 1}, headers=staff_h)
    assert (r.status_code, r.json()["code"]) == (409, "version_conflict")
    r = api.post(f"{clock}/end", json={}, headers=staff_h)
    assert r.json()["clock"]["state"] == "ended"
