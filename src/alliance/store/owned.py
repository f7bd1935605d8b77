"""Helpers for rows that have an owner and a marking: visibility, snapshots, events."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Select, inspect, or_, select
from sqlalchemy.orm import Session

from alliance.core import release
from alliance.core.authority import (
    Action,
    Actor,
    Grant,
    Target,
    authorize,
)
from alliance.core.dtg import iso
from alliance.core.errors import Conflict, InvalidInput, not_found
from alliance.core.i18n import Text
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut, OwnedOut, TimeOut

from . import release_gate, release_index
from .schema.base import Owned, UTCDateTime
from .types import ObjectType
from .writer import Tx

R = TypeVar("R", bound=Owned)
S = TypeVar("S", bound=Select[Any])


def released_to(stmt: S, model: type[Owned], nation: str) -> S:
    """Only rows the release rule releases to ``nation``, found by the release
    index (:mod:`alliance.store.release_index`), not by scanning ``rel``."""
    return release_index.released_to(stmt, model, nation)


def snapshot(row: Owned) -> dict[str, Any]:
    """The full state of a row as JSON-ready data (the ``data`` of its event)."""
    state: dict[str, Any] = {}
    loaded = row.__dict__  # what the mapped attribute returns when it is loaded
    for key, _is_time in _restorable(type(row)):
        value = loaded[key] if key in loaded else getattr(row, key)
        if isinstance(value, datetime):
            value = iso(value)
        state[key] = value
    return state


_RESTORABLE: dict[type[Owned], tuple[tuple[str, bool], ...]] = {}


def _restorable(model: type[Owned]) -> tuple[tuple[str, bool], ...]:
    """Each column attribute of ``model``, and whether it holds a time (looked up
    once per model: inspecting the mapper per row cost more than reading it)."""
    found = _RESTORABLE.get(model)
    if found is None:
        found = _RESTORABLE[model] = tuple(
            (attr.key, isinstance(attr.columns[0].type, UTCDateTime))
            for attr in inspect(model).column_attrs
        )
    return found


def restore(model: type[Owned], state: dict[str, Any]) -> dict[str, Any]:
    """Column values from a snapshot (the inverse of :func:`snapshot`); unknown keys are dropped."""
    values: dict[str, Any] = {}
    for key, is_time in _restorable(model):
        if key not in state:
            continue
        value = state[key]
        if is_time and isinstance(value, str):
            value = datetime.fromisoformat(value)
        values[key] = value
    return values


def stamp_new(row: R, *, owner: str, marking: Marking, now: datetime, origin: str = "local") -> R:
    row.owner = owner
    row.set_marking(marking)
    row.version = 1
    row.origin = origin
    row.created_at = now
    row.updated_at = now
    return row


def touch(row: Owned, now: datetime) -> None:
    row.version += 1
    row.updated_at = now


def record(
    tx: Tx,
    row: Owned,
    object_type: str,
    kind: str,
    actor: Actor | None,
    grant: Grant | None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record the row's new state as a ledger event under its own marking."""
    data: dict[str, Any] = {"state": snapshot(row)}
    if extra:
        data.update(extra)
    tx.record(
        EventDraft(
            kind=kind,
            object_type=object_type,
            object_id=row.id,
            owner=row.owner,
            marking=row.marking,
            data=data,
            actor=actor,
            authority=grant,
        )
    )


OutT = TypeVar("OutT", bound=OwnedOut)


def view(out: type[OutT], row: Owned, **computed: Any) -> OutT:
    """The view of a row: the owned fields, every other field of ``out`` read
    from the row's attribute of the same name, then the ``computed`` ones
    (times as :class:`TimeOut`, enums, derived values)."""
    data = owned_fields(row)
    data.update(computed)
    for name in out.model_fields:
        if name not in data:
            data[name] = getattr(row, name)
    return out.model_validate(data)


def owned_fields(row: Owned) -> dict[str, Any]:
    """Keyword arguments for an :class:`OwnedOut` subclass."""
    return {
        "id": row.id,
        "owner": row.owner,
        # The banner as its owner's practice writes it; ``by_nation`` for each reader.
        "marking": MarkingOut.of(row.marking, row.owner),
        "version": row.version,
        "origin": row.origin,
        "created": TimeOut.of(row.created_at),
        "updated": TimeOut.of(row.updated_at),
    }


