"""GET /api/v1/stream: one live stream per signed-in user of what was committed
and is released to the user's nation — local decisions and partners' replicas —
read over a real socket from a real node server (every node on each backend)."""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from alliance.acm import RequestIn, RequestKind
from alliance.core.authority import Actor
from alliance.core.models import MarkingIn
from alliance.node import Node
from tests.conftest import LiveServer, NodeFactory, add_people
from tests.federation.helpers import served_pair, wait_drained

from .conftest import ServeFn

Change = dict[str, Any]


class Stream:
    """An open /stream, read in a thread: each SSE event as (event, data)."""

    def __init__(self, client: httpx.Client, headers: dict[str, str]) -> None:
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.seen: list[tuple[str, dict[str, Any]]] = []
        self._client = client
        self._headers = headers
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self.status: int | None = None
        self._opened = threading.Event()

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/stream", headers=self._headers) as response:
                self.status = response.status_code
                self._opened.set()
                kind, data = "message", ""
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "" and data:
                        self.events.put((kind, json.loads(data)))
                        kind, data = "message", ""
        except httpx.HTTPError:
            pass
        finally:
            self._opened.set()
            self.events.put(("eof", {}))

    def open(self) -> Stream:
        self._thread.start()
        assert self._opened.wait(20)
        hello = self.next("hello")
        assert hello["nation"]
        return self

    def next(self, kind: str, timeout: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind} event within {timeout} s; saw {self.seen[-5:]}"
            try:
                got = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(got)
            if got[0] == kind:
                return got[1]
            assert got[0] != "eof", f"stream ended waiting for {kind}"

    def change(self, match: Callable[[Change], bool], timeout: float = 20) -> Change:
        while True:
            got = self.next("change", timeout)
            if match(got):
                return got

    def drain(self, quiet: float = 1.0) -> list[Change]:
        """The changes that arrive until the stream is quiet for ``quiet`` seconds."""
        out: list[Change] = []
        while True:
            try:
                kind, data = self.events.get(timeout=quiet)
            except queue.Empty:
                return out
            self.seen.append((kind, data))
            if kind == "change":
                out.append(data)

    def close(self) -> None:
        self._stop.set()


@contextmanager
def streaming(client: httpx.Client, headers: dict[str, str]) -> Iterator[Stream]:
    # A client of its own: the stream holds its connection open.
    own = httpx.Client(base_url=str(client.base_url), timeout=httpx.Timeout(30, read=60))
    stream = Stream(own, headers).open()
    try:
        yield stream
    finally:
        stream.close()
        own.close()


def _actors(node: Node) -> tuple[dict[str, Actor], dict[str, dict[str, str]]]:
    people = add_people(node)
    actors = {k: node.users.authenticate(t) for k, t in people.tokens.items()}
    headers = {k: {"Authorization": f"Bearer {t}"} for k, t in people.tokens.items()}
    return actors, headers


def _request(
    node: Node, actor: Actor, to_hq: str, rel: list[str], subject: str, *, send: bool = True
) -> str:
    req = node.acm.create_request(
        actor,
        RequestIn(
            kind=RequestKind.ACTIVITY,
            from_hq_id=actor.hq_id,
            to_hq_ids=[to_hq],
            subject=subject,
            marking=MarkingIn(releasable_to=rel),
        ),
    )
    if send:
        node.acm.send(actor, req.id)
    return req.id


