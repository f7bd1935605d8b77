"""Two real node processes federate over mutual TLS on 127.0.0.1.

Set up the way an operator does it, with the ``alliance`` command only: init
two nodes (JPN, USA, seeded), a national CA and node certificate each,
exchange partner bundles, add users, and run ``alliance serve`` for both.
Then, through the user API of each node:

* a JPN staff officer drafts and sends an ACM request to the US JFHQ,
  released to USA; it appears at the USA node;
* the US commander counter-proposes; JPN sees it, amends (revision 2); the US
  commander concurs; the JJOC commander concurs and records the decision;
  the USA node shows it in its decision log;
* the whole thread reads the same at both nodes (only ``origin`` differs),
  and each side's ledger holds the thread, each writing only its own part;
* a JPN-only unit never reaches the USA node: 404 there, and not a byte of
  it in the USA node's database;
* both ledgers verify (state included), and ``alliance federation status``
  shows every link drained and acknowledged, nothing quarantined.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
import pytest
from sqlalchemy import text

from alliance.store import Database

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ALLIANCE = str(Path(sys.executable).with_name("alliance"))
BUDGET_S = 60.0
ARRIVAL_S = 15.0  # how long anything may take to cross to the partner
T = TypeVar("T")


def _env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    return clean


def _cli(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ALLIANCE, *map(str, args), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=90,
        env=_env(),
        check=False,
    )


def _ok(*args: str | Path, home: Path) -> str:
    result = _cli(*args, home=home)
    assert result.returncode == 0, f"alliance {args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _api_port(taken: set[int]) -> int:
    """A free port P whose federation port P+10 is free too."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + 10 < 65536 and not {port, port + 10} & taken and _bindable(port + 10):
            taken |= {port, port + 10}
            return port
    raise AssertionError("no free port pair")


def _parallel(*jobs: Callable[[], None]) -> None:
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

    def setup(self, database_url: str | None) -> None:
        init = ["init", "--nation", self.nation]
        if database_url:
            init += ["--database-url", database_url]
        _ok(*init, home=self.home)
        _ok("pki", "init", home=self.home)
        _ok("pki", "export", "--url", self.fed_url, "-o", self.bundle, home=self.home)

    def join(self, partner: Site, people: list[tuple[str, str, str]]) -> None:
        out = _ok("federation", "add-partner", partner.bundle, home=self.home)
        assert "Partner added" in out, out
        for who, hq, role in people:
            out = _ok("user", "add", "--name", who, "--hq", hq, "--role", role, home=self.home)
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


