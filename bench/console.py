"""Console benchmark: the COP pane in headless Chromium under a live picture.

For each size (500 and 2,000 tracks) and each renderer, a fresh node
(``bench._console_node``: SQLite, seeded, its real API and console on
loopback) holds the tracks and moves them at 100 reports/s, round robin,
through the COP desk; Debian's Chromium (headless, the tests' arguments,
1600×900) signs in as a USA staff officer who sees every track, waits until
every marker is on the map, and measures, in the page:

- **frames/s**: ``requestAnimationFrame`` callbacks counted over the window
  (30 s; quick: 8 s) — the rate at which the page can paint while the
  stream runs;
- **long-task share**: the part of the window covered by long tasks
  (``PerformanceObserver`` ``longtask``: main-thread tasks over 50 ms);
- **filter**, **row click** and **language switch** latency, p50 and p95
  (20 of each, fewer if a kind has taken 45 s; quick: 6), the stream still running: from the event (a
  ``change`` on the domain filter; a click on a table row; a click on
  the language button) to the first frame painted after the page shows the
  result (filter: the count and the markers on the map match the filter;
  row click: the detail shows that track; language: headers, rows and count
  in the other language). "Painted" is a ``setTimeout(0)`` queued from the
  next ``requestAnimationFrame`` callback, i.e. after that frame's paint.

The renderers, measured in the same run, one after the other on the same
machine: **new** (this checkout's pane) and **baseline**, the COP pane as it
was at another commit (by default ``BASELINE_COMMIT``, before issue 12; any
other with ``--baseline-commit``, e.g. ``main`` to weigh a change against the
pane it replaces), read with ``git ls-tree``/``git show`` into a temporary
folder and served by the node in place of the package's. Every figure is
printed with its ratio new / baseline.

The machine's **ceiling**, in the same run: the frames/s of the same
headless Chromium on an empty page (only the ``requestAnimationFrame`` loop
that counts, over the same window), measured before and after each size's
renderers, with no node running; their mean is the ceiling, and each
renderer's frames/s is also given as a share of it (``fps_of_ceiling``). On
this shared VM the ceiling itself moves with the load: the share is the
figure that says what the pane costs.

    .venv/bin/python -m bench.console            # 500 and 2,000 tracks, 30 s each: ~8 min
    .venv/bin/python -m bench.console --quick    # 2,000 tracks, 8 s: ~2 min
    .venv/bin/python -m bench.console --strict   # exit 1 when a target is missed
    .venv/bin/python -m bench.console --quick --baseline-commit main

Targets (issue 12): at 2,000 tracks, at least 55 frames/s and a row click
under 100 ms at p95. Figures go to ``bench/results/console.json``; its
``headline`` holds ``fps_2000`` and ``row_click_ms_p95_2000`` (the new
renderer's), ``fps_ceiling`` (the empty page's, same run) and
``fps_2000_of_ceiling`` (their ratio). The machine has two cores shared by the browser, the node and
whatever else runs: read a run with its load average (recorded).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from .ledger import machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "console.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # as tests/web/conftest.py
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PANE = "src/alliance/cop/console"
BASELINE_COMMIT = "ea66bcc738fbbd1318c93ddf70533fc93a96b526"  # main before issue 12

TARGET_FPS = 55.0
TARGET_ROW_CLICK_MS = 100.0
HEADLINE_SIZE = 2000


@dataclass(frozen=True)
class Sizes:
    tracks: tuple[int, ...]
    rate: float  # reports/s
    seconds: float  # the frames window
    samples: int  # of each interaction
    gap_ms: int  # between interactions
    budget_ms: int  # no more samples of one kind after this long (the baseline is slow)


QUICK = Sizes(tracks=(2000,), rate=100.0, seconds=8.0, samples=6, gap_ms=200, budget_ms=20_000)
FULL = Sizes(tracks=(500, 2000), rate=100.0, seconds=30.0, samples=20, gap_ms=250, budget_ms=45_000)

# The frames window: rAF callbacks counted, long tasks summed (clipped to the window).
FRAMES_JS = """async (ms) => {
  const long = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) long.push([e.startTime, e.duration]);
  });
  obs.observe({ type: "longtask", buffered: false });
  let frames = 0, worst = 0;
  const t0 = performance.now();
  let last = t0;
  await new Promise((done) => {
    function frame(now) {
      frames += 1;
      worst = Math.max(worst, now - last);
      last = now;
      if (performance.now() - t0 >= ms) done(); else requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  });
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 100));  // the last entries
  obs.disconnect();
  let busy = 0;
  for (const [start, d] of long) busy += Math.max(0, Math.min(start + d, t1) - Math.max(start, t0));
  const seconds = (t1 - t0) / 1000;
  return { frames, seconds, fps: frames / seconds, long_task_share: busy / (t1 - t0),
           long_tasks: long.length, worst_frame_ms: worst };
}"""

# The ceiling: the same counting loop on an empty page.
EMPTY_PAGE = "<!doctype html><html><head><title>ceiling</title></head><body></body></html>"

# Tracks on the map: DOM markers, or what the canvas drew (the new pane above 250 tracks).
MARKERS_JS = """() => {
  const canvas = document.querySelector(".track-canvas");
  if (canvas && canvas.dataset.drawn !== undefined) return Number(canvas.dataset.drawn);
  return document.querySelectorAll(".leaflet-marker-pane .trk").length;
}"""

# One kind of interaction, `n` times; each latency from the event to the frame
# painted after the page shows the result.
INTERACT_JS = (
    """async ({ kind, n, gap, budget }) => {
  const began = performance.now();
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const $ = (id) => document.getElementById(id);
  const shownCount = () => Number(/\\d+/.exec($("count").textContent)?.[0] ?? NaN);
  const markers = () => (MARKERS_JS)();
  const out = [];
  for (let i = 0; i < n; i += 1) {
    await new Promise((r) => setTimeout(r, gap));
    let act, done;
    if (kind === "filter") {
      const sel = $("f-domain");
      const want = sel.value === "" ? "maritime" : "";
      const before = $("count").textContent;
      act = () => { sel.value = want; sel.dispatchEvent(new Event("change", { bubbles: true })); };
      done = () => $("count").textContent !== before && markers() === shownCount();
    } else if (kind === "row") {
      const rows = [...document.querySelectorAll("#track-rows tr[data-uid]")].slice(0, 16);
      const cur = $("d-uid").textContent;
      const row = rows.filter((r) => r.dataset.uid !== cur)[(i * 5) % (rows.length - 1)];
      const uid = row.dataset.uid;
      act = () => row.click();
      done = () => $("d-uid").textContent === uid && !$("detail-body").hidden;
    } else {
      const want = document.documentElement.lang === "ja" ? "en" : "ja";
      const th = want === "ja" ? "呼出符号" : "Callsign";
      const wide = want === "ja" ? /[^\\x00-\\x7f]/ : /^[\\x00-\\x7f]*$/;
      act = () => document.querySelector(`#console button.lang[data-lang="${want}"]`).click();
      done = () => {
        const cell = document.querySelector("#track-rows tr td:nth-child(3)");
        return document.documentElement.lang === want &&
          document.querySelector("#tracks th").textContent === th &&
          wide.test($("count").textContent) && (!cell || wide.test(cell.textContent));
      };
    }
    const t0 = performance.now();
    act();
    for (;;) {
      await painted();
      if (done()) break;
      if (performance.now() - t0 > 20000) return { error: `${kind}: no result in 20 s`, ms: out };
    }
    out.push(performance.now() - t0);
    if (performance.now() - began > budget) break;  // a slow renderer: fewer samples
  }
  return { ms: out };
}"""
).replace("(MARKERS_JS)", f"({MARKERS_JS})")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _line(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    """The next JSON line the process prints, within ``timeout`` s."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError(f"the node gave no answer within {timeout:.0f} s")
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"the node exited with {proc.wait()}")
    data: dict[str, Any] = json.loads(line)
    return data


