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

import httpx
import orjson

from alliance.core.i18n import Text
from alliance.core.keys import fingerprint, verify_signature
from alliance.store.schema import LinkRow
from alliance.store.writer import Tx, Writer

from .hello import PATH as HELLO
from .hello import check_hello
from .link import MAX_PAGE_BYTES, LinkWorker, PageRefused, fetch_json
from .partners import PartnerDesk
from .receiver import OutOfOrder, Types, apply_items
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
        max_page_bytes: int = MAX_PAGE_BYTES,
        types: Types,
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
        self.max_page_bytes = max_page_bytes
        self.types = types
        self._head_seen = 0  # the longest stream the partner has signed to us
        self._hello_due = True  # ask what the partner understands, once per run of the link
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"verify-{partner}")

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def link_idle(self) -> None:
        self._hello_due = True  # the partner may have been upgraded meanwhile

    def pull_round(self, http: httpx.Client, link: LinkRow) -> None:
        if self._hello_due:
            self._ask_hello(http, link)
        self._head_seen = max(self._head_seen, link.partner_head_seq)
        self.pull(http, link.received_seq, link.received_hash)

    def _ask_hello(self, http: httpx.Client, link: LinkRow) -> None:
        """Record the object types the partner says it understands (:mod:`.hello`)."""
        try:
            raw = fetch_json(http, f"{self.url}{HELLO}", params={}, headers=self.headers)
        except (httpx.HTTPStatusError, PageRefused):
            # An older version answers 404: it does not say. Any other answer that
            # is not a hello is not a reason to hold up the stream either.
            self._hello_due = False
            return
        types = check_hello(raw, me=self.me, partner=self.partner, partner_key=self.partner_key)
        self._hello_due = False
        if types is None:
            self.note(
                "hello_unverified",
                Text(
                    f"{self.partner}'s answer on what it understands does not verify with its "
                    "pinned key; it is not recorded",
                    f"{self.partner}が理解する種別の応答が登録済み鍵で検証できません。記録しません",
                ),
            )
            return
        said = ",".join(types)
        if said != link.partner_types:
            self.writer.run(lambda tx: _record_types(tx, self.partner, said))

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
                head, items = self._page(http, after, applied, wait)
                stream_problem = self._check_stream_head(head, after, prev_hash)
                if stream_problem is not None:
                    self._settle_all(inflight)
                    assert head is not None
                    self._quarantine_head(stream_problem, head)
                    return
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

    def _page(
        self, http: httpx.Client, after: int, applied: int, wait: float
    ) -> tuple[Head | None, list[Item]]:
        """One page of the partner's stream: its verified head (None if it has
        none that verifies, which the operator is shown) and its items.

        Raises :class:`PageRefused` for an answer that is not a page: too
        large, not JSON, the wrong shape, or more items than asked for."""
        payload = fetch_json(
            http,
            f"{self.url}/federation/v1/stream",
            params={"after": after, "ack": applied, "limit": self.batch, "wait": wait},
            headers=self.headers,
            max_bytes=self.max_page_bytes,
        )
        raw_items = payload.get("items") if isinstance(payload, dict) else None
        if not isinstance(raw_items, list):
            raise _malformed_page("it has no list of items")
        if len(raw_items) > self.batch:
            raise _malformed_page(f"it holds {len(raw_items)} items; {self.batch} were asked for")
        try:
            items = [Item.from_wire(i) for i in raw_items]
        except (KeyError, TypeError, ValueError):
            raise _malformed_page("an item is not a stream item") from None
        head = check_head(payload.get("head") or {}, me=self.me, partner_key=self.partner_key)
        if head is None:
            self.note(
                "stream_head_unverified",
                Text(
                    f"{self.partner}'s answer carries no stream head that verifies with its "
                    "pinned key; a shortened stream could not be noticed",
                    f"{self.partner}の応答に登録済み鍵で検証できるストリーム先頭がありません。"
                    "ストリームの短縮を検知できません",
                ),
            )
        else:
            self.recovered()
        return head, items

    def _check_stream_head(
        self, head: Head | None, after: int, prev_hash: str
    ) -> ItemProblem | None:
        """The partner's signed word for how long its stream to us is, against
        what we already hold: a stream shorter than what we received (or than
        a head it signed before), or one that ends where ours does but in
        another item, was cut or rewritten at the partner — e.g. its ledger
        restored from an old backup, or rows deleted from its tail."""
        if head is None:
            return None
        held = max(after, self._head_seen)
        self._head_seen = max(self._head_seen, head.seq)
        if head.seq < held:
            return ItemProblem(
                head.seq,
                "stream_truncated",
                Text(
                    f"{self.partner} signs that its stream to us ends at item {head.seq}, but it "
                    f"sent (or signed) items up to {held}: its stream, hence its ledger, lost "
                    "its tail",
                    f"{self.partner}は当方へのストリームが項目{head.seq}で終わると署名しましたが、"
                    f"項目{held}まで送信（署名）済みです。相手のストリーム（台帳）の末尾が失われています",
                ),
            )
        if head.seq == after and head.hash != prev_hash:
            return ItemProblem(
                head.seq,
                "stream_forked",
                Text(
                    f"{self.partner}'s stream to us ends at item {head.seq}, but not with the "
                    "item we received there: its stream was rewritten",
                    f"{self.partner}のストリームは項目{head.seq}で終わりますが、当方が受信した"
                    "項目と異なります。ストリームが書き換えられています",
                ),
            )
        return None

    def _settle_all(self, inflight: deque[_Pending]) -> None:
        while inflight:
            if self._settle(inflight.popleft()) is None:
                return

    def _quarantine_head(self, problem: ItemProblem, head: Head) -> None:
        log.error("federation stream from %s stopped: %s", self.partner, problem.reason.en)
        self.desk.quarantine_item(
            self.partner,
            problem.seq,
            problem.code,
            problem.reason,
            orjson.dumps({"head": head.to_wire()}),
        )

    def _record_head(self, head: Head) -> None:
        fp = self.key_fingerprint
        self.writer.run(
            lambda tx: apply_items(tx, self.partner, fp, [], head, me=self.me, types=self.types)
        )

    def _submit(self, parsed: list[Parsed], head: Head | None) -> _Pending:
        fp = self.key_fingerprint
        future = self.writer.submit(
            lambda tx: apply_items(tx, self.partner, fp, parsed, head, me=self.me, types=self.types)
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
                    lambda tx, p=p: apply_items(
                        tx, self.partner, fp, [p], head, me=self.me, types=self.types
                    )  # type: ignore[misc]
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
                )
                if isinstance(result, ItemProblem):
                    return parsed, result
                parsed.append(result)
                expected, prev = expected + 1, item.hash
        return parsed, None


def _record_types(tx: Tx, partner: str, said: str) -> None:
    link = tx.session.get(LinkRow, partner)
    if link is not None:
        link.partner_types = said


def _malformed_page(why_en: str) -> PageRefused:
    return PageRefused(
        "page_malformed",
        Text(
            f"the partner's answer is not a page of its stream: {why_en}",
            "連携先の応答がストリームのページではありません",
        ),
    )


def _signature_ok(key: bytes, item: Item) -> bool:
    try:
        digest = bytes.fromhex(item.hash)
    except ValueError:
        return False
    return verify_signature(key, item.sig, digest)
