"""Pulling a partner's release stream to us: fetch, check, apply, repeat.

Why pull: the receiver keeps the only cursor that matters (what it has
durably applied) and asks for what comes after it, so a restart on either
side resumes exactly where it stopped — no acknowledgement can be lost,
nothing is applied twice — and the sender needs no connection state. Each
request says where to read from (``after``) and what is durably applied
(``ack``, the acknowledgement). Reading runs one page ahead of applying, so
fetching and checking page *k+1* overlaps the writer applying page *k*. Long
polls keep latency low without busy polling.

Signatures are checked on a pool of worker threads (libsodium releases the
GIL), everything else in order here; the first item that fails any check is
quarantined, nothing of it is applied, and the link stops until an operator
resumes it. An item that passes every check but would write a row another
nation owns is refused by the receiver instead (:mod:`.receiver`): it is
quarantined too, but the link keeps running past it.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from alliance.core.i18n import Text
from alliance.core.keys import fingerprint, verify_signature
from alliance.store.schema import LinkRow
from alliance.store.writer import Writer

from .link import LinkWorker
from .partners import PartnerDesk
from .receiver import OutOfOrder, apply_items
from .stream import SHIPPABLE
from .wire import Head, Item, ItemProblem, Parsed, check_head, check_item

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Pending:
    future: Future[int]
    parsed: list[Parsed]
    head: Head | None


class Puller(LinkWorker):
    """One partner's inbound stream, pulled by a thread of its own."""

    what = "federation pull"

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
        super().__init__(partner=partner, desk=desk, tls=tls, wait=wait)
        self.me = me
        self.url = url.rstrip("/")
        self.partner_key = partner_key
        self.key_fingerprint = fingerprint(partner_key)
        self.writer = writer
        self.headers = {"X-Alliance-Dev-Nation": me} if dev_nation_header else {}
        self.batch = batch
        self.on_applied = on_applied
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"verify-{partner}")

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def pull_round(self, http: httpx.Client, link: LinkRow) -> None:
        self.pull(http, link.received_seq, link.received_hash)

    def pull(self, http: httpx.Client, after: int, prev_hash: str) -> None:
        """Pull from ``after`` until stopped, a page fails, or an item is quarantined.

        Pipelined: while the writer applies page *k*, page *k+1* is fetched and
        checked. The server is told what is durably applied (``ack``) apart
        from where we read (``after``); pages are applied strictly in order
        (:func:`apply_items` refuses one that does not follow the last).
        """
        inflight: deque[_Pending] = deque()
        applied = after
        try:
            while not self._stop.is_set():
                wait = 0.0 if inflight else self.wait
                response = http.get(
                    f"{self.url}/federation/v1/stream",
                    params={"after": after, "ack": applied, "limit": self.batch, "wait": wait},
                    headers=self.headers,
                )
                response.raise_for_status()
                payload: dict[str, Any] = orjson.loads(response.content)  # ValueError if not JSON
                head = check_head(
                    payload.get("head") or {}, me=self.me, partner_key=self.partner_key
                )
                items = [Item.from_wire(i) for i in payload.get("items") or []]
                if not items:
                    while inflight:  # nothing new: settle what is being applied
                        done = self._settle(inflight.popleft())
                        if done is None:
                            return
                        applied = done
                    if head is not None:
                        self._record_head(head)
                    if self.wait <= 0:
                        self._stop.wait(0.5)
                    continue
                parsed, problem = self._check(items, after, prev_hash)
                if parsed:
                    inflight.append(self._submit(parsed, head))
                    after, prev_hash = parsed[-1].item.seq, parsed[-1].item.hash
                while inflight and (len(inflight) > 1 or problem is not None):
                    done = self._settle(inflight.popleft())
                    if done is None:
                        return
                    applied = done
                if problem is not None:
                    self._quarantine(problem, items, len(parsed))
                    return
        finally:
            for pending in inflight:  # leave nothing running behind us
                with contextlib.suppress(Exception):
                    pending.future.result(timeout=120)

    def _record_head(self, head: Head) -> None:
        fp = self.key_fingerprint
        self.writer.run(lambda tx: apply_items(tx, self.partner, fp, [], head, me=self.me))

    def _submit(self, parsed: list[Parsed], head: Head | None) -> _Pending:
        fp = self.key_fingerprint
        future = self.writer.submit(
            lambda tx: apply_items(tx, self.partner, fp, parsed, head, me=self.me)
        )
        return _Pending(future, parsed, head)

    def _settle(self, pending: _Pending) -> int | None:
        """The seq now durably applied, or None if the page failed (handled here)."""
        try:
            pending.future.result(timeout=120)
        except OutOfOrder:
            return None  # its predecessor failed and was handled; restart from the link
        except Exception:
            log.warning(
                "applying %d items from %s failed; retrying one by one",
                len(pending.parsed),
                self.partner,
            )
            applied, failure = self._apply_one_by_one(pending.parsed, pending.head)
            if failure is not None:
                self._quarantine(failure, [p.item for p in pending.parsed], applied)
            return None
        self._applied(len(pending.parsed))
        return pending.parsed[-1].item.seq

    def _quarantine(self, problem: ItemProblem, items: list[Item], index: int) -> None:
        bad = next((i for i in items if i.seq == problem.seq), items[min(index, len(items) - 1)])
        log.error(
            "federation item %s from %s quarantined: %s",
            problem.seq,
            self.partner,
            problem.reason.en,
        )
        self.desk.quarantine_item(
            self.partner, problem.seq, problem.code, problem.reason, bad.raw()
        )

    def _apply_one_by_one(
        self, parsed: list[Parsed], head: Head | None
    ) -> tuple[int, ItemProblem | None]:
        """A page could not be applied: find the first item that cannot (it is
        quarantined like any other failure, and the link stops)."""
        fp = self.key_fingerprint
        for n, p in enumerate(parsed):
            try:
                self.writer.run(
                    lambda tx, p=p: apply_items(tx, self.partner, fp, [p], head, me=self.me)  # type: ignore[misc]
                )
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
