"""The cyber desk: TAXII collections and the STIX objects in them.

Every change is a writer job (``foo`` runs ``foo_in`` on the writer); every
read is filtered by the release rule before anything is counted or paged
(:mod:`.feed`). Defensive only: what is stored is threat intelligence to
share, never an action to take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import ROLES_FOR, Action, Actor, Target, authorize
from alliance.core.errors import AllianceError, Forbidden, InvalidInput, not_found
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, namespace_prefix, new_id
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut, TimeOut
from alliance.org import hq_chain
from alliance.store import release_gate
from alliance.store.context import DeskContext
from alliance.store.owned import (
    OwnedKind,
    change_owned,
    create_owned,
    create_owned_many,
    released_to,
    view,
)
from alliance.store.writer import Tx

from . import feed, stix
from .models import CollectionIn, CollectionOut, SightingDayOut, StixObjectOut, StixPageOut
from .tables import STIX_OBJECT as STIX_TYPE
from .tables import TAXII_COLLECTION, CollectionRow, StatusRow, StixRow

COLLECTIONS: OwnedKind[CollectionRow] = OwnedKind(
    TAXII_COLLECTION, lambda s, row: hq_chain(s, row.hq_id)
)
OBJECTS: OwnedKind[StixRow] = OwnedKind(STIX_TYPE, lambda s, row: hq_chain(s, row.hq_id))

MAX_OBJECTS = 10_000
"""Objects one envelope may carry (its bytes are bounded by the API root's
``max_content_length``)."""


def collection_view(row: CollectionRow) -> CollectionOut:
    return view(CollectionOut, row)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One object of a POST: stored (or already there), or refused and why."""

    stix_id: str
    version: str | None
    message: Text | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


@dataclass(frozen=True, slots=True)
class Imported:
    """What an import stored (or found already stored), and what it refused."""

    stored: int
    refused: list[Outcome]


@dataclass(frozen=True, slots=True)
class Page:
    """A page of entries, whether more follow, and each entry's object as the
    JSON text stored (``objects`` decodes them)."""

    entries: list[feed.Entry]
    more: bool
    raw: list[str]

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [orjson.loads(r) for r in self.raw]


