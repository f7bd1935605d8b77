"""Partner tracks: the COP's feed beside the ledger, with the ledger stream's checks.

Position reports are far too frequent for the signed ledger, and only the
latest state of each track matters to a partner. So the COP federates its
tracks as a feed (the federation feed port, served at
``/federation/v1/tracks``): each page holds every track this node's nation owns
that is released to the partner and changed since the partner's cursor, and
the uids whose release to it was withdrawn. Federation signs and checks the
page's envelope (signature, addressee, cursor); this module builds and checks
what is in it: every track is owned by the partner, released to us and well
formed. Any failure quarantines the page: nothing of it is applied.

A track is identified by its owner and its uid, so a partner's track that
happens to share a uid with one of ours (or a third nation's) is kept beside
it, never in its place; see :mod:`alliance.cop.hub` for which one a picture shows.

The desk does not import federation: :class:`TrackFeed` fits the port
(:class:`alliance.federation.Feed`) by its shape, and the node hands it over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from alliance.core import limits
from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text

from .desk import CopDesk
from .tracks import Track, TrackWire

FORMAT = "alliance-tracks/1"


@dataclass(frozen=True, slots=True)
class TrackChanges:
    """A partner's checked page: its tracks, and the uids it withdrew from us."""

    tracks: list[Track]
    withdrawn: list[str]


def _refused(what: str, en: str, ja: str) -> InvalidInput:
    return InvalidInput(Text(en, ja), code=f"track_{what}")


def check_tracks(fields: Mapping[str, Any], *, me: str, partner: str) -> TrackChanges:
    """Every check of the tracks of ``partner``'s page to ``me``; the first failure
    is raised (:class:`~alliance.core.errors.InvalidInput`, code ``track_*``)."""
    tracks_raw, withdrawn = fields.get("tracks"), fields.get("withdrawn")
    if (
        not isinstance(tracks_raw, list)
        or not isinstance(withdrawn, list)
        or not all(isinstance(u, str) and 0 < len(u) <= limits.TRACK_UID for u in withdrawn)
    ):
        raise _refused("format", "malformed track page", "航跡ページの形式が不正です")
    tracks: list[Track] = []
    for n, item in enumerate(tracks_raw):
        try:
            track = TrackWire.model_validate(item).track(source=f"federation:{partner}")
        except (ValidationError, ValueError, AllianceError) as exc:
            raise _refused(
                "invalid",
                f"track {n} is not a valid track: {str(exc).splitlines()[0]}",
                f"航跡{n}が不正です",
            ) from None
        if track.owner != partner:
            raise _refused(
                "not_owner",
                f"track {track.uid} is owned by {track.owner}; {partner} may send only its own",
                f"航跡{track.uid}は{track.owner}の所有で、{partner}は送信できません",
            )
        if not track.marking.releases_to(me):
            raise _refused(
                "not_released",
                f"track {track.uid} is not released to {me}",
                f"航跡{track.uid}は{me}に提供可ではありません",
            )
        tracks.append(track)
    return TrackChanges(tracks, list(withdrawn))


class TrackFeed:
    """The COP's tracks as a federation feed (:class:`alliance.federation.Feed`)."""

    name = "tracks"
    format = FORMAT
    code = "track"
    label = Text("track", "航跡")

    def __init__(self, desk: CopDesk) -> None:
        self.desk = desk
        # Like the ledger stream, only our own nation's tracks: a combined node's
        # other hosted nations are not federated (a partner takes a track only
        # from its owner's node, and would stop the link).
        self.owners = frozenset({desk.ctx.nation})

    @property
    def epoch(self) -> str:
        return self.desk.hub.epoch

    def changes(self, partner: str, since: int) -> tuple[int, dict[str, Any], bool]:
        version, tracks, withdrawn = self.desk.hub.changes_since(partner, since, self.owners)
        fields = {"tracks": [t.to_wire() for t in tracks], "withdrawn": withdrawn}
        return version, fields, not tracks and not withdrawn

    def wait(self, version: int, timeout: float) -> None:
        self.desk.hub.wait_for_change(version, timeout)

    def check(self, fields: Mapping[str, Any], *, me: str, partner: str) -> TrackChanges:
        return check_tracks(fields, me=me, partner=partner)

    def apply(self, partner: str, content: TrackChanges, *, full: bool) -> int:
        """Apply a checked page; returns how many tracks changed here."""
        desk = self.desk
        # Every track here is the partner's own (``check_tracks``), kept under
        # (owner, uid): one with the uid of one of ours is a track of its own
        # beside ours, never a move of ours, and our picture keeps showing ours.
        for track in content.tracks:
            desk.accept(track)
        gone = set(content.withdrawn)
        if full:  # all the partner releases to us now: drop the rest of its tracks
            gone |= desk.hub.owned_by(partner) - {t.uid for t in content.tracks}
        for uid in gone:
            desk.withdraw(uid, partner)
        return len(content.tracks) + len(gone)
