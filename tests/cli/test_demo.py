"""`make demo` runs `alliance demo`: two federated nodes with consoles, TAK ports
and the exercise simulator. This starts it as a user would and looks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from alliance.cop.cot import StreamDecoder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def _free_block(size: int) -> int:
    """A port p with p .. p+size-1 all free on 127.0.0.1 (best effort)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + size >= 65000:
            continue
        ok = True
        for p in range(base, base + size):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports")


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/api/v1/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, OSError, KeyError, ValueError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_demo_serves_two_federated_nodes_with_live_tracks_and_stops_cleanly(
    tmp_path: Path, stop: signal.Signals
) -> None:
    base = _free_block(120)
    jpn_port, usa_port, tak_port = base, base + 1, base + 15
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    proc = subprocess.Popen(
        [
            ALLIANCE,
            "demo",
            "--dir",
            str(tmp_path / "demo"),
            "--jpn-port",
            str(jpn_port),
            "--usa-port",
            str(usa_port),
            "--tak-port",
            str(tak_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        tokens_file = tmp_path / "demo" / "tokens.json"
        _until(tokens_file.exists, 120, "the demo tokens")
        tokens = json.loads(tokens_file.read_text())
        usa_token = tokens["USA"]["staff_officer@usa-jfhq"]
        usa = httpx.Client(
            base_url=f"http://127.0.0.1:{usa_port}",
            headers={"Authorization": f"Bearer {usa_token}"},
        )
        # Each demo user also has a fictional console password (printed, and saved).
        passwords_file = tmp_path / "demo" / "passwords.json"
        _until(passwords_file.exists, 30, "the demo passwords")
        usa_passwords = json.loads(passwords_file.read_text())["USA"]
        _until(lambda: _up(f"http://127.0.0.1:{usa_port}"), 60, "the USA node")
        signed_in = httpx.post(
            f"http://127.0.0.1:{usa_port}/api/v1/session",
            json={
                "username": "staff.usa-jfhq",
                "password": usa_passwords["staff.usa-jfhq"],
            },
        )
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["me"]["hq"] == "usa-jfhq"

        def usa_uids() -> set[str]:
            r = usa.get("/api/v1/cop/tracks")
            r.raise_for_status()
            return {t["uid"] for t in r.json()}

        # The JPN simulator's released ships arrive at the USA node by federation.
        _until(lambda: "JPN-EX-DD02" in usa_uids(), 60, "JPN tracks at the USA node")
        uids = usa_uids()
        assert "USA-EX-UAS07" in uids  # its own
        assert "JPN-EX-RCN1" not in uids  # JPN national-only
        ship = usa.get("/api/v1/cop/tracks/JPN-EX-DD02").json()
        assert ship["owner"] == "JPN"
        assert ship["source"] == "federation:JPN"

        # The fictional exercise led by JPN reaches the USA node; its MSEL does not
        # (each row stays with its owner until delivered).
        _until(
            lambda: usa.get("/api/v1/exercises/paper-abacus-cpx").status_code == 200,
            60,
            "the JPN-led demo exercise at the USA node",
        )
        exercise = usa.get("/api/v1/exercises/paper-abacus-cpx").json()
        assert exercise["owner"] == "JPN"
        assert "FICTIONAL" in exercise["name"]
        assert [
            o["code"] for o in usa.get("/api/v1/exercises/paper-abacus-cpx/objectives").json()
        ] == [
            "TO-1",
            "TO-2",
            "TO-3",
        ]
        jpn_token = tokens["JPN"]["staff_officer@jpn-jjoc"]
        msel = httpx.get(
            f"http://127.0.0.1:{jpn_port}/api/v1/exercises/paper-abacus-cpx/injects",
            headers={"Authorization": f"Bearer {jpn_token}"},
        ).json()
        assert len(msel) == 8
        assert sum(i["state"] == "approved" for i in msel) == 7

        # The console is served at the root.
        page = httpx.get(f"http://127.0.0.1:{usa_port}/", follow_redirects=True)
        assert page.status_code == 200
        assert "<html" in page.text.lower()

        # A TAK client at the USA node (token sign-in) gets the released picture.
        with socket.create_connection(("127.0.0.1", tak_port + 100), timeout=10) as sock:
            sock.sendall(f'<auth><cot username="t" password="{usa_token}"/></auth>'.encode())
            decoder = StreamDecoder(max_bytes=1 << 20)
            seen: set[str] = set()
            deadline = time.monotonic() + 20
            while "JPN-EX-DD02" not in seen and time.monotonic() < deadline:
                seen |= {e.uid for e in decoder.feed(sock.recv(65536))}
            assert "JPN-EX-DD02" in seen
            assert "JPN-EX-RCN1" not in seen
        usa.close()
    finally:
        proc.send_signal(stop)
        try:
            output, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    # Ctrl-C is how the demo says to stop it, SIGTERM how a service manager does:
    # either is a clean stop, as for `alliance serve`. The nodes were closed (their
    # SQLite write-ahead logs checkpointed and gone), and nothing failed on the way.
    assert "Serving; press Ctrl-C to stop." in output, output
    # It ends its setup with what to do next: which console, which user's token.
    assert f"Next: open http://127.0.0.1:{jpn_port}/ and sign in as the JPN staff officer" in output
    assert "password demo-" in output, output
    assert "Traceback" not in output, output
    # Each token whole on a line that fits an 80-column terminal.
    token_lines = [line for line in output.splitlines() if "alc_" in line]
    assert token_lines, output
    assert all(len(line) <= 80 and line.split() == [line.strip()] for line in token_lines), output
    assert proc.returncode == 0, output
    assert sorted((tmp_path / "demo").rglob("*.db-wal")) == []


def test_the_demo_names_the_us_headquarters_us_forces_japan() -> None:
    """The US demo users serve U.S. Forces Japan (hq usa-jfhq, being upgraded
    to a joint force headquarters); no label calls it a "JFHQ"."""
    from alliance.core.authority import Role
    from alliance.demo import PEOPLE

    assert not [p.name for people in PEOPLE.values() for p in people if "JFHQ" in p.name]
    usfj = [p for p in PEOPLE["USA"] if p.hq_id == "usa-jfhq" and p.role is not Role.ADMIN]
    assert usfj
    assert all("(USFJ " in p.name for p in usfj), [p.name for p in usfj]


def test_the_demo_has_a_user_for_every_role_named_in_both_languages() -> None:
    from alliance.core.authority import Role
    from alliance.demo import PEOPLE

    for nation, people in PEOPLE.items():
        assert {p.role for p in people} == set(Role), nation
        for p in people:
            en, _, ja = p.name.partition(" / ")
            assert en.isascii(), p.name
            assert ja, f"{p.name}: no Japanese name"
