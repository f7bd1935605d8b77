"""Partner tracks: a feed beside the ledger, with the ledger stream's checks.

Position reports are far too frequent for the signed ledger, and only the
latest state of each track matters to a partner. So each node serves each
partner, over the same mutual-TLS endpoint, the *changes* to the tracks it
owns that are released to that partner: ``GET /federation/v1/tracks?epoch=E&since=V``
answers with every such track whose version is above ``V``, and the uids whose
release to the partner was withdrawn. Versions count changes in the sender's
memory; ``epoch`` names one run of the sender, so after a restart (or on the
first pull) the partner gets the whole released picture and drops any replica
the sender no longer releases to it.

Each page is signed with the sender's ledger key over its canonical JSON. The
receiver checks the signature (pinned key), that the page is from that partner
and for us, that every track is owned by the partner, released to us and well
formed. Any failure quarantines the page like a bad ledger item: nothing of it
is applied, the link stops and the operator sees it (``federation status``).

A track is identified by its owner and its uid, so a partner's track that
happens to share a uid with one of ours (or a third nation's) is kept beside
it, never in its place; see :mod:`alliance.cop.hub` for which one a picture shows.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from pydantic import ValidationError

from alliance.cop.desk import CopDesk
from alliance.cop.tracks import Track, TrackWire
from alliance.core import limits
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey, verify_signature
from alliance.core.ledger import canonical
from alliance.store.schema import LinkRow

from .link import LinkWorker, PageRefused, fetch_json
from .partners import PartnerDesk

log = logging.getLogger(__name__)

FORMAT = "alliance-tracks/1"
PATH = "/federation/v1/tracks"
QUARANTINE_SEQ = 0  # quarantine entries of track pages carry seq 0 and a code track_*


def _digest(page: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical(page)).digest()


class TrackFeed:
    """Both ends for one node: pages for partners, and applying partners' pages."""

    def __init__(self, desk: CopDesk, key: NodeKey, nation: str) -> None:
        self.desk = desk
        self.key = key
        self.nation = nation
        # Like the ledger stream, only our own nation's tracks: a combined node's
        # other hosted nations are not federated (a partner takes a track only
        # from its owner's node, and would stop the link).
        self.owners = frozenset({nation})
        self.closed = threading.Event()  # set while the node stops: long polls end

    # -- sending -------------------------------------------------------------------

    def page(self, partner: str, epoch: str, since: int, wait: float) -> dict[str, Any]:
        """The signed page of changes for ``partner``; long-polls up to ``wait`` s."""
        hub = self.desk.hub
        if epoch != hub.epoch:
            since = 0  # a new partner or a restarted sender: the whole released picture
        version, tracks, withdrawn = hub.changes_since(partner, since, self.owners)
        deadline = time.monotonic() + wait
        while not tracks and not withdrawn and not self.closed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            hub.wait_for_change(version, min(left, 0.5))
            version, tracks, withdrawn = hub.changes_since(partner, since, self.owners)
        page: dict[str, Any] = {
            "format": FORMAT,
            "from": self.nation,
            "to": partner,
            "epoch": hub.epoch,
            "since": since,
            "version": version,
            "full": since == 0,
            "tracks": [t.to_wire() for t in tracks],
            "withdrawn": withdrawn,
        }
        return {**page, "signature": self.key.sign(_digest(page)).hex()}

    # -- receiving -------------------------------------------------------------------

    def apply(self, partner: str, page: CheckedPage) -> int:
        """Apply a checked page; returns how many tracks changed here."""
        desk = self.desk
        # Every track here is the partner's own (``check_page``), kept under
        # (owner, uid): one with the uid of one of ours is a track of its own
        # beside ours, never a move of ours, and our picture keeps showing ours.
        for track in page.tracks:
            desk.accept(track)
        changed = len(page.tracks)
        gone = set(page.withdrawn)
        if page.full:
            gone |= desk.hub.owned_by(partner) - {t.uid for t in page.tracks}
        for uid in gone:
            desk.withdraw(uid, partner)
        return changed + len(gone)


@dataclass(frozen=True, slots=True)
class CheckedPage:
    epoch: str
    version: int
    full: bool
    tracks: list[Track]
    withdrawn: list[str]


@dataclass(frozen=True, slots=True)
class PageProblem:
    code: str
    reason: Text


