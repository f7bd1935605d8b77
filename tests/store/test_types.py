"""UTCDateTime: aware UTC datetimes on every backend; naive ones are refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from alliance.store import Database
from alliance.store.schema import UTCDateTime
from alliance.store.schema.base import bind_processor

_md = MetaData()
TIMES = Table(
    "t_times",
    _md,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime(), nullable=True),
)
JST = ZoneInfo("Asia/Tokyo")
HST = timezone(timedelta(hours=-10))


@pytest.fixture
def plain_db(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    _md.create_all(db.engine)
    yield db
    db.dispose()


def _read_all(db: Database) -> dict[int, datetime | None]:
    with db.engine.connect() as conn:
        return {row.id: row.at for row in conn.execute(select(TIMES))}


def test_aware_times_round_trip_as_utc_to_the_microsecond(plain_db: Database) -> None:
    values = {
        1: datetime(2024, 7, 27, 12, 0, 0, 123456, tzinfo=UTC),
        2: datetime(2024, 7, 28, 8, 30, 0, 1, tzinfo=JST),  # crosses the date in UTC
        3: datetime(2024, 12, 31, 20, 0, tzinfo=HST),  # crosses the year in UTC
        4: None,
    }
    with plain_db.engine.begin() as conn:
        conn.execute(insert(TIMES), [{"id": k, "at": v} for k, v in values.items()])
    back = _read_all(plain_db)
    assert back == values
    for ident, moment in back.items():
        if moment is not None:
            assert moment.tzinfo is UTC, ident
            assert moment.isoformat() == values[ident].astimezone(UTC).isoformat()  # type: ignore[union-attr]


def test_comparisons_in_sql_use_the_instant_not_the_wall_clock(plain_db: Database) -> None:
    early_utc = datetime(2024, 7, 27, 22, 0, tzinfo=UTC)
    later_jst = datetime(2024, 7, 28, 8, 0, tzinfo=JST)  # 23:00Z, an hour after early_utc
    with plain_db.engine.begin() as conn:
        conn.execute(insert(TIMES), [{"id": 1, "at": later_jst}, {"id": 2, "at": early_utc}])
        ordered = conn.execute(select(TIMES.c.id).order_by(TIMES.c.at)).scalars().all()
        bound = datetime(2024, 7, 27, 12, 30, tzinfo=HST)  # 22:30Z
        after = conn.execute(select(TIMES.c.id).where(TIMES.c.at > bound)).scalars().all()
    assert ordered == [2, 1]
    assert after == [1]


def test_naive_datetime_is_refused_and_nothing_is_stored(plain_db: Database) -> None:
    naive = datetime(2024, 7, 27, 12, 0)
    with pytest.raises(StatementError) as caught, plain_db.engine.begin() as conn:
        conn.execute(insert(TIMES), [{"id": 1, "at": naive}])
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    assert _read_all(plain_db) == {}


def test_bulk_bind_processor_sends_what_sqlalchemy_sends(plain_db: Database) -> None:
    """Bulk writes (the ledger, federation rows) bind times with
    :func:`bind_processor`; the driver must get the same value as through
    SQLAlchemy's own processing, on every backend."""
    dialect = plain_db.engine.dialect
    column_type = TIMES.c.at.type
    ours = bind_processor(column_type, dialect)
    theirs = column_type.dialect_impl(dialect).bind_processor(dialect)
    moments = [
        None,
        datetime(2024, 7, 27, 12, 0, 0, 123456, tzinfo=UTC),
        datetime(2024, 7, 27, 12, 0, 0, tzinfo=UTC),  # no microseconds
        datetime(2024, 7, 28, 8, 30, 0, 1, tzinfo=JST),
        datetime(2024, 12, 31, 20, 0, tzinfo=HST),
        datetime(1, 1, 1, 0, 0, tzinfo=UTC),
        datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime.now(UTC),
    ]
    for moment in moments:
        expected = theirs(moment) if theirs else moment
        got = ours(moment) if ours else moment
        assert got == expected, moment
        assert type(got) is type(expected), moment
    naive = datetime(2024, 7, 27, 12, 0)
    assert ours is not None  # a TypeDecorator always processes
    with pytest.raises(ValueError, match="naive"):
        ours(naive)
