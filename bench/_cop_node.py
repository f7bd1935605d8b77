"""The Alliance server of ``bench.cop``, in a process of its own.

    python -m bench._cop_node --home DIR --senders 4 --receivers 20 [--profile DIR]

Builds a combined JPN+USA node on SQLite in ``DIR`` (seeded, as the tests'
``make_node("JPN", hosted=["USA"])``), adds one user per connection (senders:
JPN staff officers; receivers: JPN and USA staff officers in turn), and
starts the TAK server on a free loopback port, reports from TAK clients
released to USA by default (``TakSettings.release_to``), so that every
receiver is entitled to every sender's report. Prints one JSON line
(``port``, ``tokens``: the file of API tokens the load generator uses), then
waits for a line on standard input (or its end) and stops, printing a last
JSON line (tracks published by the hub, CPU seconds of this process).

``--profile DIR`` runs cProfile in the TAK server's thread and in the track
store's flushing thread, and writes ``tak.pstats`` and ``store.pstats``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import resource
import sys
import threading
from pathlib import Path
from typing import Any

from alliance.access import UserIn
from alliance.config import load_settings
from alliance.cop.store import TrackStore
from alliance.cop.tak import TakServer, TakSettings
from alliance.core.authority import Role
from alliance.node import Node, settle_heap
from alliance.org import load_document, packaged_seed, parse_document

HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _profiled(profile: cProfile.Profile, original: Any) -> Any:
    """``original(self)`` (a thread's whole run) under ``profile``, in that thread."""

    def run(self: Any) -> None:
        profile.enable()
        try:
            original(self)
        finally:
            profile.disable()

    return run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench._cop_node")
    p.add_argument("--home", type=Path, required=True)
    p.add_argument("--senders", type=int, default=4)
    p.add_argument("--receivers", type=int, default=20)
    p.add_argument("--profile", type=Path, help="write cProfile statistics into this folder")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    profiles: dict[str, cProfile.Profile] = {}
    if args.profile:
        profiles = {"tak": cProfile.Profile(), "store": cProfile.Profile()}
        TakServer._run = _profiled(profiles["tak"], TakServer._run)  # type: ignore[method-assign]
        TrackStore._run = _profiled(profiles["store"], TrackStore._run)  # type: ignore[method-assign]

    home: Path = args.home
    settings = load_settings(
        home,
        nation="JPN",
        hosted=["USA"],
        database_url=f"sqlite:///{home / 'alliance.db'}",
        node_id="jpn-bench-cop",
    )
    node = Node.init(settings).start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)

    def user(name: str, nation: str) -> str:
        _user, token = node.users.add(
            UserIn(name=name, nation=nation, hq_id=HQ[nation], role=Role.STAFF_OFFICER)
        )
        return token

    tokens = {
        "senders": [user(f"bench sender {i}", "JPN") for i in range(args.senders)],
        "receivers": [
            user(f"bench receiver {i}", "JPN" if i % 2 == 0 else "USA")
            for i in range(args.receivers)
        ],
    }
    tokens_file = home / "tokens.json"
    tokens_file.write_text(json.dumps(tokens), encoding="utf-8")

    server = TakServer(
        node.cop,
        TakSettings(host="127.0.0.1", tcp_port=0, release_to=("USA",)),
        authenticate=node.users.authenticate,
    )
    port, _ = server.start()
    settle_heap()  # as alliance serve does
    print(json.dumps({"port": port, "tokens": str(tokens_file)}), flush=True)

    sys.stdin.readline()  # a line, or the end when the parent goes away

    published = node.cop.hub.published
    server.stop()
    node.close()  # flushes the track store
    for name, profile in profiles.items():
        args.profile.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(args.profile / f"{name}.pstats")
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print(
        json.dumps({"published": published, "cpu_s": round(_cpu(), 3), "threads_left": threads}),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