def visible(
    row: R | None, nation: str, kind: str | Text, ident: str, field: str | None = None
) -> R:
    """The row if it exists and is released to ``nation``; otherwise 404 (existence is not leaked)."""
    if row is None or not release.released_rel(row.rel, nation, row.owner):
        raise not_found(kind, ident, field)
    return row


def check_version(row: Owned, expected: int | None) -> None:
    """Optimistic concurrency: refuse a change made against an older version."""
    if expected is not None and expected != row.version:
        raise Conflict(
            Text(
                f"'{row.id}' is at version {row.version}, not {expected}; reload and try again.",
                f"「{row.id}」は版{row.version}で、{expected}ではありません。再読込してください。",
            ),
            field="version",
            code="version_conflict",
        )


# -- references: a released object never names an unreleased one ---------------


@dataclass(frozen=True, slots=True)
class Ref:
    """One reference an owned row holds to another owned object.

    ``column`` is the row's attribute holding the id: a string, a list of
    ids, or (with ``key``) a list of objects with the id under ``key``.
    ``field`` names the reference in errors (``hq_id``, ``to_hq_ids.0``,
    ``members.1.hq_id``); ``when`` limits it to rows it applies to (a
    relationship's superior is an HQ or a unit, as the row says).
    """

    field: str
    target: ObjectType
    column: str
    key: str | None = None
    when: Callable[[Any], bool] | None = None

    def ids(self, row: Any) -> list[tuple[str, str]]:
        """(field, id) of each object ``row`` names through this reference."""
        if self.when is not None and not self.when(row):
            return []
        value = getattr(row, self.column)
        if value is None:
            return []
        if isinstance(value, str):
            return [(self.field, value)]
        out: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            ident = item.get(self.key) if self.key is not None else item
            if isinstance(ident, str) and ident:
                suffix = f".{self.key}" if self.key is not None else ""
                out.append((f"{self.field}.{i}{suffix}", ident))
        return out


_KINDS: list[OwnedKind[Any]] = []
"""Every owned kind that names other objects (for the narrowing check)."""

_BY_TYPE: dict[str, OwnedKind[Any]] = {}
"""Every owned kind, by its object type's name (for the disclosure desk)."""


def check_references(
    session: Session, kind: OwnedKind[R], row: R, owner: str, marking: Marking
) -> None:
    """Refuse releasing ``row`` under ``marking`` to a nation that an object it
    names is not released to: the partner would read the unreleased id in
    lists, ledger events and exports.

    Only the owner's own objects are judged: the owner decides their
    release. A partner's object (the HQ a request is addressed to, a
    counterpart's partner HQ) is the partner's to release, and an object this
    node does not hold, or does not show the owner, is not judged (nor leaked
    by the refusal).
    """
    for ref in kind.refs:
        for field, ident in ref.ids(row):
            target = session.get(ref.target.table, ident)
            if target is None or target.owner != owner:
                continue
            missing = sorted(marking.releasable_to - target.marking.releasable_to)
            if missing:
                nations = ", ".join(missing)
                raise InvalidInput(
                    Text(
                        f"This {kind.spec.label.en} would be released to {nations}, but the "
                        f"{ref.target.label.en} it names ('{ident}') is not: releasing it "
                        f"would leak that id. Release '{ident}' to {nations} first, or keep "
                        f"this {kind.spec.label.en} from {nations}.",
                        f"この{kind.spec.label.ja}は{nations}へ提供されますが、参照する"
                        f"{ref.target.label.ja}（「{ident}」）は提供されていません。提供すると"
                        f"そのIDが漏れます。先に「{ident}」を{nations}へ提供するか、この"
                        f"{kind.spec.label.ja}を{nations}へ提供しないでください。",
                    ),
                    field=field,
                    code="reference_not_released",
                )


