"""The picture in memory: the latest state of every track, a bounded history,
and fan-out to subscribers — each sees only what is released to its nation.

A track's identity is its owner and its uid: a report from nation N on uid X
creates or moves N's track X, never another nation's, so no nation can learn
whether another holds X, let alone move it. Tracks of different owners with one
uid live side by side. Every consumer (TAK clients, the console, exports) keys
by uid, so a nation's picture shows at most one track per uid: its own nation's
track shadows any partner's with the same uid (nobody can plant a track under
one of your uids in your picture), and among partners' tracks the first owner
code (sorted) released to the nation is shown. Fan-out follows the same rule.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from alliance.core.ids import new_id

from .tracks import Track

log = logging.getLogger(__name__)

Listener = Callable[[Track], None]
Fanout = Callable[[Track, object], None]  # (track, origin): for a server fanning out itself
Remover = Callable[[Track], None]
Key = tuple[str, str]  # (owner, uid): what identifies a track


@dataclass(eq=False)
class Subscription:
    nation: str
    listener: Listener
    origin: object = None
    on_remove: Remover | None = None  # told when a track it was shown leaves its picture
    fanout: Fanout | None = None  # instead of listener: also told who sent it


# What to tell whom after a change: (subscription, track, removed?, origin).
_Note = tuple[Subscription, Track, bool, object]


class TrackHub:
    def __init__(self, history: int = 100) -> None:
        self._lock = threading.Lock()
        self._latest: dict[Key, Track] = {}
        self._owners: dict[str, tuple[str, ...]] = {}  # uid -> owners holding it, sorted
        self._history: dict[Key, deque[Track]] = {}
        self._subs: list[Subscription] = []
        self._history_len = history
        self.published = 0
        # Versions for the federation feed: every change to the latest state of
        # a track gets the next version; ``_ever`` is every nation a track was
        # ever released to (whom to tell when a release is withdrawn).
        self.epoch = new_id()
        self.version = 0
        self._versions: dict[Key, int] = {}
        self._ever: dict[Key, frozenset[str]] = {}
        self.changed = threading.Condition(self._lock)

    def publish(self, track: Track, origin: object = None) -> None:
        """Take a report for ``track.owner``'s track ``track.uid``; older than what
        we hold for it, it only joins the history.

        ``origin`` identifies who sent it (a TAK connection): that subscriber is
        not sent its own report back.
        """
        uid, key = track.uid, (track.owner, track.uid)
        shared: tuple[str, ...] | None = None
        with self._lock:
            current = self._latest.get(key)
            self._history.setdefault(key, deque(maxlen=self._history_len)).append(track)
            if current is not None and track.time < current.time:
                return
            owners = self._owners.get(uid)
            self.published += 1
            if owners is None or (
                current is not None and len(owners) == 1 and not _narrowed(current, track)
            ):
                # The common case: one owner for the uid, the release not narrowed.
                if owners is None:
                    self._owners[uid] = (track.owner,)
                self._latest[key] = track
                self._bump(key, track)
                subs = [
                    s
                    for s in self._subs
                    if track.marking.releases_to(s.nation)
                    and (origin is None or s.origin is not origin)
                ]
                notes: list[_Note] | None = None
            else:
                before = self._shown_to(uid)
                if current is None:  # another nation's track already has this uid
                    self._owners[uid] = shared = tuple(sorted((*owners, track.owner)))
                self._latest[key] = track
                self._bump(key, track)
                notes = self._notes(uid, before, track, origin)
                subs = []
        if shared is not None:
            log.warning(
                "tracks of %s share uid %s: each nation's picture shows its own, "
                "else the first of them released to it",
                ", ".join(shared),
                uid,
            )
        if notes is not None:
            _tell(notes)
            return
        for sub in subs:
            if sub.fanout is not None:
                sub.fanout(track, origin)
            else:
                sub.listener(track)

    def _bump(self, key: Key, track: Track) -> None:
        """Under the lock: a new version for this track, and wake the feed."""
        self.version += 1
        self._versions[key] = self.version
        ever = self._ever.get(key)
        if ever is None or not track.marking.releasable_to <= ever:
            self._ever[key] = (ever or frozenset()) | track.marking.releasable_to
        self.changed.notify_all()

    def _shown(self, uid: str, nation: str) -> Track | None:
        """Under the lock: the track ``nation``'s picture shows under ``uid``."""
        owners = self._owners.get(uid, ())
        if nation in owners:
            return self._latest[(nation, uid)]
        for owner in owners:
            track = self._latest[(owner, uid)]
            if track.marking.releases_to(nation):
                return track
        return None

    def _shown_to(self, uid: str) -> dict[str, Track | None]:
        """Under the lock: what each subscribed nation is shown under ``uid``."""
        return {nation: self._shown(uid, nation) for nation in {s.nation for s in self._subs}}

    def _notes(
        self, uid: str, before: dict[str, Track | None], track: Track | None, origin: object
    ) -> list[_Note]:
        """Under the lock, after a change to ``uid``: each subscriber whose picture
        changed under that uid is sent what it shows now, or told it is gone."""
        after = self._shown_to(uid)
        notes: list[_Note] = []
        for s in self._subs:
            old, new = before.get(s.nation), after[s.nation]
            if new is not None and new is not old:
                if new is track and origin is not None and s.origin is origin:
                    continue
                notes.append((s, new, False, origin if new is track else None))
            elif new is None and old is not None and s.on_remove is not None:
                notes.append((s, old, True, None))
        return notes

    def changes_since(
        self, nation: str, since: int, owners: frozenset[str]
    ) -> tuple[int, list[Track], list[str]]:
        """For the federation feed to ``nation``: the version now, the tracks of
        ``owners`` released to it that changed after ``since``, and the uids
        whose release to it was withdrawn since (it was told of them before)."""
        with self._lock:
            tracks: list[Track] = []
            withdrawn: list[str] = []
            for key, version in self._versions.items():
                if version <= since or key[0] not in owners:
                    continue
                track = self._latest[key]
                if track.marking.releases_to(nation):
                    tracks.append(track)
                elif nation in self._ever.get(key, ()):
                    withdrawn.append(track.uid)
            return self.version, tracks, withdrawn

    def wait_for_change(self, since: int, timeout: float) -> None:
        with self._lock:
            if self.version <= since:
                self.changed.wait(timeout)

    def remove(self, uid: str, owner: str) -> bool:
        """Drop ``owner``'s track ``uid`` (a replica whose release was withdrawn).
        A subscriber shown it is told it is gone, or sent the track it shows
        under that uid now."""
        key = (owner, uid)
        with self._lock:
            if key not in self._latest:
                return False
            before = self._shown_to(uid)
            del self._latest[key]
            self._history.pop(key, None)
            self._versions.pop(key, None)
            self._ever.pop(key, None)
            rest = tuple(o for o in self._owners[uid] if o != owner)
            if rest:
                self._owners[uid] = rest
            else:
                del self._owners[uid]
            notes = self._notes(uid, before, None, None)
        _tell(notes)
        return True

    def owned_by(self, owner: str) -> set[str]:
        """The uids of ``owner``'s tracks."""
        with self._lock:
            return {uid for o, uid in self._latest if o == owner}

    def subscribe(
        self,
        nation: str,
        listener: Listener,
        origin: object = None,
        on_remove: Remover | None = None,
    ) -> Subscription:
        sub = Subscription(nation, listener, origin, on_remove)
        with self._lock:
            self._subs.append(sub)
        return sub

    def subscribe_fanout(
        self, nation: str, fanout: Fanout, on_remove: Remover | None = None
    ) -> Subscription:
        """One subscription for many clients of ``nation`` (the TAK server): it
        gets every report released to them, and who sent it, to skip that client."""
        sub = Subscription(nation, lambda track: None, None, on_remove, fanout)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def picture(self, nation: str) -> list[Track]:
        """What ``nation`` sees: for each uid, the latest track it is shown."""
        with self._lock:
            return [
                t
                for (_owner, uid), t in self._latest.items()
                if t.marking.releases_to(nation)
                and (len(self._owners[uid]) == 1 or self._shown(uid, nation) is t)
            ]

    def get(self, uid: str, nation: str, owner: str | None = None) -> Track | None:
        """The track ``nation``'s picture shows under ``uid``; with ``owner``, that
        owner's track ``uid`` if it is released to ``nation``."""
        with self._lock:
            return self._visible(uid, nation, owner)

    def _visible(self, uid: str, nation: str, owner: str | None) -> Track | None:
        if owner is None:
            return self._shown(uid, nation)
        track = self._latest.get((owner, uid))
        return track if track is not None and track.marking.releases_to(nation) else None

    def history(self, uid: str, nation: str, owner: str | None = None) -> list[Track]:
        """The recent positions of the track :meth:`get` gives, each point only if
        it was released to ``nation`` when it was reported."""
        with self._lock:
            track = self._visible(uid, nation, owner)
            if track is None:
                return []
            return [
                t
                for t in self._history.get((track.owner, uid), ())
                if t.marking.releases_to(nation)
            ]

    def load(self, tracks: Iterable[Track]) -> None:
        """Restore the picture at start (no fan-out)."""
        with self._lock:
            for t in tracks:
                key = (t.owner, t.uid)
                if key not in self._latest:
                    owners = self._owners.get(t.uid, ())
                    self._owners[t.uid] = tuple(sorted((*owners, t.owner)))
                self._latest[key] = t
                self._bump(key, t)


def _narrowed(current: Track, track: Track) -> bool:
    """``track`` is released to fewer nations than ``current`` was."""
    was, now = current.marking.releasable_to, track.marking.releasable_to
    return was is not now and not was <= now


def _tell(notes: list[_Note]) -> None:
    """Outside the lock: deliver what :meth:`TrackHub._notes` decided."""
    for sub, track, removed, origin in notes:
        if removed:
            assert sub.on_remove is not None
            sub.on_remove(track)
        elif sub.fanout is not None:
            sub.fanout(track, origin)
        else:
            sub.listener(track)
