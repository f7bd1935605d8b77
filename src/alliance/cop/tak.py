"""A TAK server for ATAK, WinTAK and iTAK: CoT over TCP and mutual TLS.

Each connection acts for one user, hence one nation:

* over mutual TLS (the TAK port, 8089 by convention) the client certificate,
  issued by this node's user CA, names the user (CN = user id);
* over plain TCP (8087) the client first sends TAK's input authentication
  message ``<auth><cot username="…" password="<API token>"/></auth>``;
  nothing is read or sent before it.

Signing in (the TLS handshake included) has one total deadline
(``TakSettings.signin_seconds``), however slowly the bytes come, and the
connections still signing in are capped per remote address and overall: one
beyond a cap is refused, logged and closed at once. A user disabled while
connected is disconnected at once (:meth:`TakServer.disconnect_user`, called
by the node) and, as a backstop, at the next periodic recheck.

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
import functools
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from alliance.core.authority import Actor
from alliance.core.markings import Marking

from .cot import CotError, to_proto_frame, to_xml
from .desk import CopDesk
from .hub import Subscription
from .tak_client import VERSION_OFFER, TakClient, control
from .tracks import Track

log = logging.getLogger(__name__)

SIGNIN_DEADLINE = 10.0  # seconds from accept to a known user, TLS handshake included
MAX_UNAUTHENTICATED_PER_ADDRESS = 8  # connections still signing in from one address
MAX_UNAUTHENTICATED = 64  # connections still signing in, in all


def _gone(track: Track) -> Track:
    """A withdrawn track sent once more, already stale: how a TAK client is told to drop it."""
    now = datetime.now(UTC)
    return replace(track, time=now, stale=now)


@dataclass
class TakSettings:
    host: str = "127.0.0.1"
    tcp_port: int | None = None  # None: no plain TCP listener; 0: any free port
    tls_port: int | None = None  # None: no TLS listener; 0: any free port
    release_to: tuple[str, ...] = ()  # default release of reports from TAK clients
    recheck_seconds: float = 15.0  # how often connected users are checked to be still enabled
    signin_seconds: float = SIGNIN_DEADLINE  # total, from accept to a known user
    max_unauthenticated_per_address: int = MAX_UNAUTHENTICATED_PER_ADDRESS
    max_unauthenticated: int = MAX_UNAUTHENTICATED


Authenticate = Callable[[str], Actor]  # API token -> actor (raises if unknown)
IdentifyCert = Callable[[bytes], Actor | None]  # DER client certificate -> actor
StillAllowed = Callable[[str], bool]  # user id -> still enabled?


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
        still_allowed: StillAllowed | None = None,
    ) -> None:
        self.desk = desk
        self.still_allowed = still_allowed
        self.settings = settings
        self.authenticate = authenticate
        self.tls = tls
        self.identify = identify
        self.tcp_port = 0
        self.tls_port = 0
        self.connections: set[TakClient] = set()
        # Signed-in connections by nation, and one hub subscription per nation:
        # each report is encoded once and the bytes handed to every member.
        self._members: dict[str, set[TakClient]] = {}
        self._subs: dict[str, Subscription] = {}
        self._encoded: tuple[Track | None, bytes, bytes | None] = (None, b"", None)
        self._loop_thread = 0
        self._rechecker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._ready = threading.Event()
        # Connections still signing in (TLS handshake included), by remote address.
        self._signing_in: dict[str, int] = {}
        self._signing_in_total = 0

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
        self._loop_thread = threading.get_ident()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._listen())
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def disconnect_user(self, user_id: str) -> None:
        """Close every open connection of ``user_id`` now (the user was just
        disabled). Callable from any thread; the closing runs on the server's loop."""
        loop = self._loop
        if loop is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._drop_user(user_id)
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing is open
            loop.call_soon_threadsafe(self._drop_user, user_id)

    def _drop_user(self, user_id: str) -> None:
        for conn in list(self.connections):
            if conn.actor is not None and conn.actor.user_id == user_id and not conn.closed:
                log.warning(
                    "TAK connection from %s closed: user %s was disabled", conn.peer, user_id
                )
                conn.close()

    async def _recheck(self) -> None:
        """A backstop for :meth:`disconnect_user` (a user disabled by another
        process): a disabled user still connected is disconnected at the next check."""
        if self.still_allowed is None:
            return
        while True:
            await asyncio.sleep(self.settings.recheck_seconds)
            for conn in list(self.connections):
                actor = conn.actor
                if actor is None or conn.closed:
                    continue
                if not await asyncio.to_thread(self.still_allowed, actor.user_id):
                    log.warning(
                        "TAK connection from %s closed: user %s is no longer enabled",
                        conn.peer,
                        actor.user_id,
                    )
                    conn.close()

    async def _listen(self) -> None:
        self._rechecker = asyncio.get_running_loop().create_task(self._recheck())
        s = self.settings
        if s.tcp_port is not None:
            srv = await asyncio.start_server(
                lambda r, w: self._serve(r, w, tls=False), s.host, s.tcp_port
            )
            self.tcp_port = srv.sockets[0].getsockname()[1]
            self._servers.append(srv)
        if self.tls is not None and s.tls_port is not None:
            # Accepted as TCP and upgraded in _serve: the handshake then runs
            # under the sign-in deadline and counts against the sign-in caps.
            srv = await asyncio.start_server(
                lambda r, w: self._serve(r, w, tls=True), s.host, s.tls_port
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
        if self._rechecker is not None:
            self._rechecker.cancel()
        for sub in self._subs.values():
            self.desk.hub.unsubscribe(sub)
        self._subs.clear()
        for srv in self._servers:
            srv.close()
        for conn in list(self.connections):
            conn.close()
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 5)

    # -- one connection -------------------------------------------------------------

    def _admit(self, address: str, peer: str) -> bool:
        """Count a new connection as signing in, or refuse it beyond a cap."""
        s = self.settings
        here = self._signing_in.get(address, 0)
        if here >= s.max_unauthenticated_per_address or (
            self._signing_in_total >= s.max_unauthenticated
        ):
            log.warning(
                "TAK connection from %s refused: %d connections from %s and %d in all are "
                "still signing in (limits %d and %d)",
                peer,
                here,
                address,
                self._signing_in_total,
                s.max_unauthenticated_per_address,
                s.max_unauthenticated,
            )
            return False
        self._signing_in[address] = here + 1
        self._signing_in_total += 1
        return True

    def _signed_in(self, address: str) -> None:
        """The connection from ``address`` no longer counts as signing in."""
        left = self._signing_in[address] - 1
        if left:
            self._signing_in[address] = left
        else:
            del self._signing_in[address]
        self._signing_in_total -= 1

    async def _sign_in(self, conn: TakClient, *, tls: bool) -> bytes:
        """Learn the connection's user within the sign-in deadline; returns
        what the client sent after its ``<auth>`` message."""
        async with asyncio.timeout(self.settings.signin_seconds):
            if not tls:
                conn.actor, rest = await conn.authenticate_tcp()
                return rest
            assert self.tls is not None
            # Reached with no await since the accept: the client's hello cannot
            # have been read as plain bytes before the upgrade pauses reading.
            plain = conn.writer.transport
            try:
                await conn.writer.start_tls(self.tls)
            except AttributeError:
                # Python 3.11: a client hanging up right after its handshake leaves
                # StreamWriter.start_tls with no transport (None), raising here and
                # again when the writer is garbage collected. Give the writer back
                # its plain (closed) transport, so that closing it works, now and then.
                writer: Any = conn.writer  # typed as always having a transport
                if writer.transport is None:
                    writer._transport = plain
                raise ConnectionResetError("closed by the client during the TLS upgrade") from None
        conn.actor = self._identify_tls(conn.writer)
        return b""

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, tls: bool
    ) -> None:
        peer = str(writer.get_extra_info("peername"))
        address = _address(writer)
        if not self._admit(address, peer):
            writer.transport.abort()
            return
        conn = TakClient(self, reader, writer, peer)
        self.connections.add(conn)
        try:
            try:
                rest = await self._sign_in(conn, tls=tls)
            except TimeoutError:
                log.warning(
                    "TAK connection from %s closed: not signed in within %.1f s",
                    peer,
                    self.settings.signin_seconds,
                )
                return
            except ssl.SSLError as exc:
                log.info("TAK TLS handshake with %s failed: %s", peer, exc)
                return
            finally:  # signed in, refused or gone (cancelled too): no longer counted
                self._signed_in(address)
            if conn.actor is None:
                log.info("TAK connection from %s: no identity; closed", peer)
                return
            conn.default = Marking.of(conn.actor.nation, self.settings.release_to)
            # No await from here to joining: no live update can slip in between
            # the picture and the membership.
            conn.push(control("t-x-takp-v", VERSION_OFFER))
            for track in self.desk.picture(conn.actor):
                conn.send(track)
            self._join(conn)
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
            self.connections.discard(conn)
            if conn.actor is not None:
                self._members.get(conn.actor.nation, set()).discard(conn)
            conn._flush()
            conn.close()
            # Bounded: after a failed TLS upgrade the stream is never told it closed.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    # -- fan-out ----------------------------------------------------------------------

    def _join(self, conn: TakClient) -> None:
        assert conn.actor is not None
        nation = conn.actor.nation
        self._members.setdefault(nation, set()).add(conn)
        if nation not in self._subs:
            self._subs[nation] = self.desk.hub.subscribe_fanout(
                nation,
                functools.partial(self._published, nation),
                on_remove=functools.partial(self._withdrawn, nation),
            )

    def _withdrawn(self, nation: str, track: Track) -> None:
        self._published(nation, _gone(track), None)

    def _published(self, nation: str, track: Track, origin: object) -> None:
        """From the hub, in whichever thread published (ours for TAK reports)."""
        loop = self._loop
        if loop is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._fanout(nation, track, origin)
        else:
            loop.call_soon_threadsafe(self._fanout, nation, track, origin)

    def _fanout(self, nation: str, track: Track, origin: object) -> None:
        members = self._members.get(nation)
        if not members:
            return
        cached, xml, proto = self._encoded
        if cached is not track:
            ev = track.to_cot()
            xml, proto = to_xml(ev) + b"\n", None
            self._encoded = (track, xml, None)
        for conn in members:
            if conn is origin:
                continue  # never a client's own report back
            if conn.proto:
                if proto is None:
                    proto = to_proto_frame(track.to_cot())
                    self._encoded = (track, xml, proto)
                conn.push(proto)
            else:
                conn.push(xml)

    def _identify_tls(self, writer: asyncio.StreamWriter) -> Actor | None:
        """The enabled user the client certificate names, or None."""
        ssl_object: Any = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der or self.identify is None:
            return None
        return self.identify(der)


def _address(writer: asyncio.StreamWriter) -> str:
    """The remote IP address of a connection (what the sign-in caps count by)."""
    peername: Any = writer.get_extra_info("peername")
    if isinstance(peername, tuple) and peername:
        return str(peername[0])
    return str(peername)
