"""Ledger benchmark: durable signed appends and verification, against plain baselines.

On SQLite (WAL, ``synchronous=FULL``) and on a throwaway PostgreSQL server
(``fsync=on``, ``synchronous_commit=on``) it measures, in one run:

(a) **signed appends**: many threads each call ``Writer.run(job)`` on the real
    group-commit writer, the job recording one event draft; the writer seals
    (canonical JSON, SHA-256 chain, Ed25519 signature), inserts and commits;
(b) **baselines** with the same durability, the same threads and the same
    batching: a minimal group-commit loop inserting unsigned rows of the same
    size into a table shaped like the ledger (no hashing, no signing, no ORM),
    and the same loop committing every insert on its own (naive);
(c) **verification**: ``verify_database`` over the events written in (a),
    against just reading the same rows with ``iter_events``.

    .venv/bin/python -m bench.ledger            # full size
    .venv/bin/python -m bench.ledger --quick    # under a minute

Figures go to ``bench/results/ledger.json``; see ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import os
import platform
import queue
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Column, Index, MetaData, Table, insert

from alliance.core.authority import Actor, Grant, Role
from alliance.core.dtg import utcnow
from alliance.core.keys import NodeKey, verify_signature
from alliance.core.ledger import EventDraft, seal
from alliance.core.markings import Marking
from alliance.store import Database, Tx, Writer
from alliance.store.ledger import iter_events, row_values, verify_database
from alliance.store.schema import LedgerRow

RESULTS = Path(__file__).with_name("results") / "ledger.json"
TARGET_SIGNED_SQLITE = 5_000  # durable signed events/s on SQLite (issue target)
TARGET_VERIFY = 20_000  # verified events/s (issue target)
NODE = "bench-node"


@dataclass(frozen=True)
class Sizes:
    threads: int
    signed: int  # events appended through the writer
    baseline: int  # rows through the minimal group-commit loop
    naive: int  # at most this many one-commit-per-insert rows ...
    naive_seconds: float  # ... or for at most this long


QUICK = Sizes(threads=64, signed=20_000, baseline=20_000, naive=4_000, naive_seconds=2.0)
FULL = Sizes(threads=64, signed=100_000, baseline=100_000, naive=20_000, naive_seconds=8.0)


# -- the workload ---------------------------------------------------------------

_ACTOR = Actor("01hbenchuser0000000000000", "Bench Commander", "JPN", "jpn-jjoc", Role.COMMANDER)
_GRANT = Grant("owner.chain_of_command", "jpn-jjoc commands jpn-gcc")
_MARKING = Marking.of("JPN", ["USA"])


def draft(i: int) -> EventDraft:
    """One event the size of a typical desk change (a unit's new state)."""
    unit = f"bench-unit-{i}"
    return EventDraft(
        kind="org.unit.updated",
        object_type="unit",
        object_id=unit,
        owner="JPN",
        marking=_MARKING,
        data={
            "state": {
                "id": unit,
                "hq_id": "jpn-gcc",
                "name_en": f"1st Bench Regiment, company {i % 97}",
                "name_ja": f"第1ベンチ連隊 第{i % 97}中隊",
                "sidc": "SFGPUCI----H---",
                "domain": "land",
                "echelon": "company",
                "home_en": "Camp Asaka",
                "home_ja": "朝霞駐屯地",
                "version": 1 + i % 5,
            }
        },
        actor=_ACTOR,
        authority=_GRANT,
    )


def _sample_row() -> dict[str, Any]:
    """An unsigned ledger-shaped row of the same size as a sealed event."""
    key = NodeKey.generate()
    ev = seal(draft(1), seq=1, prev_hash="0" * 64, ts=utcnow(), node=NODE, key=key)
    row = row_values(ev)
    row["hash"] = "f" * 64
    row["prev_hash"] = "e" * 64
    row["sig"] = b"\x5a" * 64
    return row


def _plain_table(md: MetaData, name: str) -> Table:
    """A table with the ledger's columns, keys and index, for the unsigned baseline."""
    cols = [
        Column(
            c.name,
            c.type,
            primary_key=c.primary_key,
            unique=bool(c.unique),
            nullable=c.nullable,
            autoincrement=False,
        )
        for c in LedgerRow.__table__.columns
    ]
    table = Table(name, md, *cols)
    Index(f"ix_{name}_object", table.c.object_type, table.c.object_id, table.c.seq)
    return table


# -- driving many threads ----------------------------------------------------------


def drive(
    threads: int, total: int, call: Callable[[int], None], limit_s: float = 1e9
) -> tuple[int, float]:
    """Call ``call(i)`` for i in 0..total-1 from ``threads`` threads; stop early after ``limit_s``.

    Returns how many calls finished and the wall time they took.
    """
    counter = itertools.count()
    done = [0] * threads
    errors: list[BaseException] = []
    gate = threading.Barrier(threads + 1)
    stop_at = [float("inf")]

    def worker(w: int) -> None:
        gate.wait()
        n = 0
        try:
            while time.perf_counter() < stop_at[0]:
                i = next(counter)
                if i >= total:
                    break
                call(i)
                n += 1
        except BaseException as exc:
            errors.append(exc)
        done[w] = n

    pool = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(threads)]
    for t in pool:
        t.start()
    gate.wait()
    start = time.perf_counter()
    stop_at[0] = start + limit_s
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return sum(done), elapsed


