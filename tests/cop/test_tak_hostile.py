"""Hostile TAK input closes only its own connection; everyone else carries on.

For each attack, a JPN sender keeps reporting to a USA watcher before and
after; the attacker's connection is closed by the server, nothing it sent is
stored, and what was stored before is still there (in memory and on disk).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from alliance.cop.cot import CotEvent, to_proto_frame, to_xml
from alliance.cop.tak import TakServer, TakSettings
from alliance.core.authority import Actor
from alliance.node import Node
from alliance.pki import Pki, client_user_id, tak_server_context
from tests.conftest import NodeFactory, People, add_people

from .conftest import HQ, Client, Tak, auth

NOW = datetime.now(UTC)


def _tracks(events: list[CotEvent]) -> list[str]:
    """The uids of the track events a client was sent, in order (no control messages)."""
    return [e.uid for e in events if not e.type.startswith("t-")]


def _gone(tak: Tak, count: int) -> None:
    """Wait until the server holds ``count`` connections: the others' ends are handled."""
    deadline = time.monotonic() + 10
    while len(tak.server.connections) != count:
        assert time.monotonic() < deadline, f"{len(tak.server.connections)} connections open"
        time.sleep(0.01)


def _cot(uid: str, *, rel: str = "USA") -> bytes:
    ev = CotEvent(
        uid=uid,
        type="a-f-A-M-F",
        time=NOW,
        start=NOW,
        stale=NOW + timedelta(minutes=10),
        lat=26.2,
        lon=127.7,
        callsign=uid,
        extra={"releasable_to": rel},
    )
    return to_xml(ev)


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<event version="2.0" uid="BOMB" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z"
 start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">
