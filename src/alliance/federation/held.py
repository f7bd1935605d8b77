"""Items of an object type this node does not understand yet: held, then applied.

A partner running a newer version may release objects of a type this node
does not know. Such an item is not a reason to stop the link — the ACM and
everything else it carries must keep flowing — so the receiver holds it
(:class:`~.receiver._Held`): it passed every check that does not depend on the
type, and is kept as it was sent, signature included, in ``federation_held``,
together with every later item about the same object (changes to one object
apply in order or not at all). The link moves past it: the stream stays
gap-free.

Once the node understands the type (after an upgrade, at the next start of
federation), :func:`apply_held` checks each such item again against the
partner's pinned key and applies it, in stream order, through the same path as
a live item; an item that would now write another nation's row is refused like
any other. ``federation status`` shows what is held, by partner and type.
"""

from __future__ import annotations

import orjson
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliance.core.i18n import Text
from alliance.core.keys import fingerprint
from alliance.store.schema import HeldRow, LinkRow, QuarantineRow
from alliance.store.writer import Tx

from .receiver import Types, _Apply
from .wire import Item, ItemProblem, Parsed, check_item


class HeldOut(BaseModel):
    """Items of one object type held from one partner until this node understands it."""

    object_type: str
    items: int
    note: dict[str, str] = {
        "en": "not understood by this node yet: applied after an upgrade; the link keeps running",
        "ja": "このノードが未対応の種別です。更新後に適用されます。連携は継続しています",
    }


def held_by_type(s: Session, partner: str) -> list[HeldOut]:
    rows = s.execute(
        select(HeldRow.object_type, func.count())
        .where(HeldRow.partner == partner)
        .group_by(HeldRow.object_type)
        .order_by(HeldRow.object_type)
    ).all()
    return [HeldOut(object_type=t, items=int(n)) for t, n in rows]


def apply_held(tx: Tx, partner: str, partner_key: bytes, *, me: str, types: Types) -> int:
    """A writer job body: apply, in stream order, every item held from ``partner``
    whose type this node now understands; returns how many were applied."""
    s = tx.session
    link = s.get(LinkRow, partner)
    rows = s.scalars(
        select(HeldRow)
        .where(HeldRow.partner == partner, HeldRow.object_type.in_(list(types)))
        .order_by(HeldRow.seq)
    ).all()
    if link is None or not rows:
        return 0
    parsed: list[Parsed] = []
    for row in rows:
        result = _check_again(row, partner, partner_key, me)
        s.delete(row)
        if isinstance(result, ItemProblem):
            s.add(
                QuarantineRow(
                    partner=partner,
                    seq=row.seq,
                    code=result.code,
                    reason_en=result.reason.en,
                    reason_ja=result.reason.ja,
                    item=row.item,
                    at=tx.now,
                )
            )
            continue
        parsed.append(result)
    apply = _Apply(tx, link, partner, me, fingerprint(partner_key), types, parsed)
    for p in parsed:
        apply.one(p, held=True)
    apply.replicas.write()
    return len(parsed)


def _check_again(row: HeldRow, partner: str, partner_key: bytes, me: str) -> Parsed | ItemProblem:
    """The checks of the item on arrival, again: it is applied on its own signature."""
    try:
        item = Item.from_wire(orjson.loads(row.item))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return ItemProblem(
            row.seq,
            "held_unreadable",
            Text("a held item could not be read back", "保留中の項目を読み戻せません"),
        )
    return check_item(
        item,
        expected_seq=item.seq,
        prev_hash=item.prev_hash,
        partner=partner,
        me=me,
        partner_key=partner_key,
    )
