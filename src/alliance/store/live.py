"""Live events: what the writer committed, fanned out to each signed-in user's
stream as far as the user's nation may read it.

The writer calls :meth:`LiveEvents.publish` with each committed batch (local
decisions and replicas applied from partners alike: federation applies a
partner's rows through the same writer, as ``federation.replica.*`` events).
Each subscriber names its nation; an event reaches it only when the event's
own signed body releases it to that nation — the rule the ledger API applies
(:func:`alliance.core.release.released_body`), never a copied column.

A partner's withdrawal (``federation.replica.withdrawn``) is recorded
national-only, as the replica's own marking no longer releases it to anyone
here; its notice still goes to this node's own nation, the addressee of the
partner's stream, which held the object until now: a pane drops what it shows
instead of keeping it until a reload. The notice names only the object that
nation already had.

A subscriber gets a small notice per event (:class:`Notice`: type, object id,
owner, kind of change, a few references), never the object itself: a pane
refetches through the API, which applies the release rule again.

Publishing never waits on a subscriber: each has a bounded queue, and a
subscriber whose queue is full is dropped (closed), not the writer slowed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from alliance.core import release
from alliance.core.dtg import iso
from alliance.core.ledger import Event

log = logging.getLogger(__name__)

REPLICA_APPLIED = "federation.replica.applied"
REPLICA_WITHDRAWN = "federation.replica.withdrawn"

REFS = ("request_id", "group_id", "decision_id", "outcome_id", "meeting_id", "hq_id")
"""State fields a notice carries, so a pane can tell which of its views an
event touches (a response names its request, an action item its group)."""

DEFAULT_QUEUE = 1000


@dataclass(frozen=True, slots=True)
class Notice:
    """One committed event, as a stream tells it: enough to decide to refetch."""

    seq: int
    type: str  # the object type (``coordination_request``)
    id: str  # the object id
    owner: str  # the owner nation
    kind: str  # the event kind of the change (``acm.request.sent``)
    change: str  # its last word (``sent``, ``created``, ``withdrawn``)
    replica: bool  # applied from a partner by federation
    at: str  # ISO 8601, UTC
    refs: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "id": self.id,
            "owner": self.owner,
            "kind": self.kind,
            "change": self.change,
            "replica": self.replica,
            "at": self.at,
            "refs": dict(self.refs),
        }


def notice(ev: Event, body: dict[str, Any]) -> Notice:
    """The notice of an event whose body is ``body``."""
    data = body.get("data")
    data = data if isinstance(data, dict) else {}
    kind = ev.kind
    replica = kind in (REPLICA_APPLIED, REPLICA_WITHDRAWN)
    if kind == REPLICA_APPLIED:
        origin = data.get("origin")
        carried = origin.get("event_kind") if isinstance(origin, dict) else None
        kind = carried if isinstance(carried, str) else kind
    change = "withdrawn" if ev.kind == REPLICA_WITHDRAWN else kind.rsplit(".", 1)[-1]
    state = data.get("state")
    refs = (
        {k: v for k in REFS if isinstance(v := state.get(k), str)}
        if isinstance(state, dict)
        else {}
    )
    return Notice(
        ev.seq, ev.object_type, ev.object_id, ev.owner, kind, change, replica, iso(ev.ts), refs
    )


class Subscription:
    """One stream's side of the fan-out: a bounded queue of notices and a wake-up
    call (made on the writer's thread: it must not block)."""

    def __init__(
        self, nation: str, user_id: str, wake: Callable[[], None], limit: int = DEFAULT_QUEUE
    ) -> None:
        self.nation = nation
        self.user_id = user_id
        self._wake = wake
        self._limit = limit
        self._lock = threading.Lock()
        self._items: deque[Notice] = deque()
        self.closed: str | None = None  # why: "slow", "disabled", "stopped"

    def offer(self, item: Notice) -> bool:
        """Queue ``item``; False when closed or the queue is full (the fan-out then
        drops this subscriber as too slow)."""
        with self._lock:
            if self.closed is not None or len(self._items) >= self._limit:
                return False
            self._items.append(item)
        self._call_wake()
        return True

    def close(self, why: str) -> None:
        with self._lock:
            if self.closed is None:
                self.closed = why
                if why == "slow":
                    self._items.clear()
        self._call_wake()

    def take(self) -> list[Notice]:
        """Everything queued, oldest first (empty when closed)."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
            return items

    def _call_wake(self) -> None:
        try:
            self._wake()
        except Exception:  # e.g. the stream's event loop is closed: it is going away
            log.debug("live subscriber wake failed", exc_info=True)


class LiveEvents:
    """The node's fan-out of committed events to live streams."""

    def __init__(self, home: str | None = None) -> None:
        self.home = home  # the node's own nation: a partner's withdrawal is news to it
        self._lock = threading.Lock()
        self._subs: set[Subscription] = set()
        self.dropped = 0  # subscribers closed for being too slow

    def subscribe(
        self, nation: str, user_id: str, wake: Callable[[], None], limit: int = DEFAULT_QUEUE
    ) -> Subscription:
        sub = Subscription(nation, user_id, wake, limit)
        with self._lock:
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def close_user(self, user_id: str, why: str = "disabled") -> None:
        """Close every stream of ``user_id`` (disabled, signed out everywhere)."""
        with self._lock:
            chosen = [s for s in self._subs if s.user_id == user_id]
        for sub in chosen:
            sub.close(why)
            self.unsubscribe(sub)

    def close_all(self) -> None:
        with self._lock:
            chosen = list(self._subs)
            self._subs.clear()
        for sub in chosen:
            sub.close("stopped")

    def publish(self, events: Iterable[Event]) -> None:
        """A writer listener: hand each committed event to the subscribers whose
        nation its signed body releases it to."""
        with self._lock:
            subs = list(self._subs)
        if not subs:
            return
        nations = {s.nation for s in subs}
        for ev in events:
            if hashlib.sha256(ev.body).hexdigest() != ev.hash:
                continue  # as the ledger API: an event that is not what was signed is withheld
            body = ev.body_json()
            readers = {n for n in nations if release.released_body(body, n)}
            if ev.kind == REPLICA_WITHDRAWN and self.home is not None and self.home in nations:
                readers.add(self.home)
            if not readers:
                continue
            item = notice(ev, body)
            for sub in subs:
                if sub.nation in readers and not sub.offer(item):
                    self._drop(sub)

    def _drop(self, sub: Subscription) -> None:
        """Unsubscribe a reader whose queue is full (or that closed meanwhile);
        counted before its stream sees ``closed == "slow"``."""
        with self._lock:
            if sub not in self._subs:
                return
            self._subs.discard(sub)
            slow = sub.closed is None
            if slow:
                self.dropped += 1
        if slow:
            sub.close("slow")


__all__ = ["LiveEvents", "Notice", "Subscription", "notice"]
