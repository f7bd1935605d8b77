"""Deconfliction benchmark: all pairs at 10,000, 50,000 and 100,000 measures,
one proposed measure checked against 1,000,000 stored ones, and the naive
all-pairs with ``shapely`` in the same run.

Measures are random and fictional (:mod:`alliance.airspace.synthetic`): a
theatre of 1,200 km radius around Japan, polygons, circles and corridors of
2–30 km, bands in MSL, flight levels and AGL, windows of 15 min to 12 h over
a week, the default buffers (3 NM, 500 ft) on most. Dense on purpose: at
100,000 there are ~70,000 conflicting pairs.

* **Alliance all pairs** — :func:`alliance.airspace.deconflict.all_pairs` on
  compiled volumes (compiling, which a node does once per measure as it is
  written, is timed apart): the R-tree per time slab, then the exact test on
  the ellipsoid. One process, one thread (numpy, GEOS and PROJ do not thread
  here).
* **Naive** — what a first version does with ``shapely``: every footprint
  projected once into one azimuthal equidistant projection of the theatre,
  and for each measure, every later one filtered on time and altitude with
  ``numpy`` and tested with ``shapely.dwithin``: no index. Run on the sizes
  where it finishes in the budget; how many pairs it finds is recorded too
  (one projection for a whole theatre is not geodesic: it disagrees with the
  exact test near the threshold).
* **Incremental** — one new measure compiled and checked against an
  :class:`~alliance.airspace.index.Index` of 1,000,000 stored measures
  (the same theatre over ten weeks), median of 200.
* **Reference** — a fixed amount of work, 1,000,000 geodesic inverse problems
  on WGS 84 with ``pyproj``: the all-pairs time over it says how the run
  compares on another machine.

    .venv/bin/python -m bench.deconflict            # full
    .venv/bin/python -m bench.deconflict --quick    # 10k/50k/100k pairs, incremental vs 100,000

``headline`` in ``bench/results/deconflict.json``: ``all_pairs_100k_s``,
``incremental_vs_1m_ms`` (against 100,000 stored in ``--quick``; ``sizes``
says), ``ratio_vs_naive_50k`` (naive / Alliance at 50,000, same run; in
``--quick`` at the largest size the naive finishes within its 40 s budget,
``sizes.ratio_vs_naive_at``).
Targets: all pairs at 100,000 under 3 s; incremental under 10 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import shapely

from alliance.airspace.deconflict import VolumeSet, all_pairs, compile_volumes
from alliance.airspace.index import Index
from alliance.airspace.synthetic import THEATRE, random_volumes
from alliance.airspace.volume import GEOD, project

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "deconflict.json"
TARGET_ALL_PAIRS_S = 3.0
TARGET_INCREMENTAL_MS = 10.0


@dataclass(frozen=True)
class Sizes:
    pairs: tuple[int, ...]
    naive_budget_s: float
    """The naive all-pairs is run on a size only if it should finish in this."""
    stored: int
    stored_days: float
    probes: int


FULL = Sizes((10_000, 50_000, 100_000), 240.0, 1_000_000, 70.0, 200)
QUICK = Sizes((10_000, 50_000, 100_000), 40.0, 100_000, 7.0, 100)


def log(text: str) -> None:
    print(text, flush=True)


def volumes(n: int, seed: int, days: float = 7.0) -> tuple[list[str], VolumeSet, float]:
    made = random_volumes(n, seed, THEATRE, days=days)
    ids = [f"m{seed}-{i}" for i in range(n)]
    t = time.perf_counter()
    vs = compile_volumes(ids, made)
    return ids, vs, time.perf_counter() - t


def ours(vs: VolumeSet, repeats: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeats):
        t = time.perf_counter()
        found = len(all_pairs(vs))
        times.append(time.perf_counter() - t)
    return min(times), found


def naive(vs: VolumeSet) -> tuple[float, int]:
    """No index: one projection for the theatre, each measure against every later one."""
    t = time.perf_counter()
    owner = np.repeat(np.arange(len(vs)), np.diff(vs.off))
    x, y = project(
        np.full(vs.lon.size, THEATRE.lon), np.full(vs.lon.size, THEATRE.lat), vs.lon, vs.lat
    )
    coords = np.column_stack([x, y])
    geoms = np.empty(len(vs), dtype=object)
    for code, make in ((0, "polygon"), (1, "point"), (2, "line")):
        pick = vs.shape == code
        rows = np.flatnonzero(pick)
        vmask = pick[owner]
        idx = (np.cumsum(pick) - 1)[owner[vmask]]
        if make == "polygon":
            geoms[rows] = shapely.polygons(shapely.linearrings(coords[vmask], indices=idx))
        elif make == "point":
            geoms[rows] = shapely.points(coords[vmask])
        else:
            geoms[rows] = shapely.linestrings(coords[vmask], indices=idx)
    found = 0
    for i in range(len(vs) - 1):
        j = np.arange(i + 1, len(vs))
        keep = (vs.t0[i] < vs.t1[j]) & (vs.t0[j] < vs.t1[i])
        gap = np.maximum(vs.z0[i] - vs.z1[j], vs.z0[j] - vs.z1[i])
        keep &= gap < np.maximum(vs.vertical[i], vs.vertical[j])
        j = j[keep]
        threshold = vs.radius[i] + vs.radius[j] + np.maximum(vs.lateral[i], vs.lateral[j])
        # dwithin is "<="; the rule is "<": nudge by a micrometre
        found += int(shapely.dwithin(geoms[i], geoms[j], threshold - 1e-6).sum())
    return time.perf_counter() - t, found


def reference() -> float:
    rng = np.random.default_rng(0)
    n = 1_000_000
    lon, lat = rng.uniform(120, 150, n), rng.uniform(20, 45, n)
    t = time.perf_counter()
    GEOD.inv(np.full(n, 135.0), np.full(n, 33.0), lon, lat)
    return time.perf_counter() - t


def incremental(sizes: Sizes) -> dict[str, float]:
    log(f"incremental: {sizes.stored:,} stored measures over {sizes.stored_days:g} days …")
    t = time.perf_counter()
    _, stored, compile_s = volumes(sizes.stored, 11, sizes.stored_days)
    made_s = time.perf_counter() - t
    t = time.perf_counter()
    index = Index(stored)
    build_s = time.perf_counter() - t
    probes = random_volumes(sizes.probes, 12, THEATRE, days=sizes.stored_days)
    times, found = [], []
    for i, v in enumerate(probes):
        t = time.perf_counter()
        hits = index.check(compile_volumes([f"probe-{i}"], [v]))
        times.append((time.perf_counter() - t) * 1000)
        found.append(len(hits))
    return {
        "stored": sizes.stored,
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(float(np.percentile(times, 95)), 3),
        "conflicts_per_probe_median": float(statistics.median(found)),
        "generate_and_compile_s": round(made_s, 2),
        "compile_s": round(compile_s, 2),
        "index_build_s": round(build_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.deconflict")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    ref = reference()
    log(f"reference: 1,000,000 geodesic inverse problems in {ref:.3f} s")
    runs: dict[str, dict[str, float]] = {}
    naive_runs: dict[str, dict[str, float]] = {}
    for n in sizes.pairs:
        _, vs, compile_s = volumes(n, n)
        seconds, found = ours(vs, 3 if n <= 50_000 else 2)
        runs[str(n)] = {
            "seconds": round(seconds, 3),
            "pairs": found,
            "compile_s": round(compile_s, 2),
        }
        log(
            f"all pairs at {n:,}: {seconds:.3f} s, {found:,} conflicting pairs (compile {compile_s:.2f} s)"
        )
        if naive_runs:  # quadratic: skip a size it would not finish in the budget
            last_n, last = max((int(k), v) for k, v in naive_runs.items())
            guess = last["seconds"] * (n / last_n) ** 2
            if guess > sizes.naive_budget_s:
                log(
                    f"naive at {n:,}: skipped (~{guess:.0f} s expected, budget {sizes.naive_budget_s:g} s)"
                )
                continue
        nseconds, nfound = naive(vs)
        naive_runs[str(n)] = {"seconds": round(nseconds, 3), "pairs": nfound}
        log(
            f"naive at {n:,}: {nseconds:.2f} s, {nfound:,} pairs "
            f"(x{nseconds / seconds:.1f} Alliance's time; {nfound - found:+,} pairs vs the exact test)"
        )
    inc = incremental(sizes)
    big = runs[str(max(sizes.pairs))]
    # At 50,000; in --quick at the largest size the naive finished within its budget.
    ratio_at = max(int(k) for k in naive_runs if int(k) <= 50_000)
    ratio = naive_runs[str(ratio_at)]["seconds"] / runs[str(ratio_at)]["seconds"]
    headline = {
        "all_pairs_100k_s": big["seconds"],
        "incremental_vs_1m_ms": inc["median_ms"],
        "ratio_vs_naive_50k": round(ratio, 1),
    }
    passed = {
        "all_pairs_100k_s": big["seconds"] < TARGET_ALL_PAIRS_S,
        "incremental_vs_1m_ms": inc["median_ms"] < TARGET_INCREMENTAL_MS,
    }
    result = {
        "benchmark": "deconflict",
        "mode": "quick" if args.quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": {
            "all_pairs": list(sizes.pairs),
            "stored": sizes.stored,
            "probes": sizes.probes,
            "ratio_vs_naive_at": ratio_at,
        },
        "headline": headline,
        "targets": {
            "all_pairs_100k_s": f"< {TARGET_ALL_PAIRS_S:g}",
            "incremental_vs_1m_ms": f"< {TARGET_INCREMENTAL_MS:g}",
        },
        "passed": passed,
        "all_pairs": runs,
        "naive": naive_runs,
        "incremental": inc,
        "reference_s": round(ref, 3),
        "all_pairs_100k_over_reference": round(big["seconds"] / ref, 2),
        "python": sys.version.split()[0],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    log("")
    log(
        f"all pairs at {max(sizes.pairs):,}: {big['seconds']:.3f} s "
        f"(target < {TARGET_ALL_PAIRS_S:g} s: {'PASS' if passed['all_pairs_100k_s'] else 'FAIL'}; "
        f"x{big['seconds'] / ref:.2f} the reference work)"
    )
    log(f"naive / Alliance at {ratio_at:,}: {ratio:.1f}x")
    log(
        f"incremental, one measure against {inc['stored']:,}: median {inc['median_ms']:.2f} ms, "
        f"p95 {inc['p95_ms']:.2f} ms (target < {TARGET_INCREMENTAL_MS:g} ms: "
        f"{'PASS' if passed['incremental_vs_1m_ms'] else 'FAIL'})"
    )
    log(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
