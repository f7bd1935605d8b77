"""Visibility benchmark: a page of what is released to a nation, at 10,000 and 1,000,000 objects.

A store is filled (bulk inserts straight into the tables, not through the
writer: a million objects through the API would take hours) with owned
objects under mixed markings, the way a node that shares cyber data holds
them (ids in creation order, like the ULIDs the desks give):

* 80 % national-only (``JPN``);
* 19 % released to ``USA`` as well, spread over the whole collection;
* the newest 1 % released to ``AUS`` too (a partner that joined late, or an
  exercise's objects): sparse, and all at the end of the id order.

At each size, for ``USA`` and for ``AUS``, it lists with the release index
(:func:`alliance.store.release_index.page`, keyset by id, rows loaded through
the ORM as the desks load them):

* the **first page** (50 objects), and
* a **deep page**: the 50 objects after the one 90 % of the way through what
  is released to that nation, or as deep as a full page allows (keyset
  ``id > after``, never ``OFFSET``);

and, in the same run, the same two pages with the old form (``rel LIKE
'%USA%'``, keyset by id on the primary key) as the baseline. Each figure is
the median of repeated runs on a warm cache. The headline is the worse of the
two nations: ``first_page_ms_1m``, ``deep_page_ms_1m`` and
``ratio_1m_vs_10k`` (the largest ratio of a page's time at the large size to
its time at the small one).

    .venv/bin/python -m bench.visibility            # 10,000 and 1,000,000 objects
    .venv/bin/python -m bench.visibility --quick    # 10,000 and 100,000
    .venv/bin/python -m bench.visibility --postgresql   # PostgreSQL as well

Figures go to ``bench/results/visibility.json``; see ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, text

from alliance.org.tables import UnitRow
from alliance.store import Database
from alliance.store.release_index import page
from alliance.store.schema.release import INDEX, entries

RESULTS = Path(__file__).resolve().parent.parent / "results" / "visibility.json"
TARGET_RATIO = 2.0  # a page at the large size / the same page at the small size
TARGET_PAGE_MS = 20.0  # a page at 1,000,000 objects
PAGE = 50
NATIONS = ("USA", "AUS")
NOW = datetime(2024, 7, 27, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sizes:
    small: int
    large: int
    repeats: int  # runs of each indexed page (median taken)
    baseline_repeats: int  # runs of each LIKE page (they can take seconds)


QUICK = Sizes(small=10_000, large=100_000, repeats=51, baseline_repeats=5)
FULL = Sizes(small=10_000, large=1_000_000, repeats=101, baseline_repeats=5)


# -- the collection -----------------------------------------------------------------


def unit_id(i: int) -> str:
    return f"jpn-u{i:08d}"


def rel_of(i: int, n: int) -> str:
    """The marking of object ``i`` of ``n`` (see the module's docstring)."""
    if i >= n - n // 100:
        return "AUS,JPN,USA"
    return "JPN,USA" if i % 100 < 19 else "JPN"


def released_ids(nation: str, n: int) -> list[str]:
    return [unit_id(i) for i in range(n) if nation in rel_of(i, n).split(",")]


def _units() -> Table:
    table = UnitRow.__table__
    assert isinstance(table, Table)
    return table


def fill(db: Database, start: int, stop: int, n: int, chunk: int = 20_000) -> None:
    """Objects ``start`` .. ``stop - 1`` of a collection of ``n``, with their index entries."""
    units = _units()
    for lo in range(start, stop, chunk):
        rows: list[dict[str, Any]] = [
            {
                "id": unit_id(i),
                "owner": "JPN",
                "rel": rel_of(i, n),
                "tlp": None,
                "version": 1,
                "origin": "local",
                "created_at": NOW,
                "updated_at": NOW,
                "hq_id": "jpn-jjoc",
                "name_en": f"Unit {i}",
                "name_ja": f"部隊{i}",
                "sidc": "SFGPUCI----D",
                "domain": "land",
                "echelon": "",
                "home_en": "",
                "home_ja": "",
            }
            for i in range(lo, min(stop, lo + chunk))
        ]
        with db.write_engine.begin() as conn:
            conn.execute(insert(units), rows)
            conn.execute(
                insert(INDEX),
                [e for r in rows for e in entries("units", r["id"], r["owner"], r["rel"])],
            )


# -- the measurements ---------------------------------------------------------------


def indexed_page(db: Database, nation: str, after: str | None) -> list[str]:
    with db.read() as s:
        return [r.id for r in page(s, UnitRow, nation, after=after, limit=PAGE)]


def like_page(db: Database, nation: str, after: str | None) -> list[str]:
    """The old form: ``rel LIKE '%nation%'``, keyset by id."""
    stmt = select(UnitRow).where(UnitRow.rel.contains(nation)).order_by(UnitRow.id).limit(PAGE)
    if after is not None:
        stmt = stmt.where(UnitRow.id > after)
    with db.read() as s:
        return [r.id for r in s.scalars(stmt)]


@dataclass
class Series:
    """One page (which size, nation, form, depth), and its times."""

    fn: Callable[[], list[str]]
    want: list[str]
    repeats: int
    times: list[float]


def series(db: Database, n: int, nation: str, sizes: Sizes) -> dict[str, Series]:
    ids = released_ids(nation, n)
    k = min(int(len(ids) * 0.9), len(ids) - PAGE - 1)  # a full page, 90 % of the way or less
    deep_after, deep_want = ids[k], ids[k + 1 : k + 1 + PAGE]
    return {
        "first_page_ms": Series(
            lambda: indexed_page(db, nation, None), ids[:PAGE], sizes.repeats, []
        ),
        "deep_page_ms": Series(
            lambda: indexed_page(db, nation, deep_after), deep_want, sizes.repeats, []
        ),
        "like_first_page_ms": Series(
            lambda: like_page(db, nation, None), ids[:PAGE], sizes.baseline_repeats, []
        ),
        "like_deep_page_ms": Series(
            lambda: like_page(db, nation, deep_after), deep_want, sizes.baseline_repeats, []
        ),
    }


def measure(dbs: dict[int, Database], sizes: Sizes) -> dict[int, dict[str, Any]]:
    """Every page at every size, in alternating rounds, so that the machine's
    load (other processes) falls on both sizes alike; medians per page."""
    plan = {
        (n, nation): series(db, n, nation, sizes) for n, db in dbs.items() for nation in NATIONS
    }
    for one in (s for by_key in plan.values() for s in by_key.values()):
        got = one.fn()  # warm-up, and the answer checked once
        if got != one.want:
            raise AssertionError(f"wrong page: {got[:3]}... != {one.want[:3]}...")
    for r in range(max(sizes.repeats, sizes.baseline_repeats)):
        for by_key in plan.values():
            for one in by_key.values():
                if r < one.repeats:
                    t0 = time.perf_counter()
                    one.fn()
                    one.times.append((time.perf_counter() - t0) * 1000)
    out: dict[int, dict[str, Any]] = {n: {"objects": n} for n in dbs}
    for (n, nation), by_key in plan.items():
        out[n][nation] = {
            "released": len(released_ids(nation, n)),
            **{key: round(statistics.median(one.times), 3) for key, one in by_key.items()},
        }
    return out


def _log_sizes(figures: dict[int, dict[str, Any]], log: Callable[[str], None]) -> None:
    for n, fig in figures.items():
        for nation in NATIONS:
            f = fig[nation]
            log(
                f"  {n:>9,} objects, {nation} ({f['released']:,} released): index first "
                f"{f['first_page_ms']:.2f} ms, deep {f['deep_page_ms']:.2f} ms | LIKE first "
                f"{f['like_first_page_ms']:.2f} ms, deep {f['like_deep_page_ms']:.2f} ms"
            )


def ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for nation in NATIONS:
        out[nation] = {
            key: round(large[nation][key] / small[nation][key], 2)
            for key in ("first_page_ms", "deep_page_ms", "like_first_page_ms", "like_deep_page_ms")
        }
    return out


# -- the backends ---------------------------------------------------------------------


@contextmanager
def sqlite_db(folder: Path, name: str) -> Iterator[Database]:
    db = Database(f"sqlite:///{folder / name}.db")
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()


@contextmanager
def postgres_server() -> Iterator[str]:
    from tools.pgtemp import TempPostgres

    # A folder of its own: the server's user must be able to enter it
    # (TempPostgres hands it over), which it cannot inside our private one.
    folder = Path(tempfile.mkdtemp(prefix="alliance-visibility-pg-"))
    pg = TempPostgres(folder)
    try:
        yield pg.start()
    finally:
        pg.stop(quiet=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_db(server: str, name: str) -> Iterator[Database]:
    import psycopg

    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    db = Database(f"{server.rsplit('/', 1)[0]}/{name}")
    try:
        db.migrate()
        yield db
    finally:
        db.dispose()


def run_backend(
    name: str, dbs: dict[int, Database], sizes: Sizes, log: Callable[[str], None]
) -> dict[str, Any]:
    log(f"{name}:")
    for n, db in dbs.items():
        t0 = time.perf_counter()
        fill(db, 0, n, n)
        _analyze(db)
        log(f"  filled {n:,} objects in {time.perf_counter() - t0:.1f} s")
    figures = measure(dbs, sizes)
    _log_sizes(figures, log)
    small, large = figures[sizes.small], figures[sizes.large]
    r = ratios(small, large)
    for nation in NATIONS:
        log(
            f"  ratio {sizes.large:,} / {sizes.small:,}, {nation}: index first "
            f"{r[nation]['first_page_ms']:.2f}x, deep {r[nation]['deep_page_ms']:.2f}x | LIKE first "
            f"{r[nation]['like_first_page_ms']:.2f}x, deep {r[nation]['like_deep_page_ms']:.2f}x"
        )
    return {"small": small, "large": large, "ratios": r}


def _analyze(db: Database) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def headline(result: dict[str, Any]) -> dict[str, float]:
    """The worse nation of each figure."""
    large, r = result["large"], result["ratios"]
    return {
        "first_page_ms_1m": max(large[n]["first_page_ms"] for n in NATIONS),
        "deep_page_ms_1m": max(large[n]["deep_page_ms"] for n in NATIONS),
        "ratio_1m_vs_10k": max(max(r[n]["first_page_ms"], r[n]["deep_page_ms"]) for n in NATIONS),
    }


def _checks(head: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {
            "name": "page ms at the large size (first)",
            "value": head["first_page_ms_1m"],
            "target": f"< {TARGET_PAGE_MS:g}",
            "pass": head["first_page_ms_1m"] < TARGET_PAGE_MS,
        },
        {
            "name": "page ms at the large size (deep)",
            "value": head["deep_page_ms_1m"],
            "target": f"< {TARGET_PAGE_MS:g}",
            "pass": head["deep_page_ms_1m"] < TARGET_PAGE_MS,
        },
        {
            "name": "ratio large / small",
            "value": head["ratio_1m_vs_10k"],
            "target": f"< {TARGET_RATIO:g}",
            "pass": head["ratio_1m_vs_10k"] < TARGET_RATIO,
        },
    ]


def _commit() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        check=False,
    )
    return out.stdout.decode().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.visibility",
        description="A page of what is released to a nation, at a small and a large size.",
    )
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 objects")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL as well")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL

    def log(line: str) -> None:
        print(line, flush=True)

    from bench.ledger import machine

    started = time.perf_counter()
    info = machine()
    info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    log(
        f"visibility benchmark ({'quick' if args.quick else 'full'}): {sizes.small:,} and "
        f"{sizes.large:,} objects, pages of {PAGE}; {info['cpu_count']} CPUs, "
        f"Python {info['python']}, SQLite {info['sqlite']}"
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="alliance-visibility-") as tmp:
        folder = Path(tmp)
        with sqlite_db(folder, "small") as small, sqlite_db(folder, "large") as large:
            dbs = {sizes.small: small, sizes.large: large}
            results["sqlite"] = run_backend("sqlite", dbs, sizes, log)
        if args.postgresql:
            with (
                postgres_server() as server,
                postgres_db(server, "small") as small,
                postgres_db(server, "large") as large,
            ):
                dbs = {sizes.small: small, sizes.large: large}
                results["postgresql"] = run_backend("postgresql", dbs, sizes, log)
    head = headline(results["sqlite"])
    checks = _checks(head)
    log(f"headline (SQLite, the worse nation, {sizes.large:,} vs {sizes.small:,} objects):")
    for c in checks:
        log(
            f"  {'PASS' if c['pass'] else 'FAIL'}  {c['name']:<36} {c['value']:>8}  ({c['target']})"
        )
    total = time.perf_counter() - started
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    log(f"done in {total:.1f} s")
    doc = {
        "benchmark": "visibility",
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(total, 1),
        "machine": info,
        "code": {"commit": _commit()},
        "sizes": asdict(sizes),
        "page": PAGE,
        "nations": list(NATIONS),
        "headline": head,
        "targets": {"ratio": TARGET_RATIO, "page_ms": TARGET_PAGE_MS},
        "backends": results,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = args.output.with_suffix(".json.tmp")
    tmp_out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp_out.replace(args.output)
    log(f"written {args.output}")
    return 1 if args.strict and not doc["pass"] else 0
