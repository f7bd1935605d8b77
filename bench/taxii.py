"""TAXII benchmark: a page of 100 objects at 2,000 and at 1,000,000 objects,
against medallion 3.0.0 (the OASIS reference TAXII 2.1 server, memory backend)
on the same 2,000 objects in the same run.

A node's store is filled the way replicas from a partner are written (bulk
rows through the release index, whose follower numbers the TAXII feed:
:func:`alliance.store.release_index.index_new`), not through the writer: a
million objects through the API would take hours. Fictional indicators,
mixed markings as a node sharing cyber data holds them:

* 80 % national-only (``JPN``),
* 19 % released to ``USA`` too, spread over the whole collection,
* the newest 1 % released to ``AUS`` as well.

A ``USA`` analyst reads through the TAXII API of a real server on loopback
(uvicorn, HTTP, bearer token), as a client would:

* the **first page** (``GET …/objects/?limit=100``), and
* a **deep page**: the 100 objects after the one 90 % of the way through what
  ``USA`` may read (``next`` from the feed's key; never ``OFFSET``).

medallion gets the same 2,000 objects by a POST of its own API (it has no
per-object release: all of them) and is asked for its first page of 100.
Each figure is the median of repeated requests on a warm server.

    .venv/bin/python -m bench.taxii            # 2,000 and 1,000,000 objects
    .venv/bin/python -m bench.taxii --quick    # 2,000 and 100,000

``headline`` in ``bench/results/taxii.json``: ``ratio_first_page_vs_medallion_2000``
(medallion's first page / ours, same objects, same run), ``first_page_ms_1m``
and ``deep_page_ms_1m`` (at the large size: 1,000,000, or 100,000 in
``--quick``; ``sizes`` records which). Targets: ≥ 1,000×; < 20 ms a page.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Table, insert, select

from alliance.access import UserIn
from alliance.api.app import create_app
from alliance.api.serving import NodeServer
from alliance.config import load_settings
from alliance.core.authority import Actor, Role
from alliance.core.models import MarkingIn
from alliance.cyber import CollectionIn, CyberDesk, FeedRow, StixRow
from alliance.cyber.stix import rel_marking_id
from alliance.cyber.taxii import TAXII
from alliance.disclosure import DisclosureDesk, GuidanceIn
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from alliance.store.release_index import index_new

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "taxii.json"
PAGE = 100
TARGET_RATIO = 1000.0
TARGET_PAGE_MS = 20.0
COLLECTION = "jpn-shared-cti"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sizes:
    small: int
    large: int
    repeats: int
    medallion_repeats: int


QUICK = Sizes(small=2_000, large=100_000, repeats=31, medallion_repeats=2)
FULL = Sizes(small=2_000, large=1_000_000, repeats=101, medallion_repeats=3)


# -- the objects --------------------------------------------------------------------


def rel_of(i: int, n: int) -> tuple[str, ...]:
    if i >= n - n // 100:
        return ("AUS", "USA")
    return ("USA",) if i % 100 < 19 else ()


def stix(i: int, n: int) -> dict[str, Any]:
    refs = [rel_marking_id(x) for x in rel_of(i, n)]
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'alliance-bench-{i}')}",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": "2026-11-01T00:00:00.000Z",
        "name": f"Benchmark C2 address {i} (fictional)",
        "pattern": f"[ipv4-addr:value = '198.51.{100 + i // 65536 % 2}.{i % 250}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
    }
    if refs:
        obj["object_marking_refs"] = refs
    return obj


def _table() -> Table:
    table = StixRow.__table__
    assert isinstance(table, Table)
    return table


def fill(node: Node, n: int, log: Any, chunk: int = 20_000) -> None:
    """``n`` versions in the collection, with their release-index and feed entries."""
    table = _table()
    started = time.perf_counter()
    for lo in range(0, n, chunk):
        rows = []
        for i in range(lo, min(n, lo + chunk)):
            body = stix(i, n)
            rows.append(
                {
                    "id": f"jpn-b{i:09d}",
                    "owner": "JPN",
                    "rel": ",".join(sorted({"JPN", *rel_of(i, n)})),
                    "tlp": None,
                    "version": 1,
                    "origin": "local",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "collection_id": COLLECTION,
                    "hq_id": "jpn-jjoc",
                    "stix_id": body["id"],
                    "stix_type": "indicator",
                    "modified": "2026-11-01T00:00:00.000000Z",
                    "spec_version": "2.1",
                    "body": body,
                    "deleted": False,
                }
            )
        with node.db.write_engine.begin() as conn:
            conn.execute(insert(table), rows)
            index_new(conn, table.name, rows)  # the feed follows the release index
        if lo and lo % 200_000 == 0:
            log(f"    {lo:,} objects stored ({time.perf_counter() - started:.0f} s)")


# -- a node, served -------------------------------------------------------------------


@contextmanager
def served_node(home: Path, n: int, log: Any) -> Iterator[tuple[str, str]]:
    """A JPN node holding ``n`` objects, served on loopback: (url, USA token)."""
    settings = load_settings(
        home,
        nation="JPN",
        hosted=["USA"],
        database_url=f"sqlite:///{home / 'alliance.db'}",
        node_id=f"jpn-bench-taxii-{n}",
    )
    node = Node.init(settings).start()
    try:
        doc, digest = parse_document(packaged_seed())
        load_document(node.ctx, doc, digest)
        users = {}
        for nation, hq in (("JPN", "jpn-jjoc"), ("USA", "usa-jfhq")):
            _user, users[nation] = node.users.add(
                UserIn(
                    name=f"bench {nation} analyst", nation=nation, hq_id=hq, role=Role.STAFF_OFFICER
                )
            )
        jpn = node.users.authenticate(users["JPN"])
        # JPN's foreign disclosure officer lets staff share cyber data with its allies.
        fdo = Actor("jpn-fdo", "JPN FDO", "JPN", "jpn-jjoc", Role.FOREIGN_DISCLOSURE_OFFICER)
        node.desk("disclosure", DisclosureDesk).issue_guidance(
            fdo,
            GuidanceIn(
                object_types=["taxii_collection", "stix_object"],
                releasable_to=["USA", "AUS"],
                note="Benchmark: cyber threat sharing with the allies.",
            ),
        )
        node.desk("cyber", CyberDesk).create_collection(
            jpn,
            CollectionIn(
                id=COLLECTION,
                title="Shared CTI (benchmark, fictional)",
                marking=MarkingIn(releasable_to=["USA", "AUS"]),
            ),
        )
        started = time.perf_counter()
        fill(node, n, log)
        log(f"  {n:,} objects stored in {time.perf_counter() - started:.1f} s")
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
        try:
            yield f"http://127.0.0.1:{port}", users["USA"]
        finally:
            server.should_exit = True
            thread.join(10)
    finally:
        node.close()


def deep_key(home: Path, nation: str) -> int:
    """The feed key 90 % of the way through what ``nation`` reads, or as deep as a
    full page after it allows."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{home / 'alliance.db'}")
    with engine.connect() as conn:
        keys = [
            k
            for (k,) in conn.execute(
                select(FeedRow.nseq)
                .where(FeedRow.nation == nation, FeedRow.collection_id == COLLECTION)
                .order_by(FeedRow.nseq)
            )
        ]
    engine.dispose()
    return keys[min(int(len(keys) * 0.9), len(keys) - PAGE - 1)]


