"""Exercise benchmark: injects delivered on an accelerated exercise clock across
two federated nodes, and how late each arrives.

A JPN node and a USA node, each in a process of its own on an SQLite file of
its own, federate over real mutual TLS on 127.0.0.1 (as ``bench.federation``).
JPN leads an exercise with USA and writes N injects addressed to USA's HQ and
released to USA, through the exercise desk's own transaction forms (each
created and approved as an editor and approver would), due within ten
exercise minutes: half at exercise DTGs spread evenly (one every
600/N exercise seconds), half at whole-second H+ times (MSELs bunch injects
on the minute; here ~N/1200 fall due at the same moment). JPN's controller
starts the clock at H-hour at 60×, so the ten exercise minutes are ten real
seconds, and the node's own scheduler (:mod:`alliance.exercise.scheduler`)
delivers them.

**Lateness** is real time after the moment an inject was due (its ``due_at``,
the real moment the clock reached its exercise time):

- at the **owner's inbox**: when JPN's writer committed the delivery (taken in
  a writer listener, after the commit: from then on the inbox lists it); the
  delivery's own ``delivered_at`` stamp (the writer's time when the job ran,
  before the commit) is reported beside it;
- at the **partner's**: when USA's writer committed the replica of the
  delivery, applied from JPN's federation stream (a listener on USA's writer,
  after its commit: from then on USA's inbox lists it).

Both processes read the same machine clock.

**Baseline**, measured in the same run on the same two nodes: a naive
scheduler, as one might write it first — every 100 ms, read every approved
inject of the running exercise, compute which are due, and deliver each in a
writer job of its own, waiting for each (the same ``deliver_in``). JPN's own
scheduler is stopped meanwhile. The ratio is the naive p99 over the
scheduler's.

**Ceiling**, same run, same nodes: N/2 injects (at least 1,000) all due at
the moment the clock starts (started past them), so the owner's node
delivers and the partner's applies as fast as they can; the time the last
one took gives each node's rate at full load on this machine. The load of
the main round (N injects in ten real seconds) is reported over it: the
lateness targets presuppose that the machine delivers the load with room
to spare. The full run also runs the scheduler at lighter loads (2,500 and
5,000 injects in the same ten minutes), so the lateness is seen against the
share of the ceiling the load takes.

Checks: every inject delivered exactly once at JPN and its delivery applied
exactly once at USA; p99 under 50 ms at the owner and under 1 s at the
partner (the issue's targets).

    .venv/bin/python -m bench.exercise            # N = 10,000
    .venv/bin/python -m bench.exercise --quick    # N = 1,000, under a minute

Figures go to ``bench/results/exercise.json`` (``headline``:
``owner_lateness_ms_p99``, ``partner_lateness_ms_p99``, the p50s and N); see
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from alliance.config import load_settings
from alliance.core.authority import Actor, Role
from alliance.core.ledger import Event
from alliance.core.models import MarkingIn
from alliance.disclosure import NATIONAL_ONLY, DisclosureDesk, GuidanceIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.common import clock_of, inject_due_ex
from alliance.exercise.models import ClockStartIn, ExerciseIn, InjectIn, Participant
from alliance.exercise.scheduler import due_at
from alliance.exercise.tables import ExerciseRow, InjectDeliveryRow, InjectRow
from alliance.federation import export_bundle
from alliance.node import Node, settle_heap
from alliance.org import load_document, packaged_seed, parse_document
from alliance.pki import Pki
from alliance.store import Tx

from ._remote import Remote
from .federation import _free_port, _percentile
from .ledger import machine

RESULTS = Path(__file__).with_name("results") / "exercise.json"
TARGET_OWNER_P99_MS = 50.0
TARGET_PARTNER_P99_MS = 1000.0
SPEED = 60.0
SPAN_EX_S = 600.0  # ten exercise minutes
FIRST_EX_S = 90.0  # the first inject is due 1.5 s (real) after the start
CREATE_CHUNK = 50  # injects created and approved per writer job
NAIVE_POLL_S = 0.1
H_HOUR = datetime(2026, 11, 2, tzinfo=UTC)
DELIVERED = "exercise.inject.delivered"
APPLIED = "federation.replica.applied"

_JPN = Actor("bench-jpn-ctl", "JPN exercise controller (bench)", "JPN", "jpn-jjoc", Role.COMMANDER)


@dataclass(frozen=True)
class Sizes:
    injects: int
    baseline: int  # injects of the naive scheduler's exercise
    ceiling: int  # injects all due at once, for the machine's ceiling
    lighter: tuple[int, ...] = ()  # the scheduler again at these lighter loads


QUICK = Sizes(1_000, baseline=1_000, ceiling=2_000)
FULL = Sizes(10_000, baseline=10_000, ceiling=5_000, lighter=(2_500, 5_000))


# -- one node, in its own process --------------------------------------------------


class NodeHost:
    """What runs in a node's process; the parent calls its methods by name."""

    def __init__(self, nation: str, home: Path) -> None:
        logging.basicConfig(level=logging.WARNING)
        settings = load_settings(
            home,
            nation=nation,
            port=_free_port(),
            federation_port=_free_port(),
            node_id=f"{nation.lower()}-bench",
        )
        Node.init(settings)
        Pki.init(home, nation=nation, node_id=settings.node_id, hosts=["127.0.0.1"])
        self.node = Node(settings).start()
        self.pki = Pki.load(home)
        self.desk = self.node.desk("exercise", ExerciseDesk)
        # Wall-clock commit time of each delivery (JPN) or its replica (USA).
        self.committed: dict[str, float] = {}
        self._lock = threading.Lock()
        self.node.writer.subscribe(self._on_commit)
        self._naive: threading.Thread | None = None
        self._naive_stop = threading.Event()

    def _on_commit(self, events: list[Event]) -> None:
        at = time.time()
        with self._lock:
            for ev in events:
                if ev.object_type == "inject_delivery" and ev.kind in (DELIVERED, APPLIED):
                    self.committed.setdefault(ev.object_id, at)

    # -- setup --

    def bundle(self) -> bytes:
        n = self.node
        data = export_bundle(
            self.pki,
            nation=n.nation,
            node_id=n.node_id,
            federation_url=n.settings.federation_url,
            ledger_public_key_hex=n.key.public_hex,
        )
        return json.dumps(data).encode()

    def add_partner(self, raw: bytes) -> int:
        return self.node.federation.add_partner(raw)

    def seed(self) -> None:
        doc, digest = parse_document(packaged_seed(), source="seed.yaml")
        load_document(self.node.ctx, doc, digest)
        # The nation's foreign disclosure officer lets delivered injects go to the ally.
        nation = self.node.nation
        ally = "USA" if nation == "JPN" else "JPN"
        hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}[nation]
        fdo = Actor(f"fdo-{nation}", f"{nation} FDO", nation, hq, Role.FOREIGN_DISCLOSURE_OFFICER)
        self.node.desk("disclosure", DisclosureDesk).issue_guidance(
            fdo,
            GuidanceIn(
                object_types=[t for t in self.node.types if t not in NATIONAL_ONLY],
                releasable_to=[ally],
                note="Bench: standing guidance for the ally.",
            ),
        )

    def serve(self) -> None:
        self.node.serve_federation()
        settle_heap()

    def sent_seq(self, partner: str) -> int:
        link = self.node.federation.partners.link(partner)
        assert link is not None
        return link.sent_seq

    def received_seq(self, partner: str) -> int:
        link = self.node.federation.partners.link(partner)
        assert link is not None
        if link.state != "running":
            raise RuntimeError(f"link to {partner} stopped: {link.last_error}")
        return link.received_seq

    def create(self, ident: str, n: int) -> float:
        """The exercise and its N approved injects (JPN); returns the seconds it took."""
        started = time.perf_counter()
        desk = self.desk
        desk.create_exercise(
            _JPN,
            ExerciseIn(
                id=ident,
                name=f"Bench exercise {ident} (FICTIONAL)",
                participants=[
                    Participant(nation="JPN", hq_id="jpn-jjoc"),
                    Participant(nation="USA", hq_id="usa-jfhq"),
                ],
                h_hour=H_HOUR,
                clock_speed=SPEED,
                marking=MarkingIn(releasable_to=["USA"]),
            ),
        )

        def job(lo: int, hi: int) -> Any:
            def run(tx: Tx) -> None:
                for i in range(lo, hi):
                    data: dict[str, Any] = {
                        "serial": f"JPN-{i:05d}",
                        "sender": "Simulated higher HQ (FICTIONAL)",
                        "addressee_hq_id": "usa-jfhq",
                        "description": f"FICTIONAL bench inject {i}: a vessel reports smoke.",
                        "description_ja": f"架空のベンチ状況付与{i}：船舶が煙を報告。",
                        "expected_action": "Acknowledge; coordinate with the partner.",
                        "marking": MarkingIn(releasable_to=["USA"]),
                    }
                    at = FIRST_EX_S + SPAN_EX_S * i / n
                    if i % 2 == 0:  # an exercise DTG, spread evenly
                        data["due"] = (H_HOUR + timedelta(seconds=at)).isoformat()
                    else:  # an H+ time, whole seconds: bunched
                        total = int(at)
                        data["h_plus"] = (
                            f"H+{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"
                        )
                    out = desk.create_inject_in(tx, _JPN, ident, InjectIn.model_validate(data))
                    desk.approve_inject_in(tx, _JPN, out.id)

            return run

        # One job at a time: a queue of minutes of work would keep the link's
        # own writes (applying what USA sends) waiting past their timeout.
        for lo in range(0, n, CREATE_CHUNK):
            self.node.writer.run(job(lo, min(n, lo + CREATE_CHUNK)), timeout=600)
        return time.perf_counter() - started

    def start_clock(self, ident: str, after_all: bool = False) -> str:
        """Start at H-hour, or (``after_all``) past every inject's time: all due at once."""
        at = H_HOUR + timedelta(seconds=FIRST_EX_S + SPAN_EX_S + 60) if after_all else None
        out = self.desk.start_clock(_JPN, ident, ClockStartIn(at=at))
        assert out.clock.real is not None
        return out.clock.real.iso

    def delivered(self, ident: str) -> int:
        with self.node.db.read() as s:
            stmt = select(func.count()).select_from(InjectDeliveryRow)
            return int(s.scalar(stmt.where(InjectDeliveryRow.exercise_id == ident)) or 0)

    def lateness(self, ident: str) -> dict[str, Any]:
        """Per delivery of the exercise: commit lateness, stamp lateness (ms)."""
        with self.node.db.read() as s:
            rows = s.execute(
                select(
                    InjectDeliveryRow.id, InjectDeliveryRow.due_at, InjectDeliveryRow.delivered_at
                ).where(InjectDeliveryRow.exercise_id == ident)
            ).all()
            unique = s.scalar(
                select(func.count(func.distinct(InjectDeliveryRow.inject_id))).where(
                    InjectDeliveryRow.exercise_id == ident
                )
            )
        with self._lock:
            committed = dict(self.committed)
        timed = [(due.timestamp(), committed[i]) for i, due, _d in rows if i in committed]
        commit_ms = [(done - due) * 1000 for due, done in timed]
        stamp_ms = [(done - due).total_seconds() * 1000 for _i, due, done in rows]
        return {
            "rows": len(rows),
            "unique_injects": unique,
            "timed": len(commit_ms),
            "commit_ms": commit_ms,
            "stamp_ms": stamp_ms,
            "timeline": _timeline(timed),
        }

    def scheduler_stats(self) -> dict[str, int]:
        sch = self.desk.scheduler
        return {"wakes": sch.wakes, "delivered": sch.delivered, "batches": self.node.writer.batches}

    # -- the naive baseline --

    def naive_start(self, ident: str) -> None:
        """Stop the node's scheduler; poll every 100 ms and deliver one job per inject."""
        self.desk.stop()
        self._naive_stop.clear()
        desk, db, writer = self.desk, self.node.db, self.node.writer

        def loop() -> None:
            while not self._naive_stop.wait(NAIVE_POLL_S):
                now = datetime.now(UTC)
                with db.read() as s:
                    exercise = s.get(ExerciseRow, ident)
                    assert exercise is not None
                    clock = clock_of(exercise)
                    now_ex = clock.now_ex(now)
                    if now_ex is None:
                        continue
                    due = [
                        (row.id, due_at(clock, inject_due_ex(row, exercise), now))
                        for row in s.scalars(
                            select(InjectRow).where(
                                InjectRow.exercise_id == ident, InjectRow.state == "approved"
                            )
                        )
                        if inject_due_ex(row, exercise) <= now_ex
                    ]
                for inject_id, at in due:
                    writer.run(partial(_deliver_one, desk, inject_id, at))

        self._naive = threading.Thread(target=loop, name="naive-scheduler", daemon=True)
        self._naive.start()

    def naive_stop(self) -> None:
        self._naive_stop.set()
        if self._naive is not None:
            self._naive.join(60)
            self._naive = None
        self.desk.start()

    def close(self) -> None:
        self.naive_stop()
        self.node.close()


