"""A served TAK endpoint on a combined JPN+USA node, and raw CoT clients for it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alliance.cop.cot import CotEvent, StreamDecoder
from alliance.cop.tak import TakServer, TakSettings
from alliance.node import Node
from alliance.pki import Pki, write_client_files
from tests.conftest import NodeFactory, People, add_people


@dataclass
class Tak:
    node: Node
    server: TakServer
    people: People
    clients: list[Client]

    @property
    def port(self) -> int:
        return self.server.tcp_port

    def token(self, nation: str, role: str, hq: str) -> str:
        return self.people.tokens[f"{nation} {role} {hq}"]

    def client(self, nation: str | None, token: str | None = None) -> Client:
        """A connected client acting for ``nation``'s staff officer (or with ``token``)."""
        if nation is not None:
            token = self.token(nation, "staff_officer", HQ[nation])
        c = Client(self.port, token)
        self.clients.append(c)
        return c


HQ = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}


@pytest.fixture
def tak(make_node: NodeFactory) -> Iterator[Tak]:
    node = make_node("JPN", hosted=["USA"], seed=True)
    people = add_people(node)
    server = TakServer(
        node.cop,
        TakSettings(tcp_port=0, release_to=(), recheck_seconds=0.3),
        authenticate=node.users.authenticate,
        still_allowed=node.user_enabled,
    )
    server.start()
    t = Tak(node, server, people, [])
    yield t
    for c in t.clients:
        c.close()
    server.stop()


def auth(token: str) -> bytes:
    return f'<auth><cot username="test" password="{token}" uid="test"/></auth>'.encode()


class Client:
    """A bare TCP CoT client: what ATAK does on the wire, nothing more."""

    def __init__(self, port: int, token: str | None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.decoder = StreamDecoder(max_bytes=1 << 20)
        self.events: list[CotEvent] = []
        if token is not None:
            self.sock.sendall(auth(token))

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_until(self, predicate: object, timeout: float = 5.0) -> list[CotEvent]:
        """Read until an event satisfies ``predicate`` (a callable) or the time is up."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.2)
        while time.monotonic() < deadline:
            if any(predicate(e) for e in self.events):  # type: ignore[operator]
                break
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            self.events.extend(self.decoder.feed(chunk))
        return self.events

    def closed_by_server(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                if self.sock.recv(65536) == b"":
                    return True
            except TimeoutError:
                continue
            except OSError:
                return True
        return False

    def close(self) -> None:
        self.sock.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class TakNode:
    """A combined JPN+USA node serving TAK on TCP and TLS as configured, with
    client certificates issued for the JPN and USA staff officers."""

    node: Node
    server: TakServer
    people: People
    certs: dict[str, dict[str, Path]]

    def token(self, nation: str) -> str:
        return self.people.tokens[f"{nation} staff_officer {HQ[nation]}"]


@pytest.fixture
def tak_node(make_node: NodeFactory, tmp_path: Path) -> Iterator[TakNode]:
    node = make_node("JPN", hosted=["USA"], seed=True)
    people = add_people(node)
    Pki.init(node.settings.home, "JPN", node.node_id, [])
    node.settings.tak_tcp_port = free_port()
    node.settings.tak_tls_port = free_port()
    server = node.serve_tak()
    assert server is not None
    pki = Pki.load(node.settings.home)
    certs: dict[str, dict[str, Path]] = {}
    for nation in ("JPN", "USA"):
        actor = node.users.authenticate(people.tokens[f"{nation} staff_officer {HQ[nation]}"])
        out = tmp_path / f"certs-{nation}"
        write_client_files(pki, actor.user_id, actor.name, out, "test-pass")
        certs[nation] = {
            "cert": out / f"{actor.user_id}.pem",
            "key": out / f"{actor.user_id}.key",
            "p12": out / f"{actor.user_id}.p12",
            "ca": out / "ca.pem",
        }
    yield TakNode(node, server, people, certs)
    server.stop()
    node.tak = None