class PlainGroupCommit:
    """The baseline writer: a queue, one thread, many inserts per commit (or one)."""

    def __init__(self, db: Database, table: Table, template: dict[str, Any], max_batch: int):
        self._db = db
        self._table = table
        self._template = template
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Future[None] | None] = queue.SimpleQueue()
        self._seq = 0
        self.batches = 0
        self._thread = threading.Thread(target=self._loop, name="plain-writer", daemon=True)
        self._thread.start()

    def run(self) -> None:
        future: Future[None] = Future()
        self._queue.put(future)
        future.result(60)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(60)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
            rows = []
            for _ in batch:
                self._seq += 1
                rows.append({**self._template, "seq": self._seq, "event_id": f"{self._seq:026d}"})
            try:
                with self._db.write_engine.begin() as conn:
                    conn.execute(insert(self._table), rows)
            except BaseException as exc:
                for f in batch:
                    f.set_exception(exc)
                continue
            self.batches += 1
            for f in batch:
                f.set_result(None)


# -- one backend -----------------------------------------------------------------


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else 0.0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (verify workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _figure(n: int, seconds: float, cpu: float, **extra: Any) -> dict[str, Any]:
    return {
        "events": n,
        "seconds": round(seconds, 3),
        "per_s": round(_rate(n, seconds), 1),
        # Client CPU only: a PostgreSQL server's own processes are not counted.
        "cpu_us_per_event": round(cpu / n * 1e6, 1) if n else None,
        **extra,
    }


def _line(label: str, fig: dict[str, Any], unit: str, note: str = "") -> str:
    return (
        f"  {label:<40} {fig['per_s']:>10,.0f} {unit:<6}"
        f" {fig['cpu_us_per_event']:>6.0f} us CPU/ev   ({fig['events']:,} in {fig['seconds']:.2f} s{note})"
    )


def _durability(db: Database) -> dict[str, str]:
    with db.write_engine.connect() as conn:
        if db.is_sqlite:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
            return {"journal_mode": str(mode), "synchronous": names.get(int(sync or 0), str(sync))}
        return {
            k: str(conn.exec_driver_sql(f"SHOW {k}").scalar())
            for k in ("fsync", "synchronous_commit", "wal_sync_method", "server_version")
        }


def bench_backend(
    name: str, db: Database, sizes: Sizes, log: Callable[[str], None]
) -> dict[str, Any]:
    out: dict[str, Any] = {"durability": _durability(db)}
    key = NodeKey.generate()

    # (a) signed, chained, durable appends through the real writer
    writer = Writer(db, key, NODE)
    writer.start()

    def signed(i: int) -> None:
        d = draft(i)

        def job(tx: Tx) -> None:
            tx.record(d)

        writer.run(job)

    cpu = _cpu()
    n, secs = drive(sizes.threads, sizes.signed, signed)
    cpu = _cpu() - cpu
    batches = writer.batches
    writer.stop()
    out["signed"] = _figure(
        n,
        secs,
        cpu,
        threads=sizes.threads,
        commits=batches,
        mean_batch=round(n / max(batches, 1), 1),
    )
    log(
        _line(
            f"signed appends (Writer, {sizes.threads} threads)",
            out["signed"],
            "ev/s",
            f", {batches:,} commits",
        )
    )

    # (b) unsigned rows of the same size: minimal group commit, then one commit per insert
    template = _sample_row()
    md = MetaData()
    group_table = _plain_table(md, "bench_plain_group")
    naive_table = _plain_table(md, "bench_plain_naive")
    md.create_all(db.write_engine)
    out["row_bytes"] = {"body": len(template["body"]), "sig": len(template["sig"])}

    plain = PlainGroupCommit(db, group_table, template, max_batch=2000)
    cpu = _cpu()
    n, secs = drive(sizes.threads, sizes.baseline, lambda _i: plain.run())
    cpu = _cpu() - cpu
    plain.stop()
    out["baseline_group"] = _figure(
        n,
        secs,
        cpu,
        threads=sizes.threads,
        commits=plain.batches,
        mean_batch=round(n / max(plain.batches, 1), 1),
    )
    log(
        _line(
            "unsigned rows, same group commit",
            out["baseline_group"],
            "rows/s",
            f", {plain.batches:,} commits",
        )
    )

    naive = PlainGroupCommit(db, naive_table, template, max_batch=1)
    cpu = _cpu()
    n, secs = drive(sizes.threads, sizes.naive, lambda _i: naive.run(), limit_s=sizes.naive_seconds)
    cpu = _cpu() - cpu
    naive.stop()
    out["baseline_naive"] = _figure(n, secs, cpu, threads=sizes.threads, commits=naive.batches)
    log(_line("unsigned rows, one commit per insert", out["baseline_naive"], "rows/s"))
    md.drop_all(db.write_engine)

    out["ratio_signed_vs_group_baseline"] = round(
        out["signed"]["per_s"] / out["baseline_group"]["per_s"], 3
    )
    out["ratio_signed_vs_naive"] = round(out["signed"]["per_s"] / out["baseline_naive"]["per_s"], 2)
    log(
        f"  {'ratio signed / unsigned group commit':<40} {out['ratio_signed_vs_group_baseline']:>10.2f}"
    )
    log(f"  {'ratio signed / unsigned one-per-commit':<40} {out['ratio_signed_vs_naive']:>10.2f}")

    # (c) reading the rows vs verifying them (hash, chain, columns, signature)
    cpu, start = _cpu(), time.perf_counter()
    read = sum(1 for _ in iter_events(db))
    read_s, read_cpu = time.perf_counter() - start, _cpu() - cpu
    threads_alive = threading.active_count()
    cpu, start = _cpu(), time.perf_counter()
    report = verify_database(db, key.public_raw)
    verify_s, verify_cpu = time.perf_counter() - start, _cpu() - cpu
    if not report.ok or report.checked != out["signed"]["events"] or read != report.checked:
        raise RuntimeError(f"{name}: verification failed or incomplete: {report}")
    out["read"] = _figure(read, read_s, read_cpu)
    out["verify"] = _figure(
        report.checked,
        verify_s,
        verify_cpu,
        workers=os.cpu_count(),
        signature_checks="processes" if threads_alive == 1 else "threads",
    )
    out["ratio_verify_vs_read"] = round(out["verify"]["per_s"] / out["read"]["per_s"], 3)
    # The ceiling on this machine: the same signatures checked with libsodium on
    # every core, with no database read and no hash, chain or column checks.
    pairs = [(ev.sig, bytes.fromhex(ev.hash)) for ev in iter_events(db)]
    cpu, start = _cpu(), time.perf_counter()
    bad = _signatures_only(key.public_raw, pairs)
    sig_s, sig_cpu = time.perf_counter() - start, _cpu() - cpu
    if bad:
        raise RuntimeError(f"{name}: {bad} signatures failed in the ceiling run")
    out["signatures_only"] = _figure(len(pairs), sig_s, sig_cpu, workers=os.cpu_count())
    out["ratio_verify_vs_signatures_only"] = round(
        out["verify"]["per_s"] / out["signatures_only"]["per_s"], 3
    )
    log(_line("read rows (iter_events)", out["read"], "ev/s"))
    log(_line("verify_database", out["verify"], "ev/s"))
    log(_line("Ed25519 checks only, all cores (ceiling)", out["signatures_only"], "sig/s"))
    log(f"  {'ratio verify / read':<40} {out['ratio_verify_vs_read']:>10.2f}")
    log(
        f"  {'ratio verify / signature ceiling':<40} {out['ratio_verify_vs_signatures_only']:>10.2f}"
    )
    return out


def _check_pairs(public_raw: bytes, pairs: list[tuple[bytes, bytes]]) -> int:
    return sum(1 for sig, digest in pairs if not verify_signature(public_raw, sig, digest))


def _signatures_only(public_raw: bytes, pairs: list[tuple[bytes, bytes]]) -> int:
    """Check every signature on all cores; return how many failed."""
    workers = os.cpu_count() or 2
    step = max(1, len(pairs) // (workers * 4))
    chunks = [pairs[i : i + step] for i in range(0, len(pairs), step)]
    ctx = mp.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return sum(pool.map(_check_pairs, [public_raw] * len(chunks), chunks))


# -- the databases -------------------------------------------------------------------


@contextmanager
def sqlite_db(folder: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{folder / 'bench.db'}")
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def postgres_db(_folder: Path) -> Iterator[Database]:
    from tools.pgtemp import TempPostgres

    # A folder of its own: as root the server runs as ``postgres``, which
    # must be able to enter it (TempPostgres hands it over).
    pg_folder = Path(tempfile.mkdtemp(prefix="alliance-bench-pg-"))
    pg = TempPostgres(pg_folder)
    try:
        url = pg.start()
    except subprocess.CalledProcessError as exc:
        pg.stop(quiet=True)
        shutil.rmtree(pg_folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc}") from exc
    try:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        db = Database(url.rsplit("/", 1)[0] + "/bench")
        db.migrate()
        try:
            yield db
        finally:
            db.dispose()
    finally:
        pg.stop(quiet=True)
        shutil.rmtree(pg_folder, ignore_errors=True)


def _filesystem(path: Path) -> str:
    """Type and device of the filesystem holding ``path`` (fsync cost depends on it)."""
    best = ("", "?", "?")
    try:
        with Path("/proc/self/mounts").open(encoding="utf-8") as fh:
            for line in fh:
                dev, mnt, fstype = line.split()[:3]
                if str(path).startswith(mnt) and len(mnt) >= len(best[0]):
                    best = (mnt, fstype, dev)
    except OSError:
        pass
    return f"{best[1]} on {best[2]}"


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "sqlite": sqlite3.sqlite_version,
        "temp_filesystem": _filesystem(Path(tempfile.gettempdir()).resolve()),
    }


def _checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []
    sq = results.get("sqlite")
    if sq:
        checks.append(
            {
                "name": "sqlite signed appends/s",
                "value": sq["signed"]["per_s"],
                "target": TARGET_SIGNED_SQLITE,
            }
        )
    for backend, r in results.items():
        if r:
            checks.append(
                {
                    "name": f"{backend} verify events/s",
                    "value": r["verify"]["per_s"],
                    "target": TARGET_VERIFY,
                }
            )
    for c in checks:
        c["pass"] = c["value"] >= c["target"]
    return checks


def _headline(results: dict[str, Any]) -> dict[str, Any]:
    """The issue's figures: durable signed appends/s on SQLite (and PostgreSQL),
    verification events/s, each with its ratio to the baseline of the same run."""
    head: dict[str, Any] = {}
    for backend, r in results.items():
        if not r:
            continue
        head[f"{backend}_signed_appends_per_s"] = r["signed"]["per_s"]
        head[f"{backend}_verify_events_per_s"] = r["verify"]["per_s"]
        head[f"{backend}_ratio_signed_vs_unsigned"] = r["ratio_signed_vs_group_baseline"]
        head[f"{backend}_ratio_verify_vs_signatures_only"] = r["ratio_verify_vs_signatures_only"]
    sq = results.get("sqlite")
    if sq:
        head["verify_events_per_s"] = sq["verify"]["per_s"]
    return head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger",
        description="Ledger benchmark: signed appends and verification.",
    )
    parser.add_argument("--quick", action="store_true", help="small counts, under a minute")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    def log(line: str) -> None:
        print(line, flush=True)

    started = time.perf_counter()
    info = machine()
    log(
        f"ledger benchmark ({'quick' if args.quick else 'full'}): {info['cpu_count']} CPUs, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
    )
    results: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="alliance-bench-"))
    try:
        for backend in backends:
            opener = {"sqlite": sqlite_db, "postgresql": postgres_db}[backend]
            log(f"{backend}:")
            try:
                with opener(folder) as db:
                    results[backend] = bench_backend(backend, db, sizes, log)
            except (RuntimeError, FileNotFoundError) as exc:
                if backend != "postgresql" or "not found" not in str(exc):
                    raise
                log(f"  SKIPPED: {exc}")
                results[backend] = None
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    checks = _checks(results)
    log("targets:")
    for c in checks:
        log(
            f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']:<32} {c['value']:>10,.0f}  (target >= {c['target']:,})"
        )
    total = time.perf_counter() - started
    log(f"done in {total:.1f} s")
    doc = {
        "benchmark": "ledger",
        "headline": _headline(results),
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(total, 1),
        "machine": info,
        "sizes": asdict(sizes),
        "targets": {
            "sqlite_signed_appends_per_s": TARGET_SIGNED_SQLITE,
            "verify_events_per_s": TARGET_VERIFY,
        },
        "backends": results,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    log(f"written {args.output}")
    return 1 if args.strict and not doc["pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
