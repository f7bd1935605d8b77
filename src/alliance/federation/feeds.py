"""Feeds beside the ledger: the port through which a desk's extra feed is federated.

Some of a desk's data is far too frequent for the signed ledger, and only its
latest state matters to a partner (the COP's tracks). A desk federates such
data as a **feed**: it implements :class:`Feed` in its own package, the node
hands the feed to :class:`~alliance.federation.Federation`, and federation
carries it without knowing what is in it.

Each node serves each partner, over the same mutual-TLS endpoint as the
ledger stream, ``GET /federation/v1/<name>?epoch=E&since=V&wait=W``: the
changes since version ``V`` of what the feed releases to that partner. Versions
count changes in the sender's memory; ``epoch`` names one run of the sender, so
after a restart (or on the first pull) the partner gets the whole released
picture (``full``) and drops what the sender no longer releases to it.

Federation owns the envelope of a page and every check on it that is not about
the feed's content: the format, the signature (the sender's ledger key, over
the page's canonical JSON, checked against the key pinned for that partner),
that the page is from that partner and for us, and the cursor. The feed builds
its part of the page (:meth:`Feed.changes`), checks a partner's part
(:meth:`Feed.check`, which raises an :class:`~alliance.core.errors.AllianceError`
whose code and message the operator is shown), and applies it
(:meth:`Feed.apply`). A page that fails any check is quarantined like a bad
ledger item: nothing of it is applied, the link stops and the operator sees it
(``federation status``).
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx
import orjson

from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey, verify_signature
from alliance.core.ledger import canonical
from alliance.store.schema import LinkRow

from .link import LinkWorker, PageRefused, fetch_json
from .partners import PartnerDesk

log = logging.getLogger(__name__)

QUARANTINE_SEQ = 0  # quarantine entries of feed pages carry seq 0 and the feed's code
# The fields of a page's envelope: a feed's own fields are the rest.
ENVELOPE = ("format", "from", "to", "epoch", "since", "version", "full", "signature")
RESERVED_NAMES = frozenset({"head", "stream", "hello"})  # the ledger stream's own paths

T = TypeVar("T")


class Feed(Protocol[T]):
    """A desk's feed beside the ledger; ``T`` is a page's checked content."""

    @property
    def name(self) -> str:
        """Its path under ``/federation/v1/`` (e.g. ``"tracks"``)."""

    @property
    def format(self) -> str:
        """The page format tag (e.g. ``"alliance-tracks/1"``)."""

    @property
    def code(self) -> str:
        """The prefix of the codes of its problems (e.g. ``"track"`` for ``track_signature``)."""

    @property
    def label(self) -> Text:
        """What one item is called, in both languages (e.g. track / 航跡)."""

    @property
    def epoch(self) -> str:
        """The sender's current run: versions count from zero again in a new one."""

    def changes(self, partner: str, since: int) -> tuple[int, dict[str, Any], bool]:
        """What is released to ``partner`` that changed after version ``since``
        (everything released to it when ``since`` is 0), and what was withdrawn:
        the feed's version now (the partner's next ``since``), the feed's own
        fields of the page (JSON), and whether there is nothing (a long poll
        then waits for more)."""

    def wait(self, version: int, timeout: float) -> None:
        """Return when the feed moved past ``version``, or after ``timeout`` seconds."""

    def check(self, fields: Mapping[str, Any], *, me: str, partner: str) -> T:
        """Check ``partner``'s fields of a page addressed to us (``me``); raise an
        :class:`~alliance.core.errors.AllianceError` naming what is wrong."""

    def apply(self, partner: str, content: T, *, full: bool) -> int:
        """Apply checked content; ``full``: it is all ``partner`` releases to us now,
        so anything of ``partner``'s held here and not in it is dropped. Returns
        how many items changed here."""


def page_digest(page: Mapping[str, Any]) -> bytes:
    """What a page's signature signs: the SHA-256 of its canonical JSON, without the signature."""
    return hashlib.sha256(canonical(dict(page))).digest()


@dataclass(frozen=True, slots=True)
class CheckedPage(Generic[T]):
    epoch: str
    version: int
    full: bool
    content: T


@dataclass(frozen=True, slots=True)
class PageProblem:
    code: str
    reason: Text


