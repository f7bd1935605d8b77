"""Fixtures that build real nodes on real databases, and real servers.

``--backends=sqlite,postgresql`` runs every test that asks for ``database_url``
(directly or through a node fixture) once per backend. PostgreSQL is a
throwaway server started here from Debian's package (see tools/pgtemp.py);
each test gets a database of its own, and each further node of a multi-node
test another one (``new_database``), on the same backend.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from tools.pgtemp import TempPostgres

from alliance.access import UserIn
from alliance.api import create_app
from alliance.api.serving import NodeServer
from alliance.config import load_settings
from alliance.core.authority import Actor, Role
from alliance.disclosure import DisclosureDesk, GuidanceIn
from alliance.node import Node
from alliance.org import OrgDocument, load_document, packaged_seed, parse_document
from alliance.store import Database

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backends",
        default=os.environ.get("ALLIANCE_TEST_BACKENDS", "sqlite"),
        help="comma-separated storage backends to run storage tests on: sqlite,postgresql",
    )


def _selected(config: pytest.Config) -> list[str]:
    chosen = [b.strip() for b in str(config.getoption("--backends")).split(",") if b.strip()]
    unknown = set(chosen) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _selected(metafunc.config), scope="session")


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Base URL of the throwaway PostgreSQL server, or None when not selected."""
    if "postgresql" not in _selected(request.config):
        yield None
        return
    given = os.environ.get("ALLIANCE_TEST_PG_URL")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="alliance-pg-"))
    pg = TempPostgres(folder)
    try:
        yield pg.start()
    finally:
        pg.stop(quiet=True)
        shutil.rmtree(folder, ignore_errors=True)  # ~55 MB per run otherwise


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


DatabaseFactory = Callable[[], str]


