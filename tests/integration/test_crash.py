"""A node killed with SIGKILL mid-burst loses no acknowledged write, and its ledger verifies.

Everything here is the real thing: ``alliance init`` / ``user add`` / ``serve`` /
``ledger verify`` run as subprocesses against a node folder in a temporary
directory, on every selected backend (``--backends=sqlite,postgresql``). Sixteen
client threads create units over HTTP on the loopback interface; every id that
came back ``201 Created`` is *acknowledged*. Once enough writes have been
acknowledged, the server process is sent SIGKILL while requests are still in
flight. Then:

* every acknowledged unit is in the database, with its ``org.unit.created``
  ledger event (state and event were committed together, or not at all);
* nothing was written that the clients did not send;
* the ledger sequence is gap-free (1..N) and ``alliance ledger verify`` exits 0;
* a restarted server accepts writes again (the next round), and after the last
  kill a final server takes writes, stops cleanly, and the ledger still verifies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from alliance.store import Database

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROUNDS = 3
ACKS_PER_ROUND = 300  # acknowledged writes after which the server is killed
CLIENT_THREADS = 16
HQ = "jpn-gcc"
ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def _env() -> dict[str, str]:
    """The caller's environment without ALLIANCE_* settings (the node folder decides)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``alliance serve`` in a child process on a loopback port."""

    def __init__(self, home: Path, log: Path) -> None:
        self.port = port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/v1"
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [ALLIANCE, "serve", "--home", str(home), "--host", "127.0.0.1", "--port", str(port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=_env(),
            start_new_session=True,  # a Ctrl-C in pytest does not reach it
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"alliance serve exited with {self.proc.returncode}")
                try:
                    if client.get(self.base + "/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise AssertionError("alliance serve did not answer /healthz in time")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a power cut to the process."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.returncode == -signal.SIGKILL
        self._log.close()

    def stop(self) -> None:
        """A clean stop (SIGTERM), or SIGKILL if it does not go."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


@dataclass
class Burst:
    """What the clients sent and what the server acknowledged."""

    acked: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)  # sent, no answer (killed in flight)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # answered, not 201
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def _unit(unit_id: str) -> dict[str, str]:
    return {
        "id": unit_id,
        "hq_id": HQ,
        "name_en": f"Crash test unit {unit_id}",
        "name_ja": f"耐障害試験部隊 {unit_id}",
        "sidc": "SFGPUCI----H---",
        "domain": "land",
    }


def _client_loop(base: str, token: str, prefix: str, burst: Burst) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    with httpx.Client(base_url=base, headers=headers, timeout=20) as client:
        while not burst.stop.is_set():
            n += 1
            unit_id = f"{prefix}-{n}"
            try:
                response = client.post("/org/units", json=_unit(unit_id))
            except httpx.TransportError:
                # The server died with this request in flight (or before it
                # connected): it may or may not have been committed.
                with burst.lock:
                    burst.unknown.add(unit_id)
                return
            with burst.lock:
                if response.status_code == 201 and response.json().get("id") == unit_id:
                    burst.acked.add(unit_id)
                else:
                    burst.refused.append((unit_id, response.status_code, response.text[:300]))
                    return


def _burst_then_kill(server: Server, token: str, round_no: int, acks: int) -> Burst:
    """Fire writes from many threads; SIGKILL the server once ``acks`` are acknowledged."""
    burst = Burst()
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(server.base, token, f"jpn-crash-r{round_no}-t{t}", burst),
            daemon=True,
        )
        for t in range(CLIENT_THREADS)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while True:
        with burst.lock:
            done = len(burst.acked)
            refused = list(burst.refused)
        assert not refused, f"writes refused during the burst: {refused[:3]}"
        if done >= acks:
            break
        assert time.monotonic() < deadline, f"only {done} writes acknowledged in 30 s"
        assert server.proc.poll() is None, "the server died on its own"
        time.sleep(0.002)
    server.kill()  # the clients are still sending: requests are in flight
    burst.stop.set()
    for t in threads:
        t.join(30)
        assert not t.is_alive(), "a client thread hung after the kill"
    assert not burst.refused, f"writes refused during the burst: {burst.refused[:3]}"
    return burst


def _check_database(url: str, prefix: str) -> tuple[set[str], set[str], int]:
    """Units written by this test, ids with a unit-created event, and the ledger size.

    Also asserts the ledger sequence is gap-free from 1.
    """
    db = Database(url, pool_size=1)
    try:
        with db.engine.connect() as conn:
            units = set(
                conn.execute(
                    text("SELECT id FROM units WHERE id LIKE :p"), {"p": prefix + "%"}
                ).scalars()
            )
            events = conn.execute(
                text(
                    "SELECT object_id FROM ledger WHERE kind = 'org.unit.created'"
                    " AND object_id LIKE :p"
                ),
                {"p": prefix + "%"},
            ).scalars()
            event_ids = list(events)
            lo, hi, n = conn.execute(text("SELECT min(seq), max(seq), count(*) FROM ledger")).one()
    finally:
        db.dispose()
    assert len(event_ids) == len(set(event_ids)), "a unit was created twice in the ledger"
    assert (lo, hi) == (1, n), f"ledger sequence has gaps: min {lo}, max {hi}, count {n}"
    return units, set(event_ids), int(n)


def _verify(home: Path) -> str:
    result = _cli("ledger", "verify", home=home)
    assert result.returncode == 0, f"ledger verify failed:\n{result.stdout}\n{result.stderr}"
    assert "Ledger OK" in result.stdout
    return result.stdout.strip()


@pytest.fixture
def node_home(tmp_path: Path, database_url: str) -> tuple[Path, str, str, float]:
    """An initialized node (seeded), its database URL, a GCC commander's token, a start time."""
    started = time.monotonic()
    home = tmp_path / "node"
    result = _cli("init", "--nation", "JPN", "--database-url", database_url, home=home)
    assert result.returncode == 0, result.stderr
    result = _cli(
        "user", "add", "--name", "GCC commander", "--hq", HQ, "--role", "commander", home=home
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1].strip()
    assert token.startswith("alc_"), result.stdout
    return home, database_url, token, started


def test_sigkill_mid_burst_loses_no_acknowledged_write(
    node_home: tuple[Path, str, str, float], tmp_path: Path
) -> None:
    home, url, token, started = node_home  # the budget counts init and user add too
    log = tmp_path / "serve.log"
    _verify(home)
    acked: set[str] = set()
    unknown: set[str] = set()
    servers: list[Server] = []
    try:
        for round_no in range(1, ROUNDS + 1):
            server = Server(home, log)
            servers.append(server)
            server.wait_ready()
            burst = _burst_then_kill(server, token, round_no, ACKS_PER_ROUND)
            acked |= burst.acked
            unknown |= burst.unknown

            units, with_event, size = _check_database(url, "jpn-crash-")
            lost = acked - units
            assert not lost, (
                f"round {round_no}: {len(lost)} acknowledged writes lost: {sorted(lost)[:5]}"
            )
            assert units <= acked | unknown, f"phantom units: {sorted(units - acked - unknown)[:5]}"
            # State and ledger event are one transaction: both survive or neither.
            assert units == with_event, (
                f"units without event: {sorted(units - with_event)[:5]}; "
                f"events without unit: {sorted(with_event - units)[:5]}"
            )
            _verify(home)
            print(
                f"round {round_no}: {len(burst.acked)} acknowledged, {len(burst.unknown)} in flight "
                f"at the kill ({len(burst.unknown & units)} of those committed); ledger {size} events"
            )

        # After the last kill, a restarted node still takes writes and stops cleanly.
        server = Server(home, log)
        servers.append(server)
        server.wait_ready()
        with httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=20
        ) as client:
            after = [f"jpn-crash-after-{i}" for i in range(20)]
            for unit_id in after:
                response = client.post("/org/units", json=_unit(unit_id))
                assert response.status_code == 201, response.text
            listed = {u["id"] for u in client.get("/org/units", params={"hq_id": HQ}).json()}
        assert acked <= listed
        server.stop()
        units, with_event, _size = _check_database(url, "jpn-crash-")
        assert acked | set(after) <= units == with_event
        print(_verify(home))
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait(10)
            s._log.close()  # a failed round must not leak the handle into later tests
    elapsed = time.monotonic() - started
    print(f"{ROUNDS} kill rounds, {len(acked)} acknowledged writes, {elapsed:.1f} s")
