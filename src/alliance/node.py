"""A sovereign node: settings, database, key, writer and desks, built by a factory.

Nothing starts in a constructor: :meth:`Node.start` opens the database, runs
migrations, checks that the key matches the ledger, and starts the writer.
Several nodes can live in one process (a demo, a test); they share nothing.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar, cast

from sqlalchemy import select

from alliance.access import SignIn, UserDesk
from alliance.acm import AcmDesk
from alliance.config import Settings, write_file
from alliance.cop import CopDesk, TakServer, TakSettings
from alliance.core.authority import Actor
from alliance.core.dtg import utcnow
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.core.keys import NodeKey
from alliance.core.ledger import EventDraft, VerifyReport
from alliance.core.markings import Marking, nation_names
from alliance.desks import DeskSpec, Startable, all_desks, object_types
from alliance.federation import Federation, Feed
from alliance.org import OrgDesk, hq_owner
from alliance.pki import Pki, client_user_id, tak_server_context
from alliance.store import Database, DeskContext, Tx, Writer
from alliance.store.ledger import keep_verify, remember_verify, verify_database, verify_record
from alliance.store.live import LiveEvents
from alliance.store.schema import MetaRow
from alliance.store.upgrade import LEDGER_SCHEMA, Upgrade, head_revision, record_upgrade

log = logging.getLogger(__name__)

D = TypeVar("D")


class NodeError(AllianceError):
    code = "node_error"
    status = 500


class Node:
    """One nation's node. Use :func:`open_node` or :meth:`init`, then :meth:`start`."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        desks: Sequence[DeskSpec] | None = None,
    ) -> None:
        """``desks``: the desks of this node (default: every registered desk,
        :func:`alliance.desks.all_desks`)."""
        self.settings = settings
        self.desk_specs = tuple(all_desks() if desks is None else desks)
        self.types = object_types(self.desk_specs)
        self.clock = clock
        self.db = Database(settings.database_url)
        self.key = NodeKey.load(settings.key_file, settings.passphrase)
        self.writer = Writer(self.db, self.key, settings.node_id, clock=clock)
        self.ctx = DeskContext(
            db=self.db,
            writer=self.writer,
            nation=settings.nation,
            hosted=settings.hosted_nations,
            clock=clock,
            types=self.types,
            disclosure_role=settings.disclosure_role,
        )
        self.users = UserDesk(self.ctx, hq_owner=hq_owner, node_id=settings.node_id)
        # Console sign-in: passwords, lockout and sessions (the API's cookie).
        self.signin = SignIn(
            self.ctx, node_id=settings.node_id, nation_name=nation_names(settings.nation)
        )
        # Built in registry order; each desk's factory sees the desks built before it.
        self.desks: dict[str, object] = {}
        for spec in self.desk_specs:
            self.desks[spec.name] = spec.make(self.ctx, MappingProxyType(self.desks))
        # Registered before anything is written, so every event reaches the streams.
        self.federation = Federation(
            self.ctx,
            self.key,
            settings.node_id,
            settings.home,
            feeds=[
                cast(Feed[Any], spec.feed(self.desks[spec.name], self.key, settings.nation))
                for spec in self.desk_specs
                if spec.feed is not None
            ],
        )
        self.tak: TakServer | None = None
        # Live events (GET /api/v1/stream): every committed batch, replicas included.
        self.live = LiveEvents(settings.nation)
        self.writer.subscribe(self.live.publish)
        # A user disabled here (API, console, CLI in this process) loses their
        # open TAK connections at once, not at the TAK server's next recheck.
        self.users.on_disabled(self._user_disabled)
        self._started = False

    def desk(self, name: str, kind: type[D]) -> D:
        """The desk ``name``, checked to be a ``kind``."""
        desk = self.desks[name]
        if not isinstance(desk, kind):
            raise TypeError(f"desk {name!r} is a {type(desk).__name__}, not a {kind.__name__}")
        return desk

    @property
    def org(self) -> OrgDesk:
        return self.desk("org", OrgDesk)

    @property
    def acm(self) -> AcmDesk:
        return self.desk("acm", AcmDesk)

    @property
    def cop(self) -> CopDesk:
        return self.desk("cop", CopDesk)

    @property
    def nation(self) -> str:
        return self.settings.nation

    def actor(self, token: str) -> Actor:
        """The user an API token stands for (the CLI's ``--token``)."""
        return self.users.authenticate(token)

    @property
    def node_id(self) -> str:
        return self.settings.node_id

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def init(cls, settings: Settings, *, desks: Sequence[DeskSpec] | None = None) -> Node:
        """Create the node folder, its key (0600), config file and database with the genesis event."""
        settings.home.mkdir(parents=True, exist_ok=True)
        settings.home.chmod(0o700)
        if settings.key_file.exists():
            raise NodeError(
                Text(
                    f"{settings.home} already holds a node key; refusing to overwrite it.",
                    f"{settings.home} には既にノード鍵があります。上書きしません。",
                ),
                code="already_initialized",
            )
        key = NodeKey.generate()
        key.save(settings.key_file, settings.passphrase)
        write_file(settings)
        node = cls(settings, desks=desks)
        node.db.migrate()
        node.writer.start()
        try:
            node.writer.run(node._genesis_job())
        finally:
            node.writer.stop()
        node.db.dispose()
        return cls(settings, desks=desks)

    def _genesis_job(self) -> Callable[[Tx], None]:
        s = self.settings
        key = self.key

        def job(tx: Tx) -> None:
            facts = {
                "node_id": s.node_id,
                "nation": s.nation,
                "hosted": ",".join(sorted(s.hosted_nations)),
                "public_key": key.public_hex,
                "created": tx.now.isoformat(),
            }
            for k, v in facts.items():
                tx.session.add(MetaRow(key=k, value=v))
            # A new ledger is in step with this schema: no upgrade to record.
            tx.session.add(MetaRow(key=LEDGER_SCHEMA, value=head_revision()))
            tx.record(
                EventDraft(
                    kind="node.genesis",
                    object_type="node",
                    object_id=s.node_id,
                    owner=s.nation,
                    marking=Marking.of(s.nation, s.hosted_nations),
                    data={k: v for k, v in facts.items() if k != "created"},
                )
            )

        return job

    def _open_database(self) -> None:
        """Bring the schema to the newest revision and check the database is this node's."""
        self.db.migrate()
        with self.db.read() as session:
            meta = {m.key: m.value for m in session.scalars(select(MetaRow))}
        if not meta:
            raise NodeError(
                Text(
                    "This database holds no node; run 'alliance init' first.",
                    "このデータベースにノードがありません。先に「alliance init」を実行してください。",
                ),
                code="not_initialized",
            )
        if meta.get("public_key") != self.key.public_hex:
            raise NodeError(
                Text(
                    "The node key does not match the key that signed this ledger.",
                    "ノード鍵がこの台帳に署名した鍵と一致しません。",
                ),
                code="key_mismatch",
            )
        if meta.get("nation") != self.settings.nation:
            raise NodeError(
                Text(
                    f"This database belongs to a {meta.get('nation')} node, not {self.settings.nation}.",
                    f"このデータベースは{meta.get('nation')}のノードのもので、"
                    f"{self.settings.nation}のものではありません。",
                ),
                code="nation_mismatch",
            )

    def _record_upgrade(self) -> Upgrade:
        """Record in the ledger the rows a schema upgrade rewrote (alliance.store.upgrade)."""
        return self.writer.run(lambda tx: record_upgrade(tx, self.types, self.nation), timeout=600)

    def upgrade(self) -> Upgrade:
        """Upgrade the database and record the upgrade, without serving anything."""
        self._open_database()
        self.writer.start()
        try:
            return self._record_upgrade()
        finally:
            self.writer.stop()

    def start(self) -> Node:
        if self._started:
            return self
        self._open_database()
        self.writer.start()
        self._record_upgrade()
        for desk in self.desks.values():
            if isinstance(desk, Startable):
                desk.start()
        self._started = True
        log.info("node %s (%s) started, key %s", self.node_id, self.nation, self.key.fingerprint)
        return self

    def serve_federation(self, *, wait: float = 5.0) -> int:
        """Start the mutual-TLS stream server and the pullers; returns the port."""
        s = self.settings
        return self.federation.start(
            host=s.federation_host,
            port=s.federation_port,
            insecure_http=s.federation_insecure_http,
            wait=wait,
        )

    def serve_tak(self) -> TakServer | None:
        """Start the TAK server on the configured ports (None when both are 0).

        The TLS port needs the node's PKI: it presents the node certificate and
        takes client certificates issued by this node's user CA (``alliance tak
        client-cert``), each naming an enabled user. A home made before the
        user CA existed gets one now (logged).
        """
        s = self.settings
        if not s.tak_tcp_port and not s.tak_tls_port:
            return None
        tls = None
        identify = None
        if s.tak_tls_port:
            pki = Pki.load(s.home).with_users_ca()
            tls = tak_server_context(pki)
            ca = pki.users_ca

            def identify(der: bytes) -> Actor | None:
                user_id = client_user_id(der, ca)
                if user_id is None:
                    return None
                try:
                    return self.users.actor_for_id(user_id)
                except AllianceError:
                    return None

        server = TakServer(
            self.cop,
            TakSettings(
                host=s.tak_host,
                tcp_port=s.tak_tcp_port or None,
                tls_port=s.tak_tls_port or None,
                release_to=tuple(s.tak_release_to),
            ),
            authenticate=self.users.authenticate,
            tls=tls,
            identify=identify,
            still_allowed=self.user_enabled,
        )
        server.start()
        self.tak = server
        return server

    def _user_disabled(self, user_id: str) -> None:
        self.live.close_user(user_id)
        tak = self.tak
        if tak is not None:
            tak.disconnect_user(user_id)

    def user_enabled(self, user_id: str) -> bool:
        """Whether the user exists here and is not disabled."""
        try:
            self.users.actor_for_id(user_id)
        except AllianceError:
            return False
        return True

    def close(self) -> None:
        self.live.close_all()
        if self.tak is not None:
            self.tak.stop()
            self.tak = None
        self.federation.stop()
        if self._started:
            for desk in reversed(self.desks.values()):
                if isinstance(desk, Startable):
                    desk.stop()
        self.writer.stop()
        self.db.dispose()
        self._started = False

    def __enter__(self) -> Node:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ledger ----------------------------------------------------------------

    def verify_ledger(self) -> VerifyReport:
        """Check the whole ledger; the outcome is kept (``node_meta``) for the
        node's health view (``GET /ledger/status``), with when it was checked."""
        report = verify_database(self.db, self.key.public_raw)
        if self.writer.running:
            record = verify_record(report, self.clock())
            self.writer.run(lambda tx: keep_verify(tx.session, record))
        else:  # a node opened but not started (an upgrade, a check): no writer yet
            remember_verify(self.db, report, self.clock())
        return report


SWITCH_INTERVAL_S = 0.001
"""How long a thread holding the interpreter lock runs before a waiting thread
may take it (Python's default is 5 ms)."""


def settle_heap() -> None:
    """For a long-running server process, once its nodes have started: move what
    start-up built (schema, seed, caches: ~150,000 objects) out of the cyclic
    garbage collector's way, so full collections under load scan only new
    objects. Reference counting still frees everything; only cycle detection
    skips the frozen objects.

    And let a thread that wakes on time take the interpreter lock within
    :data:`SWITCH_INTERVAL_S`: an inject due now passes from the scheduler to
    the writer to the federation stream, three threads, and with the default
    5 ms a busy process made each hop wait up to that long."""
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def open_node(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = utcnow,
    desks: Sequence[DeskSpec] | None = None,
) -> Node:
    """Build and start the node described by ``settings``."""
    return Node(settings, clock=clock, desks=desks).start()