class CyberDesk:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    # -- collections -----------------------------------------------------------

    def create_collection(self, actor: Actor, data: CollectionIn) -> CollectionOut:
        return self.ctx.writer.run(lambda tx: self.create_collection_in(tx, actor, data))

    def create_collection_in(self, tx: Tx, actor: Actor, data: CollectionIn) -> CollectionOut:
        s = tx.session
        marking = data.marking.build(actor.nation)
        ident = claim_id(
            actor.nation, data.id, lambda i: s.get(CollectionRow, i) is not None, field="id"
        )
        chain = hq_chain(s, actor.hq_id)
        target = Target(TAXII_COLLECTION.name, ident, actor.nation, marking, chain)
        grant = authorize(actor, Action.CREATE, target, hosted=self.ctx.hosted)
        row = CollectionRow(
            id=ident,
            hq_id=actor.hq_id,
            title=data.title,
            title_ja=data.title_ja or data.title,
            description=data.description,
            alias=data.alias or "",
            writable=data.writable,
        )
        create_owned(
            tx,
            COLLECTIONS,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="cyber.collection.created",
        )
        return collection_view(row)

    def collections(self, actor: Actor) -> list[CollectionOut]:
        """The collections whose existence is released to the actor's nation."""
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(CollectionRow), CollectionRow, actor.nation).order_by(
                    CollectionRow.id
                )
            )
            return [collection_view(r) for r in rows]

    def collection(self, actor: Actor, ident: str) -> CollectionOut:
        with self.ctx.db.read() as s:
            return collection_view(COLLECTIONS.find(s, actor.nation, ident, "collection_id"))

    def can_write(self, actor: Actor, collection: CollectionOut) -> bool:
        """Whether the actor may add objects to ``collection`` (TAXII's ``can_write``)."""
        return (
            actor.role in ROLES_FOR[Action.CREATE]
            and actor.nation in self.ctx.hosted
            and (collection.writable or collection.owner == actor.nation)
        )

    # -- adding objects ----------------------------------------------------------

    def add(
        self, actor: Actor, collection_id: str, objects: Sequence[object]
    ) -> tuple[StatusRow, list[Outcome]]:
        """Store each object of an envelope that passes every check as a new version
        owned by the actor's nation; the rest are refused one by one, each with
        its reason (one bad object does not refuse the others). Returns the
        status resource, already stored."""
        return self.ctx.writer.run(lambda tx: self.add_in(tx, actor, collection_id, objects))

    def add_in(
        self, tx: Tx, actor: Actor, collection_id: str, objects: Sequence[object]
    ) -> tuple[StatusRow, list[Outcome]]:
        s = tx.session
        collection = collection_view(COLLECTIONS.find(s, actor.nation, collection_id, "id"))
        if not self.can_write(actor, collection):
            raise Forbidden(
                Text(
                    f"You may not add objects to collection '{collection_id}'.",
                    f"コレクション「{collection_id}」にオブジェクトを追加できません。",
                ),
                code="cannot_write",
            )
        if len(objects) > MAX_OBJECTS:
            raise InvalidInput(
                Text(
                    f"An envelope carries at most {MAX_OBJECTS} objects; this one has "
                    f"{len(objects)}. Send them in several envelopes.",
                    f"1つのエンベロープは最大{MAX_OBJECTS}件です（この要求は{len(objects)}件）。"
                    "分けて送ってください。",
                ),
                field="objects",
                code="too_many_objects",
            )
        chain = hq_chain(s, actor.hq_id)
        outcomes: list[Outcome] = []
        fresh: list[tuple[StixRow, str, Marking]] = []
        seen: set[tuple[str, str]] = set()
        for i, obj in enumerate(objects):
            outcome, row = self._one(s, actor, collection_id, chain, obj, i, tx.now, seen)
            outcomes.append(outcome)
            if row is not None:
                fresh.append((row, actor.nation, row.marking))
        if fresh:
            target = Target(STIX_TYPE.name, "new", actor.nation, fresh[0][2], chain)
            grant = authorize(actor, Action.CREATE, target, hosted=self.ctx.hosted)
            create_owned_many(
                tx, OBJECTS, fresh, actor=actor, grant=grant, event="cyber.object.added"
            )
        status = StatusRow(
            id=new_id(),
            nation=actor.nation,
            user_id=actor.user_id,
            collection_id=collection_id,
            request_timestamp=tx.now,
            total_count=len(objects),
            successes=[_entry(o) for o in outcomes if o.ok],
            failures=[_entry(o) for o in outcomes if not o.ok],
        )
        s.add(status)
        return status, outcomes

    def _one(
        self,
        s: Session,
        actor: Actor,
        collection_id: str,
        chain: tuple[str, ...],
        obj: object,
        index: int,
        now: datetime,
        seen: set[tuple[str, str]],
    ) -> tuple[Outcome, StixRow | None]:
        ident = str(obj.get("id", "")) if isinstance(obj, dict) else ""
        try:
            checked = stix.check(
                obj, actor.nation, field=f"objects.{index}", version=stix.stix_time(now)
            )
            stored = Outcome(checked.stix_id, stix.version_text(checked.modified))
            if stix.is_standard_marking(checked.stix_id):
                return stored, None  # everyone has it
            key = (checked.stix_id, checked.modified)
            if key in seen:
                return stored, None
            known = self._versions(s, checked.stix_id)
            others = sorted({r.owner for r in known if r.owner != actor.nation})
            if others and not any(r.owner == actor.nation for r in known):
                raise Forbidden(
                    Text(
                        f"{checked.stix_id} is {others[0]}'s object: only the nation that "
                        "created it adds versions of it.",
                        f"{checked.stix_id}は{others[0]}のオブジェクトです。版を追加できるのは"
                        "作成した国のみです。",
                    ),
                    code="not_owner_nation",
                )
            # The same version already in this collection (a deleted one is added anew).
            same = [
                r
                for r in known
                if r.owner == actor.nation
                and r.modified == checked.modified
                and r.collection_id == collection_id
                and not r.deleted
            ]
            if same:
                if same[0].body != checked.body:
                    raise InvalidInput(
                        Text(
                            f"Version {checked.modified} of {checked.stix_id} is already "
                            "stored with other content; a changed object needs a later "
                            "'modified'.",
                            f"{checked.stix_id}の版{checked.modified}は別の内容で保存済みです。"
                            "変更したオブジェクトには新しい'modified'が必要です。",
                        ),
                        field=f"objects.{index}.modified",
                        code="version_exists",
                    )
                return stored, None
            target = Target(STIX_TYPE.name, checked.stix_id, actor.nation, checked.marking, chain)
            release_gate.check(s, actor, target, frozenset(), checked.marking, now, creating=True)
        except AllianceError as exc:
            version = obj.get("modified") if isinstance(obj, dict) else None
            return Outcome(ident, str(version) if version else None, exc.message, exc.code), None
        seen.add(key)
        row = StixRow(
            id=namespace_prefix(actor.nation) + new_id().lower(),
            collection_id=collection_id,
            hq_id=actor.hq_id,
            stix_id=checked.stix_id,
            stix_type=checked.stix_type,
            modified=checked.modified,
            spec_version=checked.spec_version,
            body=checked.body,
            deleted=False,
        )
        row.set_marking(checked.marking)
        return stored, row

    @staticmethod
    def _versions(s: Session, stix_id: str) -> list[StixRow]:
        return list(s.scalars(select(StixRow).where(StixRow.stix_id == stix_id)))

    # -- importing and exporting ---------------------------------------------------

    def import_objects(
        self,
        actor: Actor,
        collection_id: str,
        objects: Sequence[object],
        *,
        chunk: int = 1_000,
        progress: Callable[[int], object] | None = None,
    ) -> Imported:
        """Add ``objects`` in envelopes of ``chunk`` (a writer job each, so a large
        file never holds the writer long); ``progress(n)`` after each. What one
        envelope refuses does not stop the next."""
        stored, refused = 0, list[Outcome]()
        for start in range(0, len(objects), chunk):
            part = objects[start : start + chunk]
            _status, outcomes = self.add(actor, collection_id, part)
            stored += sum(1 for o in outcomes if o.ok)
            refused.extend(o for o in outcomes if not o.ok)
            if progress is not None:
                progress(len(part))
        return Imported(stored, refused)

    def export(
        self,
        actor: Actor,
        collection_id: str,
        *,
        versions: tuple[str, ...] = ("last",),
        types: tuple[str, ...] = (),
    ) -> list[dict[str, Any]]:
        """Every object of the collection the actor's nation may read (their latest
        versions, or ``("all",)``; of ``types`` only), in the order they were added here."""
        out: list[dict[str, Any]] = []
        q = feed.Query(actor.nation, collection_id, versions=versions, types=types, limit=1_000)
        while True:
            page = self.page(actor, q)
            out.extend(page.objects)
            if not page.more:
                return out
            q = replace(q, after=page.entries[-1].nseq)

    # -- deleting ----------------------------------------------------------------

    def delete(
        self, actor: Actor, collection_id: str, stix_id: str, versions: Sequence[str] = ()
    ) -> int:
        return self.ctx.writer.run(
            lambda tx: self.delete_in(tx, actor, collection_id, stix_id, versions)
        )

    def delete_in(
        self, tx: Tx, actor: Actor, collection_id: str, stix_id: str, versions: Sequence[str] = ()
    ) -> int:
        """Withdraw the actor's nation's versions of ``stix_id`` (all, or those
        named): a tombstone released to nobody, which federation withdraws
        from every partner. Returns how many versions were withdrawn; an
        object the nation may not read is not found."""
        s = tx.session
        COLLECTIONS.find(s, actor.nation, collection_id, "id")
        rows = [
            r
            for r in self._versions(s, stix_id)
            if r.collection_id == collection_id
            and not r.deleted
            and r.marking.releases_to(actor.nation, r.owner)
            and (not versions or r.modified in versions)
        ]
        if not rows:
            raise not_found(STIX_TYPE.label, stix_id, "object_id")
        # The role first, then the owner, as every owner-only action answers (the
        # nation's own copy first, where a partner holds one of the same object).
        rows.sort(key=lambda r: r.owner != actor.nation)
        authorize(actor, Action.CHANGE, OBJECTS.target(s, rows[0]), hosted=self.ctx.hosted)
        mine = [r for r in rows if r.owner == actor.nation]

        def tombstone(row: StixRow) -> None:
            row.deleted = True
            row.set_marking(Marking.national(row.owner))

        for row in mine:
            change_owned(
                tx,
                actor,
                OBJECTS,
                row.id,
                hosted=self.ctx.hosted,
                action=Action.CHANGE,
                version=None,
                change=tombstone,
                event="cyber.object.deleted",
            )
        s.flush()
        feed.refresh(s.connection(), [r.id for r in mine])
        return len(mine)

    # -- reading -----------------------------------------------------------------

    def page(self, actor: Actor, q: feed.Query) -> Page:
        """A page of what the actor's nation may read in a collection it may see."""
        with self.ctx.db.read() as s:
            COLLECTIONS.find(s, actor.nation, q.collection_id, "id")
            entries, more = feed.page(s, replace(q, nation=actor.nation))
            return Page(entries, more, feed.bodies(s, entries))

    def listing(
        self,
        actor: Actor,
        collection_id: str,
        *,
        types: tuple[str, ...] = (),
        stix_id: str | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> StixPageOut:
        """A page for the console: the latest version of each object (or every
        version of ``stix_id``) the actor's nation may read, each with its
        owner and marking."""
        versions = ("all",) if stix_id else ("last",)
        q = feed.Query(
            actor.nation,
            collection_id,
            after=after,
            types=types,
            ids=(stix_id,) if stix_id else (),
            versions=versions,
            limit=limit,
        )
        with self.ctx.db.read() as s:
            COLLECTIONS.find(s, actor.nation, collection_id, "collection_id")
            entries, more = feed.page(s, q)
            rows = {
                r.id: r
                for r in s.scalars(
                    select(StixRow).where(StixRow.id.in_([e.row_id for e in entries]))
                )
            }
            items = [_listed(e, rows[e.row_id]) for e in entries]
        return StixPageOut(items=items, more=more, next=entries[-1].nseq if more else None)

    def sightings(self, actor: Actor, collection_id: str) -> list[SightingDayOut]:
        """Sightings the actor's nation may read, counted by the day first seen
        (``count`` sightings each, one when not given)."""
        days: dict[str, int] = {}
        for obj in self.export(actor, collection_id, types=("sighting",)):
            when = str(obj.get("first_seen") or obj.get("created") or "")[:10]
            count = obj.get("count", 1)
            days[when] = days.get(when, 0) + (count if isinstance(count, int) else 1)
        return [SightingDayOut(day=d, count=c) for d, c in sorted(days.items()) if d]

    def status(self, actor: Actor, ident: str) -> StatusRow:
        with self.ctx.db.read() as s:
            row = s.get(StatusRow, ident)
            if row is None or row.nation != actor.nation:
                raise not_found(Text("status", "状態"), ident, "status_id")
            s.expunge(row)
            return row


def _listed(entry: feed.Entry, row: StixRow) -> StixObjectOut:
    body = row.body
    name = body.get("name") or body.get("value") or body.get("pattern") or body.get("id")
    return StixObjectOut(
        id=row.stix_id,
        type=row.stix_type,
        name=str(name)[:300],
        modified=stix.version_text(row.modified),
        date_added=TimeOut.of(entry.date_added),
        owner=row.owner,
        marking=MarkingOut.of(row.marking, row.owner),
        object=body,
    )


def _entry(o: Outcome) -> dict[str, object]:
    out: dict[str, object] = {"id": o.stix_id}
    if o.version is not None:
        out["version"] = o.version
    if o.message is not None:
        out["message"] = f"{o.message.en} / {o.message.ja}"
        out["code"] = o.code
    return out


__all__ = ["COLLECTIONS", "OBJECTS", "CyberDesk", "Imported", "Outcome", "Page", "collection_view"]
