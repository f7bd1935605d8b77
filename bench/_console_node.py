"""The Alliance node of ``bench.console``, in a process of its own.

    python -m bench._console_node --home DIR --tracks 2000 --rate 100 [--pane DIR]

Builds a combined JPN+USA node on SQLite in ``DIR`` (seeded, as the tests'
``make_node("JPN", hosted=["USA"])``), serves its API and console on a free
loopback port (uvicorn, as ``alliance serve``), reports ``--tracks`` tracks
(half JPN's, half USA's, each released to the other nation) spread over the
console's initial view, and then moves them, one report at a time, round
robin, at ``--rate`` reports/s through the COP desk (``CopDesk.report``, what
the API's POST does after parsing). ``--pane DIR`` serves the COP pane from
that folder instead of the package's (the benchmark's baseline: the pane as
it was before issue 12).

Prints one JSON line (``url``, ``token`` of a USA staff officer who sees
every track), then feeds until a line on standard input (or its end), and
prints a last JSON line: reports sent after the initial picture, seconds,
the rate achieved, and this process's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import uvicorn

from alliance.access import UserIn
from alliance.api.app import create_app
from alliance.api.serving import NodeServer
from alliance.config import load_settings
from alliance.cop import LinkStatus, ReportIn
from alliance.core.authority import Actor, Role
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}
OTHER = {"JPN": "USA", "USA": "JPN"}
# A mix of domains and affiliations, as a picture of the Western Pacific has them.
SIDCS = (
    "SFSPCLDD-------",  # friend destroyer
    "SFAPMF---------",  # friend fixed-wing
    "SHSPCL---------",  # hostile surface combatant
    "SUSP-----------",  # unknown surface
    "SNSPXM---------",  # neutral merchant
    "SHAPMF---------",  # hostile fixed-wing
    "SFGPUCI--------",  # friend infantry
    "SNAPCF---------",  # neutral civil fixed-wing
)
UNMANNED_SIDC = "SFAPMFQ--------"
UNMANNED_EVERY = 50  # one track in fifty is an unmanned aircraft


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def report(i: int, step: int) -> ReportIn:
    """Track ``i``'s ``step``-th report: on a slow circle around its own point,
    inside the console's initial view (20–42° N, 120–150° E)."""
    nation = "JPN" if i % 2 == 0 else "USA"
    golden = 0.6180339887 * i
    lat0 = 20.0 + 22.0 * (golden % 1.0)
    lon0 = 120.0 + 30.0 * ((i * 0.7548776662) % 1.0)
    angle = (i * 0.37 + step * 0.05) % (2 * math.pi)
    unmanned = i % UNMANNED_EVERY == 0
    return ReportIn(
        uid=f"{nation}-BENCH-{i:05d}",
        sidc=UNMANNED_SIDC if unmanned else SIDCS[i % len(SIDCS)],
        callsign=f"{nation} BENCH {i:05d}",
        lat=lat0 + 0.2 * math.sin(angle),
        lon=lon0 + 0.2 * math.cos(angle),
        course=math.degrees(angle) % 360,
        speed=12.0,
        stale_seconds=3600,
        unmanned=unmanned,
        control_link=LinkStatus.OK if unmanned else None,
        marking=MarkingIn(releasable_to=[OTHER[nation]]),
    )


class Feeder(threading.Thread):
    """Moves the tracks, ``rate`` reports a second, round robin, until stopped."""

    def __init__(self, node: Node, actors: dict[str, Actor], tracks: int, rate: float) -> None:
        super().__init__(name="bench-feeder", daemon=True)
        self.node, self.actors, self.tracks, self.rate = node, actors, tracks, rate
        self.stopping = threading.Event()
        self.sent = 0
        self.seconds = 0.0

    def run(self) -> None:
        start = time.monotonic()
        while not self.stopping.is_set():
            i = self.sent % self.tracks
            data = report(i, 1 + self.sent // self.tracks)
            self.node.cop.report(self.actors[data.uid[:3]], data)
            self.sent += 1
            wait = start + self.sent / self.rate - time.monotonic()
            if wait > 0:
                self.stopping.wait(wait)
        self.seconds = time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench._console_node")
    p.add_argument("--home", type=Path, required=True)
    p.add_argument("--tracks", type=int, default=2000)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--pane", type=Path, help="serve the COP pane from this folder")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    home: Path = args.home
    settings = load_settings(
        home,
        nation="JPN",
        hosted=["USA"],
        database_url=f"sqlite:///{home / 'alliance.db'}",
        node_id="jpn-bench-console",
    )
    node = Node.init(settings).start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)
    if args.pane:
        node.desk_specs = tuple(
            replace(spec, console=args.pane) if spec.name == "cop" else spec
            for spec in node.desk_specs
        )

    tokens = {}
    for nation in ("JPN", "USA"):
        _user, tokens[nation] = node.users.add(
            UserIn(
                name=f"bench {nation} staff officer",
                nation=nation,
                hq_id=HQ[nation],
                role=Role.STAFF_OFFICER,
            )
        )
    actors = {nation: node.users.authenticate(token) for nation, token in tokens.items()}
    for i in range(args.tracks):
        data = report(i, 0)
        node.cop.report(actors[data.uid[:3]], data)

    config = uvicorn.Config(create_app(node), host="127.0.0.1", port=0, log_level="warning")
    server = NodeServer(config)
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the node's server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    feeder = Feeder(node, actors, args.tracks, args.rate)
    feeder.start()
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "token": tokens["USA"]}), flush=True)

    sys.stdin.readline()  # a line, or the end when the parent goes away

    feeder.stopping.set()
    feeder.join(10)
    server.should_exit = True
    thread.join(10)
    node.close()
    print(
        json.dumps(
            {
                "reports": feeder.sent,
                "seconds": round(feeder.seconds, 3),
                "rate": round(feeder.sent / feeder.seconds, 1) if feeder.seconds else 0.0,
                "cpu_s": round(_cpu(), 3),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