def _timeline(timed: list[tuple[float, float]]) -> list[dict[str, Any]]:
    """Per real second of due moments (from the first): how many fell due and
    their commit lateness p50/p99 (ms), to see where lateness grows."""
    if not timed:
        return []
    first = min(due for due, _done in timed)
    seconds: dict[int, list[float]] = {}
    for due, done in timed:
        seconds.setdefault(int(due - first), []).append((done - due) * 1000)
    return [
        {
            "second": k,
            "due": len(v),
            "p50_ms": round(_percentile(v, 50), 1),
            "p99_ms": round(_percentile(v, 99), 1),
        }
        for k, v in sorted(seconds.items())
    ]


def _deliver_one(desk: ExerciseDesk, inject_id: str, at: datetime, tx: Tx) -> object:
    return desk.deliver_in(tx, inject_id, at)


# -- the run ------------------------------------------------------------------------


def _summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None, "min": None}
    return {
        "p50": round(_percentile(values, 50), 2),
        "p99": round(_percentile(values, 99), 2),
        "max": round(max(values), 2),
        "min": round(min(values), 2),
    }


def _wait(what: str, check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.25)


def _prepare(jpn: Remote, usa: Remote, ident: str, n: int, log: Any) -> float:
    """JPN writes the exercise and its N approved injects; USA holds the
    exercise. Returns the seconds the writing took."""
    made: float = jpn.call("create", ident=ident, n=n)
    log(f"  {ident}: {n:,} injects created and approved in {made:.1f} s")
    sent = jpn.call("sent_seq", partner="USA")
    _wait("USA to hold the exercise", lambda: usa.call("received_seq", partner="JPN") >= sent, 120)
    return made


