"""The picture in memory: the latest state of every track, a bounded history,
and fan-out to subscribers — each sees only what is released to its nation."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from alliance.core.ids import new_id

from .tracks import Track

Listener = Callable[[Track], None]
Fanout = Callable[[Track, object], None]  # (track, origin): for a server fanning out itself
Remover = Callable[[Track], None]


@dataclass(eq=False)
class Subscription:
    nation: str
    listener: Listener
    origin: object = None
    on_remove: Remover | None = None  # told when a track it was sent is withdrawn
    fanout: Fanout | None = None  # instead of listener: also told who sent it


class TrackHub:
    def __init__(self, history: int = 100) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Track] = {}
        self._history: dict[str, deque[Track]] = {}
        self._subs: list[Subscription] = []
        self._history_len = history
        self.published = 0
        # Versions for the federation feed: every change to the latest state of
        # a track gets the next version; ``_ever`` is every nation a track was
        # ever released to (whom to tell when a release is withdrawn).
        self.epoch = new_id()
        self.version = 0
        self._versions: dict[str, int] = {}
        self._ever: dict[str, frozenset[str]] = {}
        self.changed = threading.Condition(self._lock)

    def publish(self, track: Track, origin: object = None) -> None:
        """Take a report; older than what we hold for that uid, it only joins the history.

        ``origin`` identifies who sent it (a TAK connection): that subscriber is
        not sent its own report back.
        """
        with self._lock:
            current = self._latest.get(track.uid)
            if current is not None and current.owner != track.owner:
                raise PermissionError(f"track {track.uid} belongs to {current.owner}")
            self._history.setdefault(track.uid, deque(maxlen=self._history_len)).append(track)
            if current is not None and track.time < current.time:
                return
            self._latest[track.uid] = track
            self._bump(track)
            subs = [
                s
                for s in self._subs
                if track.marking.releases_to(s.nation)
                and (origin is None or s.origin is not origin)
            ]
            self.published += 1
        for sub in subs:
            if sub.fanout is not None:
                sub.fanout(track, origin)
            else:
                sub.listener(track)

    def _bump(self, track: Track) -> None:
        """Under the lock: a new version for this track, and wake the feed."""
        self.version += 1
        self._versions[track.uid] = self.version
        ever = self._ever.get(track.uid)
        if ever is None or not track.marking.releasable_to <= ever:
            self._ever[track.uid] = (ever or frozenset()) | track.marking.releasable_to
        self.changed.notify_all()

    def changes_since(
        self, nation: str, since: int, owners: frozenset[str]
    ) -> tuple[int, list[Track], list[str]]:
        """For the federation feed to ``nation``: the version now, the tracks of
        ``owners`` released to it that changed after ``since``, and the uids
        whose release to it was withdrawn since (it was told of them before)."""
        with self._lock:
            tracks: list[Track] = []
            withdrawn: list[str] = []
            for uid, version in self._versions.items():
                if version <= since:
                    continue
                track = self._latest.get(uid)
                if track is None or track.owner not in owners:
                    continue
                if track.marking.releases_to(nation):
                    tracks.append(track)
                elif nation in self._ever.get(uid, ()):
                    withdrawn.append(uid)
            return self.version, tracks, withdrawn

    def wait_for_change(self, since: int, timeout: float) -> None:
        with self._lock:
            if self.version <= since:
                self.changed.wait(timeout)

    def remove(self, uid: str, owner: str) -> bool:
        """Drop a replica whose release was withdrawn (only ``owner``'s); the
        subscribers that were shown it are told."""
        with self._lock:
            current = self._latest.get(uid)
            if current is None or current.owner != owner:
                return False
            del self._latest[uid]
            self._history.pop(uid, None)
            self._versions.pop(uid, None)
            self._ever.pop(uid, None)
            subs = [
                s
                for s in self._subs
                if s.on_remove is not None and current.marking.releases_to(s.nation)
            ]
        for sub in subs:
            assert sub.on_remove is not None
            sub.on_remove(current)
        return True

    def owned_by(self, owner: str) -> set[str]:
        with self._lock:
            return {uid for uid, t in self._latest.items() if t.owner == owner}

    def owner_of(self, uid: str) -> str | None:
        with self._lock:
            current = self._latest.get(uid)
            return current.owner if current else None

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
        """Every latest track released to ``nation``."""
        with self._lock:
            return [t for t in self._latest.values() if t.marking.releases_to(nation)]

    def get(self, uid: str, nation: str) -> Track | None:
        with self._lock:
            track = self._latest.get(uid)
        return track if track is not None and track.marking.releases_to(nation) else None

    def history(self, uid: str, nation: str) -> list[Track]:
        with self._lock:
            return [t for t in self._history.get(uid, ()) if t.marking.releases_to(nation)]

    def load(self, tracks: list[Track]) -> None:
        """Restore the picture at start (no fan-out)."""
        with self._lock:
            for t in tracks:
                self._latest[t.uid] = t
                self._bump(t)