def _poll(fetch: Callable[[], T | None], what: str, timeout: float = ARRIVAL_S) -> T:
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if got is not None:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def _json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _strip(value: Any, drop: frozenset[str] = frozenset({"origin"})) -> Any:
    """The value without node-local fields, at any depth."""
    if isinstance(value, dict):
        return {k: _strip(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_strip(v, drop) for v in value]
    return value


def _ledger(url: str) -> list[tuple[str, str, str, str]]:
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


def _db_url(home: Path) -> str:
    for line in (home / "alliance.toml").read_text().splitlines():
        if line.startswith("database_url"):
            return line.split("=", 1)[1].strip().strip('"')
    raise AssertionError("no database_url in alliance.toml")


JPN_PEOPLE = [
    ("JJOC J3 staff", "jpn-jjoc", "staff_officer"),
    ("JJOC commander", "jpn-jjoc", "commander"),
]
USA_PEOPLE = [("JFHQ commander", "usa-jfhq", "commander")]


def test_two_node_processes_coordinate_over_mutual_tls(tmp_path: Path, database_url: str) -> None:
    started = time.monotonic()
    taken: set[int] = set()
    jpn = Site("JPN", tmp_path / "jpn", _api_port(taken))
    usa = Site("USA", tmp_path / "usa", _api_port(taken))
    # JPN on the selected backend, USA on SQLite: nodes share nothing.
    _parallel(lambda: jpn.setup(database_url), lambda: usa.setup(None))
    _parallel(lambda: jpn.join(usa, JPN_PEOPLE), lambda: usa.join(jpn, USA_PEOPLE))
    setup_s = time.monotonic() - started

    log = tmp_path / "serve.log"
    try:
        for site in (jpn, usa):
            site.start(log)
        for site in (jpn, usa):
            site.wait_ready()
        _coordinate(jpn, usa)
    except BaseException:
        for site in (jpn, usa):
            site.stop()
        print(log.read_text(errors="replace")[-5000:])
        raise
    for site in (jpn, usa):
        site.stop()
    for site in (jpn, usa):
        assert site.proc is not None
        assert site.proc.returncode == 0, log.read_text()[-3000:]  # a clean stop

    # Each ledger verifies, tables included; each link is drained and acknowledged.
    statuses: dict[str, list[dict[str, Any]]] = {}

    def check_node(site: Site) -> None:
        out = _ok("ledger", "verify", home=site.home)
        assert "Ledger OK" in out, out
        assert "State OK" in out, out
        statuses[site.nation] = json.loads(_ok("federation", "status", "--json", home=site.home))

    _parallel(lambda: check_node(jpn), lambda: check_node(usa))
    for me, other in (("JPN", "USA"), ("USA", "JPN")):
        (mine,) = statuses[me]
        (theirs,) = statuses[other]
        assert mine["partner"] == other
        assert (mine["state"], mine["quarantined"]) == ("running", 0), mine
        assert mine["sent_seq"] == mine["acked_seq"] > 0, mine
        assert mine["received_seq"] == mine["partner_head_seq"] == theirs["sent_seq"], mine
        assert (mine["outbound_lag"], mine["inbound_lag"]) == (0, 0), mine

    elapsed = time.monotonic() - started
    print(f"setup {setup_s:.1f} s, total {elapsed:.1f} s")
    assert elapsed < BUDGET_S, f"took {elapsed:.1f} s (budget {BUDGET_S:.0f} s)"


def _coordinate(jpn: Site, usa: Site) -> None:
    staff, jcdr, ucdr = (
        jpn.as_("JJOC J3 staff"),
        jpn.as_("JJOC commander"),
        usa.as_("JFHQ commander"),
    )

    # A JPN-only unit, created first: it must never leave the JPN node.
    marker = f"JPN-ONLY-{uuid.uuid4().hex}"
    unit = _json(
        jpn.api.post(
            "/org/units",
            json={
                "hq_id": "jpn-gcc",
                "name_en": marker,
                "name_ja": f"{marker}（国内限り）",
                "sidc": "SFGPUCI----H---",
                "domain": "land",
            },
            headers=staff,
        ),
        201,
    )
    assert unit["marking"]["releasable_to"] == ["JPN"]

    draft = _json(
        jpn.api.post(
            "/acm/requests",
            json={
                "kind": "activity",
                "from_hq_id": "jpn-jjoc",
                "to_hq_ids": ["usa-jfhq"],
                "subject": "SAKURA SHIELD 26: bilateral air defense window (fictional)",
                "body": "Propose 1-14 Aug for the bilateral serial. / 8月1日〜14日を提案。",
                "priority": "priority",
                "due": "271200ZJUL26",
                "marking": {"releasable_to": ["USA"]},
            },
            headers=staff,
        ),
        201,
    )
    rid = draft["id"]
    _json(jpn.api.post(f"/acm/requests/{rid}/send", headers=staff))

    def at(site: Site, who: dict[str, str], check: Callable[[dict[str, Any]], bool]) -> Any:
        response = site.api.get(f"/acm/requests/{rid}", headers=who)
        if response.status_code == 404:
            return None
        thread = _json(response)
        return thread if check(thread) else None

    # It crosses to the USA node.
    # (The draft was released to USA too, so it may show up before it is sent.)
    thread = _poll(
        lambda: at(usa, ucdr, lambda t: t["request"]["status"] == "sent"), "the sent request at USA"
    )
    assert thread["request"]["origin"] == "replica"
    assert thread["request"]["owner"] == "JPN"

    # The US counter-proposal comes back.
    counter = _json(
        usa.api.post(
            f"/acm/requests/{rid}/responses",
            json={"kind": "counter_proposal", "text": "Propose 4-18 Aug instead."},
            headers=ucdr,
        ),
        201,
    )
    assert counter["owner"] == "USA"
    thread = _poll(
        lambda: at(jpn, staff, lambda t: t["request"]["status"] == "counter_proposed"),
        "the counter-proposal at JPN",
    )
    assert [r["id"] for r in thread["responses"]] == [counter["id"]]

    # JPN amends (a new revision); the US commander concurs on it.
    amended = _json(
        jpn.api.patch(
            f"/acm/requests/{rid}",
            json={"body": "Window 4-18 Aug as proposed.", "version": thread["request"]["version"]},
            headers=staff,
        )
    )
    assert amended["revision"] == 2
    _poll(lambda: at(usa, ucdr, lambda t: t["request"]["revision"] == 2), "revision 2 at USA")
    concur = _json(
        usa.api.post(
            f"/acm/requests/{rid}/responses",
            json={"kind": "concur", "text": "Concur."},
            headers=ucdr,
        ),
        201,
    )
    _poll(
        lambda: at(jpn, jcdr, lambda t: t["request"]["status"] == "concurred"),
        "the US concurrence at JPN",
    )

    # JPN concurs and records the bilateral decision; the USA decision log shows it.
    _json(
        jpn.api.post(f"/acm/requests/{rid}/responses", json={"kind": "concur"}, headers=jcdr), 201
    )
    decision = _json(
        jpn.api.post(
            f"/acm/requests/{rid}/decision",
            json={"summary": "Bilateral air defense serial 4-18 Aug (fictional)."},
            headers=jcdr,
        ),
        201,
    )
    logged = _poll(
        lambda: next(
            (
                d
                for d in _json(usa.api.get("/acm/decisions", headers=ucdr))
                if d["id"] == decision["id"]
            ),
            None,
        ),
        "the decision in the USA decision log",
    )
    assert {c["nation"] for c in logged["concurrences"]} == {"JPN", "USA"}
    assert concur["id"] in {c["response_id"] for c in logged["concurrences"]}
    _poll(lambda: at(usa, ucdr, lambda t: t["request"]["status"] == "decided"), "decided at USA")

    # The whole thread reads the same at both nodes.
    here = _json(jpn.api.get(f"/acm/requests/{rid}", headers=jcdr))
    there = _json(usa.api.get(f"/acm/requests/{rid}", headers=ucdr))
    assert len(here["responses"]) == 3
    assert _strip(here) == _strip(there)
    assert here["decision"]["id"] == decision["id"] == logged["id"]
    assert _strip(logged) == _strip(here["decision"])
    origins = {
        (r["owner"], r["origin"], rr["origin"])
        for r, rr in zip(here["responses"], there["responses"], strict=True)
    }
    assert origins == {("JPN", "local", "replica"), ("USA", "replica", "local")}

    # The JPN-only unit: 404 at USA.
    hidden = usa.api.get(f"/org/units/{unit['id']}", headers=ucdr)
    assert hidden.status_code == 404, hidden.text
    seen = jpn.api.get(f"/org/units/{unit['id']}", headers=jcdr)
    assert seen.status_code == 200, seen.text

    # Both links drain and are acknowledged before the nodes stop.
    def drained(site: Site, who: dict[str, str]) -> bool | None:
        (link,) = _json(site.api.get("/federation/status", headers=who))
        ok = (
            link["sent_seq"] == link["acked_seq"]
            and link["received_seq"] == link["partner_head_seq"]
            and link["state"] == "running"
        )
        return True if ok else None

    _poll(lambda: drained(jpn, jcdr), "the JPN link to drain")
    _poll(lambda: drained(usa, ucdr), "the USA link to drain")
    _ledgers_hold_the_thread(jpn, usa, rid, decision["id"], unit["id"], marker)


def _ledgers_hold_the_thread(
    jpn: Site, usa: Site, rid: str, decision_id: str, unit_id: str, marker: str
) -> None:
    """Each ledger shows the whole thread; each node wrote only its own part."""
    for site in (jpn, usa):
        events = _ledger(_db_url(site.home))
        about = [
            e
            for e in events
            if e[2] == rid or e[2] == decision_id or e[1] == "coordination_response"
        ]
        local = [e for e in about if not e[0].startswith("federation.")]
        received = [e for e in about if e[0].startswith("federation.replica.")]
        # What the node wrote itself is its own nation's; the rest came signed from the partner.
        assert local, about
        assert received, about
        assert {e[3] for e in local} == {site.nation}, local
        assert {e[3] for e in received} == {"USA" if site.nation == "JPN" else "JPN"}, received
        kinds = {e[0] for e in local}
        if site.nation == "JPN":
            assert {
                "acm.request.created",
                "acm.request.sent",
                "acm.request.amended",
                "acm.response.concur",
                "acm.decision.recorded",
                "acm.request.decided",
            } <= kinds
            assert {e[1] for e in received} == {"coordination_response"}
            assert any(e[2] == unit_id for e in events)
        else:
            assert kinds == {"acm.response.counter_proposal", "acm.response.concur"}
            assert {"coordination_request", "decision", "coordination_response"} == {
                e[1] for e in received
            }
            assert not any(e[2] == unit_id for e in events), "the JPN-only unit reached USA"
    # Not a byte of the JPN-only unit anywhere in the USA node's folder (SQLite).
    for path in usa.home.rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), f"{marker} found in {path}"