def _round(
    jpn: Remote, usa: Remote, ident: str, n: int, log: Any, *, naive: bool
) -> dict[str, Any]:
    made = _prepare(jpn, usa, ident, n, log)
    if naive:
        jpn.call("naive_start", ident=ident)
    before = jpn.call("scheduler_stats")
    started = time.perf_counter()
    jpn.call("start_clock", ident=ident)
    span = (FIRST_EX_S + SPAN_EX_S) / SPEED
    time.sleep(span)
    _wait("JPN to deliver every inject", lambda: jpn.call("delivered", ident=ident) >= n, 600)
    owner_done = time.perf_counter() - started
    _wait("USA to hold every delivery", lambda: usa.call("delivered", ident=ident) >= n, 600)
    partner_done = time.perf_counter() - started
    if naive:
        jpn.call("naive_stop")
    after = jpn.call("scheduler_stats")
    time.sleep(1.0)  # nothing more may arrive: counted again below
    owner = jpn.call("lateness", ident=ident)
    partner = usa.call("lateness", ident=ident)
    return {
        "injects": n,
        "create_seconds": round(made, 1),
        "clock_span_seconds": round(span, 2),
        "owner_all_delivered_after_s": round(owner_done, 2),
        "partner_all_received_after_s": round(partner_done, 2),
        "owner_rows": owner["rows"],
        "owner_unique_injects": owner["unique_injects"],
        "partner_rows": partner["rows"],
        "partner_unique_injects": partner["unique_injects"],
        "owner_timed": owner["timed"],
        "partner_timed": partner["timed"],
        "owner_commit_lateness_ms": _summary(owner["commit_ms"]),
        "owner_stamp_lateness_ms": _summary(owner["stamp_ms"]),
        "partner_commit_lateness_ms": _summary(partner["commit_ms"]),
        "owner_timeline": owner["timeline"],
        "partner_timeline": partner["timeline"],
        "scheduler_wakes": after["wakes"] - before["wakes"],
        "writer_batches": after["batches"] - before["batches"],
    }