def timed(
    base: str, headers: dict[str, str], requests: list[dict[str, Any]], auth: Any = None
) -> dict[str, float]:
    """Median milliseconds of each request, made by a client in a process of its own."""
    spec = {"base": base, "headers": headers, "auth": auth, "page": PAGE, "requests": requests}
    done = subprocess.run(
        [sys.executable, "-m", "bench._taxii_client", json.dumps(spec)],
        cwd=HERE.parent,
        check=True,
        capture_output=True,
        text=True,
    )
    medians: dict[str, float] = json.loads(done.stdout)
    return medians


def measure_ours(home: Path, n: int, repeats: int, log: Any) -> dict[str, Any]:
    log(f"  Alliance, {n:,} objects:")
    with served_node(home, n, log) as (url, token):
        key = deep_key(home, "USA")
        headers = {"Authorization": f"Bearer {token}", "Accept": TAXII}
        objects = f"/taxii2/alliance/collections/{COLLECTION}/objects/"
        page = {"limit": PAGE}
        got = timed(
            url,
            headers,
            [
                {
                    "name": "first",
                    "path": objects,
                    "params": page,
                    "repeats": repeats,
                    "full": True,
                },
                {
                    "name": "deep",
                    "path": objects,
                    "params": {**page, "next": key},
                    "repeats": repeats,
                    "full": True,
                },
                # The floor: the least an authenticated request costs on this node
                # and machine (who am I: one token check, no desk work).
                {"name": "floor", "path": "/api/v1/me", "params": {}, "repeats": repeats},
            ],
        )
    first, deep, floor = got["first"], got["deep"], got["floor"]
    log(
        f"    first page {first:.2f} ms, deep page {deep:.2f} ms; "
        f"an authenticated GET /api/v1/me {floor:.2f} ms"
    )
    return {"objects": n, "first_page_ms": first, "deep_page_ms": deep, "floor_ms": floor}


