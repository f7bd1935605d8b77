"""What the org desk's parts share: views, the owned kinds, lookups and rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Grant, Target, authorize
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import claim_id
from alliance.core.models import TimeOut
from alliance.store.context import DeskContext
from alliance.store.owned import OwnedKind, Ref, owned_fields, view
from alliance.store.schema import Owned

from . import tables
from .chain import hq_chain, parent_chain
from .doctrine import Side
from .models import (
    REL_NAMES,
    CounterpartOut,
    HqKind,
    HqOut,
    Party,
    RelationshipOut,
    RelKind,
    TaskingOut,
    UnitOut,
)
from .tables import CommandRelationshipRow, CounterpartRow, HqRow, TaskingRow, UnitRow

# -- views -------------------------------------------------------------------


def hq_view(row: HqRow) -> HqOut:
    return view(HqOut, row, kind_name=_hq_kind(row.kind).label.as_dict())


def _hq_kind(value: str) -> HqKind:
    try:
        return HqKind(value)
    except ValueError:
        return HqKind.OTHER


def unit_view(row: UnitRow) -> UnitOut:
    return view(UnitOut, row)


def relationship_view(row: CommandRelationshipRow, now: datetime) -> RelationshipOut:
    kind = RelKind(row.kind)
    in_force = (
        row.state == "active"
        and row.valid_from <= now
        and (row.valid_to is None or now < row.valid_to)
    )
    return RelationshipOut(
        **owned_fields(row),
        kind=kind,
        kind_name=REL_NAMES[kind].as_dict(),
        superior=Party(kind=row.superior_kind, id=row.superior_id),
        subordinate=Party(kind=row.subordinate_kind, id=row.subordinate_id),
        valid_from=TimeOut.of(row.valid_from),
        valid_to=TimeOut.maybe(row.valid_to),
        caveats_en=row.caveats_en,
        caveats_ja=row.caveats_ja,
        state=row.state,
        in_force=in_force,
    )


def counterpart_view(row: CounterpartRow) -> CounterpartOut:
    return view(CounterpartOut, row)


def tasking_view(row: TaskingRow) -> TaskingOut:
    return view(TaskingOut, row, due=TimeOut.maybe(row.due))


# -- chains of command, and the owned kinds ------------------------------------


def party_chain(s: Session, row: HqRow | UnitRow) -> tuple[str, ...]:
    """HQs with authority to commit ``row``: a unit's HQ and its superiors, or an
    HQ's superiors — an HQ never places itself under, or frees itself from, command."""
    if isinstance(row, UnitRow):
        return hq_chain(s, row.hq_id)
    return hq_chain(s, row.parent_id) if row.parent_id else (row.id,)


def side(row: HqRow | UnitRow) -> Side:
    """A relationship's side as the doctrine rule reads it."""
    if isinstance(row, UnitRow):
        return Side("unit", row.id)
    return Side("hq", row.id, _hq_kind(row.kind))


def structure_of(s: Session, row: HqRow | UnitRow) -> tuple[str, ...]:
    """The HQs ``row`` sits under in its nation's structure (parents only)."""
    return parent_chain(s, row.hq_id if isinstance(row, UnitRow) else row.id)


def _relationship_chain(s: Session, row: CommandRelationshipRow) -> tuple[str, ...]:
    sub: HqRow | UnitRow | None = (
        s.get(HqRow, row.subordinate_id)
        if row.subordinate_kind == "hq"
        else s.get(UnitRow, row.subordinate_id)
    )
    return party_chain(s, sub) if sub is not None else ()


# What each kind names (a released object never names an unreleased one).
HQ: OwnedKind[HqRow] = OwnedKind(
    tables.HQ,
    lambda s, row: hq_chain(s, row.id),
    refs=(Ref("parent_id", tables.HQ, "parent_id"),),
)
UNIT: OwnedKind[UnitRow] = OwnedKind(
    tables.UNIT,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(Ref("hq_id", tables.HQ, "hq_id"),),
)


def _party_refs(side: str) -> tuple[Ref, Ref]:
    kind = f"{side}_kind"
    return (
        Ref(f"{side}.id", tables.HQ, f"{side}_id", when=lambda r: getattr(r, kind) == "hq"),
        Ref(f"{side}.id", tables.UNIT, f"{side}_id", when=lambda r: getattr(r, kind) == "unit"),
    )


RELATIONSHIP: OwnedKind[CommandRelationshipRow] = OwnedKind(
    tables.RELATIONSHIP,
    _relationship_chain,
    refs=(*_party_refs("superior"), *_party_refs("subordinate")),
)
COUNTERPART: OwnedKind[CounterpartRow] = OwnedKind(
    tables.COUNTERPART,
    lambda s, r: hq_chain(s, r.hq_id),
    refs=(
        Ref("hq_id", tables.HQ, "hq_id"),
        Ref("partner_hq_id", tables.HQ, "partner_hq_id"),
    ),
)


def _tasking_chain(s: Session, row: TaskingRow) -> tuple[str, ...]:
    unit = s.get(UnitRow, row.unit_id)
    return hq_chain(s, unit.hq_id) if unit is not None else ()


TASKING: OwnedKind[TaskingRow] = OwnedKind(
    tables.TASKING,
    _tasking_chain,
    refs=(
        Ref("unit_id", tables.UNIT, "unit_id"),
        Ref("issuing_hq_id", tables.HQ, "issuing_hq_id"),
    ),
)


def new_id(requested: str | None, session: Session, model: type[Owned], owner: str) -> str:
    """A new ULID, or the client's id: in the owner's namespace, then not taken."""
    return claim_id(owner, requested, lambda ident: session.get(model, ident) is not None)


HQ_TEXT = frozenset(
    {
        "name_en",
        "name_ja",
        "short_en",
        "short_ja",
        "location_en",
        "location_ja",
        "note_en",
        "note_ja",
    }
)
UNIT_TEXT = frozenset({"name_en", "name_ja", "echelon", "home_en", "home_ja"})


def cross_nation_parent(hq_id: str, field: str = "parent_id") -> InvalidInput:
    return InvalidInput(
        Text(
            f"'{hq_id}' belongs to another nation; a nation's structure holds only its own HQs.",
            f"「{hq_id}」は他国の司令部です。各国の組織には自国の司令部のみが入ります。",
        ),
        field=field,
        code="cross_nation_parent",
    )


class OrgBase:
    """What every part of the org desk holds: the node's context, and lookups."""

    ctx: DeskContext

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    def _hq(self, s: Session, actor: Actor, hq_id: str, field: str = "hq_id") -> HqRow:
        return HQ.find(s, actor.nation, hq_id, field)

    def _unit(self, s: Session, actor: Actor, unit_id: str, field: str = "unit_id") -> UnitRow:
        return UNIT.find(s, actor.nation, unit_id, field)
