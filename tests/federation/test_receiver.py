"""The receiver applies pages strictly in order: a page that does not follow
what is durably applied is refused whole, so a failed page can never be
skipped by the one fetched after it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alliance.federation.receiver import OutOfOrder, apply_items
from alliance.federation.stream import read_stream
from alliance.federation.wire import Parsed, check_item
from alliance.store.schema import LedgerRow
from tests.conftest import NodeFactory

from .helpers import federate, link


def test_a_page_that_skips_items_is_refused_and_nothing_of_it_applied(
    make_node: NodeFactory,
) -> None:
    jpn, usa = make_node("JPN"), make_node("USA")
    federate([jpn, usa])
    items = read_stream(jpn.db, "USA", 0, 100)
    assert len(items) >= 3  # the seed's JPN objects released to USA
    parsed: list[Parsed] = []
    prev = link(usa, "JPN").received_hash
    for expected, item in enumerate(items, start=1):
        result = check_item(
            item,
            expected_seq=expected,
            prev_hash=prev,
            partner="JPN",
            me="USA",
            partner_key=jpn.key.public_raw,
        )
        assert isinstance(result, Parsed), result
        parsed.append(result)
        prev = item.hash

    def events() -> int:
        with usa.db.read() as s:
            return int(s.scalar(select(func.count()).select_from(LedgerRow)) or 0)

    before = events()
    with pytest.raises(OutOfOrder):
        usa.writer.run(lambda tx: apply_items(tx, "JPN", "fp", parsed[1:], None))
    assert link(usa, "JPN").received_seq == 0
    assert events() == before
    usa.writer.run(lambda tx: apply_items(tx, "JPN", "fp", parsed, None))
    assert link(usa, "JPN").received_seq == len(parsed)
    assert events() == before + len(parsed)
