"""The ledger: append-only, hash-chained, signed events.

Every change a node makes is an event carrying who acted (actor), on what
authority (the rule that allowed it), when, under which marking, and the state
of the object after the change. The event body is canonical JSON (sorted keys,
no whitespace, UTF-8); its SHA-256 is the event hash; the hash of the previous
event is inside the body, so the events form a chain; the node signs the
32-byte hash with its Ed25519 key.

This module is pure: it seals drafts into events and verifies a sequence of
stored events. The store decides how rows are written and read.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from .authority import Actor, Grant
from .dtg import iso
from .i18n import Text
from .ids import new_id
from .keys import NodeKey, verify_signature
from .markings import Marking

GENESIS_PREV = "0" * 64
FORMAT_VERSION = 1


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, compact, UTF-8, no NaN. Both signer and verifier use it."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


@dataclass(slots=True)
class EventDraft:
    """An event before it has a place in the chain."""

    kind: str
    object_type: str
    object_id: str
    owner: str
    marking: Marking
    data: dict[str, Any]
    actor: Actor | None = None
    authority: Grant | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A sealed event: what is stored, shipped and verified."""

    seq: int
    event_id: str
    ts: datetime
    kind: str
    object_type: str
    object_id: str
    owner: str
    rel: str
    tlp: str | None
    body: bytes
    hash: str
    prev_hash: str
    sig: bytes

    def body_json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.body)
        return loaded

    @property
    def marking(self) -> Marking:
        return Marking.from_columns(self.rel, self.tlp)


def _body(
    draft: EventDraft,
    *,
    seq: int,
    event_id: str,
    prev_hash: str,
    ts: str,
    node: str,
    marking: dict[str, Any],
) -> bytes:
    """The canonical body; ``ts`` is already :func:`iso` text and ``marking`` the
    draft's marking in its JSON form."""
    return canonical(
        {
            "v": FORMAT_VERSION,
            "seq": seq,
            "id": event_id,
            "node": node,
            "ts": ts,
            "kind": draft.kind,
            "object": {"type": draft.object_type, "id": draft.object_id, "owner": draft.owner},
            "actor": draft.actor.to_json() if draft.actor else None,
            "authority": draft.authority.to_json() if draft.authority else None,
            "marking": marking,
            "data": draft.data,
            "prev": prev_hash,
        }
    )


def sign_digests(digests: list[bytes], key: NodeKey, pool: Executor | None = None) -> list[bytes]:
    """Sign each digest; with a pool, half of them on another thread (the
    signing library releases the GIL, so that is another core)."""
    if pool is not None and len(digests) >= 16:
        half = len(digests) // 2
        first = pool.submit(lambda: [key.sign(d) for d in digests[:half]])
        rest = [key.sign(d) for d in digests[half:]]
        return first.result() + rest
    return [key.sign(d) for d in digests]


def seal(
    draft: EventDraft, *, seq: int, prev_hash: str, ts: datetime, node: str, key: NodeKey
) -> Event:
    """Give one draft its place in the chain, hash it and sign it."""
    return seal_all([(draft, ts)], seq=seq - 1, prev_hash=prev_hash, node=node, key=key)[0]


def seal_all(
    drafts: Sequence[tuple[EventDraft, datetime]],
    *,
    seq: int,
    prev_hash: str,
    node: str,
    key: NodeKey,
    pool: Executor | None = None,
) -> list[Event]:
    """Chain drafts after the event ``seq`` whose hash is ``prev_hash``; sign them,
    half of them on ``pool`` if given.

    Hashing must run in order (each body holds the previous hash); signatures
    are independent and the signing library releases the GIL, so a pool uses
    another core.
    """
    # A batch's drafts share a few times (one per job) and markings: their text
    # and column forms are computed once per distinct value, not per event.
    times: dict[datetime, str] = {}
    markings: dict[Marking, tuple[dict[str, Any], str, str | None]] = {}
    hashed: list[tuple[EventDraft, datetime, int, str, str, bytes, bytes, str, str | None]] = []
    for draft, ts in drafts:
        seq += 1
        event_id = new_id()
        ts_text = times.get(ts)
        if ts_text is None:
            ts_text = times[ts] = iso(ts)
        forms = markings.get(draft.marking)
        if forms is None:
            m = draft.marking
            forms = markings[m] = (m.to_json(), m.rel_text(), m.tlp.value if m.tlp else None)
        body = _body(
            draft,
            seq=seq,
            event_id=event_id,
            prev_hash=prev_hash,
            ts=ts_text,
            node=node,
            marking=forms[0],
        )
        digest = hashlib.sha256(body).digest()
        hashed.append((draft, ts, seq, event_id, prev_hash, body, digest, forms[1], forms[2]))
        prev_hash = digest.hex()
    sigs = sign_digests([h[6] for h in hashed], key, pool)
    return [
        Event(
            seq=n,
            event_id=event_id,
            ts=ts,
            kind=draft.kind,
            object_type=draft.object_type,
            object_id=draft.object_id,
            owner=draft.owner,
            rel=rel,
            tlp=tlp,
            body=body,
            hash=digest.hex(),
            prev_hash=prev,
            sig=sig,
        )
        for (draft, ts, n, event_id, prev, body, digest, rel, tlp), sig in zip(
            hashed, sigs, strict=True
        )
    ]