def test_a_subscriber_gets_a_local_commit_and_a_partners_replica(
    make_node: NodeFactory, serve: ServeFn
) -> None:
    jpn, usa = served_pair(make_node)
    j, _ = _actors(jpn)
    u, u_headers = _actors(usa)
    client = serve(usa)
    staff = "USA staff_officer usa-jfhq"
    with streaming(client, u_headers[staff]) as stream:
        # A local commit: the USA commander drafts a request.
        local = _request(usa, u["USA commander usa-jfhq"], "jpn-jjoc", ["JPN"], "Local", send=False)
        got = stream.change(lambda c: c["id"] == local)
        assert got["type"] == "coordination_request"
        assert (got["owner"], got["kind"], got["change"], got["replica"]) == (
            "USA",
            "acm.request.created",
            "created",
            False,
        )
        # A replica: JPN sends a request to the US JFHQ; federation applies it here.
        theirs = _request(jpn, j["JPN commander jpn-jjoc"], "usa-jfhq", ["USA"], "From JPN")
        wait_drained(jpn, [usa], timeout=30)
        got = stream.change(lambda c: c["id"] == theirs and c["kind"] == "acm.request.sent")
        assert (got["owner"], got["replica"], got["type"]) == ("JPN", True, "coordination_request")
        # Enough to refetch, and what it names is readable by the subscriber.
        shown = client.get(f"/acm/requests/{theirs}", headers=u_headers[staff])
        assert shown.status_code == 200, shown.text
        assert shown.json()["request"]["subject"] == "From JPN"


def test_a_nation_never_receives_an_event_for_an_object_not_released_to_it(
    combined: Node, serve: ServeFn
) -> None:
    """Property-style: requests of both nations, in a random order, each left a
    draft (national-only: staff work stays at home) or sent to the ally (released
    to it); each nation's stream names exactly the objects its nation may read,
    checked against the API itself."""
    actors, headers = _actors(combined)
    client = serve(combined)
    authors = {"JPN": actors["JPN commander jpn-jjoc"], "USA": actors["USA commander usa-jfhq"]}
    ally_hq = {"JPN": "usa-jfhq", "USA": "jpn-jjoc"}
    viewers = {"JPN": "JPN viewer jpn-jjoc", "USA": "USA viewer usa-jfhq"}
    rng = random.Random(12)
    with (
        streaming(client, headers[viewers["JPN"]]) as jpn_stream,
        streaming(client, headers[viewers["USA"]]) as usa_stream,
    ):
        made: dict[str, tuple[str, frozenset[str]]] = {}  # id -> (owner, nations released to)
        for n in range(16):
            owner = rng.choice(["JPN", "USA"])
            ally = "USA" if owner == "JPN" else "JPN"
            send = rng.random() < 0.5
            rid = _request(
                combined, authors[owner], ally_hq[owner], [ally], f"Request {n}", send=send
            )
            made[rid] = (owner, frozenset({owner, ally} if send else {owner}))
        assert {len(ns) for _o, ns in made.values()} == {1, 2}
        for nation, stream in (("JPN", jpn_stream), ("USA", usa_stream)):
            changes = stream.drain()
            named = {c["id"] for c in changes if c["type"] == "coordination_request"}
            released = {rid for rid, (_o, ns) in made.items() if nation in ns}
            assert named == released, nation
            # The API agrees: each object named can be read, none other can.
            for rid in made:
                status = client.get(f"/acm/requests/{rid}", headers=headers[viewers[nation]])
                assert (status.status_code == 200) == (rid in named), (nation, rid)
            # ... and so does the ledger API: no event beyond what it releases.
            ledger = client.get(
                "/ledger/events", params={"limit": 1000}, headers=headers[viewers[nation]]
            )
            assert {c["seq"] for c in changes} <= {e["seq"] for e in ledger.json()}