def check_referrers(
    session: Session, spec: ObjectType, row: Owned, before: Marking, after: Marking
) -> None:
    """Refuse narrowing ``row`` from ``before`` to ``after`` while an object
    released to a nation it drops still names it (refusing is honest: the
    owner narrows or changes those first; a cascade would silently withdraw
    them). Only objects the row's owner may read are named."""
    ident = row.id
    dropped = sorted(before.releasable_to - after.releasable_to)
    if not dropped:
        return
    for kind in _KINDS:
        model = kind.model
        for ref in kind.refs:
            if ref.target.name != spec.name:
                continue
            stmt = select(model).where(or_(*(model.rel.contains(n) for n in dropped)))
            if ref.key is None and ref.when is None and _is_id_column(model, ref.column):
                stmt = stmt.where(getattr(model, ref.column) == ident)
            for other in session.scalars(stmt.order_by(model.id)):
                if not other.marking.releases_to(row.owner) or all(
                    named != ident for _f, named in ref.ids(other)
                ):
                    continue
                nations = ", ".join(n for n in dropped if other.marking.releases_to(n))
                label = kind.spec.label
                raise InvalidInput(
                    Text(
                        f"{kind.spec.label.en.capitalize()} '{other.id}' is released to "
                        f"{nations} and names '{ident}' ({ref.field}); narrow or change it "
                        f"before keeping '{ident}' from {nations}.",
                        f"{label.ja}「{other.id}」は{nations}へ提供されており、「{ident}」を"
                        f"参照しています（{ref.field}）。「{ident}」を{nations}へ提供しないように"
                        "する前に、その提供範囲か参照を変更してください。",
                    ),
                    field="marking.releasable_to",
                    code="still_referenced",
                )


def _is_id_column(model: type[Owned], column: str) -> bool:
    attr = inspect(model).column_attrs.get(column)
    return attr is not None and attr.columns[0].type.python_type is str


# -- the one recipe for changing an owned object ------------------------------


@dataclass(frozen=True, slots=True)
class OwnedKind(Generic[R]):
    """How a desk's operations find, authorize and record one kind of owned row:
    its registered :class:`ObjectType` (the one name used in the ledger, in
    authority targets and grants, and the label of a not-found error) and
    ``chain``, the HQs with authority over a row (its HQ first, then the
    superiors)."""

    spec: ObjectType
    chain: Callable[[Session, R], tuple[str, ...]]
    refs: tuple[Ref, ...] = ()

    def __post_init__(self) -> None:
        _BY_TYPE.setdefault(self.spec.name, self)
        if self.refs:
            _KINDS.append(self)

    @property
    def model(self) -> type[R]:
        return cast("type[R]", self.spec.table)

    @property
    def object_type(self) -> str:
        return self.spec.name

    def find(self, session: Session, nation: str, ident: str, field: str | None = "id") -> R:
        """The row, if it exists and is released to ``nation``; otherwise 404."""
        return visible(session.get(self.model, ident), nation, self.spec.label, ident, field)

    def target(self, session: Session, row: R) -> Target:
        return Target(self.spec.name, row.id, row.owner, row.marking, self.chain(session, row))


def create_owned(
    tx: Tx,
    kind: OwnedKind[R],
    row: R,
    *,
    owner: str,
    marking: Marking,
    actor: Actor | None,
    grant: Grant | None,
    event: str,
) -> R:
    """Store a new row (version 1, stamped now) and record its ``event``.

    The caller has already found what the row hangs on (visible), authorized
    the creation and built the row: creation differs per kind in those steps.
    """
    target = Target(kind.object_type, row.id, owner, marking)
    disclosure = release_gate.check(
        tx.session, actor, target, frozenset(), marking, tx.now, creating=True
    )
    check_references(tx.session, kind, row, owner, marking)
    stamp_new(row, owner=owner, marking=marking, now=tx.now)
    tx.session.add(row)
    tx.session.flush()
    record(tx, row, kind.object_type, event, actor, grant, disclosure)
    return row


