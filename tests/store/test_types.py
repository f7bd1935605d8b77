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
