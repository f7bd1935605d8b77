"""The single writer: every acknowledged job is committed with its signed events,
a failing job rolls back alone, and events are published only after commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import select

from alliance.core.errors import Unavailable
from alliance.core.keys import NodeKey
from alliance.core.ledger import Event
from alliance.store import Database, Tx, Writer
from alliance.store.ledger import count, verify_database
from alliance.store.schema import LedgerRow, MetaRow
from alliance.store.writer import WriterReentered

from .conftest import Boom, put, stored_events, stored_keys


def _assert_ledger_sound(db: Database, key: NodeKey, expected: int) -> list[Event]:
    events = stored_events(db)
    assert [ev.seq for ev in events] == list(range(1, expected + 1))
    report = verify_database(db, key.public_raw, workers=2)
    assert report.ok, report.problem
    assert report.checked == expected
    return events


def _wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    """Listeners run on the writer thread right after callers are answered."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


class _Gate:
    """A job that holds the writer until released, so later jobs queue up into one batch."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, tx: Tx) -> str:
        self.entered.set()
        assert self.release.wait(20)
        return "gate"


@pytest.fixture
def gate(writer: Writer) -> Iterator[_Gate]:
    g = _Gate()
    held = writer.submit(g)
    assert g.entered.wait(20)
    yield g
    g.release.set()
    assert held.result(20) == "gate"


def test_many_threads_submitting_all_get_their_results(
    db: Database, writer: Writer, key: NodeKey
) -> None:
    threads, per_thread = 8, 25

    def worker(t: int) -> list[str]:
        return [writer.run(put(f"t{t}-{i}", value=str(i))) for i in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(worker, range(threads)))
    names = {f"t{t}-{i}" for t in range(threads) for i in range(per_thread)}
    assert results == [[f"t{t}-{i}" for i in range(per_thread)] for t in range(threads)]
    assert stored_keys(db) == names
    events = _assert_ledger_sound(db, key, len(names))
    assert {ev.object_id for ev in events} == names
    assert writer.events_written == len(names)


def test_failing_job_in_a_batch_rolls_back_alone(
    db: Database, writer: Writer, key: NodeKey, gate: _Gate
) -> None:
    batches_before = writer.batches
    jobs = {f"job-{i}": i % 4 == 1 for i in range(40)}  # every fourth job fails
    futures = {name: writer.submit(put(name, fail=fails)) for name, fails in jobs.items()}
    gate.release.set()
    for name, fut in futures.items():
        if jobs[name]:
            err = fut.exception(20)
            assert isinstance(err, Boom)
            assert str(err) == name
        else:
            assert fut.result(20) == name
    # The gate's batch, then exactly one batch with all 40 jobs.
    assert writer.batches == batches_before + 2
    good = {name for name, fails in jobs.items() if not fails}
    assert stored_keys(db) == good
    events = _assert_ledger_sound(db, key, len(good))
    assert {ev.object_id for ev in events} == good


def test_constraint_violation_in_a_batch_rolls_back_alone(
    db: Database, writer: Writer, key: NodeKey
) -> None:
    writer.run(put("taken", value="first"))
    gate = _Gate()
    held = writer.submit(gate)
    assert gate.entered.wait(20)
    before = writer.submit(put("before"))
    duplicate = writer.submit(put("taken", value="second"))  # primary key already used
    after = writer.submit(put("after"))
    gate.release.set()
    held.result(20)
    assert before.result(20) == "before"
    assert after.result(20) == "after"
    assert duplicate.exception(20) is not None
    with db.read() as s:
        assert s.scalars(select(MetaRow.value).where(MetaRow.key == "taken")).one() == "first"
    events = _assert_ledger_sound(db, key, 3)
    assert [ev.object_id for ev in events] == ["taken", "before", "after"]


def test_job_that_raises_after_adding_rows_leaves_nothing_behind(
    db: Database, writer: Writer, key: NodeKey
) -> None:
    writer.run(put("kept"))
    with pytest.raises(Boom):
        writer.run(put("lost", fail=True))
    assert stored_keys(db) == {"kept"}
    _assert_ledger_sound(db, key, 1)
    # The chain continues from the last committed event, with no gap.
    writer.run(put("next"))
    events = _assert_ledger_sound(db, key, 2)
    assert [ev.object_id for ev in events] == ["kept", "next"]


def test_events_are_published_after_commit_and_never_for_failed_jobs(
    db: Database, writer: Writer, gate: _Gate
) -> None:
    published: list[Event] = []
    visible_at_publication: list[bool] = []

    def listener(events: list[Event]) -> None:
        # Another connection must already see them: the batch is committed.
        seqs = [ev.seq for ev in events]
        with db.read() as s:
            stored = set(s.scalars(select(LedgerRow.seq).where(LedgerRow.seq.in_(seqs))))
        visible_at_publication.append(stored == set(seqs))
        published.extend(events)

    writer.subscribe(listener)
    futures = [writer.submit(put(f"p{i}", fail=i % 3 == 0)) for i in range(15)]
    gate.release.set()
    for fut in futures:
        fut.exception(20)
    writer.run(put("last"))
    stored = stored_events(db)
    _wait_for(lambda: len(published) >= len(stored))
    assert visible_at_publication
    assert all(visible_at_publication)
    assert [ev.hash for ev in published] == [ev.hash for ev in stored]
    failed = {f"p{i}" for i in range(15) if i % 3 == 0}
    assert not failed & {ev.object_id for ev in published}


def test_a_failing_listener_does_not_stop_writes_or_other_listeners(
    db: Database, writer: Writer
) -> None:
    seen: list[int] = []

    def broken(events: list[Event]) -> None:
        raise RuntimeError("listener bug")

    writer.subscribe(broken)
    writer.subscribe(lambda events: seen.extend(ev.seq for ev in events))
    assert writer.run(put("a")) == "a"
    assert writer.run(put("b")) == "b"
    _wait_for(lambda: len(seen) >= 2)
    assert seen == [1, 2]
    assert stored_keys(db) == {"a", "b"}


def test_an_acknowledged_write_is_visible_to_readers(db: Database, writer: Writer) -> None:
    writer.run(put("seen-at-once", value="yes"))
    with db.read() as s:
        assert s.get(MetaRow, "seen-at-once") is not None
    assert count(db) == 1


def test_stop_commits_what_was_queued_then_reads_still_work(
    db: Database, writer: Writer, key: NodeKey
) -> None:
    futures: list[Future[str]] = [writer.submit(put(f"q{i}")) for i in range(30)]
    writer.stop()
    assert [f.result(0) for f in futures] == [f"q{i}" for i in range(30)]
    assert not writer.running
    with pytest.raises(Unavailable) as caught:
        writer.submit(put("too-late"))
    assert caught.value.code == "writer_stopped"
    assert caught.value.message.ja
    assert stored_keys(db) == {f"q{i}" for i in range(30)}
    _assert_ledger_sound(db, key, 30)


def test_two_writers_on_one_database_keep_one_gap_free_chain(
    db: Database, writer: Writer, key: NodeKey
) -> None:
    # Several processes may share a database; the writer lock must serialize them.
    second_db = Database(db.url)
    second = Writer(second_db, key, "test-node-2")
    second.start()
    try:

        def worker(w: Writer, tag: str) -> None:
            for i in range(30):
                w.run(put(f"{tag}{i}"))

        with ThreadPoolExecutor(max_workers=4) as pool:
            done = [
                pool.submit(worker, w, f"{tag}-{n}-")
                for n in range(2)
                for w, tag in ((writer, "a"), (second, "b"))
            ]
            for fut in done:
                fut.result(60)
    finally:
        second.stop()
        second_db.dispose()
    _assert_ledger_sound(db, key, 120)


class _Counted:
    """A job that writes a row, records its event and registers an after-commit hook;
    it counts its own runs and, when the hook runs, whether the row is committed."""

    def __init__(self, db: Database, name: str, hooked: list[str], *, fail: bool = False) -> None:
        self.db, self.name, self.hooked, self.fail = db, name, hooked, fail
        self.runs = 0
        self.committed_at_hook: bool | None = None

    def hook(self) -> None:
        with self.db.read() as s:  # another connection: only committed rows show
            self.committed_at_hook = s.get(MetaRow, self.name) is not None
        self.hooked.append(self.name)

    def __call__(self, tx: Tx) -> str:
        self.runs += 1
        tx.after_commit(self.hook)
        return put(self.name, fail=self.fail)(tx)


def test_after_commit_hooks_run_once_for_good_jobs_of_a_rerun_batch_and_never_for_failed_ones(
    db: Database, writer: Writer, key: NodeKey, gate: _Gate
) -> None:
    hooked: list[str] = []
    jobs = [_Counted(db, f"h{i}", hooked, fail=i == 3) for i in range(6)]
    futures = [writer.submit(job) for job in jobs]
    gate.release.set()
    for job, fut in zip(jobs, futures, strict=True):
        if job.fail:
            assert isinstance(fut.exception(20), Boom)
        else:
            assert fut.result(20) == job.name
    good = [job.name for job in jobs if not job.fail]
    # The batch was re-run: every job before the failing one ran twice...
    assert [job.runs for job in jobs] == [2, 2, 2, 2, 1, 1]
    # ...yet each good job's hook ran exactly once, after its row was committed,
    # and before its caller was answered; the failed job's hook never ran.
    assert hooked == good
    assert all(job.committed_at_hook for job in jobs if not job.fail)
    assert jobs[3].committed_at_hook is None
    # Session writes and events were committed once, not once per run.
    assert stored_keys(db) == set(good)
    events = _assert_ledger_sound(db, key, len(good))
    assert [ev.object_id for ev in events] == good


def test_a_hook_that_raises_is_logged_and_neither_the_write_nor_the_writer_breaks(
    db: Database, writer: Writer, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def job(tx: Tx) -> str:
        tx.after_commit(lambda: (_ for _ in ()).throw(RuntimeError("hook bug")))
        tx.after_commit(lambda: ran.append("second hook"))
        return put("kept")(tx)

    with caplog.at_level("ERROR", logger="alliance.store.writer"):
        assert writer.run(job) == "kept"
    assert "after-commit hook failed" in caplog.text
    assert ran == ["second hook"]
    assert writer.run(put("next")) == "next"
    assert stored_keys(db) == {"kept", "next"}


def test_a_job_that_waits_on_the_writer_fails_at_once_instead_of_hanging(
    db: Database, writer: Writer
) -> None:
    def job(tx: Tx) -> str:
        put("outer")(tx)
        return writer.run(put("inner"))

    started = time.monotonic()
    err = writer.submit(job).exception(10)  # the old writer waited 60 s, twice
    assert time.monotonic() - started < 5
    assert isinstance(err, WriterReentered)
    assert err.code == "writer_reentered"
    assert "foo_in(tx" in err.message.en
    assert "foo_in(tx" in err.message.ja
    # Nothing of the refused job stays, and the writer goes on.
    assert writer.run(put("after")) == "after"
    assert stored_keys(db) == {"after"}
