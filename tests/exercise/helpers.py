"""Shared by the exercise desk's tests: an exercise led by JPN with USA, injects
at H+ times, the desk of a node, waiting for deliveries."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select

from alliance.core.authority import Actor
from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import ExerciseIn, InjectIn, Participant
from alliance.exercise.tables import InjectDeliveryRow
from alliance.node import Node

H_HOUR = "2026-11-02T00:00:00Z"


def desk_of(node: Node) -> ExerciseDesk:
    return node.desk("exercise", ExerciseDesk)


def exercise_in(ident: str = "ex-clock", speed: float = 60.0) -> ExerciseIn:
    return ExerciseIn(
        id=ident,
        name=f"{EXERCISE_NAME} ({FICTIONAL})",
        name_ja=f"{EXERCISE_NAME}（架空）",
        participants=[
            Participant(nation="JPN", hq_id="jpn-jjoc"),
            Participant(nation="USA", hq_id="usa-jfhq"),
        ],
        h_hour=H_HOUR,
        clock_speed=speed,
        marking=MarkingIn(releasable_to=["USA"]),
    )


def inject_in(
    serial: str,
    h_plus: str | None,
    *,
    to: str = "usa-jfhq",
    release: list[str] | None = None,
    **kw: object,
) -> InjectIn:
    data: dict[str, object] = {
        "serial": serial,
        "h_plus": h_plus,
        "sender": "Simulated higher HQ (FICTIONAL)",
        "addressee_hq_id": to,
        "description": f"FICTIONAL inject {serial}: a fishing vessel reports smoke.",
        "description_ja": f"架空の状況付与{serial}：漁船が煙を報告。",
        "expected_action": f"SECRET-EXPECTED-{serial}: acknowledge and coordinate.",
        "marking": MarkingIn(releasable_to=["USA"] if release is None else release),
    }
    data.update(kw)
    return InjectIn.model_validate(data)


def approved(desk: ExerciseDesk, actor: Actor, exercise_id: str, data: InjectIn) -> str:
    inject = desk.create_inject(actor, exercise_id, data)
    desk.approve_inject(actor, inject.id)
    return inject.id


def deliveries(node: Node, inject_id: str | None = None) -> int:
    """How many delivery rows the node holds (of one inject)."""
    with node.db.read() as s:
        stmt = select(func.count()).select_from(InjectDeliveryRow)
        if inject_id is not None:
            stmt = stmt.where(InjectDeliveryRow.inject_id == inject_id)
        return int(s.scalar(stmt) or 0)


def delivery_times(node: Node, inject_id: str) -> tuple[datetime, datetime]:
    """(due_at, delivered_at) of the inject's delivery."""
    with node.db.read() as s:
        row = s.scalars(
            select(InjectDeliveryRow).where(InjectDeliveryRow.inject_id == inject_id)
        ).one()
        return row.due_at, row.delivered_at


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - started
