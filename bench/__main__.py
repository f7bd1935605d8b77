"""Run every benchmark module in bench/, each in a process of its own.

    .venv/bin/python -m bench            # full size (make bench)
    .venv/bin/python -m bench --quick    # each module under a minute (make bench-quick)
    .venv/bin/python -m bench ledger     # only the named modules

A fresh process per module keeps one benchmark's threads, pools and caches
from colouring the next one's figures. The exit code is the worst of them.
"""

from __future__ import annotations

import argparse
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules() -> list[str]:
    """Benchmark modules: every public module or package of this package."""
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute each")
    parser.add_argument("names", nargs="*", help=f"modules to run (default all: {modules()})")
    args = parser.parse_args(argv)
    names = args.names or modules()
    unknown = sorted(set(names) - set(modules()))
    if unknown:
        parser.error(f"no benchmark module {', '.join(unknown)}")
    worst = 0
    for name in names:
        cmd = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if args.quick else [])]
        print(f"== bench.{name} {'(quick)' if args.quick else ''}".rstrip(), flush=True)
        start = time.perf_counter()
        code = subprocess.run(cmd, cwd=HERE.parent, check=False).returncode
        print(f"== bench.{name}: exit {code}, {time.perf_counter() - start:.1f} s", flush=True)
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