def baseline_pane(into: Path, commit: str = BASELINE_COMMIT) -> Path:
    """The COP pane as it was at ``commit`` (every file of its folder), written into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", commit, "--", f"{PANE}/"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if not names:
        raise RuntimeError(f"no COP pane at {commit}")
    for name in names:
        text = subprocess.run(
            ["git", "show", f"{commit}:{name}"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        target = into / Path(name).relative_to(PANE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text)
    return into


def resolve(commit: str) -> str:
    """The full hash of a commit, branch or tag."""
    got = subprocess.run(
        ["git", "rev-parse", "--verify", f"{commit}^{{commit}}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return got.stdout.strip()


def ceiling(browser: Browser, sizes: Sizes) -> dict[str, Any]:
    """Frames/s of an empty page in the same browser, over the same window."""
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-US")
    try:
        page = context.new_page()
        page.set_content(EMPTY_PAGE)
        page.wait_for_timeout(500)
        got: dict[str, Any] = page.evaluate(FRAMES_JS, sizes.seconds * 1000)
        return got
    finally:
        context.close()


def measure(page: Page, url: str, token: str, tracks: int, sizes: Sizes) -> dict[str, Any]:
    """Sign in, wait for the whole picture, then the frames window and the interactions."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(180_000)
    page.goto(url + "/console/")
    page.fill("#token", token)
    t0 = time.perf_counter()
    page.click("#signin-button")
    page.locator("#live[data-state='live']").wait_for()
    page.wait_for_function(
        f"(n) => ({MARKERS_JS})() >= n",
        arg=tracks,
        polling=250,
    )
    loaded = time.perf_counter() - t0
    page.wait_for_timeout(2000)  # the first picture's work done
    frames = page.evaluate(FRAMES_JS, sizes.seconds * 1000)
    out: dict[str, Any] = {"picture_loaded_s": round(loaded, 2), **frames}
    for kind in ("filter", "row", "language"):
        got = page.evaluate(
            INTERACT_JS,
            {"kind": kind, "n": sizes.samples, "gap": sizes.gap_ms, "budget": sizes.budget_ms},
        )
        if got.get("error"):
            errors.append(got["error"])
        ms = got["ms"]
        name = {"filter": "filter", "row": "row_click", "language": "language"}[kind]
        out[f"{name}_ms"] = [round(x, 1) for x in ms]
        if ms:
            out[f"{name}_ms_p50"] = round(percentile(ms, 50), 1)
            out[f"{name}_ms_p95"] = round(percentile(ms, 95), 1)
    out["errors"] = errors
    return out


