"""A TAK server for ATAK, WinTAK and iTAK: CoT over TCP and mutual TLS.

Each connection acts for one user, hence one nation:

* over mutual TLS (the TAK port, 8089 by convention) the client certificate,
  issued by this node's national CA, names the user (CN = user id);
* over plain TCP (8087) the client first sends TAK's input authentication
  message ``<auth><cot username="…" password="<API token>"/></auth>``;
  nothing is read or sent before it.

A connection then receives the picture released to its nation and every
live update released to it (never its own reports back), and what it sends
becomes tracks owned by its nation. TAK protocol version 1 is negotiated as
TAK clients do (TAK protocol docs, "Protocol Version 1"): the server offers
``t-x-takp-v``, the client asks ``t-x-takp-q``, the server answers
``t-x-takp-r`` and both switch to protobuf stream frames. ``t-x-c-t`` pings
get a ``t-x-c-t-r`` pong.

Hostile input (entity bombs, external entities, oversized or truncated
events, garbage) closes that one connection with a logged reason; nothing
else is touched. A client too slow to take its updates is disconnected
rather than letting its queue grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from defusedxml.ElementTree import fromstring

from alliance.core.authority import Actor
from alliance.core.errors import AllianceError
from alliance.core.markings import Marking

from .cot import CotError, CotEvent, StreamDecoder, to_proto_frame, to_xml
from .desk import CopDesk
from .tracks import Track, track_from_cot

log = logging.getLogger(__name__)

AUTH_TIMEOUT = 10.0
MAX_AUTH_BYTES = 4096
QUEUE_LIMIT = 50_000
CONTROL_UID = "alliance-takp"


def _control(kind: str, detail: str) -> bytes:
    now = datetime.now(UTC)
    ev = CotEvent(
        uid=CONTROL_UID,
        type=kind,
        time=now,
        start=now,
        stale=now + timedelta(minutes=1),
        lat=0.0,
        lon=0.0,
    )
    return to_xml(ev).replace(b"<detail></detail>", f"<detail>{detail}</detail>".encode())


VERSION_OFFER = '<TakControl><TakProtocolSupport version="1"/></TakControl>'
VERSION_OK = '<TakControl><TakResponse status="true"/></TakControl>'


@dataclass
class TakSettings:
    host: str = "127.0.0.1"
    tcp_port: int | None = None  # None: no plain TCP listener; 0: any free port
    tls_port: int | None = None  # None: no TLS listener; 0: any free port
    release_to: tuple[str, ...] = ()  # default release of reports from TAK clients


_SWITCH = object()  # in a send queue: from here on, write TAK protocol v1 frames


Authenticate = Callable[[str], Actor]  # API token -> actor (raises if unknown)
IdentifyCert = Callable[[bytes], Actor | None]  # DER client certificate -> actor


class _Conn:
    def __init__(
        self,
        server: TakServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.peer = peer
        self.actor: Actor | None = None
        self.proto = False
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_LIMIT)
        self.decoder = StreamDecoder()
        self.loop = asyncio.get_running_loop()
        self.received = 0

    # -- output -------------------------------------------------------------

    def offer(self, track: Track) -> None:
        """Called from any thread by the hub."""
        self.loop.call_soon_threadsafe(self._put, track)

    def gone(self, track: Track) -> None:
        """A track this client was shown is withdrawn: send it once more, already
        stale, which is how a TAK client is told to drop it."""
        now = datetime.now(UTC)
        self.offer(replace(track, time=now, stale=now))

    def _put(self, item: Any) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("TAK client %s too slow (%d queued); disconnecting", self.peer, QUEUE_LIMIT)
            self.writer.close()

    def _encode(self, item: bytes | Track | CotEvent) -> bytes:
        if isinstance(item, bytes):
            return item
        ev = item.to_cot() if isinstance(item, Track) else item
        return to_proto_frame(ev) if self.proto else to_xml(ev) + b"\n"

    async def send_loop(self) -> None:
        """Encode at send time, so everything after the switch goes out as protobuf."""
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if item is _SWITCH:
                self.proto = True
                continue
            self.writer.write(self._encode(item))
            if self.queue.empty():
                await self.writer.drain()

    # -- input ------------------------------------------------------------------

    async def authenticate_tcp(self) -> tuple[Actor | None, bytes]:
        """Read TAK's ``<auth>`` message; return the actor and what followed it."""
        data = b""
        while b"</auth>" not in data:
            chunk = await asyncio.wait_for(self.reader.read(1024), AUTH_TIMEOUT)
            if not chunk or len(data) + len(chunk) > MAX_AUTH_BYTES:
                return None, b""
            data += chunk
        end = data.index(b"</auth>") + len(b"</auth>")
        start = data.find(b"<auth")
        if start < 0:
            return None, b""
        try:
            root = fromstring(
                data[start:end], forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
        except Exception:  # defusedxml refusals and malformed XML alike
            return None, b""
        cot = root.find("cot")
        token = cot.get("password", "") if cot is not None else ""
        try:
            return self.server.authenticate(token), data[end:]
        except AllianceError:
            return None, b""

    def handle(self, events: list[CotEvent]) -> None:
        assert self.actor is not None
        for ev in events:
            if ev.type == "t-x-c-t":
                now = datetime.now(UTC)
                self._put(
                    CotEvent(
                        uid="takPong",
                        type="t-x-c-t-r",
                        time=now,
                        start=now,
                        stale=now + timedelta(seconds=20),
                        lat=0.0,
                        lon=0.0,
                    )
                )
            elif ev.type == "t-x-takp-q":
                self._put(_control("t-x-takp-r", VERSION_OK))
                self._put(_SWITCH)
            elif ev.type.startswith("t-x"):
                continue  # other control messages: nothing to store
            else:
                self.ingest(ev)

    def ingest(self, ev: CotEvent) -> None:
        assert self.actor is not None
        actor = self.actor
        desk = self.server.desk
        default = Marking.of(actor.nation, self.server.settings.release_to)
        try:
            desk.check_owner(actor, ev.uid)
            track = track_from_cot(ev, owner=actor.nation, default=default, source="tak")
            desk.accept(track, origin=self)
        except (AllianceError, PermissionError) as exc:
            log.info("TAK report %s from %s refused: %s", ev.uid, self.peer, exc)
            return
        self.received += 1

    async def read_loop(self) -> None:
        while True:
            data = await self.reader.read(65536)
            if not data:
                if self.decoder.buffer:
                    log.info(
                        "TAK connection from %s closed mid-event; %d bytes dropped",
                        self.peer,
                        len(self.decoder.buffer),
                    )
                return
            self.handle(self.decoder.feed(data))


class TakServer:
    """Start and stop explicitly; it runs its own event loop in a thread."""

    def __init__(
        self,
        desk: CopDesk,
        settings: TakSettings,
        *,
        authenticate: Authenticate,
        tls: ssl.SSLContext | None = None,
        identify: IdentifyCert | None = None,
    ) -> None:
        self.desk = desk
        self.settings = settings
        self.authenticate = authenticate
        self.tls = tls
        self.identify = identify
        self.tcp_port = 0
        self.tls_port = 0
        self.connections: set[_Conn] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._ready = threading.Event()

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> tuple[int, int]:
        self._thread = threading.Thread(target=self._run, name="tak-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("TAK server did not start")
        return self.tcp_port, self.tls_port

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._listen())
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    async def _listen(self) -> None:
        s = self.settings
        if s.tcp_port is not None:
            srv = await asyncio.start_server(
                lambda r, w: self._serve(r, w, tls=False), s.host, s.tcp_port
            )
            self.tcp_port = srv.sockets[0].getsockname()[1]
            self._servers.append(srv)
        if self.tls is not None and s.tls_port is not None:
            srv = await asyncio.start_server(
                lambda r, w: self._serve(r, w, tls=True),
                s.host,
                s.tls_port,
                ssl=self.tls,
                ssl_handshake_timeout=AUTH_TIMEOUT,
            )
            self.tls_port = srv.sockets[0].getsockname()[1]
            self._servers.append(srv)

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._close(), loop)
        with contextlib.suppress(Exception):
            fut.result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    async def _close(self) -> None:
        for srv in self._servers:
            srv.close()
        for conn in list(self.connections):
            conn.writer.close()
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 5)

    # -- one connection -------------------------------------------------------------

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, tls: bool
    ) -> None:
        peer = str(writer.get_extra_info("peername"))
        conn = _Conn(self, reader, writer, peer)
        self.connections.add(conn)
        sender: asyncio.Task[None] | None = None
        sub = None
        try:
            rest = b""
            if tls:
                conn.actor = self._identify_tls(writer)
            else:
                conn.actor, rest = await conn.authenticate_tcp()
            if conn.actor is None:
                log.info("TAK connection from %s: no identity; closed", peer)
                return
            nation = conn.actor.nation
            sub = self.desk.hub.subscribe(nation, conn.offer, origin=conn, on_remove=conn.gone)
            conn._put(_control("t-x-takp-v", VERSION_OFFER))
            for track in self.desk.picture(conn.actor):
                conn._put(track)
            sender = asyncio.create_task(conn.send_loop())
            if rest:
                conn.handle(conn.decoder.feed(rest))
            await conn.read_loop()
        except CotError as exc:
            log.warning("TAK connection from %s closed: %s", peer, exc.message.en)
        except (TimeoutError, ConnectionError, OSError) as exc:
            log.info("TAK connection from %s ended: %s", peer, exc)
        except Exception:
            log.exception("TAK connection from %s failed", peer)
        finally:
            if sub is not None:
                self.desk.hub.unsubscribe(sub)
            self.connections.discard(conn)
            if sender is not None:
                conn._put(None)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sender, 2)
                sender.cancel()
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _identify_tls(self, writer: asyncio.StreamWriter) -> Actor | None:
        ssl_object: Any = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der or self.identify is None:
            return None
        return self.identify(der)
