"""The delivery scheduler: each inject delivered at its moment on its
exercise's clock, by its owner's node.

One thread per node sleeps until the next moment one of this node's own
approved, undelivered injects falls due on the clock of a running exercise
(the lead nation's clock, replicated to every participant: a partner's node
delivers the partner's own injects on it), then delivers everything due
through :meth:`~.delivery.Delivery.deliver_many_in` (``deliver_in`` for many
injects in one writer job).

It is woken early by what changes the answer: the writer calls
:meth:`DeliveryScheduler.notify` with every committed batch, local decisions
and replicas applied from partners alike (federation applies a partner's
rows through the same writer), and a batch that touches an exercise (its
clock) or an inject (approved, changed, cancelled) wakes it. It never sleeps
longer than :data:`GUARD_S` whatever happens, so a wake-up that never came
(none is known to be missing) costs at most that.

Finding what is due stays cheap with 10,000 injects in an exercise: an inject
is due at its DTG or at H-hour plus its H+ offset, and within one exercise
H-hour is one moment, so two indexes (approved injects by DTG, and by offset)
give the due ones and the next one directly (``ix_injects_due_dtg``,
``ix_injects_due_offset``), never a scan of the MSEL. And the scheduler does
not ask at every moment: it reads what falls due within the next
:data:`LOOKAHEAD_S` real seconds once into a *plan* held in memory (a heap
by real due moment), wakes at each moment to hand over what the plan says is
due, and reads again when the plan runs out or anything it rests on changes
(a clock, an inject: the same wake-ups as above). When injects fall due
every few milliseconds, a query per moment would cost more than delivering
them.

Under load it batches by itself: one delivery job at a time is with the
writer (:data:`MAX_JOBS`), and what falls due meanwhile goes in the next
job, handed over as soon as that one is done. A job per moment would pay a job's
and a commit's cost for one or two injects each (1,000 injects falling due
per second took ~700 jobs per second and fell behind); now the batches grow
with the load and stay one or two injects at a time when it is light.

At most once, even across restarts and races: ``deliver_in`` checks the
inject's state inside the writer's transaction and a delivery's ``inject_id``
is unique. An inject due while the node was down is found due on start and
delivered then (late, and its ``delivered_at`` says so).
"""

from __future__ import annotations

import heapq
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from alliance.core.ledger import Event
from alliance.store.context import DeskContext
from alliance.store.writer import Tx

from .clock import Clock
from .common import clock_of
from .models import ClockState, InjectState
from .tables import EXERCISE, INJECT, ExerciseRow, InjectDeliveryRow, InjectRow

log = logging.getLogger(__name__)

GUARD_S = 10.0
"""The longest the scheduler sleeps without looking again."""
LOOKAHEAD_S = 1.0
"""Real seconds ahead of now that one reading of the MSEL plans for."""
PLAN_MAX = 5000
"""Injects of one exercise held in the plan at most (the plan ends earlier)."""
BATCH = 500
"""Injects delivered by one writer job at most (one commit may hold several jobs)."""
MAX_JOBS = 1
"""Delivery jobs handed to the writer and not yet committed, at most: while
one is, what falls due waits for the next job, so under load each job
carries everything due since the last one instead of a job per moment (a
job's and a commit's own cost is paid once for many injects; see
:meth:`DeliveryScheduler._take_due`). One, not more: a second job queued
behind the first carries only what was due when it was queued, and what
falls due meanwhile waits for both (``bench/exercise.py``, 1,000 injects
due a second: owner p99 ~1.7 s with two, ~0.15 s with one)."""
MAX_IN_FLIGHT = MAX_JOBS * BATCH
"""Injects handed to the writer and not yet committed, at most."""
RETRY_S = 30.0
"""How long an inject whose delivery failed waits before it is tried again."""
EPSILON_S = 0.0005
"""Added to each sleep, so a wake-up lands just after the due moment, not a
microsecond before it (the clock's arithmetic rounds to microseconds)."""

Deliver = Callable[[Tx, Sequence[tuple[str, datetime]]], list[InjectDeliveryRow]]

_APPROVED = InjectState.APPROVED.value
_QUIET = frozenset({"exercise.inject.delivered"})  # our own deliveries change no plan


@dataclass(frozen=True, slots=True)
class Due:
    inject_id: str
    due_at: datetime  # the real moment it was due


def due_at(clock: Clock, due_ex: datetime, now: datetime) -> datetime:
    """The real moment an inject due at ``due_ex`` was due on ``clock``: on the
    clock's current run, never before that run began (an inject skipped by
    setting the time forward, or left over from before a pause, was due when
    the run began) and never after ``now``."""
    real = clock.real_at(due_ex)
    if real is None:
        return now
    if clock.real is not None and real < clock.real:
        real = clock.real
    return min(real, now)


