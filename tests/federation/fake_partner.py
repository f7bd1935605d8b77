"""A hostile partner: a federation endpoint that serves whatever items it is told to.

It holds the partner's real node key and certificate and speaks the real wire
format over the real mutual TLS, so what it serves passes every transport
and signature check: only the receiver's own rules stand between it and the
receiver's tables.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import orjson

from alliance.core.authority import Grant
from alliance.core.keys import NodeKey
from alliance.core.ledger import GENESIS_PREV, EventDraft, canonical, seal
from alliance.core.markings import Marking
from alliance.federation.wire import Head, Item, event_body, head_digest, withdraw_body
from alliance.pki import Pki, server_context


class FakePartner:
    """A partner's federation endpoint that serves ``items`` (and a signed head)."""

    def __init__(
        self, pki: Pki, partner_ca_pem: str, key: NodeKey, to: str, *, port: int = 0
    ) -> None:
        self.key = key
        self.to = to
        self.items: list[Item] = []
        self.requests = 0
        # What a misbehaving partner answers instead of a genuine page, by
        # (after, limit): raw bytes served as they are.
        self.answer: Callable[[int, int], bytes] | None = None
        # The head it signs instead of the last item's (seq, hash); "none" for no head.
        self.head_as: tuple[int, str] | Literal["none"] | None = None
        self.head_key: NodeKey | None = None  # a key to sign the head with instead
        self.declare_length: int | None = None  # a Content-Length to claim instead of the real one
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != "/federation/v1/stream":
                    # A partner without the track feed (or any other endpoint).
                    self.send_error(404)
                    return
                fake.requests += 1
                query = parse_qs(url.query)
                after = int(query.get("after", ["0"])[0])
                limit = int(query.get("limit", ["1000"])[0])
                items = [i for i in fake.items if i.seq > after][:limit]
                if not items:
                    time.sleep(min(float(query.get("wait", ["0"])[0]), 0.2))
                if fake.answer is not None:
                    data = fake.answer(after, limit)
                else:
                    head = fake.head()
                    payload: dict[str, Any] = {"items": [i.to_wire() for i in items]}
                    if head is not None:
                        payload["head"] = head.to_wire()
                    data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(fake.declare_length or len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        # server_close() then waits for the handlers, so no connection outlives the test.
        self.httpd.daemon_threads = False
        tls: ssl.SSLContext = server_context(pki, [partner_ca_pem])
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def head(self) -> Head | None:
        if self.head_as == "none":
            return None
        if self.head_as is not None:
            seq, hash_ = self.head_as
        else:
            seq, hash_ = (self.items[-1].seq, self.items[-1].hash) if self.items else (0, "0" * 64)
        key = self.head_key or self.key
        return Head(self.to, seq, hash_, key.sign(head_digest(self.to, seq, hash_)))

    def __enter__(self) -> FakePartner:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


def signed(body: bytes, key: NodeKey) -> Item:
    """A well-formed item for ``body``, signed with ``key``."""
    data = orjson.loads(body)
    digest = hashlib.sha256(body).digest()
    return Item(data["seq"], digest.hex(), data["prev"], key.sign(digest), body)


def rebody(item: Item, key: NodeKey, **changes: Any) -> Item:
    """``item`` with fields of its body changed, signed again with ``key``."""
    data = orjson.loads(item.body)
    data.update(changes)
    return signed(canonical(data), key)


class Chain:
    """A release stream from ``origin`` to ``to`` built item by item: each item
    numbered and chained after the last, and signed with the origin's key."""

    def __init__(self, key: NodeKey, *, origin: str, node: str, to: str) -> None:
        self.key = key
        self.origin = origin
        self.node = node
        self.to = to
        self.items: list[Item] = []
        self._forged = 0

    @property
    def _next(self) -> tuple[int, str]:
        last = self.items[-1] if self.items else None
        return (last.seq + 1, last.hash) if last else (1, GENESIS_PREV)

    def add(self, item: Item) -> Item:
        """An item of a genuine stream, numbered and chained here (its carried
        event, the origin's ledger event and signature, is kept as it is)."""
        seq, prev = self._next
        moved = rebody(item, self.key, seq=seq, prev=prev)
        self.items.append(moved)
        return moved

    def forge(
        self,
        object_type: str,
        object_id: str,
        state: dict[str, Any],
        *,
        kind: str = "event",
        now: datetime,
        releasable_to: tuple[str, ...] = (),
    ) -> Item:
        """An item the origin signs about ``object_type`` ``object_id`` as its own
        object: an event sealed with its ledger key (kind ``event``) or the
        withdrawal of an earlier release (kind ``withdraw``)."""
        self._forged += 1
        seq, prev = self._next
        marking = Marking.of(self.origin, releasable_to or (self.to,))
        ledger_seq = 1_000_000 + self._forged
        event = seal(
            EventDraft(
                f"{object_type}.forged",
                object_type,
                object_id,
                self.origin,
                marking,
                {"state": {**state, "id": object_id, "owner": self.origin}},
                None,
                Grant("org.seed", "forged for a test"),
            ),
            seq=ledger_seq,
            prev_hash=GENESIS_PREV,
            ts=now,
            node=self.node,
            key=self.key,
        )
        build = event_body if kind == "event" else withdraw_body
        body = build(event, origin=self.origin, node=self.node, partner=self.to, seq=seq, prev=prev)
        item = signed(body, self.key)
        self.items.append(item)
        return item
