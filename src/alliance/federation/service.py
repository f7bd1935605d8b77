"""Federation for one node: the stream builder (always on), the server and the pullers.

The stream builder is registered with the writer when the node is built, so
every write — from the API, the CLI or a seed — lands in the partners'
streams. The network parts (the mutual-TLS server and one puller per partner)
start only when the node serves.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey
from alliance.core.ledger import Event
from alliance.pki import Pki, client_context, identify_peer, server_context
from alliance.store.context import DeskContext
from alliance.store.schema import PartnerRow

from .bundle import read_bundle
from .client import Puller
from .feeds import RESERVED_NAMES, Feed, FeedEnds, FeedPuller
from .held import apply_held
from .hello import hello
from .partners import NewPartner, PartnerDesk, partners
from .receiver import Types
from .server import StreamServer
from .stream import StreamBuilder

log = logging.getLogger(__name__)


class Federation:
    def __init__(
        self,
        ctx: DeskContext,
        key: NodeKey,
        node_id: str,
        home: Path,
        feeds: Sequence[Feed[Any]] = (),
    ) -> None:
        self.ctx = ctx
        self.key = key
        self.node_id = node_id
        self.home = home
        # The object types this node understands and ships (name -> table): the one
        # place federation reads them.
        self.types: Types = ctx.types.tables()
        self.builder = StreamBuilder(ctx.nation, node_id, self.types)
        self.partners = PartnerDesk(ctx, self.builder, key)
        ctx.writer.follow(self.builder.follow)
        # Once per node, not per start: a restarted server must not add a listener.
        ctx.writer.subscribe(self._wake)
        self.server: StreamServer | None = None
        self.pullers: dict[str, Puller] = {}
        self.feeds: dict[str, FeedEnds[Any]] = {}
        for feed in feeds:
            if feed.name in RESERVED_NAMES or feed.name in self.feeds or "/" in feed.name:
                raise ValueError(f"feed name {feed.name!r} is taken or not a path segment")
            self.feeds[feed.name] = FeedEnds(feed, key, ctx.nation)
        self.feed_pullers: list[FeedPuller[Any]] = []
        self.insecure = False

    # -- setup ---------------------------------------------------------------

    def add_partner(
        self, bundle_raw: bytes, *, url: str | None = None, allow_plain_http: bool = False
    ) -> int:
        bundle = read_bundle(bundle_raw, allow_plain_http=allow_plain_http)
        target = url or bundle.federation_url
        if target.startswith("http://") and not allow_plain_http:
            raise InvalidInput(
                Text(
                    "Plain HTTP federation needs the explicit development flag.",
                    "平文HTTPでの連合には明示的な開発用フラグが必要です。",
                ),
                field="url",
                code="plain_http_refused",
            )
        return self.partners.add(
            NewPartner(
                nation=bundle.nation,
                node_id=bundle.node_id,
                url=target,
                ledger_key=bundle.ledger_public_key.hex(),
                ca_pem=bundle.ca_pem,
                ca_fingerprint=bundle.ca_fingerprint,
            )
        )

    # -- network ---------------------------------------------------------------

    def _wake(self, events: list[Event]) -> None:
        """Wake the partners' long polls when a commit may have added stream items.

        A commit of nothing but partner replicas adds none (streams carry only
        our own nation's objects), and while a partner's stream is busy most of
        our commits are just that: its pollers need not wake for them. Events
        of no shippable type (adding a partner queues its initial sync) wake them.
        """
        server = self.server
        if server is not None and any(
            self.builder.may_ship(ev) or ev.object_type not in self.types for ev in events
        ):
            server.notify()

    def start(
        self, *, host: str, port: int, insecure_http: bool = False, wait: float = 10.0
    ) -> int:
        """Start the server and a puller per partner; returns the port served."""
        self.insecure = insecure_http
        known = partners(self.ctx.db)
        if not known:
            log.info("no federation partners: the federation endpoint is not started")
            return 0
        pki = None if insecure_http else Pki.load(self.home)
        tls: ssl.SSLContext | None = None
        if pki is not None and not pki.node_cert_current:
            log.warning(
                "this node's certificate %s lacks the node certificate policy (issued by an "
                "older version): partners refuse it. Run 'alliance pki init --renew-node' and "
                "restart / ノード証明書にノード用ポリシーがなく、パートナーに拒否されます。"
                "「alliance pki init --renew-node」を実行し再起動してください",
                pki.node_cert_path,
            )
        if pki is not None:
            cas = [p.ca_pem for p in known]
            tls = server_context(pki, cas) if cas else None
        self.server = StreamServer(
            self.ctx.db,
            self.key,
            host=host,
            port=port,
            tls=tls,
            identify=lambda der, cas: identify_peer(der, cas) if der else None,
            on_ack=self.partners.record_ack,
            feeds={name: ends.page for name, ends in self.feeds.items()},
            hello=self.hello,
        )
        if pki is not None and tls is None:
            log.warning(
                "no partners yet: the federation server starts when one is added and the node restarts"
            )
            self.server = None
        for ends in self.feeds.values():
            ends.closed.clear()
        served = self.server.start() if self.server is not None else 0
        self.apply_held(known)
        for p in known:
            client_tls = client_context(pki, p.ca_pem) if pki is not None else None
            puller = Puller(
                me=self.ctx.nation,
                partner=p.nation,
                url=p.url,
                partner_key=bytes.fromhex(p.ledger_key),
                writer=self.ctx.writer,
                desk=self.partners,
                tls=client_tls,
                dev_nation_header=insecure_http,
                wait=wait,
                types=self.types,
            )
            puller.start()
            self.pullers[p.nation] = puller
            for ends in self.feeds.values():
                feed_puller = FeedPuller(
                    ends,
                    partner=p.nation,
                    url=p.url,
                    partner_key=bytes.fromhex(p.ledger_key),
                    desk=self.partners,
                    tls=client_tls,
                    headers={"X-Alliance-Dev-Nation": self.ctx.nation} if insecure_http else {},
                    wait=wait,
                )
                feed_puller.start()
                self.feed_pullers.append(feed_puller)
        return served

    def hello(self, partner: str) -> dict[str, Any]:
        """Our signed word to ``partner`` on the object types and feeds we understand."""
        return hello(
            self.key,
            me=self.ctx.nation,
            node_id=self.node_id,
            partner=partner,
            types=self.types,
            feeds=self.feeds,
        )

    def apply_held(self, known: Sequence[PartnerRow]) -> int:
        """Apply what was held from each partner and is understood now (after an
        upgrade), before anything newer from it is pulled."""
        applied = 0
        for p in known:
            key = bytes.fromhex(p.ledger_key)
            applied += self.ctx.writer.run(
                lambda tx, p=p, key=key: apply_held(  # type: ignore[misc]
                    tx, p.nation, key, me=self.ctx.nation, types=self.types
                )
            )
        if applied:
            log.info("applied %d held federation items whose type is understood now", applied)
        return applied

    def stop(self) -> None:
        for ends in self.feeds.values():
            ends.closed.set()  # end the partners' long polls on our side
        # All at once: each may be inside a long poll.
        for puller in self.pullers.values():
            puller.signal_stop()
        for feed_puller in self.feed_pullers:
            feed_puller.signal_stop()
        for puller in self.pullers.values():
            puller.stop()
        self.pullers.clear()
        for feed_puller in self.feed_pullers:
            feed_puller.stop()
        self.feed_pullers.clear()
        if self.server is not None:
            self.server.stop()
            self.server = None
