"""Federation benchmark: a JPN node and a USA node syncing over mutual TLS, against a plain copy.

Each node runs in a process of its own (a sovereign node has its own machine;
here both share the VM's cores), on an SQLite file of its own, with a PKI of
its own (``Pki.init``); the nodes exchange partner bundles as the demo does
and federate over real mutual TLS on 127.0.0.1. The parent process only
orchestrates. In one run it measures:

(a) **catch-up**: with USA's federation stopped, JPN writes N unit creations
    released to USA, in writer jobs of 500 units with the org desk's own
    ``stamp_new`` and ``record``, so the events are what ``create_unit``
    records (the desk itself, one job per unit, prepares only ~300-550 units/s
    on a 2-vCPU VM). Then USA's federation starts, and the clock runs until
    USA's link has applied everything JPN's stream to USA holds
    (``received_seq == sent_seq``): every item pulled, checked (sequence,
    chain, hash, signature, addressee, owner, marking), applied as a replica
    and recorded in USA's own ledger;
(b0) **the sender alone**: with USA's federation stopped, JPN updates those
    units as fast as it can (jobs of 25 updates) for a few seconds; then USA
    takes them in. On one 2-vCPU VM both nodes share the cores, so what JPN
    can write while USA applies bounds the live rate; this shows the bound;
(b) **live sync**: both federations running, JPN is asked to update those
    units at 5,000 events/s (writer jobs of 25 updates, at most 0.25 s of jobs
    outstanding, so a writer that cannot keep up sets the pace) for a fixed
    time; the rate at which USA applies them and the lag of each event from
    JPN's commit to USA's commit (p50/p99). The link must keep pace: USA
    applies at least 95% of the rate JPN writes, 99% of events within 1 s;
(c) **baseline**: the same N stream bodies copied from JPN's SQLite file into
    a plain table of another SQLite file (same durability), over the same
    kind of connection (mutual TLS, stdlib HTTPS server, httpx client, JSON
    pages of the same size), without signatures, checks, chain, replicas or
    ledger.

At the end USA must hold exactly N replicas, no item may be quarantined,
both ledgers must verify and every row of both nodes must equal the state its
last ledger event records. CPU per event is counted in each node's process.

    .venv/bin/python -m bench.federation            # N = 100,000
    .venv/bin/python -m bench.federation --quick    # N = 10,000, under a minute
    .venv/bin/python -m bench.federation --quick --profile /tmp/prof   # cProfile per node

The issue's targets are on the 100,000-event sync (a): at least 5,000 events/s,
under 60 s. Figures go to ``bench/results/federation.json``; see
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import itertools
import json
import logging
import resource
import shutil
import socket
import sqlite3
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
from sqlalchemy import func, select

from alliance.config import load_settings
from alliance.core.authority import Action, Actor, Role, Target, authorize
from alliance.core.ledger import Event
from alliance.core.markings import Marking
from alliance.federation import export_bundle
from alliance.node import Node, settle_heap
from alliance.org import load_document, packaged_seed, parse_document
from alliance.org.tables import UnitRow
from alliance.pki import Pki, client_context, server_context
from alliance.store import Tx
from alliance.store.owned import record, stamp_new, touch
from alliance.store.projection import check_state
from alliance.store.schema import QuarantineRow

from ._remote import Remote
from .ledger import machine

RESULTS = Path(__file__).with_name("results") / "federation.json"
TARGET_PER_S = 5_000  # events/s synced (issue target)
TARGET_CATCHUP_S = 60.0  # catch-up of ...
TARGET_CATCHUP_EVENTS = 100_000  # ... this many events (issue target)
PREPARE_CHUNK = 500  # units per writer job when preparing


@dataclass(frozen=True)
class Sizes:
    events: int  # N: prepared at JPN, caught up by USA, copied by the baseline
    sync_seconds: float  # length of the live phase
    sync_rate: float  # events/s JPN is asked to write during the live phase
    sync_job_events: int  # events per writer job during the live phase
    alone_seconds: float  # how long JPN writes alone, to see what the sender can produce


QUICK = Sizes(10_000, sync_seconds=5.0, sync_rate=TARGET_PER_S, sync_job_events=25, alone_seconds=3)
FULL = Sizes(
    100_000, sync_seconds=20.0, sync_rate=TARGET_PER_S, sync_job_events=25, alone_seconds=10
)
ALONE_RATE = 4 * TARGET_PER_S  # asked of JPN writing alone: more than it can, so it sets the pace
KEEP_PACE = 0.95  # live: USA applies at least this share of the rate JPN writes ...
LAG_P99_S = 1.0  # ... with 99% of events at USA within this long of JPN's commit

_ACTOR = Actor("bench-op", "JPN bench operator", "JPN", "jpn-jjoc", Role.COMMANDER)
_MARKING = Marking.of("JPN", ["USA"])


def unit_id(i: int) -> str:
    return f"bench-unit-{i:06d}"


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- one node, in its own process --------------------------------------------------


def _profile_threads(folder: Path, nation: str) -> Callable[[], None]:
    """cProfile every writer batch and every puller page of this process.

    Returns the function that writes the statistics (``<nation>-<what>.pstats``).
    """
    from alliance.federation.client import Puller
    from alliance.store.writer import Writer

    profiles: dict[str, cProfile.Profile] = {}
    for cls, name in ((Writer, "_process"), (Puller, "pull")):
        profile = profiles[f"{cls.__name__}.{name}"] = cProfile.Profile()
        original = getattr(cls, name)

        def wrapped(
            self: Any, *args: Any, _p: cProfile.Profile = profile, _f: Any = original
        ) -> Any:
            _p.enable()  # this thread only
            try:
                return _f(self, *args)
            finally:
                _p.disable()

        setattr(cls, name, wrapped)

    def dump() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for what, profile in profiles.items():
            profile.dump_stats(folder / f"{nation}-{what}.pstats")

    return dump


class NodeHost:
    """What runs in a node's process; the parent calls its methods by name."""

    def __init__(self, nation: str, home: Path, profile: Path | None = None) -> None:
        logging.basicConfig(level=logging.WARNING)
        self._dump_profile = _profile_threads(profile, nation) if profile else None
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
        # Commit times of every batch, kept while ``recording`` (the live phase).
        self.recording = False
        self.committed: list[tuple[float, list[Event]]] = []
        self._commit_seen = threading.Event()
        self.node.writer.subscribe(self._on_commit)
        self._baseline: ThreadingHTTPServer | None = None

    def _on_commit(self, events: list[Event]) -> None:
        if self.recording:
            self.committed.append((time.monotonic(), events))
        self._commit_seen.set()

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

    def serve(self) -> None:
        self.node.serve_federation()
        settle_heap()  # as alliance serve does

    def stop_federation(self) -> None:
        self.node.federation.stop()

    def link(self, partner: str) -> dict[str, Any]:
        link = self.node.federation.partners.link(partner)
        assert link is not None
        return {
            "sent_seq": link.sent_seq,
            "acked_seq": link.acked_seq,
            "received_seq": link.received_seq,
            "state": link.state,
            "last_error": link.last_error,
        }

    def wait_received(self, partner: str, target: int, timeout: float) -> float:
        """Wait until our link has applied ``target`` items; returns when (monotonic).

        The link is read after each commit of ours, not polled: polling would
        take CPU from the node being measured.
        """
        deadline = time.monotonic() + timeout
        while True:
            self._commit_seen.clear()
            link = self.node.federation.partners.link(partner)
            assert link is not None
            if link.received_seq >= target:
                return time.monotonic()
            if link.state != "running":
                raise RuntimeError(f"link to {partner} stopped: {link.last_error}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{partner}: only {link.received_seq} of {target} items after {timeout:.0f} s"
                )
            self._commit_seen.wait(0.5)

    def cpu(self) -> float:
        return _cpu()

    # -- (a) preparation and catch-up --

    def prepare(self, n: int) -> dict[str, Any]:
        """N unit creations released to USA, as the org desk records them."""
        grant = authorize(
            _ACTOR,
            Action.CREATE,
            Target("unit", "new", "JPN", _MARKING, ("jpn-gcc", "jpn-jjoc")),
            hosted={"JPN"},
        )

        def job(lo: int, hi: int) -> Callable[[Tx], None]:
            def run(tx: Tx) -> None:
                rows = []
                for i in range(lo, hi):
                    row = UnitRow(
                        id=unit_id(i),
                        hq_id="jpn-gcc",
                        name_en=f"1st Bench Regiment, company {i}",
                        name_ja=f"第1ベンチ連隊 第{i}中隊",
                        sidc="SFGPUCI----H---",
                        domain="land",
                        echelon="company",
                        home_en="Camp Asaka",
                        home_ja="朝霞駐屯地",
                    )
                    rows.append(stamp_new(row, owner="JPN", marking=_MARKING, now=tx.now))
                tx.session.add_all(rows)
                tx.session.flush()
                for row in rows:
                    record(tx, row, "unit", "org.unit.created", _ACTOR, grant)

            return run

        start = time.perf_counter()
        futures = [
            self.node.writer.submit(job(lo, min(lo + PREPARE_CHUNK, n)))
            for lo in range(0, n, PREPARE_CHUNK)
        ]
        for f in futures:
            f.result(600)
        return {"events": n, "seconds": round(time.perf_counter() - start, 2)}

    def catch_up(self, partner: str, target: int, timeout: float) -> dict[str, Any]:
        """Start our federation and time until everything ``partner`` sent us is applied."""
        settle_heap()  # as alliance serve does once its node has started
        cpu, start = _cpu(), time.monotonic()
        self.node.serve_federation()
        done = self.wait_received(partner, target, timeout)
        return {"seconds": done - start, "cpu": _cpu() - cpu}

    # -- (b) live sync --

    def start_recording(self) -> None:
        self.committed = []
        self.recording = True

    def stop_recording(self) -> None:
        # Listeners run on the writer thread after each commit: a no-op job's
        # batch comes after every listener call of the batches before it.
        self.node.writer.run(lambda _tx: None)
        self.recording = False

    def write_for(self, seconds: float, rate: float, per_job: int, units: int) -> dict[str, Any]:
        """Update units at up to ``rate`` events/s for ``seconds``, ``per_job`` a writer job.

        One thread submits the jobs on a fixed schedule without waiting for
        each (the writer commits what has queued as one batch). At most a
        quarter of a second of jobs is outstanding: a writer that cannot keep
        the pace sets it, and the written rate shows it.
        """
        writer = self.node.writer
        interval = per_job / rate
        most = max(2, round(0.25 / interval))

        def update(first: int) -> Callable[[Tx], None]:
            ids = [unit_id(i % units) for i in range(first, first + per_job)]

            def run(tx: Tx) -> None:
                rows = {
                    r.id: r for r in tx.session.scalars(select(UnitRow).where(UnitRow.id.in_(ids)))
                }
                for n, row_id in enumerate(ids, start=first):
                    row = rows[row_id]
                    row.name_en = f"1st Bench Regiment, {row_id}, update {n}"
                    touch(row, tx.now)
                    record(tx, row, "unit", "org.unit.updated", _ACTOR, None)

            return run

        futures: list[Future[None]] = []
        cpu, start = _cpu(), time.monotonic()
        due = start
        for n in itertools.count():
            if due >= start + seconds:
                break
            if len(futures) >= most:
                futures[-most].result(600)
                due = max(due, time.monotonic())  # behind: the writer sets the pace
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(writer.submit(update(n * per_job)))
            due += interval
        for f in futures:
            f.result(600)
        return {"seconds": time.monotonic() - start, "cpu": _cpu() - cpu, "jobs": len(futures)}

    def commits(self, kind: str) -> list[tuple[int, float]]:
        """(JPN ledger seq, commit time) of recorded events of ``kind``.

        At JPN that is the event's own seq; at USA (``federation.replica.applied``)
        the JPN ledger seq the replica came from.
        """
        out: list[tuple[int, float]] = []
        for at, events in self.committed:
            for ev in events:
                if ev.kind != kind:
                    continue
                if kind == "federation.replica.applied":
                    out.append((int(ev.body_json()["data"]["origin"]["ledger_seq"]), at))
                else:
                    out.append((ev.seq, at))
        return out

    # -- (c) the baseline: the same bodies, copied plainly over the same kind of link --

    def baseline_serve(self, partner: str, partner_ca_pem: str) -> int:
        """A minimal mutual-TLS HTTPS endpoint serving raw stream rows; returns its port."""
        path = str(self.node.db.engine.url.database)
        local = threading.local()

        class Rows(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                after, limit = int(query["after"][0]), int(query["limit"][0])
                if not hasattr(local, "db"):
                    local.db = sqlite3.connect(path)
                rows = local.db.execute(
                    "SELECT seq, body FROM outbound WHERE partner = ? AND seq > ? "
                    "ORDER BY seq LIMIT ?",
                    (partner, after, limit),
                ).fetchall()
                payload = {"rows": [[seq, bytes(body).decode()] for seq, body in rows]}
                data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Rows)
        httpd.daemon_threads = True
        tls = server_context(self.pki, [partner_ca_pem])
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self._baseline = httpd
        return int(httpd.server_address[1])

    def baseline_stop(self) -> None:
        if self._baseline is not None:
            self._baseline.shutdown()
            self._baseline.server_close()
            self._baseline = None

    def baseline_pull(
        self, port: int, partner_ca_pem: str, after: int, n: int, page: int
    ) -> dict[str, Any]:
        """Copy ``n`` rows after ``after`` into a plain table of a fresh SQLite file."""
        folder = self.node.settings.home
        db = sqlite3.connect(folder / "baseline.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE copied (seq INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        tls: ssl.SSLContext = client_context(self.pki, partner_ca_pem)
        copied, last = 0, after
        cpu, start = _cpu(), time.monotonic()
        with httpx.Client(verify=tls, timeout=60) as http:
            while copied < n:
                response = http.get(
                    f"https://127.0.0.1:{port}/rows",
                    params={"after": last, "limit": min(page, n - copied)},
                )
                response.raise_for_status()
                rows = orjson.loads(response.content)["rows"]  # as the federation client
                if not rows:
                    raise RuntimeError(f"baseline: only {copied} of {n} rows served")
                db.execute("BEGIN")
                db.executemany(
                    "INSERT INTO copied (seq, body) VALUES (?, ?)",
                    [(seq, body.encode()) for seq, body in rows],
                )
                db.execute("COMMIT")
                copied += len(rows)
                last = rows[-1][0]
        seconds, cpu = time.monotonic() - start, _cpu() - cpu
        db.close()
        return {"seconds": seconds, "cpu": cpu, "rows": copied}

    # -- the end --

    def check(self, partner: str) -> dict[str, Any]:
        """Replicas of ``partner``'s bench units held here, items ever quarantined,
        the verification of our ledger and the state check of our tables."""
        with self.node.db.read() as s:
            replicas = s.scalar(
                select(func.count())
                .select_from(UnitRow)
                .where(
                    UnitRow.id.like("bench-unit-%"),
                    UnitRow.owner == partner,
                    UnitRow.origin == "replica",
                )
            )
            quarantined = s.scalar(select(func.count()).select_from(QuarantineRow))
        report = self.node.verify_ledger()
        state = check_state(self.node.db, self.node.types)
        return {
            "bench_unit_replicas": int(replicas or 0),
            "quarantined": int(quarantined or 0),
            "ledger_events": report.checked,
            "ledger_ok": report.ok,
            "ledger_problem": str(report.problem) if report.problem else None,
            # every row is what its last ledger event says (replicas included)
            "state_objects": state.objects,
            "state_ok": state.ok,
            "state_drifts": [
                f"{d.object_type} {d.object_id}: {d.reason.en}" for d in state.drifts[:5]
            ],
        }

    def close(self) -> None:
        self.baseline_stop()
        self.node.close()
        if self._dump_profile is not None:
            self._dump_profile()


# -- the run ------------------------------------------------------------------------


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else 0.0


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _us(cpu: float, n: int) -> float | None:
    return round(cpu / n * 1e6, 1) if n else None


def run(sizes: Sizes, log: Callable[[str], None], profile: Path | None = None) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="alliance-bench-fed-"))
    nodes: dict[str, Remote] = {}
    try:
        for nation in ("JPN", "USA"):
            nodes[nation] = Remote(NodeHost, nation, folder / nation.lower(), profile)
        jpn, usa = nodes["JPN"], nodes["USA"]
        bundles = {nation: node.call("bundle") for nation, node in nodes.items()}
        jpn.call("add_partner", raw=bundles["USA"])
        usa.call("add_partner", raw=bundles["JPN"])
        ca = {nation: json.loads(raw)["ca_pem"] for nation, raw in bundles.items()}

        # Warm-up: the seed's released objects, over the real link; then USA goes offline.
        jpn.call("seed")
        jpn.call("serve")
        usa.call("serve")
        warm = jpn.call("link", partner="USA")["sent_seq"]
        usa.call("wait_received", partner="JPN", target=warm, timeout=60)
        usa.call("stop_federation")
        log(f"  warm-up: {warm} seed items synced over mutual TLS; USA's federation stopped")

        # (a) catch-up
        prep = jpn.call("prepare", n=sizes.events)
        target = jpn.call("link", partner="USA")["sent_seq"]
        if target - warm != sizes.events:
            raise RuntimeError(f"JPN's stream grew by {target - warm}, not {sizes.events}")
        log(
            f"  prepared {sizes.events:,} unit creations released to USA at JPN "
            f"in {prep['seconds']:.1f} s"
        )
        jpn_cpu = jpn.call("cpu")
        caught = usa.call("catch_up", partner="JPN", target=target, timeout=900)
        jpn_cpu = jpn.call("cpu") - jpn_cpu
        n = sizes.events
        catch_up = {
            "events": n,
            "seconds": round(caught["seconds"], 3),
            "per_s": round(_rate(n, caught["seconds"]), 1),
            "cpu_us_per_event": _us(caught["cpu"] + jpn_cpu, n),
            "cpu_us_per_event_usa": _us(caught["cpu"], n),
            "cpu_us_per_event_jpn": _us(jpn_cpu, n),
        }
        log(
            f"  {'catch-up (federation)':<34} {catch_up['per_s']:>9,.0f} ev/s  "
            f"{catch_up['seconds']:>7.2f} s  {catch_up['cpu_us_per_event']:>5.0f} us CPU/ev "
            f"(USA {catch_up['cpu_us_per_event_usa']:.0f}, JPN {catch_up['cpu_us_per_event_jpn']:.0f})"
        )

        # (c) baseline: the same bodies over the same kind of link, copied plainly
        port = jpn.call("baseline_serve", partner="USA", partner_ca_pem=ca["USA"])
        jpn_cpu = jpn.call("cpu")
        copied = usa.call(
            "baseline_pull", port=port, partner_ca_pem=ca["JPN"], after=warm, n=n, page=2000
        )
        jpn_cpu = jpn.call("cpu") - jpn_cpu
        jpn.call("baseline_stop")
        baseline = {
            "events": copied["rows"],
            "seconds": round(copied["seconds"], 3),
            "per_s": round(_rate(copied["rows"], copied["seconds"]), 1),
            "cpu_us_per_event": _us(copied["cpu"] + jpn_cpu, n),
            "cpu_us_per_event_usa": _us(copied["cpu"], n),
            "cpu_us_per_event_jpn": _us(jpn_cpu, n),
        }
        ratio = round(catch_up["per_s"] / baseline["per_s"], 3)
        log(
            f"  {'baseline (plain copy, same link)':<34} {baseline['per_s']:>9,.0f} ev/s  "
            f"{baseline['seconds']:>7.2f} s  {baseline['cpu_us_per_event']:>5.0f} us CPU/ev"
        )
        log(f"  {'ratio federation / baseline':<34} {ratio:>9.3f}")

        # (b0) the sender alone: on one shared VM the live rate is bounded by what
        # JPN can write while USA uses the same cores, so measure JPN without USA.
        usa.call("stop_federation")
        alone_w = jpn.call(
            "write_for",
            seconds=sizes.alone_seconds,
            rate=ALONE_RATE,
            per_job=sizes.sync_job_events,
            units=n,
        )
        alone_events = alone_w["jobs"] * sizes.sync_job_events
        alone = {
            "events": alone_events,
            "seconds": round(alone_w["seconds"], 3),
            "per_s": round(_rate(alone_events, alone_w["seconds"]), 1),
            "cpu_us_per_event": _us(alone_w["cpu"], alone_events),
        }
        log(
            f"  {'JPN writes alone (USA stopped)':<34} {alone['per_s']:>9,.0f} ev/s  "
            f"({alone_events:,} in {alone['seconds']:.1f} s; "
            f"{alone['cpu_us_per_event']:.0f} us CPU/ev)"
        )
        usa.call("serve")  # USA takes those in before the live phase starts
        usa.call(
            "wait_received",
            partner="JPN",
            target=jpn.call("link", partner="USA")["sent_seq"],
            timeout=600,
        )

        # (b) live sync: JPN writes for a while, USA applies as it goes
        before = jpn.call("link", partner="USA")["sent_seq"]
        jpn.call("start_recording")
        usa.call("start_recording")
        usa_cpu = usa.call("cpu")
        wrote = jpn.call(
            "write_for",
            seconds=sizes.sync_seconds,
            rate=sizes.sync_rate,
            per_job=sizes.sync_job_events,
            units=n,
        )
        after = jpn.call("link", partner="USA")["sent_seq"]
        usa.call("wait_received", partner="JPN", target=after, timeout=600)
        usa_cpu = usa.call("cpu") - usa_cpu
        jpn.call("stop_recording")
        usa.call("stop_recording")
        written = dict(jpn.call("commits", kind="org.unit.updated"))
        applied = dict(usa.call("commits", kind="federation.replica.applied"))
        missing = set(written) - set(applied)
        if missing or after - before != len(written):
            raise RuntimeError(
                f"live sync: {len(written)} written, {after - before} streamed, "
                f"{len(missing)} not applied"
            )
        lags = [applied[seq] - at for seq, at in written.items()]
        first, last = min(written.values()), max(applied.values())
        live = {
            "events": len(written),
            "offered_per_s": sizes.sync_rate,
            "events_per_job": sizes.sync_job_events,
            "write_seconds": round(wrote["seconds"], 3),
            "written_per_s": round(_rate(len(written), wrote["seconds"]), 1),
            # from JPN's first commit to USA's last apply: the rate USA kept
            "applied_seconds": round(last - first, 3),
            "applied_per_s": round(_rate(len(applied), last - first), 1),
            "lag_ms_p50": round(_percentile(lags, 50) * 1000, 1),
            "lag_ms_p99": round(_percentile(lags, 99) * 1000, 1),
            "lag_ms_max": round(max(lags) * 1000, 1),
            "lag_ms_mean": round(statistics.fmean(lags) * 1000, 1),
            "cpu_us_per_event": _us(wrote["cpu"] + usa_cpu, len(written)),
            "cpu_us_per_event_usa": _us(usa_cpu, len(written)),
            "cpu_us_per_event_jpn": _us(wrote["cpu"], len(written)),
        }
        log(
            f"  {'live: JPN writes':<34} {live['written_per_s']:>9,.0f} ev/s  "
            f"({live['events']:,} in {live['write_seconds']:.1f} s; asked for "
            f"{sizes.sync_rate:,.0f}/s in jobs of {sizes.sync_job_events})"
        )
        log(
            f"  {'live: USA applies':<34} {live['applied_per_s']:>9,.0f} ev/s  "
            f"lag p50 {live['lag_ms_p50']:.0f} ms, p99 {live['lag_ms_p99']:.0f} ms, "
            f"max {live['lag_ms_max']:.0f} ms; {live['cpu_us_per_event']:.0f} us CPU/ev "
            f"(USA {live['cpu_us_per_event_usa']:.0f}, JPN {live['cpu_us_per_event_jpn']:.0f})"
        )

        # the end: nothing lost, nothing quarantined, both ledgers intact
        usa.call("stop_federation")
        jpn.call("stop_federation")
        checks = {
            "USA": usa.call("check", partner="JPN"),
            "JPN": jpn.call("check", partner="USA"),
        }
        usa_link = usa.call("link", partner="JPN")
        ok = (
            checks["USA"]["bench_unit_replicas"] == n
            and checks["USA"]["quarantined"] == 0
            and usa_link["state"] == "running"
            and all(c["ledger_ok"] and c["state_ok"] for c in checks.values())
        )
        log(
            f"  end: USA holds {checks['USA']['bench_unit_replicas']:,} replicas (want {n:,}), "
            f"{checks['USA']['quarantined']} quarantined; ledgers verify: "
            f"JPN {checks['JPN']['ledger_ok']} ({checks['JPN']['ledger_events']:,} events), "
            f"USA {checks['USA']['ledger_ok']} ({checks['USA']['ledger_events']:,} events); "
            f"rows match their last events: JPN {checks['JPN']['state_ok']}, "
            f"USA {checks['USA']['state_ok']} ({checks['USA']['state_objects']:,} objects)"
        )
        if not ok:
            raise RuntimeError(f"end checks failed: {checks}, link {usa_link}")
        return {
            "warm_up_items": warm,
            "prepare": prep,
            "catch_up": catch_up,
            "baseline": baseline,
            "ratio_catch_up_vs_baseline": ratio,
            "sender_alone": alone,
            "live": live,
            "end": checks,
        }
    finally:
        for node in nodes.values():
            try:
                node.close()
            except Exception as exc:  # report, but keep tearing down
                log(f"  closing {node.nation}: {exc}")
        shutil.rmtree(folder, ignore_errors=True)


