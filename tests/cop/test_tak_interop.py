"""Interop with the field's own TAK client library, pytak: TCP and mutual TLS.

pytak is what Python TAK gateways are built on; these tests drive our server
through pytak's own connection code (``protocol_factory``, its TLS context
from PEM and PKCS#12 files) and its TX/RX workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable
from configparser import ConfigParser, SectionProxy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytak
import pytest

from alliance.cop.cot import CotEvent, parse_xml, to_xml
from alliance.node import Node

from .conftest import TakNode, auth

NOW = datetime.now(UTC)

# pytak sets the deprecated OP_NO_TLSv1 options on its TLS context (its code, not ours).
pytestmark = pytest.mark.filterwarnings("ignore:ssl.OP_NO_SSL:DeprecationWarning")


def _cot(uid: str, *, rel: str | None = None) -> bytes:
    extra = {"releasable_to": rel} if rel is not None else {}
    ev = CotEvent(
        uid=uid,
        type="a-f-S-C-L",
        time=NOW,
        start=NOW,
        stale=NOW + timedelta(minutes=10),
        lat=34.2,
        lon=132.5,
        callsign=uid,
        extra=extra,
    )
    return to_xml(ev)


def _ping() -> bytes:
    return to_xml(
        CotEvent(
            uid="ping",
            type="t-x-c-t",
            time=NOW,
            start=NOW,
            stale=NOW + timedelta(seconds=20),
            lat=0.0,
            lon=0.0,
        )
    )


def _config(url: str, **extra: str) -> SectionProxy:
    parser = ConfigParser(interpolation=None)
    parser["client"] = {"COT_URL": url, "TAK_PROTO": "0", **extra}
    return parser["client"]


def _tls_config(t: TakNode, nation: str, *, p12: bool = False) -> SectionProxy:
    files = t.certs[nation]
    client = (
        {"PYTAK_TLS_CLIENT_CERT": str(files["p12"]), "PYTAK_TLS_CLIENT_PASSWORD": "test-pass"}
        if p12
        else {
            "PYTAK_TLS_CLIENT_CERT": str(files["cert"]),
            "PYTAK_TLS_CLIENT_KEY": str(files["key"]),
        }
    )
    return _config(
        f"tls://127.0.0.1:{t.server.tls_port}",
        PYTAK_TLS_CLIENT_CAFILE=str(files["ca"]),
        PYTAK_TLS_SERVER_EXPECTED_HOSTNAME="127.0.0.1",
        **client,
    )


class _Rx(pytak.RXWorker):  # type: ignore[misc]
    async def handle_data(self, data: bytes) -> None:
        await self.queue.put(data)


class PytakClient:
    """One pytak connection: its TX worker sends, its RX worker reads whole events."""

    def __init__(self, config: SectionProxy) -> None:
        self.config = config
        self.events: list[CotEvent] = []
        self.drained = b""  # what the server sent while closed_within waited

    async def __aenter__(self) -> PytakClient:
        self.reader, self.writer = await pytak.protocol_factory(self.config)
        self.tx = pytak.TXWorker(asyncio.Queue(), self.config, self.writer)
        self.rx = _Rx(asyncio.Queue(), self.config, self.reader)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await self.writer.wait_closed()

    async def send(self, data: bytes) -> None:
        await self.tx.send_data(data)

    async def read_until(
        self, predicate: Callable[[CotEvent], bool], timeout: float = 5.0
    ) -> list[CotEvent]:
        async def loop() -> None:
            while not any(predicate(e) for e in self.events):
                raw = await self.rx.readcot()
                if not raw:
                    return
                self.events.append(parse_xml(raw.strip()))

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loop(), timeout)
        return self.events

    async def closed_within(self, timeout: float) -> float | None:
        """Seconds until the server closed the connection (None: still open after
        ``timeout``); what it sent meanwhile is kept in ``drained``."""
        started = time.monotonic()

        async def drain() -> None:
            while chunk := await self.reader.read(65536):
                self.drained += chunk

        try:
            await asyncio.wait_for(drain(), timeout)
        except TimeoutError:
            return None
        except (ConnectionError, ssl.SSLError):
            pass
        return time.monotonic() - started


def _tracks(events: list[CotEvent]) -> list[str]:
    """The uids of the track events a client was sent, in order (no control messages)."""
    return [e.uid for e in events if not e.type.startswith("t-")]


def test_pytak_over_tcp_with_token_sign_in(tak_node: TakNode) -> None:
    """TAK's input authentication message goes out first, through pytak's TX worker."""

    async def scenario() -> None:
        url = f"tcp://127.0.0.1:{tak_node.server.tcp_port}"
        async with PytakClient(_config(url)) as usa, PytakClient(_config(url)) as jpn:
            await usa.send(auth(tak_node.token("USA")))
            await jpn.send(auth(tak_node.token("JPN")))
            await usa.read_until(lambda e: e.type == "t-x-takp-v")
            await jpn.read_until(lambda e: e.type == "t-x-takp-v")
            await jpn.send(_cot("JPN-EX-DD91", rel="USA") + _cot("JPN-EX-DD92"))
            await jpn.send(_cot("JPN-EX-DD93", rel="USA"))
            got = await usa.read_until(lambda e: e.uid == "JPN-EX-DD93")
            assert _tracks(got) == ["JPN-EX-DD91", "JPN-EX-DD93"]

    asyncio.run(scenario())
    national = tak_node.node.cop.hub.get("JPN-EX-DD92", "JPN")
    assert national is not None
    assert (national.owner, national.marking.nations) == ("JPN", ["JPN"])


@pytest.mark.parametrize("p12", [False, True], ids=["pem", "pkcs12"])
def test_pytak_over_mutual_tls_each_nation_gets_what_is_released(
    tak_node: TakNode, p12: bool
) -> None:
    async def scenario() -> None:
        async with (
            PytakClient(_tls_config(tak_node, "JPN", p12=p12)) as jpn,
            PytakClient(_tls_config(tak_node, "USA", p12=p12)) as usa,
        ):
            await jpn.read_until(lambda e: e.type == "t-x-takp-v")
            await usa.read_until(lambda e: e.type == "t-x-takp-v")
            # National-only reports first, each followed by a released one: the
            # released one is the barrier (anything wrongly sent arrives before it).
            await usa.send(_cot("USA-NATIONAL") + _cot("USA-EX-DDG46", rel="JPN"))
            await jpn.send(_cot("JPN-EX-DD91") + _cot("JPN-EX-DD92", rel="USA"))
            jpn_got = await jpn.read_until(lambda e: e.uid == "USA-EX-DDG46")
            usa_got = await usa.read_until(lambda e: e.uid == "JPN-EX-DD92")
            assert _tracks(jpn_got) == ["USA-EX-DDG46"]
            assert _tracks(usa_got) == ["JPN-EX-DD92"]
            carried = next(e for e in usa_got if e.uid == "JPN-EX-DD92")
            assert carried.extra["owner"] == "JPN"

    asyncio.run(scenario())
    hub = tak_node.node.cop.hub
    # The certificate, not the event, decides the owner.
    usa_track = hub.get("USA-EX-DDG46", "USA")
    assert usa_track is not None
    assert (usa_track.owner, usa_track.marking.nations) == ("USA", ["JPN", "USA"])
    assert hub.get("USA-NATIONAL", "JPN") is None
    national = hub.get("USA-NATIONAL", "USA")
    assert national is not None
    assert (national.owner, national.marking.nations) == ("USA", ["USA"])


async def _refused(config: SectionProxy) -> bytes:
    """Connect and wait for the server to end the connection: in the TLS handshake,
    or right after it, before anything is sent (a silent open connection fails)."""
    try:
        async with PytakClient(config) as client:
            closed = await client.closed_within(5.0)
            assert closed is not None, "the server kept the connection open"
            return client.drained
    except (ssl.SSLError, ConnectionError):
        return b""  # refused inside the handshake


def test_tls_refuses_a_certificate_from_another_ca(tak_node: TakNode, tmp_path: Path) -> None:
    from alliance.pki import Pki, write_client_files

    other = tmp_path / "other"
    Pki.init(other, "JPN", "rogue-node", [])
    actor = tak_node.node.users.authenticate(tak_node.token("JPN"))
    write_client_files(Pki.load(other), actor.user_id, actor.name, other / "c", "x")
    config = _tls_config(tak_node, "JPN")
    config["PYTAK_TLS_CLIENT_CERT"] = str(other / "c" / f"{actor.user_id}.pem")
    config["PYTAK_TLS_CLIENT_KEY"] = str(other / "c" / f"{actor.user_id}.key")

    assert asyncio.run(_refused(config)) == b""


def test_tls_refuses_a_disabled_user(tak_node: TakNode) -> None:
    actor = tak_node.node.users.authenticate(tak_node.token("USA"))
    tak_node.node.users.disable(actor.user_id)

    assert asyncio.run(_refused(_tls_config(tak_node, "USA"))) == b""


def test_a_user_disabled_through_the_api_loses_the_tls_connection_at_once(
    tak_node: TakNode, serve: Callable[[Node], httpx.Client]
) -> None:
    """Not at the next periodic recheck (15 s): the node closes the disabled
    user's open connections when the disable commits; the certificate, still
    valid as a certificate, signs nobody in afterwards."""
    api = serve(tak_node.node)
    admin = {"Authorization": f"Bearer {tak_node.people.tokens['USA admin usa-jfhq']}"}
    user_id = tak_node.node.users.authenticate(tak_node.token("USA")).user_id

    async def scenario() -> float | None:
        async with (
            PytakClient(_tls_config(tak_node, "USA", p12=True)) as usa,
            PytakClient(_tls_config(tak_node, "JPN", p12=True)) as jpn,
        ):
            await usa.read_until(lambda e: e.type == "t-x-takp-v")
            await jpn.read_until(lambda e: e.type == "t-x-takp-v")
            assert any(e.type == "t-x-takp-v" for e in usa.events)
            started = time.monotonic()
            response = await asyncio.to_thread(api.post, f"/users/{user_id}/disable", headers=admin)
            assert response.status_code == 200, response.text
            assert response.json()["disabled"] is True
            # Well before the 15 s recheck; not a speed bound (a loaded
            # machine took 1.6 s once, the API call included).
            closed = await usa.closed_within(5.0)
            took = None if closed is None else time.monotonic() - started
            # The other user's connection is untouched.
            await jpn.send(_ping())
            await jpn.read_until(lambda e: e.type == "t-x-c-t-r")
            assert any(e.type == "t-x-c-t-r" for e in jpn.events)
        return took

    took = asyncio.run(scenario())
    assert took is not None, "the disabled user's TAK connection stayed open for 5 s"
    assert asyncio.run(_refused(_tls_config(tak_node, "USA", p12=True))) == b""