def _ceiling(jpn: Remote, usa: Remote, ident: str, n: int, log: Any) -> dict[str, Any]:
    """The machine's ceiling, same nodes, same run: N injects all due at the
    moment the clock starts (it starts past them), delivered as fast as the
    owner's node can and applied as fast as the partner's can. The time the
    last one took is N over the rate each sustains at full load."""
    _prepare(jpn, usa, ident, n, log)
    jpn.call("start_clock", ident=ident, after_all=True)
    _wait("JPN to deliver every inject", lambda: jpn.call("delivered", ident=ident) >= n, 600)
    _wait("USA to hold every delivery", lambda: usa.call("delivered", ident=ident) >= n, 600)
    time.sleep(0.5)
    owner = jpn.call("lateness", ident=ident)
    partner = usa.call("lateness", ident=ident)
    owner_s = max(owner["commit_ms"]) / 1000
    partner_s = max(partner["commit_ms"]) / 1000
    out = {
        "injects": n,
        "owner_seconds": round(owner_s, 2),
        "partner_seconds": round(partner_s, 2),
        "owner_per_s": round(n / owner_s),
        "partner_per_s": round(n / partner_s),
    }
    log(
        f"    all due at once: JPN delivered {n:,} in {owner_s:.2f} s ({out['owner_per_s']:,}/s),"
        f" USA held them after {partner_s:.2f} s ({out['partner_per_s']:,}/s)"
    )
    return out