# -- medallion ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def medallion(folder: Path) -> Iterator[str]:
    """medallion 3.0.0 (memory backend) in its own virtual environment, on loopback."""
    python = subprocess.run(
        [str(HERE / "peers" / "medallion.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    port = _free_port()
    root = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {
            "title": "bench",
            "default": f"{root}/api1/",
            "api_roots": [f"{root}/api1/"],
        },
        "api1": {
            "information": {
                "title": "bench",
                "versions": [TAXII],
                "max_content_length": 100_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
        "users": {"bench": "bench-password"},
        "taxii": {"max_page_size": PAGE},
    }
    (folder / "config.json").write_text(json.dumps(config))
    proc = subprocess.Popen(
        [
            python,
            "-m",
            "medallion.scripts.run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            str(folder / "config.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{root}/taxii2/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("medallion did not start") from None
                time.sleep(0.2)
        yield root
    finally:
        proc.terminate()
        proc.wait(10)


def measure_medallion(folder: Path, n: int, repeats: int, log: Any) -> dict[str, Any]:
    log(f"  medallion 3.0.0 (memory backend), {n:,} objects:")
    with medallion(folder) as root:
        auth = ("bench", "bench-password")
        headers = {"Accept": TAXII, "Content-Type": TAXII}
        objects = "/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/"
        with httpx.Client(base_url=root, auth=auth, headers=headers, timeout=600) as client:
            started = time.perf_counter()
            posted = client.post(objects, json={"objects": [stix(i, n) for i in range(n)]})
            posted.raise_for_status()
            log(f"    {n:,} objects posted in {time.perf_counter() - started:.1f} s")
        # One warm-up: each of its first pages takes seconds.
        request = {
            "name": "first",
            "path": objects,
            "params": {"limit": PAGE},
            "full": True,
            "warmups": 1,
        }
        first = timed(root, headers, [{**request, "repeats": repeats}], auth=list(auth))["first"]
    log(f"    first page {first:.1f} ms")
    return {"objects": n, "first_page_ms": first}


# -- the run --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.taxii", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 and 100,000 objects")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    logging.basicConfig(level=logging.WARNING)

    def log(text: str) -> None:
        print(text, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="alliance-bench-taxii-"))
    try:
        small = measure_ours(folder / "small", sizes.small, sizes.repeats, log)
        large = measure_ours(folder / "large", sizes.large, sizes.repeats, log)
        (folder / "medallion").mkdir()
        peer = measure_medallion(folder / "medallion", sizes.small, sizes.medallion_repeats, log)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    ratio = peer["first_page_ms"] / small["first_page_ms"]
    headline = {
        "ratio_first_page_vs_medallion_2000": round(ratio, 1),
        "first_page_ms_1m": round(large["first_page_ms"], 2),
        "deep_page_ms_1m": round(large["deep_page_ms"], 2),
    }
    passed = {
        "ratio_first_page_vs_medallion_2000": ratio >= TARGET_RATIO,
        "first_page_ms_1m": large["first_page_ms"] < TARGET_PAGE_MS,
        "deep_page_ms_1m": large["deep_page_ms"] < TARGET_PAGE_MS,
    }
    result = {
        "benchmark": "taxii",
        "mode": "quick" if args.quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": {"small": sizes.small, "large": sizes.large, "page": PAGE},
        "headline": headline,
        "targets": {
            "ratio_first_page_vs_medallion_2000": f">= {TARGET_RATIO:g}",
            "first_page_ms_1m": f"< {TARGET_PAGE_MS:g}",
            "deep_page_ms_1m": f"< {TARGET_PAGE_MS:g}",
        },
        "passed": passed,
        "alliance": {"small": small, "large": large},
        # A page against the least any authenticated request costs here, same run.
        "page_over_floor_large": {
            "first": round(large["first_page_ms"] / large["floor_ms"], 2),
            "deep": round(large["deep_page_ms"] / large["floor_ms"], 2),
        },
        "medallion": peer,
        "python": sys.version.split()[0],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    log("")
    log(
        f"first page at {sizes.small:,}: Alliance {small['first_page_ms']:.2f} ms, "
        f"medallion {peer['first_page_ms']:.1f} ms -> ratio {ratio:,.0f}x "
        f"(target >= {TARGET_RATIO:,.0f}x: {'PASS' if passed['ratio_first_page_vs_medallion_2000'] else 'FAIL'})"
    )
    for name in ("first_page", "deep_page"):
        value = large[f"{name}_ms"]
        ok = "PASS" if value < TARGET_PAGE_MS else "FAIL"
        log(
            f"{name.replace('_', ' ')} at {sizes.large:,}: {value:.2f} ms "
            f"(x{value / small[f'{name}_ms']:.2f} the page at {sizes.small:,}; target < {TARGET_PAGE_MS:g} ms: {ok})"
        )
    floor = large["floor_ms"]
    log(
        f"this node's floor, an authenticated GET /api/v1/me: {floor:.2f} ms; "
        f"a page at {sizes.large:,} costs {large['first_page_ms'] / floor:.2f}x (first), "
        f"{large['deep_page_ms'] / floor:.2f}x (deep) of it"
    )
    log(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