class FeedEnds(Generic[T]):
    """Both ends of one feed for one node: signed pages for partners, checks of theirs."""

    def __init__(self, feed: Feed[T], key: NodeKey, nation: str) -> None:
        self.feed = feed
        self.key = key
        self.nation = nation
        self.closed = threading.Event()  # set while the node stops: long polls end

    @property
    def name(self) -> str:
        return self.feed.name

    # -- sending -------------------------------------------------------------------

    def page(self, partner: str, epoch: str, since: int, wait: float) -> dict[str, Any]:
        """The signed page of changes for ``partner``; long-polls up to ``wait`` s."""
        feed = self.feed
        now = feed.epoch
        if epoch != now:
            since = 0  # a new partner or a restarted sender: the whole released picture
        version, fields, empty = feed.changes(partner, since)
        deadline = time.monotonic() + wait
        while empty and not self.closed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            feed.wait(version, min(left, 0.5))
            version, fields, empty = feed.changes(partner, since)
        page: dict[str, Any] = {
            **fields,
            "format": feed.format,
            "from": self.nation,
            "to": partner,
            "epoch": now,
            "since": since,
            "version": version,
            "full": since == 0,
        }
        return {**page, "signature": self.key.sign(page_digest(page)).hex()}

    # -- receiving -------------------------------------------------------------------

    def check(self, raw: Any, *, partner: str, partner_key: bytes) -> CheckedPage[T] | PageProblem:
        """Every check of a partner's page; the first failure is returned."""
        feed, me = self.feed, self.nation
        label = feed.label
        if not isinstance(raw, dict) or raw.get("format") != feed.format:
            return self._problem(
                "format", f"not a {label.en} page", f"{label.ja}ページではありません"
            )
        body = {k: v for k, v in raw.items() if k != "signature"}
        try:
            signature = bytes.fromhex(str(raw.get("signature", "")))
        except ValueError:
            signature = b""
        if not verify_signature(partner_key, signature, page_digest(body)):
            return self._problem(
                "signature",
                "the page's signature does not verify with the partner's pinned key",
                "ページの署名が相手国の登録済み鍵で検証できません",
            )
        if raw.get("from") != partner or raw.get("to") != me:
            return self._problem(
                "addressee",
                f"the page is from {raw.get('from')} to {raw.get('to')}, not from {partner} to {me}",
                f"ページの宛先が不正です（{raw.get('from')}→{raw.get('to')}）",
            )
        version, epoch = raw.get("version"), raw.get("epoch")
        if not isinstance(version, int) or not isinstance(epoch, str):
            return self._problem(
                "format", f"malformed {label.en} page", f"{label.ja}ページの形式が不正です"
            )
        fields = {k: v for k, v in raw.items() if k not in ENVELOPE}
        try:
            content = feed.check(fields, me=me, partner=partner)
        except AllianceError as exc:
            return PageProblem(exc.code, exc.message)
        return CheckedPage(epoch, version, bool(raw.get("full")), content)

    def _problem(self, what: str, en: str, ja: str) -> PageProblem:
        return PageProblem(f"{self.feed.code}_{what}", Text(en, ja))

    def apply(self, partner: str, page: CheckedPage[T]) -> int:
        return self.feed.apply(partner, page.content, full=page.full)


class FeedPuller(LinkWorker, Generic[T]):
    """Pulls one partner's page of one feed in a thread of its own, while the link runs."""

    def __init__(
        self,
        ends: FeedEnds[T],
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
        self.what = f"{ends.name} pull"
        self.ends = ends
        self.url = f"{url.rstrip('/')}/federation/v1/{ends.name}"
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
        feed = self.ends.feed
        raw = fetch_json(
            http,
            self.url,
            params={"epoch": self.epoch, "since": self.version, "wait": self.wait},
            headers=self.headers,
        )
        if not isinstance(raw, dict) or raw.get("format") != feed.format:
            # A partner that does not serve this feed (another version): not an attack; retry.
            raise PageRefused(
                f"{feed.code}_format",
                Text(
                    f"the partner's answer is not a {feed.label.en} page",
                    f"連携先の応答が{feed.label.ja}ページではありません",
                ),
            )
        self.recovered()
        result = self.ends.check(raw, partner=self.partner, partner_key=self.partner_key)
        if isinstance(result, PageProblem):
            log.error("%s page from %s quarantined: %s", feed.name, self.partner, result.reason.en)
            self.desk.quarantine_item(
                self.partner, QUARANTINE_SEQ, result.code, result.reason, orjson.dumps(raw)[:65536]
            )
            return
        self.applied += self.ends.apply(self.partner, result)
        self.epoch, self.version = result.epoch, result.version
