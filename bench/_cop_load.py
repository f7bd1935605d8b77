"""The TAK load generator of ``bench.cop``: the same code for every server measured.

    python -m bench._cop_load --port 8087 --senders 4 --receivers 20 --phases 5000:3

One process, one asyncio loop, plain TCP to ``--host:--port``:

* every connection first sends, when ``--tokens`` gives it one, TAK's input
  authentication message ``<auth><cot username=… password=<token>/></auth>``,
  then a presence event of its own (what ATAK sends first; FreeTAKServer
  takes a connection's first event as its identity);
* ``--senders`` connections send position updates of their own uid, CoT XML,
  at ``rate / senders`` events/s each for the phase's length. Each event
  carries ``bench:<phase>:<sender>:<seq>:<send time, ns>`` in ``<remarks>``;
  its ``time`` is the send time (ms, as CoT has it);
* ``--receivers`` connections only read. Every event each receives is matched
  by its marker; arrival is stamped when its bytes are read.

A warm-up first has each sender send an update every 0.25 s until every
receiver has seen one from every sender (or ``--warmup`` s pass), so a server
that registers clients lazily has them registered before the clock runs.
Each phase then runs at its offered rate for its length, and waits until every
receiver has every event, or nothing new has arrived for ``--idle`` s, or
``--drain`` s have passed since the last send. Whatever has not arrived by
then counts as lost.

The JSON report (stdout) has per phase: events sent and the rate they were
written at, deliveries (unique receiver × event pairs) against the expected
``sent × receivers``, latency from send to arrival (p50/p99/max) and this
process's own CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MARK = re.compile(rb"bench:(\d+):(\d+):(\d+):(\d+)")
END = b"</event>"
TICK = 0.005  # seconds between a sender's writes
MAX_BATCH = 500  # events in one write, when a sender is behind
MAX_BUFFER = 8 << 20  # a receiver's unparsed bytes before it gives up


def _cot_time(ns: int) -> str:
    secs, rest = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{rest // 1_000_000:03d}Z"


def _stale_time(ns: int) -> str:
    return _cot_time(ns + 300 * 1_000_000_000)


def event(uid: str, lat: float, lon: float, ns: int, remarks: str = "") -> bytes:
    """A friendly ground unit's position update, as ATAK writes one (CoT XML)."""
    t = _cot_time(ns)
    contact = (
        f'<contact callsign="{uid}" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/>'
    )
    if remarks:
        detail = f'{contact}<track course="90.0" speed="3.0"/><remarks>{remarks}</remarks>'
    else:  # presence: what a TAK client sends first
        detail = f'{contact}<takv device="bench" platform="bench" os="linux" version="1"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<event version="2.0" uid="{uid}" type="a-f-G-U-C" how="m-g" time="{t}" '
        f'start="{t}" stale="{_stale_time(ns)}">'
        f'<point lat="{lat:.6f}" lon="{lon:.6f}" hae="9999999.0" ce="9999999.0" le="9999999.0"/>'
        f"<detail>{detail}</detail></event>\n"
    ).encode()


def auth(token: str, uid: str) -> bytes:
    return f'<auth><cot username="{uid}" password="{token}" uid="{uid}"/></auth>'.encode()


@dataclass(eq=False)
class Tally:
    """What one receiver got of one phase."""

    seen: list[bytearray]  # per sender, one byte per sequence number
    delivered: int = 0
    duplicates: int = 0
    # (arrival ns, send times as read) per read: turned into latencies after
    # the phase, so that the parsing done while the server works stays small
    arrivals: list[tuple[int, list[bytes]]] = field(default_factory=list)
    last_ns: int = 0

    def latencies(self) -> list[int]:
        return [now - int(sent) for now, sents in self.arrivals for sent in sents]