@pytest.fixture
def new_database(backend: str, tmp_path: Path, pg_server: str | None) -> Iterator[DatabaseFactory]:
    """``url = new_database()``: another fresh, empty database on the selected
    backend, for each node of a multi-node test (PostgreSQL databases are
    dropped after the test)."""
    created: list[str] = []
    base = pg_server.rsplit("/", 1)[0] if pg_server else ""

    def make() -> str:
        if backend == "sqlite":
            name = "node.db" if not created else f"node-{len(created)}.db"
            created.append(name)
            return f"sqlite:///{tmp_path / name}"
        assert pg_server is not None
        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(_plain(pg_server), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"{base}/{name}"

    yield make
    if backend != "sqlite" and pg_server is not None and created:
        with psycopg.connect(_plain(pg_server), autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(new_database: DatabaseFactory) -> str:
    """A fresh, empty database on the selected backend."""
    return new_database()


@pytest.fixture(scope="session")
def migrated_template(
    backend: str, pg_server: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database at the newest schema, built once per backend and test
    process: a node's database starts as a copy of it (a file copy on SQLite,
    ``CREATE DATABASE … TEMPLATE`` on PostgreSQL) instead of running every
    migration again for each node. What the migrations build, from nothing and
    from older schemas, is tested in tests/store/test_migrations.py and
    test_upgrade.py; ``alliance init`` in the CLI tests runs them in full."""
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp("schema")
        db = Database(f"sqlite:///{folder / 'migrating.db'}")
        db.migrate()
        db.dispose()
        lite = sqlite3.connect(folder / "migrating.db", isolation_level=None)
        try:  # one clean file, no WAL beside it
            lite.execute("VACUUM INTO ?", (str(folder / "template.db"),))
        finally:
            lite.close()
        yield str(folder / "template.db")
        return
    assert pg_server is not None
    name = f"tmpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_plain(pg_server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(f"{pg_server.rsplit('/', 1)[0]}/{name}")
    db.migrate()
    db.dispose()
    yield name
    with psycopg.connect(_plain(pg_server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_from_template(url: str, backend: str, template: str, pg_server: str | None) -> None:
    """Make the (untouched) database at ``url`` a copy of the migrated template;
    a database a test already wrote to is left as it is, and so is one on the
    other backend than the template's (a browser test's node on SQLite while
    the run is on PostgreSQL: it migrates as any node does)."""
    on_sqlite = url.startswith("sqlite:///")
    if on_sqlite != (backend == "sqlite"):
        return
    if on_sqlite:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            shutil.copyfile(template, path)
        return
    assert pg_server is not None
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_plain(url)) as conn:
        used = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    if used and used[0]:
        return
    with psycopg.connect(_plain(pg_server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@functools.cache
def _seed() -> tuple[OrgDocument, str]:
    return parse_document(packaged_seed())


NodeFactory = Callable[..., Node]


@pytest.fixture
def make_node(
    tmp_path: Path,
    database_url: str,
    new_database: DatabaseFactory,
    migrated_template: str,
    backend: str,
    pg_server: str | None,
) -> Iterator[NodeFactory]:
    """Build started nodes: ``make_node("JPN", hosted=["USA"], seed=True)``.

    Every node gets a database of its own on the selected backend (the first
    one ``database_url``): nodes share nothing, and a multi-node test runs
    with every node — sender and receiver alike — on each backend.
    """
    nodes: list[Node] = []

    def factory(
        nation: str, *, hosted: list[str] | None = None, seed: bool = True, guidance: bool = True
    ) -> Node:
        home = tmp_path / f"{nation.lower()}-{len(nodes)}"
        url = database_url if not nodes else new_database()
        _start_from_template(url, backend, migrated_template, pg_server)  # ~0.1 s instead of ~1 s
        settings = load_settings(home, nation=nation, hosted=hosted or [], database_url=url)
        node = Node.init(settings).start()
        nodes.append(node)
        if seed:
            doc, digest = _seed()
            load_document(node.ctx, doc.model_copy(deep=True), digest)
        if guidance:
            standing_guidance(node)
        return node

    yield factory
    for node in nodes:
        node.close()


ALLIES = ("JPN", "USA")
THIRD = "AUS"  # the test world's usual third partner
FDO = Role.FOREIGN_DISCLOSURE_OFFICER


def standing_guidance(node: Node) -> None:
    """The test world's disclosure policy: each hosted nation's foreign
    disclosure officer lets staff release every kind of object to its ally
    (JPN↔USA) and to Australia, the usual third partner of these tests.
    Releasing to any other nation goes through a proposal; tests of the gate
    itself build nodes with ``guidance=False``."""
    desk = node.desk("disclosure", DisclosureDesk)
    for nation in sorted(node.settings.hosted_nations):
        hq = {"JPN": "jpn-jjoc", "USA": "usa-jfhq"}.get(nation)
        if hq is None:
            continue
        fdo = Actor(f"fdo-{nation.lower()}", f"{nation} FDO", nation, hq, FDO)
        desk.issue_guidance(
            fdo,
            GuidanceIn(
                object_types=node.types.releasable(),
                releasable_to=[n for n in (*ALLIES, THIRD) if n != nation],
                note="Test world: standing guidance for the ally.",
            ),
        )


@dataclass
class People:
    """API tokens of seeded users, keyed like ``"JPN commander jpn-jjoc"``."""

    tokens: dict[str, str] = field(default_factory=dict)

    def __call__(self, nation: str, role: str, hq: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[f'{nation} {role} {hq}']}"}


STANDARD_PEOPLE = [
    ("JPN", Role.COMMANDER, "jpn-jjoc"),
    ("JPN", Role.STAFF_OFFICER, "jpn-jjoc"),
    ("JPN", Role.COMMANDER, "jpn-adc"),
    ("JPN", Role.COMMANDER, "jpn-gcc"),
    ("JPN", Role.LIAISON_OFFICER, "jpn-jjoc"),
    ("JPN", Role.VIEWER, "jpn-jjoc"),
    ("JPN", Role.ADMIN, "jpn-jjoc"),
    ("JPN", Role.FOREIGN_DISCLOSURE_OFFICER, "jpn-jjoc"),
    ("USA", Role.COMMANDER, "usa-jfhq"),
    ("USA", Role.STAFF_OFFICER, "usa-jfhq"),
    ("USA", Role.COMMANDER, "usa-5af"),
    ("USA", Role.LIAISON_OFFICER, "usa-jfhq"),
    ("USA", Role.VIEWER, "usa-jfhq"),
    ("USA", Role.ADMIN, "usa-jfhq"),
    ("USA", Role.FOREIGN_DISCLOSURE_OFFICER, "usa-jfhq"),
]


def add_people(node: Node, people: People | None = None) -> People:
    """Add the standard cast for every nation the node hosts."""
    people = people or People()
    for nation, role, hq in STANDARD_PEOPLE:
        if nation in node.settings.hosted_nations:
            _user, token = node.users.add(
                UserIn(name=f"{nation} {role.value} {hq}", nation=nation, hq_id=hq, role=role)
            )
            people.tokens[f"{nation} {role.value} {hq}"] = token
    return people


@pytest.fixture
def combined(make_node: NodeFactory) -> Node:
    """One node that hosts both JPN and USA authority (a combined exercise node)."""
    return make_node("JPN", hosted=["USA"])


class LiveServer:
    """A real uvicorn server on a loopback port, in a thread."""

    def __init__(self, node: Node) -> None:
        self.node = node
        config = uvicorn.Config(create_app(node), host="127.0.0.1", port=0, log_level="warning")
        self.server = NodeServer(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        sock = self.server.servers[0].sockets[0]
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def serve() -> Iterator[Callable[[Node], httpx.Client]]:
    """``client = serve(node)``: an httpx client against a real server for the node."""
    started: list[tuple[LiveServer, httpx.Client]] = []

    def start(node: Node) -> httpx.Client:
        live = LiveServer(node).start()
        client = httpx.Client(base_url=live.url + "/api/v1", timeout=30)
        started.append((live, client))
        return client

    yield start
    for live, client in started:
        client.close()
        live.stop()