def create_owned_many(
    tx: Tx,
    kind: OwnedKind[R],
    rows: Sequence[tuple[R, str, Marking]],
    *,
    actor: Actor | None,
    grant: Grant | None,
    event: str,
    then: Callable[[R], object] | None = None,
) -> list[R]:
    """:func:`create_owned` for many rows of one kind, each ``(row, owner,
    marking)``, with one flush for them all (a flush per row costs more than
    the rest of the recipe): each is checked, stored and recorded as
    :func:`create_owned` does, in order; ``then(row)`` runs after each row's
    event is recorded (the place to record what the creation changed)."""
    disclosures = []
    for row, owner, marking in rows:
        target = Target(kind.object_type, row.id, owner, marking)
        disclosures.append(
            release_gate.check(
                tx.session, actor, target, frozenset(), marking, tx.now, creating=True
            )
        )
        check_references(tx.session, kind, row, owner, marking)
        stamp_new(row, owner=owner, marking=marking, now=tx.now)
    tx.session.add_all([row for row, _owner, _marking in rows])
    tx.session.flush()
    for (row, _owner, _marking), disclosure in zip(rows, disclosures, strict=True):
        record(tx, row, kind.object_type, event, actor, grant, disclosure)
        if then is not None:
            then(row)
    return [row for row, _owner, _marking in rows]


def change_owned(
    tx: Tx,
    actor: Actor,
    kind: OwnedKind[R],
    ident: str,
    *,
    hosted: Iterable[str],
    action: Action,
    version: int | None,
    change: Callable[[R], object],
    event: str,
    require: Callable[[R], object] | None = None,
    changed: Callable[[R], object] | None = None,
    extra: dict[str, Any] | None = None,
) -> R:
    """The one recipe for updating or moving an owned row on to a new state:
    visible → authorize → check version → (``require``: a state rule) →
    snapshot → ``change`` → record → the row (the caller builds its view).

    A change that leaves the row as it was makes no new version and records
    nothing. ``changed`` runs only after a real change, before the version is
    bumped (a sent coordination request opens a new revision this way).
    """
    s = tx.session
    row = kind.find(s, actor.nation, ident)
    grant = authorize(actor, action, kind.target(s, row), hosted=hosted)
    check_version(row, version)
    if require is not None:
        require(row)
    before = snapshot(row)
    was = row.marking
    change(row)
    if snapshot(row) == before:
        return row  # nothing changed: no new version, no event
    # Widening a release beyond the owner needs standing disclosure guidance or
    # an approved proposal (:func:`widen_owned`); narrowing stays immediate.
    disclosure = release_gate.check(
        s, actor, kind.target(s, row), was.releasable_to, row.marking, tx.now, creating=False
    )
    # A released object never names an unreleased one, either way round.
    check_references(s, kind, row, row.owner, row.marking)
    check_referrers(s, kind.spec, row, was, row.marking)
    if disclosure is not None:
        extra = {**(extra or {}), **disclosure}
    if changed is not None:
        changed(row)
    touch(row, tx.now)
    record(tx, row, kind.object_type, event, actor, grant, extra)
    return row


def owned_kind(name: str) -> OwnedKind[Any] | None:
    """The owned kind of the object type ``name``, once its desk is imported."""
    return _BY_TYPE.get(name)


def widen_owned(
    tx: Tx,
    actor: Actor,
    kind: OwnedKind[R],
    ident: str,
    nations: Iterable[str],
    *,
    grant: Grant,
    event: str,
    extra: dict[str, Any] | None = None,
) -> R:
    """Release a row to ``nations`` as well, on an approved disclosure (``grant``
    from :func:`alliance.core.authority.authorize_disclosure`): visible → add the
    nations → the reference rule → record the object's new state as ``event``.
    Its TLP and every other field stay; a row already released to them is left
    as it is (no new version, no event)."""
    s = tx.session
    row = kind.find(s, actor.nation, ident)
    was = row.marking
    after = Marking(was.releasable_to | frozenset(nations), was.tlp)
    if after == was:
        return row
    row.set_marking(after)
    check_references(s, kind, row, row.owner, after)
    touch(row, tx.now)
    record(tx, row, kind.object_type, event, actor, grant, extra)
    return row


__all__ = [
    "OwnedKind",
    "OwnedOut",
    "Ref",
    "change_owned",
    "check_references",
    "check_referrers",
    "check_version",
    "create_owned",
    "create_owned_many",
    "owned_fields",
    "owned_kind",
    "record",
    "released_to",
    "snapshot",
    "stamp_new",
    "touch",
    "view",
    "visible",
    "widen_owned",
]