@dataclass(frozen=True, slots=True)
class Problem:
    """The first event that failed verification, and why."""

    seq: int
    event_id: str
    reason: Text


@dataclass(slots=True)
class VerifyReport:
    checked: int = 0
    head_hash: str = GENESIS_PREV
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check_shape(ev: Event, expected_seq: int, prev_hash: str) -> Text | None:
    """Hash, chain and column checks that need no signature."""
    if ev.seq != expected_seq:
        return Text(
            f"sequence gap: expected {expected_seq}, found {ev.seq}",
            f"連番の欠落: {expected_seq} のはずが {ev.seq}",
        )
    if hashlib.sha256(ev.body).hexdigest() != ev.hash:
        return Text("body does not match its hash", "本文がハッシュと一致しません")
    if len(ev.sig) != 64:
        # The signature check below sees exactly 64 bytes; extra bytes would pass unseen.
        return Text("signature is not 64 bytes long", "署名の長さが64バイトではありません")
    if ev.prev_hash != prev_hash:
        return Text("broken chain: previous hash differs", "連鎖の破損: 直前のハッシュが違います")
    try:
        body = orjson.loads(ev.body)
        obj = body["object"]
        marking = body["marking"]
        same = (
            body["seq"] == ev.seq
            and body["id"] == ev.event_id
            and body["prev"] == ev.prev_hash
            and body["kind"] == ev.kind
            and obj["type"] == ev.object_type
            and obj["id"] == ev.object_id
            and obj["owner"] == ev.owner
            and ",".join(marking["releasable_to"]) == ev.rel
            and marking["tlp"] == ev.tlp
            and datetime.fromisoformat(body["ts"]) == ev.ts
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return Text("body is not a ledger event", "本文が台帳イベントではありません")
    if not same:
        return Text(
            "a stored column differs from the signed body",
            "保存された列が署名済み本文と異なります",
        )
    return None


def _bad_signature_index(public_raw: bytes, blob: bytes) -> int | None:
    """Index of the first bad signature in ``blob`` (64-byte signature + 32-byte digest each)."""
    for i in range(len(blob) // 96):
        part = blob[i * 96 : (i + 1) * 96]
        if not verify_signature(public_raw, part[:64], part[64:]):
            return i
    return None


def _signature_pool(workers: int) -> Executor:
    """Where signatures are checked.

    In a single-threaded process (the CLI, a benchmark) forked worker
    processes never wait for this thread's GIL, which is measurably faster.
    Forking a process that runs other threads (a server) is unsafe, so there
    the checks run on threads; libsodium releases the GIL while it verifies.
    """
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"))
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ledger-verify")


def verify(
    events: Iterable[Event],
    public_raw: bytes,
    *,
    start_seq: int = 1,
    prev_hash: str = GENESIS_PREV,
    workers: int | None = None,
    chunk_size: int = 4096,
) -> VerifyReport:
    """Verify a run of events in order; report the first bad one.

    Sequence, hash, chain and stored columns are checked here; signatures are
    checked in chunks by worker processes, so verification uses every core.
    """
    report = VerifyReport(head_hash=prev_hash)
    pending: list[tuple[list[Event], Future[int | None]]] = []
    bad_sigs: list[Event] = []
    chunk: list[Event] = []
    shape_problem: Problem | None = None
    expected = start_seq
    n_workers = workers or os.cpu_count() or 2
    with _signature_pool(n_workers) as pool:

        def settle(keep: int) -> None:
            """Collect checked chunks, oldest first, until at most ``keep`` are in flight."""
            while len(pending) > keep:
                evs, fut = pending.pop(0)
                index = fut.result()
                if index is not None:
                    bad_sigs.append(evs[index])

        def flush() -> None:
            blob = b"".join(ev.sig.ljust(64, b"\0")[:64] + bytes.fromhex(ev.hash) for ev in chunk)
            pending.append((chunk, pool.submit(_bad_signature_index, public_raw, blob)))
            # Only a few chunks stay in flight, so memory does not grow with the
            # ledger (reading outruns the signature checks); the workers still
            # always have a chunk queued.
            settle(2 * n_workers)

        for ev in events:
            reason = _check_shape(ev, expected, report.head_hash)
            if reason is not None:
                # Name the place in the chain that is wrong: for a gap or a
                # renumbered row that is the expected seq, not the stored one.
                shape_problem = Problem(expected, ev.event_id, reason)
                break
            chunk.append(ev)
            report.head_hash = ev.hash
            report.checked += 1
            expected += 1
            if len(chunk) >= chunk_size:
                flush()
                chunk = []
        if chunk:
            flush()
        settle(0)
    candidates: list[Problem] = []
    if bad_sigs:
        first = min(bad_sigs, key=lambda e: e.seq)
        candidates.append(
            Problem(
                first.seq,
                first.event_id,
                Text(
                    "signature does not verify with the node key", "署名がノード鍵で検証できません"
                ),
            )
        )
    if shape_problem is not None:
        candidates.append(shape_problem)
    if candidates:
        report.problem = min(candidates, key=lambda p: p.seq)
        report.checked = report.problem.seq - start_seq
    return report
