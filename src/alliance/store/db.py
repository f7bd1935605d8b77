"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL`` so that a committed write
survives a crash of the process or the machine. Reads use their own pooled
connections; all writes go through one connection (the :class:`Writer`), which
opens ``BEGIN IMMEDIATE`` on SQLite and takes a transaction-scoped advisory
lock on PostgreSQL, so the ledger has exactly one writer even when several
processes share a database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
# Key of the PostgreSQL advisory lock held by the ledger writer ("ALLIANCE" in ASCII, truncated).
WRITER_LOCK_KEY = 0x414C4C49414E43


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=4 if pool_size > 1 else 0,
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (savepoints work)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


_MIGRATING = threading.Lock()


class Database:
    """Both engines and the session factories of one node's database."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(url, immediate=False, pool_size=pool_size)
            self.write_engine = _sqlite_engine(url, immediate=True, pool_size=1)
        elif self.dialect == "postgresql":
            if parsed.drivername == "postgresql":
                url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
            self.engine = create_engine(url, pool_size=pool_size, max_overflow=8)
            self.write_engine = create_engine(url, pool_size=1, max_overflow=0)
        else:
            raise ValueError(
                f"unsupported database {parsed.drivername!r}: use sqlite or postgresql"
            )
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries. Closing it rolls back whatever it did, and
        keeps loaded rows readable (closing does not expire them)."""
        with self._read() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read session whose every query sees the database as of one moment,
        for checks that compare tables (the ledger and the rows it records).

        SQLite in WAL mode keeps one snapshot for a read transaction; PostgreSQL
        needs REPEATABLE READ for it (its default takes a new one per statement)."""
        with self._read() as session:
            if self.dialect == "postgresql":
                session.connection(
                    execution_options={
                        "isolation_level": "REPEATABLE READ",
                        "postgresql_readonly": True,
                    }
                )
            yield session

    def write_session(self) -> Session:
        """A session on the single write connection (used by the writer only).

        It holds every row it loads until it is closed (one writer attempt):
        SQLAlchemy's identity map forgets a row nobody references, and a job
        that asks for the same exercise or HQ for each of a thousand injects
        would otherwise read it a thousand times."""
        session = self._write()
        held: list[object] = []  # kept alive by the listener, as long as the session
        event.listen(session, "loaded_as_persistent", lambda _s, row: held.append(row))
        return session

    def lock_writer(self, session: Session) -> None:
        """Serialize ledger writers across processes (SQLite: BEGIN IMMEDIATE did it)."""
        if self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK_KEY})

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision.

        Alembic keeps the running migration in module state: two databases of
        one process (two nodes started from two threads) migrate in turn."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with _MIGRATING, self.write_engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()


__all__ = ["WRITER_LOCK_KEY", "Database"]