def test_a_stream_is_refused_without_a_valid_token(combined: Node, serve: ServeFn) -> None:
    client = serve(combined)
    missing = client.get("/stream")
    assert missing.status_code == 401
    assert "send your API token" in missing.json()["message"]["en"]
    assert missing.json()["message"]["ja"]
    wrong = client.get("/stream", headers={"Authorization": "Bearer alc_nope"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "bad_token"


def test_a_disabled_users_stream_closes(combined: Node, serve: ServeFn) -> None:
    actors, headers = _actors(combined)
    client = serve(combined)
    staff = "USA staff_officer usa-jfhq"
    with streaming(client, headers[staff]) as stream:
        combined.users.disable(actors[staff].user_id)
        assert stream.next("closed") == {"reason": "disabled"}
        stream.next("eof")
    assert client.get("/stream", headers=headers[staff]).status_code == 401


def test_a_slow_subscriber_is_dropped_and_the_writer_goes_on(combined: Node) -> None:
    actors, _ = _actors(combined)
    sub = combined.live.subscribe("JPN", "slow-reader", lambda: None, limit=1)
    author = actors["JPN commander jpn-jjoc"]
    first = _request(combined, author, "usa-jfhq", ["USA"], "One", send=False)
    second = _request(combined, author, "usa-jfhq", ["USA"], "Two", send=False)
    # The fan-out runs on the writer's thread just after the commit is acknowledged.
    deadline = time.monotonic() + 10
    while sub.closed is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sub.closed == "slow"
    assert combined.live.dropped == 1
    assert sub.take() == []
    assert {first, second} <= {r.id for r in combined.acm.list_requests(author)}


def test_an_idle_stream_sends_heartbeats(combined: Node) -> None:
    _, headers = _actors(combined)
    live = LiveServer(combined).start()
    try:
        app = live.server.config.app
        assert isinstance(app, FastAPI)
        app.state.stream_heartbeat = 0.3
        client = httpx.Client(base_url=live.url + "/api/v1", timeout=30)
        with streaming(client, headers["JPN viewer jpn-jjoc"]) as stream:
            for _ in range(3):
                assert stream.next("heartbeat", timeout=5) == {}
        client.close()
    finally:
        live.stop()


def test_a_server_stops_at_once_with_a_stream_open_and_tells_the_reader(combined: Node) -> None:
    """Ctrl-C on ``alliance serve`` while a console is open: the stream says why
    it ends and the server stops, instead of waiting for the next heartbeat."""
    _, headers = _actors(combined)
    live = LiveServer(combined).start()
    app = live.server.config.app
    assert isinstance(app, FastAPI)
    app.state.stream_heartbeat = 600.0  # no heartbeat could end this stream
    client = httpx.Client(base_url=live.url + "/api/v1", timeout=30)
    try:
        with streaming(client, headers["JPN viewer jpn-jjoc"]) as stream:
            live.stop()
            assert not live.thread.is_alive(), "the server is still waiting for the stream"
            assert stream.next("closed", timeout=5) == {"reason": "stopped"}
    finally:
        client.close()
        live.stop()


def test_a_partners_withdrawal_reaches_the_nation_that_held_the_object(
    make_node: NodeFactory, serve: ServeFn
) -> None:
    """JPN narrows an HQ it had released to the USA back to national-only: the
    USA node withdraws its replica, and a USA reader's stream says so (the
    console drops it instead of showing it until a reload), naming nothing but
    the object the reader already had."""
    jpn, usa = served_pair(make_node)
    _, j_headers = _actors(jpn)
    _, u_headers = _actors(usa)
    at_jpn, at_usa = serve(jpn), serve(usa)
    staff, viewer = j_headers["JPN staff_officer jpn-jjoc"], u_headers["USA viewer usa-jfhq"]
    hq = {
        "id": "jpn-cell-w",
        "nation": "JPN",
        "parent_id": "jpn-jjoc",
        "kind": "component",
        "name_en": "JPN Cell W (exercise)",
        "name_ja": "JPN W班（演習）",
        "short_en": "Cell W",
        "short_ja": "W班",
        "marking": {"releasable_to": ["USA"]},
    }
    made = at_jpn.post("/org/hqs", json=hq, headers=staff)
    assert made.status_code == 201, made.text
    wait_drained(jpn, [usa], timeout=30)
    assert at_usa.get("/org/hqs/jpn-cell-w", headers=viewer).status_code == 200
    with streaming(at_usa, viewer) as stream:
        narrowed = at_jpn.patch(
            "/org/hqs/jpn-cell-w",
            json={"marking": {"releasable_to": []}, "version": made.json()["version"]},
            headers=staff,
        )
        assert narrowed.status_code == 200, narrowed.text
        wait_drained(jpn, [usa], timeout=30)
        got = stream.change(lambda c: c["id"] == "jpn-cell-w" and c["change"] == "withdrawn")
        assert (got["owner"], got["replica"], got["type"]) == ("JPN", True, "hq")
    assert at_usa.get("/org/hqs/jpn-cell-w", headers=viewer).status_code == 404