def run_one(browser: Browser, tracks: int, sizes: Sizes, pane: Path | None) -> dict[str, Any]:
    """One renderer at one size, against a fresh node."""
    home = Path(tempfile.mkdtemp(prefix="alliance-bench-console-"))
    cmd = [
        sys.executable,
        "-m",
        "bench._console_node",
        "--home",
        str(home / "node"),
        "--tracks",
        str(tracks),
        "--rate",
        str(sizes.rate),
        *(["--pane", str(pane)] if pane else []),
    ]
    node = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        hello = _line(node, 120)
        context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-US")
        try:
            result = measure(context.new_page(), hello["url"], hello["token"], tracks, sizes)
        finally:
            context.close()
        assert node.stdin is not None
        node.stdin.write("stop\n")
        node.stdin.flush()
        result["node"] = _line(node, 60)
        return result
    finally:
        if node.poll() is None:
            node.kill()
        node.wait(10)
        shutil.rmtree(home, ignore_errors=True)


FIGURES = (
    ("fps", "frames/s", "{:.1f}"),
    ("fps_of_ceiling", "frames/s / ceiling", "{:.2f}"),
    ("long_task_share", "long-task share", "{:.0%}"),
    ("filter_ms_p95", "filter p95, ms", "{:.0f}"),
    ("row_click_ms_p95", "row click p95, ms", "{:.0f}"),
    ("language_ms_p95", "language switch p95, ms", "{:.0f}"),
    ("filter_ms_p50", "filter p50, ms", "{:.0f}"),
    ("row_click_ms_p50", "row click p50, ms", "{:.0f}"),
    ("language_ms_p50", "language switch p50, ms", "{:.0f}"),
)