def _problem(code: str, en: str, ja: str) -> PageProblem:
    return PageProblem(code, Text(en, ja))


def check_page(raw: Any, *, me: str, partner: str, partner_key: bytes) -> CheckedPage | PageProblem:
    """Every check of a partner's track page; the first failure is returned."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return _problem("track_format", "not a track page", "航跡ページではありません")
    body = {k: v for k, v in raw.items() if k != "signature"}
    try:
        signature = bytes.fromhex(str(raw.get("signature", "")))
    except ValueError:
        signature = b""
    if not verify_signature(partner_key, signature, _digest(body)):
        return _problem(
            "track_signature",
            "the page's signature does not verify with the partner's pinned key",
            "ページの署名が相手国の登録済み鍵で検証できません",
        )
    if raw.get("from") != partner or raw.get("to") != me:
        return _problem(
            "track_addressee",
            f"the page is from {raw.get('from')} to {raw.get('to')}, not from {partner} to {me}",
            f"ページの宛先が不正です（{raw.get('from')}→{raw.get('to')}）",
        )
    version, epoch = raw.get("version"), raw.get("epoch")
    tracks_raw, withdrawn = raw.get("tracks"), raw.get("withdrawn")
    if (
        not isinstance(version, int)
        or not isinstance(epoch, str)
        or not isinstance(tracks_raw, list)
        or not isinstance(withdrawn, list)
        or not all(isinstance(u, str) and 0 < len(u) <= limits.TRACK_UID for u in withdrawn)
    ):
        return _problem("track_format", "malformed track page", "航跡ページの形式が不正です")
    tracks: list[Track] = []
    for n, item in enumerate(tracks_raw):
        try:
            track = TrackWire.model_validate(item).track(source=f"federation:{partner}")
        except (ValidationError, ValueError, AllianceError) as exc:
            return _problem(
                "track_invalid",
                f"track {n} is not a valid track: {str(exc).splitlines()[0]}",
                f"航跡{n}が不正です",
            )
        if track.owner != partner:
            return _problem(
                "track_not_owner",
                f"track {track.uid} is owned by {track.owner}; {partner} may send only its own",
                f"航跡{track.uid}は{track.owner}の所有で、{partner}は送信できません",
            )
        if not track.marking.releases_to(me):
            return _problem(
                "track_not_released",
                f"track {track.uid} is not released to {me}",
                f"航跡{track.uid}は{me}に提供可ではありません",
            )
        tracks.append(track)
    return CheckedPage(epoch, version, bool(raw.get("full")), tracks, list(withdrawn))


class TrackPuller(LinkWorker):
    """Pulls one partner's track feed in a thread of its own, while the link runs."""

    what = "track pull"

    def __init__(
        self,
        feed: TrackFeed,
        *,
        partner: str,
        url: str,
        partner_key: bytes,
        desk: PartnerDesk,
        tls: ssl.SSLContext | None,
        headers: dict[str, str],
        wait: float = 10.0,
    ) -> None:
        super().__init__(partner=partner, desk=desk, tls=tls, wait=wait)
        self.feed = feed
        self.url = url.rstrip("/")
        self.partner_key = partner_key
        self.headers = headers
        self.epoch = ""
        self.version = 0
        self.applied = 0

    def link_idle(self) -> None:
        self.epoch = ""  # after the operator resumes: start from the whole picture

    def pull_round(self, http: httpx.Client, link: LinkRow) -> None:
        self.pull_once(http)

    def pull_once(self, http: httpx.Client) -> None:
        raw = fetch_json(
            http,
            self.url + PATH,
            params={"epoch": self.epoch, "since": self.version, "wait": self.wait},
            headers=self.headers,
        )
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            # A partner that does not serve tracks (another version): not an attack; retry.
            raise PageRefused(
                "track_format",
                Text(
                    "the partner's answer is not a track page",
                    "連携先の応答が航跡ページではありません",
                ),
            )
        self.recovered()
        result = check_page(
            raw, me=self.feed.nation, partner=self.partner, partner_key=self.partner_key
        )
        if isinstance(result, PageProblem):
            log.error("track page from %s quarantined: %s", self.partner, result.reason.en)
            self.desk.quarantine_item(
                self.partner, QUARANTINE_SEQ, result.code, result.reason, orjson.dumps(raw)[:65536]
            )
            return
        self.applied += self.feed.apply(self.partner, result)
        self.epoch, self.version = result.epoch, result.version
