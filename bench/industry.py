"""Co-production planning: Alliance (HiGHS) against PuLP with its bundled CBC.

    .venv/bin/python -m bench.industry            # the demo model (7 years, monthly) and one 10× larger
    .venv/bin/python -m bench.industry --quick    # the demo and one 3× larger

Both solvers get the same program — the rows and columns Alliance builds —
and the same lexicographic order (least weighted shortfall, then least cost
with the shortfall held), the same relative MIP gap (0.01%) and a time limit.
PuLP's time counts building its model from those rows and both CBC solves;
Alliance's counts reading the model, building, both HiGHS solves and the
bottleneck analysis (the LP re-solved with the investments fixed).

``headline`` in ``bench/results/industry.json``: ``demo_s``, ``large_s``,
``ratio_vs_cbc_large`` (CBC's time over Alliance's on the large model; a
lower bound if CBC hit its time limit, which ``cbc.large.status`` says).
Targets: demo under 1 s, large under 30 s, each optimal or within 0.1%.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pulp

from alliance.industry import Model, Options, load_model, solve
from alliance.industry.program import INF, build
from alliance.industry.synthetic import scaled

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "industry.json"
DEMO = HERE.parent / "src" / "alliance" / "industry" / "data" / "demo.yaml"
GAP = 1e-4
TARGET_DEMO_S = 1.0
TARGET_LARGE_S = 30.0
TARGET_GAP = 1e-3


def log(text: str) -> None:
    print(text, flush=True)


def ours(model: Model, limit_s: float, runs: int) -> dict[str, Any]:
    times, plan = [], None
    for _ in range(runs):
        start = time.perf_counter()
        plan = solve(model, Options(time_limit_s=limit_s, mip_rel_gap=GAP))
        times.append(time.perf_counter() - start)
    assert plan is not None
    return {
        "seconds": round(min(times), 3),
        "runs": [round(t, 3) for t in times],
        "status": plan.status,
        "gap": plan.gap,
        "weighted_shortfall": plan.weighted_shortfall,
        "cost": plan.cost,
        "investments": len(plan.investments),
    }


def cbc(model: Model, limit_s: float) -> dict[str, Any]:
    """The same program, built in PuLP and solved twice with CBC."""
    start = time.perf_counter()
    p = build(model).program
    variables = [
        pulp.LpVariable(
            f"c{i}",
            lowBound=lb,
            upBound=None if ub >= INF else ub,
            cat=pulp.LpBinary
            if i in set(p.integer) and (lb, ub) == (0.0, 1.0)
            else pulp.LpContinuous,
        )
        for i, (lb, ub) in enumerate(zip(p.lb, p.ub, strict=True))
    ]
    prob = pulp.LpProblem("stage1", pulp.LpMinimize)
    ends = [*p.starts[1:], len(p.index)]
    for r, (lo, hi) in enumerate(zip(p.row_lo, p.row_hi, strict=True)):
        expr = pulp.LpAffineExpression(
            [(variables[p.index[k]], p.value[k]) for k in range(p.starts[r], ends[r])]
        )
        if lo == hi:
            prob += expr == lo
        else:
            if lo > -INF:
                prob += expr >= lo
            if hi < INF:
                prob += expr <= hi
    shortfall = pulp.lpSum(w * variables[c] for c, w in p.shortfall.items())
    prob += shortfall
    built_s = time.perf_counter() - start
    deadline = start + limit_s
    statuses = []

    def run() -> None:
        left = max(1.0, deadline - time.perf_counter())
        prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=left, gapRel=GAP, threads=2))
        statuses.append(pulp.LpStatus[prob.status])

    run()
    z1 = pulp.value(shortfall)
    prob += shortfall <= z1 + max(1e-7, 1e-9 * abs(z1))
    prob.setObjective(pulp.lpSum(v * variables[c] for c, v in p.cost.items()))
    run()
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "build_s": round(built_s, 3),
        "status": "time_limit" if seconds >= limit_s else ",".join(statuses),
        "weighted_shortfall": round(z1, 6),
        "cost": round(pulp.value(prob.objective), 2),
        "solver": f"PuLP {pulp.__version__} / CBC (bundled)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.industry")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    factor = 3 if args.quick else 10
    cbc_limit = 120.0 if args.quick else 600.0
    demo = load_model(DEMO)
    large = scaled(demo, factor)
    sizes = {}
    for name, m in (("demo", demo), ("large", large)):
        p = build(m).program
        sizes[name] = {"columns": len(p.lb), "rows": len(p.row_lo), "binaries": len(p.integer),
                       "periods": m.horizon.periods, "lines": len(m.lines), "suppliers": len(m.suppliers)}  # fmt: skip
        log(f"{name}: {sizes[name]}")
    results: dict[str, dict[str, Any]] = {"alliance": {}, "cbc": {}}
    for name, m, runs in (("demo", demo, 5), ("large", large, 1 if args.quick else 2)):
        results["alliance"][name] = ours(m, 300.0, runs)
        a = results["alliance"][name]
        log(
            f"Alliance/HiGHS {name}: {a['seconds']:.3f} s, {a['status']}, gap {100 * a['gap']:.4f}%"
        )
        results["cbc"][name] = cbc(m, cbc_limit)
        c = results["cbc"][name]
        log(
            f"PuLP/CBC {name}: {c['seconds']:.3f} s ({c['status']}; PuLP build {c['build_s']:.2f} s)"
        )
        for what in ("weighted_shortfall", "cost"):
            x, y = a[what], c[what]
            diff = abs(x - y) / max(1.0, abs(y))
            log(f"  {what}: Alliance {x:,.2f}, CBC {y:,.2f} (relative difference {diff:.2e})")
            results["alliance"][name][f"{what}_vs_cbc"] = diff
    demo_s = results["alliance"]["demo"]["seconds"]
    large_s = results["alliance"]["large"]["seconds"]
    ratio = results["cbc"]["large"]["seconds"] / large_s
    headline = {"demo_s": demo_s, "large_s": large_s, "ratio_vs_cbc_large": round(ratio, 2)}
    passed = {
        "demo_s": demo_s < TARGET_DEMO_S and results["alliance"]["demo"]["gap"] <= TARGET_GAP,
        "large_s": large_s < TARGET_LARGE_S and results["alliance"]["large"]["gap"] <= TARGET_GAP,
    }
    result = {
        "benchmark": "industry",
        "mode": "quick" if args.quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": {"large_factor": factor, **sizes},
        "headline": headline,
        "targets": {
            "demo_s": f"< {TARGET_DEMO_S:g}",
            "large_s": f"< {TARGET_LARGE_S:g}",
            "gap": f"<= {TARGET_GAP:g}",
        },
        "passed": passed,
        "mip_rel_gap": GAP,
        "cbc_time_limit_s": cbc_limit,
        **results,
        "python": sys.version.split()[0],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    log("")
    log(
        f"demo: {demo_s:.3f} s (target < {TARGET_DEMO_S:g} s: {'PASS' if passed['demo_s'] else 'FAIL'})"
    )
    log(
        f"large (x{factor}): {large_s:.3f} s (target < {TARGET_LARGE_S:g} s: {'PASS' if passed['large_s'] else 'FAIL'})"
    )
    log(f"CBC / Alliance on the large model: {ratio:.2f}x")
    log(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
