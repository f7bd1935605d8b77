"""``alliance industry solve FILE``, as a planner runs it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.industry.models import hand

from .conftest import Cli


def test_solve_prints_the_plan_as_json_and_writes_every_output(cli: Cli, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(hand(), allow_unicode=True), encoding="utf-8")
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(
        yaml.safe_dump([{"id": "more", "name_en": "More seekers", "name_ja": "シーカー増",
                         "changes": [{"kind": "scale", "target": "C", "factor": 2, "start": "2026-02"}]}],
                       allow_unicode=True),
        encoding="utf-8",
    )  # fmt: skip
    done = cli(
        "industry", "solve", model, "--scenarios", scenarios, "--json", "--out", tmp_path / "out"
    )
    assert done.returncode == 0, done.stderr
    plans = json.loads(done.stdout)  # nothing but the JSON on stdout (no solver banner)
    assert list(plans) == ["baseline", "more"]
    assert plans["baseline"]["weighted_shortfall"] == 1.0
    assert plans["more"]["weighted_shortfall"] == 0.0
    names = {p.name for p in (tmp_path / "out").iterdir()}
    for stem in ("plan", "plan-more"):
        assert {f"{stem}.json", f"{stem}.csv", f"{stem}.xlsx"} <= names
        for what in ("production", "deliveries", "shortfall", "bottlenecks"):
            assert {f"{stem}-{what}.svg", f"{stem}-{what}.png"} <= names
    png = (tmp_path / "out" / "plan-deliveries.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    svg = (tmp_path / "out" / "plan-deliveries.svg").read_text(encoding="utf-8")
    assert "要求に対する引渡し" in svg

    table = cli("industry", "solve", model)
    assert table.returncode == 0, table.stderr
    assert "Seeker maker" in table.stdout
    assert "baseline" in table.stdout


def test_a_bad_model_exits_2_with_the_message_in_the_users_language(
    cli: Cli, tmp_path: Path
) -> None:
    data = hand()
    data["lines"][0]["rate_per_year"] = -1
    data["suppliers"] = []
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = cli("industry", "solve", model, env={"ALLIANCE_LANG": "ja"})
    assert done.returncode == 2
    assert "lines.0.rate_per_year" in done.stderr
    assert "Traceback" not in done.stderr
    data["lines"][0]["rate_per_year"] = 24
    model.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = cli("industry", "check", model)
    assert done.returncode == 2
    assert "no supplier" in done.stderr


def test_the_example_is_the_illustrative_model_and_checks(cli: Cli, tmp_path: Path) -> None:
    done = cli("industry", "example")
    assert done.returncode == 0
    assert "FICTIONAL" in done.stdout
    path = tmp_path / "demo.yaml"
    path.write_text(done.stdout, encoding="utf-8")
    checked = cli("industry", "check", path)
    assert checked.returncode == 0, checked.stderr
    assert "consistent" in checked.stdout


def test_ctrl_c_cancels_a_long_solve(tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) reaches HiGHS through its callbacks: the command stops
    within seconds with a bilingual message, not a traceback."""
    import os
    import signal
    import subprocess
    import time

    from alliance.industry import dump_model, load_model
    from alliance.industry.synthetic import scaled

    from .conftest import ALLIANCE

    demo = load_model(
        Path(__file__).parents[2] / "src" / "alliance" / "industry" / "data" / "demo.yaml"
    )
    model = tmp_path / "large.yaml"
    model.write_text(dump_model(scaled(demo, 10)), encoding="utf-8")  # ~20 s to solve
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    proc = subprocess.Popen(
        [str(ALLIANCE), "industry", "solve", str(model)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        # Stage lines on stderr (not a terminal: one line per stage): once the
        # cost stage is under way, interrupt.
        for logged in proc.stderr:
            if "least cost" in logged:
                break
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        out, err = proc.communicate(timeout=60)  # the rest of stderr
    finally:
        proc.kill()
    assert time.monotonic() - start < 10
    assert proc.returncode == 2, (out, err)
    assert "cancelled" in err
    assert "Traceback" not in err
