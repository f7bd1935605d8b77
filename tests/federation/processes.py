"""Real node processes for the federation tests: ``alliance`` run as an operator runs it.

:class:`Site` is one node folder: ``init`` on a database of its own on the
test's backend, a national CA and node certificate, a partner bundle;
``join`` adds a partner and users; ``start`` runs ``alliance serve``. The
helpers below read what a node holds: through its API, its CLI or its
database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from sqlalchemy import MetaData, select, text

from alliance.config import load_settings
from alliance.node import Node
from alliance.store import Database
from tests.conftest import standing_guidance

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
ARRIVAL_S = 15.0  # how long anything may take to cross to the partner
T = TypeVar("T")
People = list[tuple[str, str, str]]  # (name, HQ, role)


def _env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    return clean


def cli(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *map(str, args), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=90,
        env=_env(),
        check=False,
    )


def ok(*args: str | Path, home: Path) -> str:
    result = cli(*args, home=home)
    assert result.returncode == 0, f"alliance {args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def api_port(taken: set[int]) -> int:
    """A free port P whose federation port P+10 is free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 10 < 65536 and not {port, port + 10} & taken and _bindable(port + 10):
            taken |= {port, port + 10}
            return port
    raise AssertionError("no free port pair")


def parallel(*jobs: Callable[[], None]) -> None:
    """Run the jobs in threads (the CLI is process-bound; two cores help)."""
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]


@dataclass
class Site:
    nation: str
    home: Path
    port: int
    database_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    client: httpx.Client | None = None
    log: IO[bytes] | None = None

    @property
    def fed_url(self) -> str:
        return f"https://127.0.0.1:{self.port + 10}"

    @property
    def bundle(self) -> Path:
        return self.home.parent / f"{self.nation.lower()}-bundle.json"

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    @property
    def api(self) -> httpx.Client:
        assert self.client is not None
        return self.client

    def setup(self, database_url: str) -> None:
        """``alliance init`` on ``database_url`` (seeded), then its PKI and partner bundle."""
        self.database_url = database_url
        ok("init", "--nation", self.nation, "--database-url", database_url, home=self.home)
        ok("pki", "init", home=self.home)
        ok("pki", "export", "--url", self.fed_url, "-o", self.bundle, home=self.home)

    def join(self, partner: Site, people: People) -> None:
        out = ok("federation", "add-partner", partner.bundle, home=self.home)
        assert "Partner added" in out, out
        self.add_people(people)

    def standing_guidance(self) -> None:
        """The test world's disclosure policy (:func:`tests.conftest.standing_guidance`),
        issued in-process before the node is served."""
        with Node(load_settings(self.home)) as node:
            standing_guidance(node)

    def add_people(self, people: People) -> None:
        for who, hq, role in people:
            out = ok("user", "add", "--name", who, "--hq", hq, "--role", role, home=self.home)
            token = out.strip().splitlines()[-1].strip()
            assert token.startswith("alc_"), out
            self.tokens[who] = token

    def start(self, log: Path) -> None:
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            [ALLIANCE, "serve", "--home", str(self.home), "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=_env(),
            start_new_session=True,
        )
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}/api/v1", timeout=20)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc is not None
            assert self.proc.poll() is None, f"{self.nation} alliance serve exited"
            try:
                if self.api.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.nation} node did not come up")

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self.log is not None:
            self.log.close()

    def link(self, who: str) -> dict[str, Any]:
        """This node's only federation link, as ``GET /federation/status`` shows it."""
        (only,) = json_of(self.api.get("/federation/status", headers=self.as_(who)))
        assert isinstance(only, dict)
        return only


@contextmanager
def serving(sites: Sequence[Site], log: Path) -> Iterator[None]:
    """Run ``alliance serve`` for every site; stop them all after, cleanly.

    On a failure inside, the end of the servers' log is printed."""
    try:
        for site in sites:
            site.start(log)
        for site in sites:
            site.wait_ready()
        yield
    except BaseException:
        for site in sites:
            site.stop()
        print(log.read_text(errors="replace")[-5000:])
        raise
    for site in sites:
        site.stop()
    for site in sites:
        assert site.proc is not None
        assert site.proc.returncode == 0, log.read_text()[-3000:]  # a clean stop


def poll(fetch: Callable[[], T | None], what: str, timeout: float = ARRIVAL_S) -> T:
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if got is not None:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def strip(value: Any, drop: frozenset[str] = frozenset({"origin"})) -> Any:
    """The value without node-local fields, at any depth."""
    if isinstance(value, dict):
        return {k: strip(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [strip(v, drop) for v in value]
    return value


def ledger(url: str) -> list[tuple[str, str, str, str]]:
    """(kind, object_type, object_id, owner) of every event, in order."""
    db = Database(url, pool_size=1)
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT kind, object_type, object_id, owner FROM ledger ORDER BY seq")
            ).all()
    finally:
        db.dispose()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def database_holds(url: str, marker: str) -> list[str]:
    """The tables of the database at ``url`` in which some value contains ``marker``."""
    needle = marker.encode()
    found: list[str] = []
    db = Database(url, pool_size=1)
    try:
        meta = MetaData()
        meta.reflect(db.engine)
        with db.engine.connect() as conn:
            for table in meta.sorted_tables:
                for row in conn.execute(select(table)):
                    if any(needle in _bytes(v) for v in row):
                        found.append(table.name)
                        break
    finally:
        db.dispose()
    return found


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()
