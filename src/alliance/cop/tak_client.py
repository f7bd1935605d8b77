"""One connected TAK client of :class:`alliance.cop.tak.TakServer`: its output
buffer (written once per turn of the event loop), TAK's ``<auth>`` sign-in
message, control messages (ping, protocol negotiation) and the reports it
sends, each authorized for the client's user before it moves a track.

It logs under the TAK server's logger (``alliance.cop.tak``): an operator
reads one log for the TAK port.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from defusedxml.ElementTree import fromstring

from alliance.core.authority import Actor
from alliance.core.errors import AllianceError
from alliance.core.markings import Marking

from .cot import CotEvent, StreamDecoder, to_proto_frame, to_xml
from .tracks import Track, track_from_cot

if TYPE_CHECKING:
    from .tak import TakServer

log = logging.getLogger("alliance.cop.tak")

MAX_AUTH_BYTES = 4096
SEND_BUFFER_LIMIT = 8 * 1024 * 1024  # bytes waiting for a client before it is dropped
ALLOWED_CACHE = 10_000  # uids remembered as authorized per connection
CONTROL_UID = "alliance-takp"


def control(kind: str, detail: str) -> bytes:
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


class TakClient:
    """One TAK client. Everything here runs on the server's event loop thread."""

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
        self.decoder = StreamDecoder()
        self.loop = asyncio.get_running_loop()
        self.received = 0
        self.allowed: set[str] = set()  # uids this connection's actor may report
        self.default = Marking(frozenset())  # released to nobody until the actor is known
        self.closed = False
        self._out: list[bytes] = []
        self._flush_scheduled = False

    # -- output -------------------------------------------------------------
    #
    # Output is buffered and written once per turn of the event loop: a burst
    # of reports reaches each client as one write, not one per report.

    def push(self, data: bytes) -> None:
        if self.closed:
            return
        self._out.append(data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)

    def send(self, item: Track | CotEvent) -> None:
        ev = item.to_cot() if isinstance(item, Track) else item
        self.push(to_proto_frame(ev) if self.proto else to_xml(ev) + b"\n")

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self.closed or not self._out:
            return
        data = b"".join(self._out)
        self._out.clear()
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > SEND_BUFFER_LIMIT:
            log.warning(
                "TAK client %s too slow (%d bytes waiting); disconnecting",
                self.peer,
                self.writer.transport.get_write_buffer_size(),
            )
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._out.clear()
            self.writer.close()

    # -- input ------------------------------------------------------------------

    async def authenticate_tcp(self) -> tuple[Actor | None, bytes]:
        """Read TAK's ``<auth>`` message; return the actor and what followed it.

        The caller bounds the whole sign-in in time (not each read)."""
        data = b""
        while b"</auth>" not in data:
            chunk = await self.reader.read(1024)
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
                self.send(
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
                self.push(control("t-x-takp-r", VERSION_OK))
                self.proto = True  # everything after the answer is protobuf
            elif ev.type.startswith("t-x"):
                continue  # other control messages: nothing to store
            else:
                self.ingest(ev)

    def ingest(self, ev: CotEvent) -> None:
        assert self.actor is not None
        actor = self.actor
        desk = self.server.desk
        try:
            if ev.uid not in self.allowed:
                # A report always moves the actor's nation's own track under the uid
                # (tracks are keyed by owner and uid), so the answer never depends on
                # another nation's tracks: authorize each uid once per connection.
                desk.check_owner(actor, ev.uid)
                if len(self.allowed) >= ALLOWED_CACHE:
                    self.allowed.clear()
                self.allowed.add(ev.uid)
            desk.check_time(ev.time)
            track = track_from_cot(ev, owner=actor.nation, default=self.default, source="tak")
            desk.check_shareable(track.sidc)
            desk.accept(track, origin=self)
        except (AllianceError, ValueError, OverflowError) as exc:
            # Not a role that reports, or values no track can hold: refuse the report.
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