class Conn(asyncio.Protocol):
    """One TAK client connection; what it reads goes to ``on_data`` (no task per read)."""

    def __init__(self, name: str, index: int) -> None:
        self.name = name  # uid of the connection
        self.index = index
        self.transport: asyncio.Transport | None = None
        self.on_data: Callable[[bytes], None] = self.count
        self.closed_by_server = False
        self.events_read = 0  # every event read, markers or not
        self.bytes_read = 0
        self.echoes = 0  # a sender's own reports, sent back to it
        self._paused: asyncio.Future[None] | None = None

    # -- asyncio.Protocol --

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.bytes_read += len(data)
        self.on_data(data)

    def eof_received(self) -> bool | None:
        self.closed_by_server = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed_by_server = True
        self.resume_writing()

    def pause_writing(self) -> None:
        if self._paused is None:
            self._paused = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._paused is not None and not self._paused.done():
            self._paused.set_result(None)
        self._paused = None

    # -- use --

    async def open(self, host: str, port: int, token: str | None, ns: int) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, host, port)
        hello = auth(token, self.name) if token else b""
        self.write(hello + event(self.name, 35.0 + self.index * 1e-3, 139.0, ns))

    @property
    def usable(self) -> bool:
        return not self.closed_by_server and self.transport is not None

    def write(self, data: bytes) -> None:
        if self.usable:
            assert self.transport is not None
            self.transport.write(data)

    async def drain(self) -> None:
        if self._paused is not None:
            await self._paused

    def count(self, data: bytes) -> None:
        """A sender reads other senders' reports (same nation): count them, and its own."""
        self.events_read += data.count(END)
        if b"bench:" in data:  # a marker cut by a read is missed: rare, and only counted
            self.echoes += sum(int(m.group(2)) == self.index for m in MARK.finditer(data))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Receiver:
    """Matches every marker a receiving connection reads, stamped when read."""

    def __init__(self, load: Load, r: int, conn: Conn) -> None:
        self.load = load
        self.r = r
        self.conn = conn
        self.buf = b""
        conn.on_data = self.feed

    def feed(self, data: bytes) -> None:
        now = time.time_ns()
        buf = self.buf + data if self.buf else data
        end = buf.rfind(END)
        if end < 0:
            self.buf = buf
            if len(buf) > MAX_BUFFER:
                self.conn.close()
            return
        end += len(END)
        chunk, self.buf = buf[:end], buf[end:]
        self.conn.events_read += chunk.count(END)
        tallies = self.load.tallies
        key = b""  # the phase of ``t``, as read
        t: Tally | None = None
        sents: list[bytes] = []
        for phase_b, sender_b, seq_b, sent_b in MARK.findall(chunk):
            if phase_b != key:
                if phase_b == b"0":  # warm-up
                    self.load.warm[self.r].add(int(sender_b))
                    continue
                key = phase_b
                per = tallies.get(int(phase_b))
                t = per[self.r] if per is not None else None
                if t is not None:
                    sents = []
                    t.arrivals.append((now, sents))
                    t.last_ns = now
            if t is None:
                continue
            seen = t.seen[int(sender_b)]
            seq = int(seq_b)
            if seq >= len(seen):
                seen.extend(bytes(seq + 1 - len(seen) + 4096))
            if seen[seq]:
                t.duplicates += 1
                continue
            seen[seq] = 1
            t.delivered += 1
            sents.append(sent_b)


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.senders = [Conn(f"bench-s{i:02d}", i) for i in range(args.senders)]
        self.receivers = [Conn(f"bench-r{i:02d}", 100 + i) for i in range(args.receivers)]
        # phase -> receiver index -> tally
        self.tallies: dict[int, list[Tally]] = {}
        self.warm: list[set[int]] = [set() for _ in self.receivers]
        self.sent: dict[int, list[int]] = {}  # phase -> per sender, events sent
        for r, conn in enumerate(self.receivers):
            Receiver(self, r, conn)

    # -- sending ------------------------------------------------------------------

    async def send(self, s: int, conn: Conn, phase: int, rate: float, seconds: float) -> None:
        uid = conn.name
        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = 0
        counts = self.sent[phase]
        while conn.usable:
            elapsed = loop.time() - start
            if elapsed >= seconds:
                break
            due = min(int(rate * elapsed) + 1 - sent, MAX_BATCH)
            if due > 0:
                ns = time.time_ns()
                conn.write(
                    b"".join(
                        event(
                            uid,
                            35.0 + ((sent + k) % 1000) * 1e-4,
                            139.0 + s * 1e-2,
                            ns,
                            f"bench:{phase}:{s}:{sent + k}:{ns}",
                        )
                        for k in range(due)
                    )
                )
                sent += due
                counts[s] = sent  # what the kernel took before a reset counts as sent
                await conn.drain()
            await asyncio.sleep(TICK)

    async def warm_up(self, timeout: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        start = loop.time()
        want = set(range(len(self.senders)))
        n = 0
        while loop.time() - start < timeout:
            if all(w >= want for w in self.warm):
                break
            ns = time.time_ns()
            for s, conn in enumerate(self.senders):
                conn.write(event(conn.name, 35.0, 139.0, ns, f"bench:0:{s}:{n}:{ns}"))
            n += 1
            await asyncio.sleep(0.25)
        done = all(w >= want for w in self.warm)
        return {
            "complete": done,
            "seconds": round(loop.time() - start, 2),
            "updates_per_sender": n,
            "receivers_complete": sum(w >= want for w in self.warm),
        }

    async def phase(self, phase: int, rate: float, seconds: float) -> dict[str, Any]:
        n_s, n_r = len(self.senders), len(self.receivers)
        self.sent[phase] = [0] * n_s
        self.tallies[phase] = [Tally([bytearray() for _ in range(n_s)]) for _ in range(n_r)]
        loop = asyncio.get_running_loop()
        cpu0, server0 = _cpu(), group_cpu(self.args.server_pgid)
        first_ns = time.time_ns()
        t0 = loop.time()
        await asyncio.gather(
            *(self.send(s, c, phase, rate / n_s, seconds) for s, c in enumerate(self.senders))
        )
        send_seconds = loop.time() - t0
        last_send_ns = time.time_ns()
        sent = sum(self.sent[phase])
        expected = sent * n_r
        tallies = self.tallies[phase]
        # Wait for the stragglers: all in, or quiet for ``idle`` s, or ``drain`` s.
        deadline = loop.time() + self.args.drain
        while loop.time() < deadline:
            if sum(t.delivered for t in tallies) >= expected:
                break
            last = max(last_send_ns, *(t.last_ns for t in tallies))
            if time.time_ns() - last > self.args.idle * 1e9:
                break
            await asyncio.sleep(0.02)
        cpu = _cpu() - cpu0
        server_cpu = group_cpu(self.args.server_pgid) - server0
        delivered = sum(t.delivered for t in tallies)
        last_ns = max((t.last_ns for t in tallies), default=0)
        span = (max(last_ns, last_send_ns) - first_ns) / 1e9
        lat = sorted(x for t in tallies for x in t.latencies())
        ms = 1e6
        return {
            "phase": phase,
            "offered_per_s": rate,
            "seconds": seconds,
            "sent": sent,
            "send_seconds": round(send_seconds, 3),
            "in_per_s": round(sent / send_seconds, 1) if send_seconds else 0.0,
            "receivers": n_r,
            "expected": expected,
            "delivered": delivered,
            "duplicates": sum(t.duplicates for t in tallies),
            "delivery_ratio": round(delivered / expected, 6) if expected else None,
            "per_receiver_min": min((t.delivered for t in tallies), default=0),
            "per_receiver_max": max((t.delivered for t in tallies), default=0),
            # first send to the last arrival (or the last send, whichever is later)
            "span_seconds": round(span, 3),
            "deliveries_per_s": round(delivered / span, 1) if span > 0 else 0.0,
            # events that reached every receiver, per second: deliveries / receivers
            "sustained_per_s": round(delivered / n_r / span, 1) if span > 0 and n_r else 0.0,
            "last_arrival_after_last_send_s": round(max(0, last_ns - last_send_ns) / 1e9, 3)
            if last_ns
            else None,
            "latency_ms_p50": round(_pct(lat, 50) / ms, 2) if lat else None,
            "latency_ms_p99": round(_pct(lat, 99) / ms, 2) if lat else None,
            "latency_ms_max": round(lat[-1] / ms, 2) if lat else None,
            "latency_ms_mean": round(sum(lat) / len(lat) / ms, 2) if lat else None,
            "generator_cpu_s": round(cpu, 3),
            "server_cpu_s": round(server_cpu, 3) if self.args.server_pgid else None,
            "disconnected": sum(c.closed_by_server for c in self.senders + self.receivers),
        }

    async def run(self) -> dict[str, Any]:
        a = self.args
        tokens: dict[str, list[str]] = {"senders": [], "receivers": []}
        if a.tokens:
            with open(a.tokens, encoding="utf-8") as f:
                tokens = json.load(f)
        t0 = time.monotonic()
        ns = time.time_ns()
        # Receivers first, so that they are there when the first update goes out.
        # One at a time, then quiet for a while: a server may read a new
        # connection's first event apart from the rest (FreeTAKServer does).
        conns: list[tuple[Conn, str | None]] = []
        for kind, group in (("receivers", self.receivers), ("senders", self.senders)):
            given = tokens.get(kind) or []
            conns += [(c, given[i] if given else None) for i, c in enumerate(group)]
        try:
            for c, token in conns:
                await c.open(a.host, a.port, token, ns)
                await asyncio.sleep(a.connect_gap)
            connect_s = time.monotonic() - t0
            await asyncio.sleep(a.connect_settle)
            warm = await self.warm_up(a.warmup)
            await asyncio.sleep(a.settle)
            phases = []
            for i, spec in enumerate(a.phases, start=1):
                rate, seconds = (float(x) for x in spec.split(":"))
                phases.append(await self.phase(i, rate, seconds))
        finally:
            for c, _ in conns:
                c.close()
        return {
            "connect_seconds": round(connect_s, 3),
            "warm_up": warm,
            "phases": phases,
            "sender_events_read": [c.events_read for c in self.senders],
            "sender_own_reports_returned": [c.echoes for c in self.senders],
            "receiver_events_read": [c.events_read for c in self.receivers],
        }


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int | None) -> float:
    """CPU seconds (user + system) of every live process of process group ``pgid``."""
    if not pgid:
        return 0.0
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        # after the command: state ppid pgrp session ... utime(14) stime(15), 1-based
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def _pct(ordered: list[int], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench._cop_load", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--senders", type=int, default=4)
    p.add_argument("--receivers", type=int, default=20)
    p.add_argument(
        "--phases",
        nargs="+",
        default=["5000:3"],
        help="RATE:SECONDS per phase: offered events/s over all senders, and for how long",
    )
    p.add_argument("--tokens", help="JSON file: {senders: [token…], receivers: [token…]}")
    p.add_argument("--connect-gap", type=float, default=0.05, help="s between connections")
    p.add_argument("--connect-settle", type=float, default=2.0, help="s after connecting")
    p.add_argument("--warmup", type=float, default=20.0, help="most seconds of warm-up")
    p.add_argument("--settle", type=float, default=0.5, help="pause after the warm-up")
    p.add_argument("--drain", type=float, default=5.0, help="most seconds to wait after sending")
    p.add_argument("--idle", type=float, default=2.0, help="stop waiting after this quiet")
    p.add_argument("--server-pgid", type=int, help="process group of the server, for its CPU")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = asyncio.run(Load(args).run())
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