def ratios(new: dict[str, Any], old: dict[str, Any]) -> dict[str, float | None]:
    """new / baseline for every figure."""
    out: dict[str, float | None] = {}
    for key, _label, _fmt in FIGURES:
        a, b = new.get(key), old.get(key)
        out[key] = round(a / b, 3) if isinstance(a, int | float) and b else None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.console",
        description="The COP pane in headless Chromium at 500 and 2,000 tracks, "
        "new renderer against the pane before issue 12.",
    )
    parser.add_argument("--quick", action="store_true", help="2,000 tracks, 8 s: about a minute")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--baseline-commit",
        default=BASELINE_COMMIT,
        help="the commit whose COP pane is the baseline (default: the pane before issue 12)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    baseline_commit = resolve(args.baseline_commit)

    def log(line: str) -> None:
        print(line, flush=True)

    if not CHROMIUM.exists():
        log("Debian's chromium is not installed: run tools/system-deps.sh")
        return 2
    started = time.perf_counter()
    info = machine()
    info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    log(
        f"Console benchmark ({'quick' if args.quick else 'full'}): "
        + ", ".join(f"{n:,}" for n in sizes.tracks)
        + f" tracks at {sizes.rate:g} reports/s, {sizes.seconds:g} s window, "
        f"{sizes.samples} of each interaction; new renderer against {baseline_commit[:7]}"
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="alliance-bench-pane-") as tmp:
        old_pane = baseline_pane(Path(tmp) / "cop", baseline_commit)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                for tracks in sizes.tracks:
                    runs: dict[str, Any] = {}
                    before = ceiling(browser, sizes)
                    for name, pane in (("new", None), ("baseline", old_pane)):
                        t0 = time.perf_counter()
                        runs[name] = run_one(browser, tracks, sizes, pane)
                        log(f"  {tracks:,} tracks, {name}: {time.perf_counter() - t0:.0f} s")
                    after = ceiling(browser, sizes)
                    fps_ceiling = (before["fps"] + after["fps"]) / 2
                    runs["ceiling"] = {
                        "fps": round(fps_ceiling, 1),
                        "before": before,
                        "after": after,
                        "what": "an empty page's frames/s in the same browser, before and after",
                    }
                    log(
                        f"  {tracks:,} tracks, ceiling: {fps_ceiling:.1f} frames/s "
                        f"(before {before['fps']:.1f}, after {after['fps']:.1f})"
                    )
                    for name in ("new", "baseline"):
                        if "fps" in runs[name] and fps_ceiling:
                            runs[name]["fps_of_ceiling"] = round(runs[name]["fps"] / fps_ceiling, 3)
                    runs["ratio_new_over_baseline"] = ratios(runs["new"], runs["baseline"])
                    results[str(tracks)] = runs
            finally:
                browser.close()
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]

    for size, runs in results.items():
        log(f"  {int(size):,} tracks{'':<22} {'new':>10} {'baseline':>10} {'new/base':>9}")
        log(f"    {'ceiling, frames/s (empty page)':<30} {runs['ceiling']['fps']:>10.1f}")
        for key, label, fmt in FIGURES:
            a, b, r = (
                runs["new"].get(key),
                runs["baseline"].get(key),
                runs["ratio_new_over_baseline"][key],
            )
            shown = [fmt.format(v) if v is not None else "n/a" for v in (a, b)]
            log(f"    {label:<30} {shown[0]:>10} {shown[1]:>10} {f'{r:.3f}' if r else 'n/a':>9}")
        for name in ("new", "baseline"):
            if runs[name]["errors"]:
                log(f"    {name}: page errors: {runs[name]['errors'][:3]}")

    head = results.get(str(HEADLINE_SIZE), {}).get("new", {})
    roof = results.get(str(HEADLINE_SIZE), {}).get("ceiling", {})
    headline = {
        "fps_2000": round(head["fps"], 1) if "fps" in head else None,
        "row_click_ms_p95_2000": head.get("row_click_ms_p95"),
        "fps_ceiling": roof.get("fps"),
        "fps_2000_of_ceiling": head.get("fps_of_ceiling"),
    }
    checks = [
        {
            "name": "frames/s at 2,000 tracks",
            "value": headline["fps_2000"],
            "target": TARGET_FPS,
            "pass": headline["fps_2000"] is not None and headline["fps_2000"] >= TARGET_FPS,
        },
        {
            "name": "row click p95 at 2,000 tracks, ms",
            "value": headline["row_click_ms_p95_2000"],
            "target": TARGET_ROW_CLICK_MS,
            "pass": headline["row_click_ms_p95_2000"] is not None
            and headline["row_click_ms_p95_2000"] < TARGET_ROW_CLICK_MS,
        },
    ]
    for c in checks:
        log(f"  {c['name']}: {c['value']} (target {c['target']}) {'PASS' if c['pass'] else 'FAIL'}")
    document = {
        "benchmark": "console",
        "mode": "quick" if args.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": info,
        "code": _code(),
        "sizes": asdict(sizes),
        "baseline": {
            "commit": baseline_commit,
            "asked": args.baseline_commit,
            "what": "the COP pane before issue 12"
            if baseline_commit == BASELINE_COMMIT
            else f"the COP pane at {args.baseline_commit}",
        },
        "headline": headline,
        "targets": {"fps_2000": TARGET_FPS, "row_click_ms_p95_2000": TARGET_ROW_CLICK_MS},
        "results": results,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    log(f"  written to {args.output}")
    return 1 if args.strict and not document["pass"] else 0


def _code() -> str:
    got = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    )
    return got.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