def _headline(r: dict[str, Any]) -> dict[str, Any]:
    """The issue's figures: sync throughput (events/s) and catch-up time for
    100,000 events (measured, or scaled from a quick run's count), with the
    ratio against the unsigned copy of the same run."""
    return {
        "events_per_s": r["catch_up"]["per_s"],
        "catch_up_seconds_100k": round(
            r["catch_up"]["seconds"] * TARGET_CATCHUP_EVENTS / r["catch_up"]["events"], 2
        ),
        "catch_up_events_measured": r["catch_up"]["events"],
        "ratio_vs_unsigned_copy": r["ratio_catch_up_vs_baseline"],
        "live_applied_per_s": r["live"]["applied_per_s"],
        "live_lag_ms_p99": r["live"]["lag_ms_p99"],
    }


def _checks(r: dict[str, Any], sizes: Sizes) -> list[dict[str, Any]]:
    scaled = r["catch_up"]["seconds"] * TARGET_CATCHUP_EVENTS / r["catch_up"]["events"]
    return [
        {
            "name": "catch-up events/s",
            "value": r["catch_up"]["per_s"],
            "op": ">=",
            "target": TARGET_PER_S,
            "pass": r["catch_up"]["per_s"] >= TARGET_PER_S,
        },
        {
            "name": "live: USA applies / JPN writes",
            "value": round(r["live"]["applied_per_s"] / r["live"]["written_per_s"], 3),
            "op": ">=",
            "target": KEEP_PACE,
            "pass": r["live"]["applied_per_s"] >= KEEP_PACE * r["live"]["written_per_s"],
        },
        {
            "name": "live: lag p99 ms",
            "value": r["live"]["lag_ms_p99"],
            "op": "<",
            "target": LAG_P99_S * 1000,
            "pass": r["live"]["lag_ms_p99"] < LAG_P99_S * 1000,
        },
        {
            "name": f"catch-up s for {TARGET_CATCHUP_EVENTS:,}"
            + ("" if sizes.events == TARGET_CATCHUP_EVENTS else " (scaled)"),
            "value": round(scaled, 2),
            "op": "<",
            "target": TARGET_CATCHUP_S,
            "pass": scaled < TARGET_CATCHUP_S,
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.federation",
        description="Federation benchmark: catch-up and live sync over mutual TLS.",
    )
    parser.add_argument("--quick", action="store_true", help="N = 10,000, under a minute")
    parser.add_argument("--events", type=int, help="override N")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="cProfile writer batches and puller pages of each node into DIR (slows the run)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.events:
        sizes = dataclasses.replace(sizes, events=args.events)

    def log(line: str) -> None:
        print(line, flush=True)

    started = time.perf_counter()
    info = machine()
    log(
        f"federation benchmark ({'quick' if args.quick else 'full'}, N = {sizes.events:,}): "
        f"{info['cpu_count']} CPUs, Python {info['python']}, SQLite {info['sqlite']}"
    )
    results = run(sizes, log, args.profile)
    checks = _checks(results, sizes)
    log("targets:")
    for c in checks:
        log(
            f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']:<36} {c['value']:>10,.2f}"
            f"  (target {c['op']} {c['target']:,})"
        )
    total = time.perf_counter() - started
    log(f"done in {total:.1f} s")
    doc = {
        "benchmark": "federation",
        "headline": _headline(results),
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(total, 1),
        "machine": info,
        "sizes": asdict(sizes),
        "targets": {
            "events_per_s": TARGET_PER_S,
            "catch_up_seconds": TARGET_CATCHUP_S,
            "catch_up_events": TARGET_CATCHUP_EVENTS,
        },
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


if __name__ == "__main__":
    sys.exit(main())
