"""The single writer: one transaction per decision, many decisions per commit.

Desks submit *jobs*: functions that check authority, change state through the
session and record ledger event drafts on the :class:`Tx`. One writer thread
takes every queued job, runs each inside its own savepoint (a failing job
rolls back alone), seals the drafts into signed, chained events, inserts them,
and commits once for the whole batch (group commit). Only after the commit
are the callers answered and the events published, so nothing acknowledged can
be lost and a failed write publishes nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from alliance.core.dtg import utcnow
from alliance.core.errors import AllianceError, Unavailable
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey
from alliance.core.ledger import Event, EventDraft, seal_all

from .db import Database
from .ledger import head, insert_events
from .memo import forget

T = TypeVar("T")
log = logging.getLogger(__name__)

Listener = Callable[[list[Event]], None]


@dataclass(frozen=True, slots=True)
class FollowContext:
    """What a follower gets: the open transaction and the events just inserted."""

    session: Session
    events: list[Event]
    pool: Executor | None
    key: NodeKey


Follower = Callable[[FollowContext], None]


Hook = Callable[[], object]


@dataclass(slots=True)
class Tx:
    """What a job sees: the session, the time of the decision, and the event drafts."""

    session: Session
    now: datetime
    drafts: list[EventDraft] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)

    def record(self, draft: EventDraft) -> None:
        self.drafts.append(draft)

    def after_commit(self, fn: Hook) -> None:
        """Run ``fn`` once after this job's batch commits, only if the job succeeded
        (the place for any effect outside the database: see the job contract)."""
        self.hooks.append(fn)


@dataclass(slots=True)
class _Job:
    fn: Callable[[Tx], Any]
    future: Future[Any]


_STOP = object()
_Outcome = tuple[_Job, BaseException | None, Any, list[Event], list[Hook]]


class WriterReentered(AllianceError):
    """A job (or a hook, or a listener) waited on the writer from the writer's own
    thread: a programming error that would otherwise hang until the timeout."""

    code = "writer_reentered"
    status = 500


def _reentered() -> WriterReentered:
    return WriterReentered(
        Text(
            "A write waited on the writer from inside a write, which can never finish. "
            "Inside a job, call the transaction form of the operation (foo_in(tx, ...)); "
            "for work after the commit, use tx.after_commit.",
            "書き込みの中から書き込み処理の完了を待とうとしました（完了しません）。"
            "ジョブの中では操作のトランザクション形式（foo_in(tx, ...)）を呼び、"
            "確定後の処理にはtx.after_commitを使ってください。",
        ),
        code="writer_reentered",
    )


def _stopped() -> Unavailable:
    return Unavailable(
        Text("The node is not accepting writes.", "ノードは書き込みを受け付けていません。"),
        code="writer_stopped",
    )


class _JobFailed(Exception):
    """A job raised during an attempt without savepoints."""


class Writer:
    """Group-commit writer for one node. Start it explicitly; stop it on close.

    Jobs follow the job contract of this module: they may be re-run, have no
    effect outside their session (``tx.after_commit`` is for that), and never
    wait on the writer.
    """

    def __init__(
        self,
        db: Database,
        key: NodeKey,
        node_id: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_batch: int = 2000,
    ) -> None:
        self._db = db
        self._key = key
        self._node_id = node_id
        self._clock = clock
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._listeners: list[Listener] = []
        self._followers: list[Follower] = []
        self._pool: ThreadPoolExecutor | None = None
        self.batches = 0
        self.events_written = 0

    def follow(self, follower: Follower) -> None:
        """Call ``follower`` inside each batch's transaction, after its events are
        inserted and before the commit: what it writes commits with them, or not
        at all (federation builds its release streams this way)."""
        self._followers.append(follower)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with each committed batch of events, after commit."""
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is None:
            # Signatures of a batch are split with this helper thread: the
            # signing library releases the GIL, so a second core signs too.
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-sign")
            self._thread = threading.Thread(target=self._loop, name="ledger-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None
        # Jobs that arrived after the stop mark are refused, not left waiting.
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Job) and item.future.set_running_or_notify_cancel():
                item.future.set_exception(_stopped())
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def submit(self, fn: Callable[[Tx], T]) -> Future[T]:
        if not self.running:
            raise _stopped()
        future: Future[T] = Future()
        self._queue.put(_Job(fn, future))
        return future

    def run(self, fn: Callable[[Tx], T], timeout: float = 60.0) -> T:
        """Submit a job and wait until it is committed (or failed).

        Refused at once on the writer's own thread (:class:`WriterReentered`):
        a job that waited on the writer would wait on itself.
        """
        if self._thread is not None and threading.current_thread() is self._thread:
            raise _reentered()
        return self.submit(fn).result(timeout)

    # -- the writer thread -------------------------------------------------

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch: list[_Job] = [item]  # type: ignore[list-item]
            stop_after = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop_after = True
                    break
                batch.append(more)  # type: ignore[arg-type]
            try:
                self._process(batch)
            except BaseException as exc:  # never let the writer die silently
                log.exception("ledger writer batch failed")
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
            if stop_after:
                return

    def _process(self, batch: list[_Job]) -> None:
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            outcomes = self._attempt(live, isolate=False)
        except _JobFailed:
            # Rare path: some job failed. Run the batch again with a savepoint
            # around each job so that the failing ones roll back alone.
            try:
                outcomes = self._attempt(live, isolate=True)
            except Exception as exc:
                self._fail_all(live, exc)
                return
        except Exception as exc:
            self._fail_all(live, exc)
            return
        written = [ev for _job, _err, _res, events, _hooks in outcomes for ev in events]
        self.batches += 1
        self.events_written += len(written)
        for _job, _err, _res, _events, hooks in outcomes:
            for hook in hooks:
                try:
                    hook()
                except Exception:  # the write stands; a hook's failure is its own
                    log.exception("after-commit hook failed")
        for job, err, result, _events, _hooks in outcomes:
            if err is not None:
                job.future.set_exception(err)
            else:
                job.future.set_result(result)
        if written:
            for listener in self._listeners:
                try:
                    listener(written)
                except Exception:
                    log.exception("event listener failed")

    def _attempt(self, jobs: list[_Job], *, isolate: bool) -> list[_Outcome]:
        """Run every job in one transaction, seal their events, commit once.

        Without ``isolate`` the first failing job aborts the whole attempt
        (:class:`_JobFailed`); with it, each job runs in its own savepoint.
        """
        ran: list[tuple[_Job, BaseException | None, Any, int, int, list[Hook]]] = []
        drafts: list[tuple[EventDraft, datetime]] = []
        session = self._db.write_session()
        try:
            with session.begin():
                self._db.lock_writer(session)
                seq, prev = head(session)
                for job in jobs:
                    forget(session)  # nothing a job read survives into the next
                    tx = Tx(session, self._clock())
                    try:
                        if isolate:
                            # The context manager also rolls back a savepoint that a
                            # failed flush (e.g. a unique violation) has deactivated.
                            with session.begin_nested():
                                result = job.fn(tx)
                                session.flush()
                        else:
                            result = job.fn(tx)
                            session.flush()
                    except Exception as exc:
                        if not isolate:
                            raise _JobFailed from exc
                        ran.append((job, exc, None, 0, 0, []))
                        continue
                    first = len(drafts)
                    drafts.extend((d, tx.now) for d in tx.drafts)
                    ran.append((job, None, result, first, len(drafts), tx.hooks))
                events = seal_all(
                    drafts,
                    seq=seq,
                    prev_hash=prev,
                    node=self._node_id,
                    key=self._key,
                    pool=self._pool,
                )
                insert_events(session.connection(), events)
                if events:
                    for follower in self._followers:
                        follower(FollowContext(session, events, self._pool, self._key))
        finally:
            session.close()
        return [(job, err, result, events[a:b], hooks) for job, err, result, a, b, hooks in ran]

    def _fail_all(self, jobs: list[_Job], exc: BaseException) -> None:
        log.error("ledger commit failed; %d jobs not written: %r", len(jobs), exc)
        failure = Unavailable(
            Text(
                "The write could not be committed; nothing was changed.",
                "書き込みを確定できませんでした。何も変更されていません。",
            ),
            code="commit_failed",
        )
        failure.__cause__ = exc
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(failure)