def run(sizes: Sizes, log: Any) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="alliance-bench-ex-"))
    nodes: dict[str, Remote] = {}
    try:
        for nation in ("JPN", "USA"):
            nodes[nation] = Remote(NodeHost, nation, folder / nation.lower())
        jpn, usa = nodes["JPN"], nodes["USA"]
        bundles = {nation: node.call("bundle") for nation, node in nodes.items()}
        jpn.call("add_partner", raw=bundles["USA"])
        usa.call("add_partner", raw=bundles["JPN"])
        for node in (jpn, usa):
            node.call("seed")
            node.call("serve")
        log("scheduler (the node's own):")
        ours = _round(jpn, usa, "ex-bench", sizes.injects, log, naive=False)
        _log_round(ours, log)
        lighter = {}
        for n in sizes.lighter:
            log(f"scheduler at a lighter load ({n:,} injects in the same ten minutes):")
            lighter[str(n)] = _round(jpn, usa, f"ex-lighter-{n}", n, log, naive=False)
            _log_round(lighter[str(n)], log)
        log("baseline (naive: poll every 100 ms, one writer job per inject):")
        naive = _round(jpn, usa, "ex-naive", sizes.baseline, log, naive=True)
        _log_round(naive, log)
        log("ceiling (every inject due at once: how fast the two nodes go at full load):")
        ceiling = _ceiling(jpn, usa, "ex-ceiling", sizes.ceiling, log)
        return {"scheduler": ours, "naive": naive, "ceiling": ceiling, "lighter": lighter}
    finally:
        for node in nodes.values():
            node.close()


def _log_round(r: dict[str, Any], log: Any) -> None:
    o, st, p = (
        r["owner_commit_lateness_ms"],
        r["owner_stamp_lateness_ms"],
        r["partner_commit_lateness_ms"],
    )
    log(
        f"    owner inbox (commit) lateness  p50 {o['p50']:>9} ms  p99 {o['p99']:>9} ms"
        f"  max {o['max']} ms"
    )
    log(f"    owner delivered_at stamp       p50 {st['p50']:>9} ms  p99 {st['p99']:>9} ms")
    log(
        f"    partner inbox lateness         p50 {p['p50']:>9} ms  p99 {p['p99']:>9} ms"
        f"  max {p['max']} ms"
    )
    log(
        f"    rows JPN {r['owner_rows']:,} (unique {r['owner_unique_injects']:,}), "
        f"USA {r['partner_rows']:,} (unique {r['partner_unique_injects']:,}); "
        f"{r['scheduler_wakes']:,} wakes, {r['writer_batches']:,} writer batches"
    )


