"""Pulling a partner's release stream to us: fetch, check, apply, repeat.

Why pull: the receiver keeps the only cursor that matters (what it has
durably applied) and asks for what comes after it, so a restart on either
side resumes exactly where it stopped — no acknowledgement can be lost,
nothing is applied twice — and the sender needs no connection state. Asking
for ``after=N`` is the acknowledgement of everything up to ``N``. Long polls
keep latency low without busy polling.

Signatures are checked on a pool of worker threads (libsodium releases the
GIL), everything else in order here; the first item that fails any check is
quarantined, nothing of it is applied, and the link stops until an operator
resumes it.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson

from alliance.core.i18n import Text
from alliance.core.keys import fingerprint, verify_signature
from alliance.store.writer import Writer

from .partners import PartnerDesk
from .receiver import apply_items
from .stream import SHIPPABLE
from .wire import Head, Item, ItemProblem, Parsed, check_head, check_item

log = logging.getLogger(__name__)


class Puller:
    """One partner's inbound stream, pulled by a thread of its own."""

    def __init__(
        self,
        *,
        me: str,
        partner: str,
        url: str,
        partner_key: bytes,
        writer: Writer,
        desk: PartnerDesk,
        tls: ssl.SSLContext | None,
        dev_nation_header: bool = False,
        batch: int = 2000,
        wait: float = 10.0,
        on_applied: Callable[[int], None] | None = None,
    ) -> None:
        self.me = me
        self.partner = partner
        self.url = url.rstrip("/")
        self.partner_key = partner_key
        self.key_fingerprint = fingerprint(partner_key)
        self.writer = writer
        self.desk = desk
        self.tls = tls
        self.headers = {"X-Alliance-Dev-Nation": me} if dev_nation_header else {}
        self.batch = batch
        self.wait = wait
        self.on_applied = on_applied
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"verify-{partner}")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"pull-{self.partner}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.wait + 15)
            self._thread = None
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        backoff = 0.2
        verify: ssl.SSLContext | bool = self.tls if self.tls is not None else False
        with httpx.Client(verify=verify, timeout=httpx.Timeout(self.wait + 20, connect=10)) as http:
            while not self._stop.is_set():
                link = self.desk.link(self.partner)
                if link is None or link.state != "running":
                    self._stop.wait(1.0)
                    continue
                try:
                    got = self.pull_once(http, link.received_seq, link.received_hash)
                    backoff = 0.2
                    if got == 0 and self.wait <= 0:
                        self._stop.wait(0.5)
                except (httpx.HTTPError, ssl.SSLError, OSError, ValueError) as exc:
                    log.info(
                        "federation pull from %s failed (%s); retrying in %.1fs",
                        self.partner,
                        exc,
                        backoff,
                    )
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
                except Exception:  # never let the puller die silently
                    log.exception("federation pull from %s failed", self.partner)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)

    def pull_once(self, http: httpx.Client, after: int, prev_hash: str) -> int:
        """Fetch, check and apply one page; returns how many items were applied."""
        wait = self.wait if not self._stop.is_set() else 0
        response = http.get(
            f"{self.url}/federation/v1/stream",
            params={"after": after, "limit": self.batch, "wait": wait},
            headers=self.headers,
        )
        response.raise_for_status()
        payload: dict[str, Any] = orjson.loads(response.content)  # a ValueError if not JSON
        head = check_head(payload.get("head") or {}, me=self.me, partner_key=self.partner_key)
        items = [Item.from_wire(i) for i in payload.get("items") or []]
        if not items:
            if head is not None:
                self.writer.run(
                    lambda tx: apply_items(tx, self.partner, self.key_fingerprint, [], head)
                )
            return 0
        parsed, problem = self._check(items, after, prev_hash)
        if parsed:
            applied, failure = self._apply(parsed, head)
            if failure is not None:
                parsed, problem = parsed[:applied], failure
        if problem is not None:
            bad = (
                next(i for i in items if i.seq == problem.seq)
                if any(i.seq == problem.seq for i in items)
                else items[len(parsed)]
            )
            log.error(
                "federation item %s from %s quarantined: %s",
                problem.seq,
                self.partner,
                problem.reason.en,
            )
            self.desk.quarantine_item(
                self.partner, problem.seq, problem.code, problem.reason, _raw(bad)
            )
        return len(parsed)

    def _apply(self, parsed: list[Parsed], head: Head | None) -> tuple[int, ItemProblem | None]:
        """Apply a checked page; if it cannot be applied, find the first item that cannot
        (it is quarantined like any other failure, and the link stops)."""
        fp = self.key_fingerprint
        try:
            self.writer.run(lambda tx: apply_items(tx, self.partner, fp, parsed, head))
        except Exception:
            log.warning(
                "applying %d items from %s failed; retrying one by one", len(parsed), self.partner
            )
        else:
            self._applied(len(parsed))
            return len(parsed), None
        for n, p in enumerate(parsed):
            try:
                self.writer.run(lambda tx, p=p: apply_items(tx, self.partner, fp, [p], head))  # type: ignore[misc]
            except Exception as exc:
                self._applied(n)
                return n, ItemProblem(
                    p.item.seq,
                    "cannot_apply",
                    Text(
                        f"item could not be applied here: {type(exc).__name__}: {exc}",
                        f"項目をこのノードに適用できません: {type(exc).__name__}",
                    ),
                )
        self._applied(len(parsed))
        return len(parsed), None

    def _applied(self, n: int) -> None:
        if n and self.on_applied is not None:
            self.on_applied(n)

    def _check(
        self, items: list[Item], after: int, prev_hash: str
    ) -> tuple[list[Parsed], ItemProblem | None]:
        """Check items in order. Signatures are checked in chunks on the pool; each
        chunk's items are checked here as soon as its signatures are done."""
        size = max(1, min(250, len(items) // 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        key = self.partner_key
        results = self._pool.map(lambda chunk: [_signature_ok(key, i) for i in chunk], chunks)
        parsed: list[Parsed] = []
        expected, prev = after + 1, prev_hash
        for chunk, oks in zip(chunks, results, strict=True):
            for item, ok in zip(chunk, oks, strict=True):
                result = check_item(
                    item,
                    expected_seq=expected,
                    prev_hash=prev,
                    partner=self.partner,
                    me=self.me,
                    signature_ok=ok,
                    known_types=SHIPPABLE,
                )
                if isinstance(result, ItemProblem):
                    return parsed, result
                parsed.append(result)
                expected, prev = expected + 1, item.hash
        return parsed, None


def _signature_ok(key: bytes, item: Item) -> bool:
    try:
        digest = bytes.fromhex(item.hash)
    except ValueError:
        return False
    return verify_signature(key, item.sig, digest)


def _raw(item: Item) -> bytes:
    return orjson.dumps(item.to_wire())