class DeliveryScheduler:
    """Delivers this node's injects at their moment (see the module docstring)."""

    def __init__(self, ctx: DeskContext, deliver: Deliver, *, batch: int = BATCH) -> None:
        self.ctx = ctx
        self._deliver = deliver
        self.batch = batch
        self._cond = threading.Condition()
        self._poked = False
        self._stale = True
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._subscribed = False
        self._in_flight: set[str] = set()
        self._jobs = 0  # delivery jobs handed to the writer, not yet done
        self._failed: dict[str, float] = {}  # inject id -> monotonic time to retry at
        self._retry_alone: list[Due] = []
        # The plan: (real due moment, inject id) of every approved inject due
        # before ``_plan_until``, read at ``_plan_read``; stale once poked.
        self._plan: list[tuple[datetime, str]] = []
        self._plan_until: datetime | None = None
        self.reads = 0  # readings of the MSEL since the scheduler was built
        self.delivered = 0  # injects this scheduler delivered since it was built
        self.jobs = 0  # delivery jobs it handed to the writer since it was built
        self.wakes = 0

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        if not self._subscribed:
            self.ctx.writer.subscribe(self.notify)
            self._subscribed = True
        with self._cond:
            self._stopping = False
            self._poked = True
            self._stale = True
        self._thread = threading.Thread(target=self._run, name="exercise-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        thread.join(30)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def poke(self) -> None:
        """Look again now (a clock or an inject changed): the plan is read again."""
        with self._cond:
            self._poked = True
            self._stale = True
            self._cond.notify_all()

    def notify(self, events: Iterable[Event]) -> None:
        """A writer listener (on the writer's thread, after commit: never blocks
        long): wake up when a committed batch touched an exercise or an inject,
        whether decided here or applied from a partner."""
        if self._thread is None:
            return
        for ev in events:
            if ev.object_type in (EXERCISE.name, INJECT.name) and ev.kind not in _QUIET:
                self.poke()
                return

    # -- the thread ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                self._poked = False
            try:
                sleep = self.tick()
            except Exception:
                log.exception("inject scheduler: looking for due injects failed; retrying")
                sleep = 1.0
            with self._cond:
                if self._stopped():
                    return
                if not self._poked and sleep > 0:
                    self._cond.wait(min(sleep, GUARD_S))
                self.wakes += 1

    def _stopped(self) -> bool:
        return self._stopping

    def tick(self) -> float:
        """Hand every due inject to the writer; the seconds until the next is due."""
        now = self.ctx.clock()
        with self._cond:
            stale, self._stale = self._stale, False
        if stale or self._plan_until is None or now >= self._plan_until:
            self._read_plan(now)
        retry, due = self._take_due(now)
        for item in retry:
            self._submit([item], alone=True)
        self._hand_over(due)
        with self._cond:
            full = self._jobs >= MAX_JOBS
        if full and self._plan and self._plan[0][0] <= now:
            # Due already, held for the next job: the one in flight wakes us when done.
            return GUARD_S
        return self._wait(now)

    def _wait(self, now: datetime) -> float:
        """Seconds until the plan's next moment, or its end (read again then)."""
        until = self._plan_until
        if self._plan and (until is None or self._plan[0][0] < until):
            until = self._plan[0][0]
        if until is None:
            return GUARD_S
        return max(0.0, (until - now).total_seconds()) + EPSILON_S

    def _take_due(self, now: datetime) -> tuple[list[Due], list[Due]]:
        """What is due by ``now`` off the plan (and any inject to retry alone),
        less those in flight or kept back: as many as the jobs the writer may
        still be handed (:data:`MAX_JOBS`) carry. With the writer busy that is
        none: they stay in the plan and go, with all that falls due meanwhile,
        in the job handed over when one in flight is done."""
        with self._cond:
            in_flight = set(self._in_flight)
            free = MAX_JOBS - self._jobs
            retry = list(self._retry_alone[: max(0, free)])
            del self._retry_alone[: len(retry)]
        free -= len(retry)
        skip = in_flight | self._backing_off() | {i.inject_id for i in retry}
        room = max(0, min(MAX_IN_FLIGHT - len(in_flight), free * self.batch))
        due: list[Due] = []
        plan = self._plan
        while plan and plan[0][0] <= now and len(due) < room:
            at, ident = heapq.heappop(plan)
            if ident not in skip:
                skip.add(ident)
                due.append(Due(ident, at))
        return retry, due

    def _read_plan(self, now: datetime) -> None:
        """Read the plan: every approved inject of this node's running exercises
        due within :data:`LOOKAHEAD_S` real seconds (already due ones too), by
        the real moment each falls due on its exercise's clock."""
        self.reads += 1
        horizon = now + timedelta(seconds=LOOKAHEAD_S)
        until = now + timedelta(seconds=GUARD_S)
        plan: list[tuple[datetime, str]] = []
        with self.ctx.db.read() as s:
            running = s.scalars(
                select(ExerciseRow).where(ExerciseRow.clock_state == ClockState.RUNNING.value)
            ).all()
            for exercise in running:
                clock = clock_of(exercise)
                horizon_ex = clock.now_ex(horizon)
                if horizon_ex is None:
                    continue
                found = self._due_of(s, exercise, horizon_ex, PLAN_MAX)
                for ident, at in found:
                    plan.append((due_at(clock, at, horizon), ident))
                if len(found) >= PLAN_MAX:
                    # Held up to the last one read: what is due after it, later.
                    until = min(until, plan[-1][0])
                    continue
                # Nothing else is due before this exercise's next inject after
                # the horizon: the plan holds until then.
                upcoming = self._next_of(s, exercise, horizon_ex)
                if upcoming is not None:
                    real = clock.real_at(upcoming)
                    if real is not None:
                        until = min(until, max(real, horizon))
        heapq.heapify(plan)
        self._plan = plan
        self._plan_until = until

    def _where(self, exercise: ExerciseRow) -> list[ColumnElement[bool]]:
        return [
            InjectRow.state == _APPROVED,
            InjectRow.exercise_id == exercise.id,
            InjectRow.owner.in_(sorted(self.ctx.hosted)),
        ]

    def _due_of(
        self, s: Session, exercise: ExerciseRow, now_ex: datetime, limit: int
    ) -> list[tuple[str, datetime]]:
        """This node's approved injects of ``exercise`` due by ``now_ex``, earliest first."""
        where = self._where(exercise)
        h_hour = exercise.h_hour
        within = math.floor((now_ex - h_hour).total_seconds())
        by_dtg = s.execute(
            select(InjectRow.id, InjectRow.due_ex)
            .where(*where, InjectRow.due_ex <= now_ex)
            .order_by(InjectRow.due_ex)
            .limit(limit)
        ).all()
        by_offset = s.execute(
            select(InjectRow.id, InjectRow.offset_s)
            .where(*where, InjectRow.offset_s <= within)
            .order_by(InjectRow.offset_s)
            .limit(limit)
        ).all()
        found = [(i, at) for i, at in by_dtg if at is not None]
        found += [(i, h_hour + timedelta(seconds=o)) for i, o in by_offset if o is not None]
        found.sort(key=lambda f: f[1])
        return found[:limit]

    def _next_of(self, s: Session, exercise: ExerciseRow, now_ex: datetime) -> datetime | None:
        """The exercise time the next of this node's injects of ``exercise`` is due."""
        where = self._where(exercise)
        within = math.floor((now_ex - exercise.h_hour).total_seconds())
        dtg = s.scalar(select(func.min(InjectRow.due_ex)).where(*where, InjectRow.due_ex > now_ex))
        offset = s.scalar(
            select(func.min(InjectRow.offset_s)).where(*where, InjectRow.offset_s > within)
        )
        moments = [] if dtg is None else [dtg]
        if offset is not None:
            moments.append(exercise.h_hour + timedelta(seconds=offset))
        return min(moments) if moments else None

    def _backing_off(self) -> set[str]:
        """Injects whose delivery failed lately (kept back until their retry time)."""
        with self._cond:
            if not self._failed:
                return set()
            clock = time.monotonic()
            for ident, at in list(self._failed.items()):
                if at <= clock:
                    del self._failed[ident]
            return set(self._failed)

    # -- handing over to the writer ------------------------------------------------------

    def _hand_over(self, due: list[Due]) -> None:
        for start in range(0, len(due), self.batch):
            self._submit(due[start : start + self.batch], alone=False)

    def _submit(self, items: list[Due], *, alone: bool) -> None:
        deliver = self._deliver

        def job(tx: Tx) -> int:
            return len(deliver(tx, [(i.inject_id, i.due_at) for i in items]))

        ids = {i.inject_id for i in items}
        with self._cond:
            self._in_flight |= ids
            self._jobs += 1
            self.jobs += 1
        try:
            future = self.ctx.writer.submit(job)
        except Exception:
            with self._cond:
                self._in_flight -= ids
                self._jobs -= 1
            raise
        future.add_done_callback(lambda f: self._done(f, items, alone))

    def _done(self, future: Future[int], items: list[Due], alone: bool) -> None:
        """On the writer's thread: the job committed or failed."""
        ids = {i.inject_id for i in items}
        error = future.exception()
        with self._cond:
            self._in_flight -= ids
            self._jobs -= 1
            if error is None:
                self.delivered += future.result()
            elif alone:
                # Kept from delivery for a while (logged): the others go on.
                for ident in ids:
                    self._failed[ident] = time.monotonic() + RETRY_S
            else:
                # One of the batch failed: each is tried alone, so the rest go out.
                self._retry_alone.extend(items)
            self._poked = True
            self._cond.notify_all()
        if error is not None:
            log.warning(
                "inject scheduler: delivering %d inject(s) failed (%s)%s",
                len(items),
                error,
                "; retrying later" if alone else "; trying each alone",
            )


__all__ = ["BATCH", "GUARD_S", "LOOKAHEAD_S", "DeliveryScheduler", "Due", "due_at"]
