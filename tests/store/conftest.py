"""A migrated database, a node key and a started writer on every selected backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from alliance.core.keys import NodeKey
from alliance.core.ledger import Event, EventDraft
from alliance.core.markings import Marking
from alliance.store import Database, Tx, Writer
from alliance.store.ledger import iter_events
from alliance.store.schema import MetaRow


class Boom(Exception):
    """What a failing job raises."""


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def key() -> NodeKey:
    return NodeKey.generate()


@pytest.fixture
def writer(db: Database, key: NodeKey) -> Iterator[Writer]:
    w = Writer(db, key, "test-node")
    w.start()
    yield w
    w.stop()


def put(
    name: str, value: str = "v", *, fail: bool = False, tlp: str | None = None
) -> Callable[[Tx], str]:
    """A job that adds a row and records its event; with ``fail`` it raises after both
    (and after flushing, so the row really reached the database)."""

    def job(tx: Tx) -> str:
        tx.session.add(MetaRow(key=name, value=value))
        tx.record(
            EventDraft(
                kind="meta.put",
                object_type="meta",
                object_id=name,
                owner="JPN",
                marking=Marking.of("JPN", ["USA"], tlp),
                data={"value": value},
            )
        )
        if fail:
            tx.session.flush()
            raise Boom(name)
        return name

    return job


def stored_keys(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(MetaRow.key)))


def stored_events(db: Database) -> list[Event]:
    return list(iter_events(db))