<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><contact callsign="&lol4;"/></detail></event>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE event [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<event version="2.0" uid="XXE" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z"
 start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">
<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><contact callsign="&xxe;"/></detail></event>"""

HUGE = (
    b'<event version="2.0" uid="HUGE" type="a-f-G" how="m-g" time="2026-01-01T00:00:00Z" '
    b'start="2026-01-01T00:00:00Z" stale="2030-01-01T00:00:00Z">'
    b'<point lat="0" lon="0" hae="0" ce="0" le="0"/><detail><remarks>'
    + b"A" * (10 * 1024 * 1024)
    + b"</remarks></detail></event>"
)

ATTACKS = {
    "entity-bomb": ENTITY_BOMB,
    "external-entity": EXTERNAL_ENTITY,
    "10-MB-event": HUGE,
    "garbage": bytes(range(1, 256)) * 64,
    "bad-XML": b'<event uid="BAD" type="a-f-G"><point lat="x"/></event>',
    "proto-frame-announcing-1-GB": b"\xbf" + bytes([0x80, 0x80, 0x80, 0x80, 0x04]) + b"\x00" * 16,
    "proto-frame-not-protobuf": b"\xbf\x10" + b"\xff" * 16,
}


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_hostile_stream_closes_only_its_connection(
    tak: Tak, attack: str, caplog: pytest.LogCaptureFixture
) -> None:
    jpn = tak.client("JPN")
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn.send(_cot("JPN-BEFORE"))
    usa.read_until(lambda e: e.uid == "JPN-BEFORE")

    hostile = tak.client("JPN")
    hostile.read_until(lambda e: e.type == "t-x-takp-v")
    with caplog.at_level(logging.INFO, logger="alliance.cop.tak"):
        # the server may close while a 10 MB event is still being sent
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            hostile.send(ATTACKS[attack])
        assert hostile.closed_by_server()
    assert any("closed" in r.getMessage() for r in caplog.records), "no logged reason"

    # Everyone else carries on: the sender's next report reaches the watcher.
    jpn.send(_cot("JPN-AFTER"))
    got = usa.read_until(lambda e: e.uid == "JPN-AFTER")
    assert _tracks(got) == ["JPN-BEFORE", "JPN-AFTER"]

    # Nothing of the attack is held, in memory or on disk.
    hub = tak.node.cop.hub
    assert {t.uid for t in hub.picture("JPN")} == {"JPN-BEFORE", "JPN-AFTER"}
    tak.node.cop.store.flush()
    assert {t.uid for t in tak.node.cop.store.load()} == {"JPN-BEFORE", "JPN-AFTER"}


def test_truncated_event_is_dropped_and_the_rest_kept(tak: Tak) -> None:
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    cut = tak.client("JPN")
    whole = _cot("JPN-WHOLE")
    half = _cot("JPN-HALF")
    cut.send(whole + half[: len(half) // 2])
    cut.close()  # the client goes away mid-event
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-WHOLE")) == ["JPN-WHOLE"]
    _gone(tak, 1)  # the server is done with the cut connection, its half event included
    # and a truncated TAK protocol frame likewise
    proto = tak.client("JPN")
    proto.read_until(lambda e: e.type == "t-x-takp-v")  # signed in: the server holds it
    frame = to_proto_frame(
        CotEvent(
            uid="JPN-PROTO-HALF",
            type="a-f-G",
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(minutes=5),
            lat=1.0,
            lon=2.0,
        )
    )
    proto.send(frame[:-5])
    proto.close()
    _gone(tak, 1)
    # A report made after both ends were handled is the barrier: had either half
    # been taken as an event, it would have reached USA before this one.
    other = tak.client("JPN")
    other.send(_cot("JPN-NEXT"))
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-NEXT")) == ["JPN-WHOLE", "JPN-NEXT"]
    assert {t.uid for t in tak.node.cop.hub.picture("JPN")} == {"JPN-WHOLE", "JPN-NEXT"}
    kept = tak.node.cop.hub.get("JPN-WHOLE", "USA")
    assert kept is not None
    assert (kept.owner, kept.lat, kept.lon) == ("JPN", 26.2, 127.7)


def test_a_report_no_track_can_hold_is_refused_and_the_connection_goes_on(tak: Tak) -> None:
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    # Well-formed CoT, but a time at the end of the calendar: its stale time cannot exist.
    jpn.send(
        b'<event version="2.0" uid="JPN-FAR" type="a-f-G" how="m-g" time="9999-12-31T23:59:59Z" '
        b'start="9999-12-31T23:59:59Z" stale="2000-01-01T00:00:00Z">'
        b'<point lat="1" lon="2" hae="0" ce="1" le="1"/><detail><alliance releasable_to="USA"/>'
        b"</detail></event>"
    )
    jpn.send(_cot("JPN-NEAR"))
    assert _tracks(usa.read_until(lambda e: e.uid == "JPN-NEAR")) == ["JPN-NEAR"]
    assert tak.node.cop.hub.get("JPN-FAR", "JPN") is None


def test_a_report_from_the_future_does_not_freeze_a_track(tak: Tak) -> None:
    """A client with a wrong clock: its report of 2099 is refused, so the true
    reports that follow still move the track."""
    usa = tak.client("USA")
    usa.read_until(lambda e: e.type == "t-x-takp-v")
    jpn = tak.client("JPN")
    future = _cot("JPN-CLOCK").replace(NOW.strftime("%Y-").encode(), b"2099-")
    jpn.send(future)
    jpn.send(_cot("JPN-CLOCK"))
    got = usa.read_until(lambda e: e.uid == "JPN-CLOCK")
    assert [(e.uid, e.time.year) for e in got if e.uid == "JPN-CLOCK"] == [("JPN-CLOCK", NOW.year)]
    track = tak.node.cop.hub.get("JPN-CLOCK", "USA")
    assert track is not None
    assert track.time.year == NOW.year
    assert [t.time.year for t in tak.node.cop.hub.history("JPN-CLOCK", "JPN")] == [NOW.year]


# -- sign-in limits ------------------------------------------------------------------

DEADLINE_S = 1.0  # the sign-in deadline of the limited server (the default is 10 s)
PER_ADDRESS = 3
OVERALL = 5


@dataclass
class Limited:
    """A TAK server (TCP and TLS) with a short sign-in deadline and small caps."""

    node: Node
    server: TakServer
    people: People
    pki: Pki
    sockets: list[socket.socket] = field(default_factory=list)

    def token(self, nation: str) -> str:
        return self.people.tokens[f"{nation} staff_officer {HQ[nation]}"]

    def raw(self, *, tls_port: bool = False, source: str = "127.0.0.1") -> socket.socket:
        """A bare TCP connection that says nothing (a TLS client that never
        sends its hello, or a TAK client that never signs in)."""
        port = self.server.tls_port if tls_port else self.server.tcp_port
        sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
        self.sockets.append(sock)
        return sock


@pytest.fixture
def limited(make_node: NodeFactory) -> Iterator[Limited]:
    node = make_node("JPN", hosted=["USA"], seed=True)
    people = add_people(node)
    pki = Pki.init(node.settings.home, "JPN", node.node_id, [])

    def identify(der: bytes) -> Actor | None:
        user_id = client_user_id(der, pki.users_ca)
        return node.users.actor_for_id(user_id) if user_id is not None else None

    server = TakServer(
        node.cop,
        TakSettings(
            tcp_port=0,
            tls_port=0,
            signin_seconds=DEADLINE_S,
            max_unauthenticated_per_address=PER_ADDRESS,
            max_unauthenticated=OVERALL,
        ),
        authenticate=node.users.authenticate,
        tls=tak_server_context(pki),
        identify=identify,
        still_allowed=node.user_enabled,
    )
    server.start()
    limits = Limited(node, server, people, pki)
    yield limits
    for sock in limits.sockets:
        sock.close()
    server.stop()


def _closed(sock: socket.socket, timeout: float) -> float | None:
    """Seconds until the server closed ``sock`` (None if it stayed open ``timeout``)."""
    started = time.monotonic()
    sock.settimeout(0.05)
    while time.monotonic() - started < timeout:
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - started
    return None


def _trickle(sock: socket.socket, data: bytes, every: float, limit: float) -> float | None:
    """Send ``data`` one byte every ``every`` seconds until the server closes the
    connection; seconds from the first byte to the close (None: open after ``limit``)."""
    started = time.monotonic()
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return time.monotonic() - started
        gone = _closed(sock, every)
        if gone is not None:
            return time.monotonic() - started
        if time.monotonic() - started > limit:
            return None
    return None


def _client_hello() -> bytes:
    """The first flight of a real TLS client: what a slow handshake trickles."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    hello = outgoing.read()
    assert hello[0] == 0x16  # a TLS handshake record
    return hello


def test_a_sign_in_trickled_byte_by_byte_is_cut_off_at_the_total_deadline(
    limited: Limited, caplog: pytest.LogCaptureFixture
) -> None:
    """1 byte every 0.3 s never trips a per-read timeout; the total deadline cuts it."""
    sock = limited.raw()
    with caplog.at_level(logging.WARNING, logger="alliance.cop.tak"):
        took = _trickle(sock, auth(limited.token("JPN")), every=0.3, limit=4 * DEADLINE_S)
    assert took is not None, "still connected after 4x the sign-in deadline"
    assert DEADLINE_S - 0.35 <= took <= DEADLINE_S + 1.0, took
    assert any("not signed in within 1.0 s" in r.getMessage() for r in caplog.records)
    # The same token, sent at once, signs in.
    fast = Client(limited.server.tcp_port, limited.token("JPN"))
    try:
        assert any(e.type == "t-x-takp-v" for e in fast.read_until(lambda e: True))
    finally:
        fast.close()


def test_a_tls_handshake_trickled_byte_by_byte_is_cut_off_at_the_deadline(
    limited: Limited,
) -> None:
    sock = limited.raw(tls_port=True)
    took = _trickle(sock, _client_hello(), every=0.3, limit=4 * DEADLINE_S)
    assert took is not None, "TLS handshake still pending after 4x the sign-in deadline"
    assert DEADLINE_S - 0.35 <= took <= DEADLINE_S + 1.0, took


def test_connections_beyond_the_per_address_cap_are_closed_at_once(
    limited: Limited, caplog: pytest.LogCaptureFixture
) -> None:
    usa = Client(limited.server.tcp_port, limited.token("USA"))
    jpn = Client(limited.server.tcp_port, limited.token("JPN"))
    try:
        usa.read_until(lambda e: e.type == "t-x-takp-v")
        jpn.read_until(lambda e: e.type == "t-x-takp-v")
        # Signed-in clients do not count; PER_ADDRESS silent ones (TLS handshakes
        # that never start count too) fill the address's share.
        silent = [limited.raw(), limited.raw(tls_port=True), limited.raw()]
        assert len(silent) == PER_ADDRESS
        time.sleep(0.1)  # accepted and counted
        with caplog.at_level(logging.WARNING, logger="alliance.cop.tak"):
            for tls_port in (True, False):
                extra = limited.raw(tls_port=tls_port)
                took = _closed(extra, 2.0)
                assert took is not None, f"still open (TLS port: {tls_port})"
                assert took < 0.5, (tls_port, took)
        assert sum("refused" in r.getMessage() for r in caplog.records) == 2
        # The signed-in clients carry on meanwhile …
        jpn.send(_cot("JPN-DURING-FLOOD"))
        got = usa.read_until(lambda e: e.uid == "JPN-DURING-FLOOD")
        assert _tracks(got) == ["JPN-DURING-FLOOD"]
        # … and once the silent ones reach the deadline, the address may sign in again.
        for sock in silent:
            took = _closed(sock, 3 * DEADLINE_S)
            assert took is not None
        late = Client(limited.server.tcp_port, limited.token("JPN"))
        try:
            assert any(e.type == "t-x-takp-v" for e in late.read_until(lambda e: True))
        finally:
            late.close()
    finally:
        usa.close()
        jpn.close()


def test_connections_beyond_the_overall_cap_are_closed_at_once(limited: Limited) -> None:
    usa = Client(limited.server.tcp_port, limited.token("USA"))
    try:
        usa.read_until(lambda e: e.type == "t-x-takp-v")
        sources = ["127.0.0.2"] * PER_ADDRESS + ["127.0.0.3"] * (OVERALL - PER_ADDRESS)
        held = [limited.raw(source=s, tls_port=i % 2 == 0) for i, s in enumerate(sources)]
        time.sleep(0.1)
        extra = limited.raw(source="127.0.0.4")
        took = _closed(extra, 2.0)
        assert took is not None, "still open"
        assert took < 0.5, took
        assert all(_closed(sock, 0.05) is None for sock in held)  # still within the deadline
        ping = CotEvent(
            uid="ping",
            type="t-x-c-t",
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(seconds=20),
            lat=0.0,
            lon=0.0,
        )
        usa.send(to_xml(ping))
        assert any(e.type == "t-x-c-t-r" for e in usa.read_until(lambda e: e.type == "t-x-c-t-r"))
    finally:
        usa.close()
