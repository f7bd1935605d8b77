"""The federation endpoint: partners pull their release stream over mutual TLS.

A small HTTPS server of its own (the standard library's, in threads), apart
from the user API: every connection must present a certificate issued by a
partner's national federation CA (a user's certificate fails the TLS
handshake) that is a node certificate (:func:`.pki.identify_peer`), and the
partner is identified by that certificate, never by anything it claims. It answers one question — "items of my stream
after N" — with the items and the signed stream head; asking for ``after=N``
also tells us the partner holds everything up to ``N`` (its acknowledgement).
Beside it: ``/federation/v1/hello`` (what this node understands, :mod:`.hello`)
and one path per feed a desk federates (``/federation/v1/<name>``, :mod:`.feeds`).

Plain HTTP exists only behind an explicit development flag, and says so
loudly in the log at every start.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from alliance.core.keys import NodeKey
from alliance.core.limits import MAX_SEQ
from alliance.store.db import Database

from .stream import read_stream, sign_head, stream_head
from .wire import Head, Item

log = logging.getLogger(__name__)

MAX_LIMIT = 5000
# A page stops adding items past this many bytes of item bodies (it always holds
# at least one): a partner reads at most link.MAX_PAGE_BYTES of an answer.
PAGE_BYTES = 16 * 1024 * 1024
MAX_WAIT = 30.0
FEEDS = "/federation/v1/"

# A feed's signed page for (partner, epoch, since, wait): see :mod:`.feeds`.
FeedPage = Callable[[str, str, int, float], dict[str, Any]]
PARTNER_CACHE_S = 2.0


_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: int() also reads "١٢" and "1_000"


def _count(query: dict[str, list[str]], name: str, default: int) -> int:
    """A sequence number or count from the query: 0 .. MAX_SEQ, else ValueError
    (a number past a signed 64-bit column would fail in the database, not here)."""
    values = query.get(name)
    if not values:
        return default
    if not _DIGITS.fullmatch(values[0]) or int(values[0]) > MAX_SEQ:
        raise ValueError(name)
    return int(values[0])


def _seconds(query: dict[str, list[str]], name: str) -> float:
    """A wait in seconds: finite, 0 .. MAX_WAIT (``nan`` would never time out)."""
    value = float(query.get(name, ["0"])[0])
    if not 0 <= value <= MAX_WAIT:  # False for nan
        if value > MAX_WAIT:
            return MAX_WAIT
        raise ValueError(name)
    return value


def _budget(items: list[Item]) -> list[Item]:
    """The first items whose bodies fit :data:`PAGE_BYTES` (at least one)."""
    size = 0
    for n, item in enumerate(items):
        size += len(item.body)
        if size > PAGE_BYTES and n > 0:
            return items[:n]
    return items


class StreamServer:
    """Serves each partner its own stream; start and stop explicitly."""

    # The TLS handshake runs in the connection's own thread, bounded by this: a
    # client that connects and says nothing must not hold up anyone else.
    handshake_timeout = 10.0

    def __init__(
        self,
        db: Database,
        key: NodeKey,
        *,
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        identify: Callable[[bytes | None, dict[str, str]], str | None],
        on_ack: Callable[[str, int], None],
        feeds: Mapping[str, FeedPage] | None = None,
        hello: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.db = db
        self.key = key
        self.host = host
        self.port = port
        self.tls = tls
        self.identify = identify
        self.on_ack = on_ack
        self.feeds = dict(feeds or {})  # path under /federation/v1/ -> its page
        self.hello = hello  # partner -> our signed word on what we understand
        self._changed = threading.Condition()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Open partner connections and their handler threads: HTTP/1.1 keeps them
        # alive between pulls, and they outlive the listening socket unless closed here.
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._conns_lock = threading.Lock()
        self._cas: tuple[float, dict[str, str]] | None = None
        self._heads: dict[str, Head] = {}
        self._heads_lock = threading.Lock()

    def partner_cas(self) -> dict[str, str]:
        """Partner CAs by nation, read again at most every ``PARTNER_CACHE_S``.

        Partners are added at run time (never removed), and a new partner's CA
        reaches the TLS trust store only at the next start, so a list a moment
        old can admit no one it should not.
        """
        from .partners import partner_cas

        now = time.monotonic()
        cached = self._cas
        if cached is None or now - cached[0] > PARTNER_CACHE_S:
            cached = self._cas = (now, partner_cas(self.db))
        return cached[1]

    def head(self, partner: str) -> Head:
        """The signed head of ``partner``'s stream; signed again only when it moved."""
        seq, hash_ = stream_head(self.db, partner)
        with self._heads_lock:
            head = self._heads.get(partner)
            if head is None or (head.seq, head.hash) != (seq, hash_):
                head = self._heads[partner] = sign_head(partner, seq, hash_, self.key)
        return head

    def notify(self) -> None:
        """New items were committed: wake the partners waiting for them."""
        with self._changed:
            self._changed.notify_all()

    def wait_for_items(self, partner: str, after: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not read_stream(self.db, partner, after, 1):
                left = deadline - time.monotonic()
                if left <= 0 or self._httpd is None:
                    return
                self._changed.wait(min(left, 1.0))

    def start(self) -> int:
        server = self

        class Handler(_Handler):
            owner = server

        httpd = _Server((self.host, self.port), Handler)
        httpd.daemon_threads = True
        httpd.tls = self.tls
        if self.tls is None:
            log.warning(
                "FEDERATION OVER PLAIN HTTP on %s:%s: DEVELOPMENT ONLY, partners are not "
                "authenticated by certificate / 連合が平文HTTPで稼働中（開発専用）",
                self.host,
                self.port,
            )
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="federation-server", daemon=True
        )
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._httpd is not None:
            # Stop accepting and close the listening socket first: a partner that
            # reconnects meanwhile is refused instead of reset mid-handshake.
            httpd = self._httpd
            httpd.shutdown()
            httpd.server_close()
            self._httpd = None
            self.notify()
            with self._conns_lock:
                conns, self._conns = self._conns, {}
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            # They may be reading the database: let them end before the node closes it.
            deadline = time.monotonic() + 10
            for handler in conns.values():
                handler.join(max(0.0, deadline - time.monotonic()))
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept, then wrap for TLS (the handshake runs in the handler's thread).

        Not a wrapped listening socket: before Python 3.11.8 (CPython gh-113280),
        wrapping a connection its client has already reset raises without
        closing the new ``SSLSocket``, leaving its descriptor to the garbage
        collector (a ResourceWarning). Here a connection gone before it is
        wrapped is closed at once."""
        conn, address = self.socket.accept()
        if self.tls is None:
            return conn, address
        try:
            return self.tls.wrap_socket(
                conn, server_side=True, do_handshake_on_connect=False
            ), address
        except OSError as exc:
            conn.close()
            for frame, _ in traceback.walk_tb(exc.__traceback__):
                made = frame.f_locals.get("self")
                if isinstance(made, ssl.SSLSocket):
                    made.close()
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A partner that hangs up (or a node stopping under it) is routine, not a crash."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            log.debug("federation connection from %s ended: %s", client_address[0], exc)
            return
        log.exception("federation request from %s failed", client_address[0])


class _Handler(BaseHTTPRequestHandler):
    owner: StreamServer
    protocol_version = "HTTP/1.1"
    server_version = "AllianceFederation/1"

    def setup(self) -> None:
        super().setup()
        with self.owner._conns_lock:
            self.owner._conns[self.connection] = threading.current_thread()

    def finish(self) -> None:
        with self.owner._conns_lock:
            self.owner._conns.pop(self.connection, None)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("federation %s: " + format, self.client_address[0], *args)

    def handle(self) -> None:
        conn = self.connection
        if isinstance(conn, ssl.SSLSocket):
            try:
                conn.settimeout(self.owner.handshake_timeout)
                conn.do_handshake()
                conn.settimeout(self.timeout)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                log.info("federation TLS handshake with %s failed: %s", self.client_address[0], exc)
                self.close_connection = True
                return
        super().handle()

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        # orjson: the same compact UTF-8 JSON as json.dumps(ensure_ascii=False,
        # separators=(",", ":")), at about half the cost per stream item.
        data = orjson.dumps(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        # A page of the stream is for the partner node alone: never sniffed, never kept.
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, en: str, ja: str) -> None:
        self._send(status, {"code": code, "message": {"en": en, "ja": ja}, "field": None})

    def _partner(self) -> str | None:
        cas = self.owner.partner_cas()
        if self.owner.tls is None:
            claimed = self.headers.get("X-Alliance-Dev-Nation", "")
            return claimed if claimed in cas else None
        conn = self.connection
        try:
            der = conn.getpeercert(binary_form=True) if isinstance(conn, ssl.SSLSocket) else None
        except (AttributeError, ValueError, OSError):  # closed under us: the server is stopping
            return None
        return self.owner.identify(der, cas)

    def _feed(self, page: FeedPage, partner: str, query: dict[str, list[str]]) -> None:
        try:
            since = _count(query, "since", 0)
            wait = _seconds(query, "wait")
            epoch = query.get("epoch", [""])[0][:64]
        except ValueError:
            self._error(
                422,
                "invalid",
                "since must be a whole number from 0 to 2^63-1, wait 0 or more seconds.",
                "sinceは0〜2^63-1の整数、waitは0以上の秒数です。",
            )
            return
        self._send(200, page(partner, epoch, since, wait))

    def do_GET(self) -> None:
        if self.owner._httpd is None:  # stopped: serve nothing more on a kept-alive connection
            self.close_connection = True
            self._error(503, "stopped", "Federation server stopped.", "連合サーバは停止中です。")
            return
        url = urlsplit(self.path)
        partner = self._partner()
        if partner is None:
            self._error(
                403,
                "unknown_partner",
                "Your certificate belongs to no partner of this node.",
                "証明書がこのノードの連携先のものではありません。",
            )
            return
        if url.path == "/federation/v1/hello" and self.owner.hello is not None:
            self._send(200, self.owner.hello(partner))
            return
        if url.path == "/federation/v1/head":
            self._send(200, {"head": self.owner.head(partner).to_wire()})
            return
        feed = (
            self.owner.feeds.get(url.path.removeprefix(FEEDS))
            if url.path.startswith(FEEDS)
            else None
        )
        if feed is not None:
            self._feed(feed, partner, parse_qs(url.query))
            return
        if url.path != "/federation/v1/stream":
            self._error(
                404,
                "not_found",
                "No such federation endpoint.",
                "その連合エンドポイントはありません。",
            )
            return
        query = parse_qs(url.query)
        try:
            after = _count(query, "after", 0)
            # What the partner holds durably; a partner that fetches ahead of
            # what it has applied says so, otherwise ``after`` is the ack.
            ack = _count(query, "ack", after)
            limit = min(_count(query, "limit", 1000), MAX_LIMIT)
            wait = _seconds(query, "wait")
            if ack > after or limit < 1:
                raise ValueError
        except ValueError:
            self._error(
                422,
                "invalid",
                "after, ack and limit must be whole numbers from 0 to 2^63-1, wait 0 or "
                "more seconds, ack <= after.",
                "after・ack・limitは0〜2^63-1の整数、waitは0以上の秒数で、ack <= after です。",
            )
            return
        self.owner.on_ack(partner, ack)
        items = read_stream(self.owner.db, partner, after, limit)
        if not items and wait > 0:
            self.owner.wait_for_items(partner, after, wait)
            items = read_stream(self.owner.db, partner, after, limit)
        head = self.owner.head(partner)
        self._send(200, {"head": head.to_wire(), "items": [i.to_wire() for i in _budget(items)]})