def _checks(results: dict[str, Any], sizes: Sizes) -> list[dict[str, Any]]:
    ours = results["scheduler"]
    n = sizes.injects
    return [
        {
            "name": "owner_lateness_ms_p99",
            "value": ours["owner_commit_lateness_ms"]["p99"],
            "op": "<",
            "target": TARGET_OWNER_P99_MS,
            "pass": ours["owner_commit_lateness_ms"]["p99"] < TARGET_OWNER_P99_MS,
        },
        {
            "name": "partner_lateness_ms_p99",
            "value": ours["partner_commit_lateness_ms"]["p99"],
            "op": "<",
            "target": TARGET_PARTNER_P99_MS,
            "pass": ours["partner_commit_lateness_ms"]["p99"] < TARGET_PARTNER_P99_MS,
        },
        {
            "name": "delivered_exactly_once",
            "value": ours["owner_unique_injects"],
            "op": "==",
            "target": n,
            "pass": ours["owner_rows"] == ours["owner_unique_injects"] == n
            and ours["partner_rows"] == ours["partner_unique_injects"] == n,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.exercise",
        description="Exercise benchmark: inject delivery lateness on a 60x clock, two nodes.",
    )
    parser.add_argument("--quick", action="store_true", help="N = 1,000, under a minute")
    parser.add_argument("--injects", type=int, help="override N")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.injects:
        sizes = Sizes(args.injects, baseline=args.injects, ceiling=max(1_000, args.injects // 2))

    def log(line: str) -> None:
        print(line, flush=True)

    started = time.perf_counter()
    info = machine()
    log(
        f"exercise benchmark ({'quick' if args.quick else 'full'}, N = {sizes.injects:,} injects "
        f"in {SPAN_EX_S / 60:.0f} exercise minutes at {SPEED:.0f}x): {info['cpu_count']} CPUs, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
    )
    results = run(sizes, log)
    ours, naive, ceiling = results["scheduler"], results["naive"], results["ceiling"]
    due_per_s = sizes.injects / (SPAN_EX_S / SPEED)
    headline = {
        "owner_lateness_ms_p99": ours["owner_commit_lateness_ms"]["p99"],
        "partner_lateness_ms_p99": ours["partner_commit_lateness_ms"]["p99"],
        "owner_lateness_ms_p50": ours["owner_commit_lateness_ms"]["p50"],
        "partner_lateness_ms_p50": ours["partner_commit_lateness_ms"]["p50"],
        "injects": sizes.injects,
        "exercise_minutes": SPAN_EX_S / 60,
        "speed": SPEED,
        "due_per_s": round(due_per_s),
        "ceiling_owner_per_s": ceiling["owner_per_s"],
        "ceiling_partner_per_s": ceiling["partner_per_s"],
    }
    ratios = {
        "naive_over_scheduler_owner_p99": _ratio(
            naive["owner_commit_lateness_ms"]["p99"], headline["owner_lateness_ms_p99"]
        ),
        "naive_over_scheduler_partner_p99": _ratio(
            naive["partner_commit_lateness_ms"]["p99"], headline["partner_lateness_ms_p99"]
        ),
        "owner_p99_over_target": _ratio(headline["owner_lateness_ms_p99"], TARGET_OWNER_P99_MS),
        "partner_p99_over_target": _ratio(
            headline["partner_lateness_ms_p99"], TARGET_PARTNER_P99_MS
        ),
        # The load asked of the machine: injects due a second over what the
        # owner's node delivers (and the partner's applies) at full load.
        "due_over_owner_ceiling": _ratio(due_per_s, ceiling["owner_per_s"]),
        "due_over_partner_ceiling": _ratio(due_per_s, ceiling["partner_per_s"]),
    }
    log(
        f"ratio naive / scheduler, p99 lateness: owner {ratios['naive_over_scheduler_owner_p99']}x,"
        f" partner {ratios['naive_over_scheduler_partner_p99']}x"
    )
    log(
        f"load: {due_per_s:,.0f} injects due a second = {ratios['due_over_owner_ceiling']} of the"
        f" owner's ceiling ({ceiling['owner_per_s']:,}/s), {ratios['due_over_partner_ceiling']}"
        f" of the partner's ({ceiling['partner_per_s']:,}/s)"
    )
    rounds = {**{int(k): v for k, v in results["lighter"].items()}, sizes.injects: ours}
    for n, r in sorted(rounds.items()):
        rate = n / (SPAN_EX_S / SPEED)
        log(
            f"  {rate:>6,.0f} due/s = {rate / ceiling['owner_per_s']:.2f} of the owner's ceiling:"
            f" owner p99 {r['owner_commit_lateness_ms']['p99']} ms,"
            f" partner p99 {r['partner_commit_lateness_ms']['p99']} ms"
        )
    log(
        f"ratio to target, p99: owner {ratios['owner_p99_over_target']} of 50 ms, "
        f"partner {ratios['partner_p99_over_target']} of 1 s"
    )
    checks = _checks(results, sizes)
    log("targets:")
    for c in checks:
        log(
            f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']:<28} {c['value']!s:>10}"
            f"  (target {c['op']} {c['target']})"
        )
    total = time.perf_counter() - started
    log(f"done in {total:.1f} s")
    doc = {
        "benchmark": "exercise",
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(total, 1),
        "machine": info,
        "sizes": asdict(sizes),
        "headline": headline,
        "targets": {
            "owner_lateness_ms_p99": TARGET_OWNER_P99_MS,
            "partner_lateness_ms_p99": TARGET_PARTNER_P99_MS,
        },
        "baseline": "naive scheduler: poll every 100 ms, one writer job per inject",
        "ratios": ratios,
        "results": results,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    log(f"written {args.output}")
    return 1 if args.strict and not doc["pass"] else 0


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


if __name__ == "__main__":
    sys.exit(main())
