"""Load and export command structures as YAML or JSON (format ``alliance-org/1``).

The seed shipped with Alliance is two documents, kept apart:

* ``data/public_facts.yaml`` (``facts: public``): the Japan–US structures
  from public facts, in both languages. Every HQ, unit, relationship,
  counterpart and dated record names its public sources (title, publisher,
  URL, date read) and the date it is known true as of; a public-facts
  document missing either is refused. Facts that change over time (USFJ's
  phases) are dated records. Entries of earlier seeds that are no longer
  true are listed under ``retired``: loading revokes such a relationship or
  renames such a unit, with a ledger event; nothing is deleted.
* ``data/exercise_assumptions.yaml`` (``facts: exercise``): fictional
  arrangements that let an exercise run. They carry no real-world date (each
  takes effect when a node loads it) and each says it is an exercise
  assumption in both languages.

A YAML stream may hold several documents (``---``); each is checked by its
own rules, then all load in one transaction. The packaged seed is both. Loading is idempotent: an
object already present with the same content is left alone; a seeded object
whose content differs is updated; objects that came from elsewhere (written
here, or received from their owner's node) are never overwritten by a seed.
Loading is one transaction: a document with any bad entry changes nothing.
Every id is in its owner's namespace (``jpn-…`` for a JPN object, see
:mod:`alliance.core.ids`), as ids chosen through the API are.
Exports carry only what is released to the nation they are made for.
"""

from __future__ import annotations

from typing import Any

from alliance.core.authority import Grant
from alliance.core.dtg import parse_time
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import check_client_id
from alliance.core.markings import Marking, check_nation
from alliance.core.models import (
    MarkingIn,
)
from alliance.store.context import DeskContext
from alliance.store.owned import (
    OwnedKind,
    check_references,
    check_referrers,
    record,
    stamp_new,
    touch,
)
from alliance.store.schema import OwnedRow
from alliance.store.writer import Tx

from . import common
from .doctrine import check_doctrine
from .document import (
    EXERCISE_ASSUMPTIONS,
    EXERCISE_MARK,
    FORMAT,
    MAX_DOCUMENT_BYTES,
    PUBLIC_FACTS,
    LoadReport,
    OrgDocument,
    SeedCounterpart,
    SeedDated,
    SeedHq,
    SeedNation,
    SeedRelationship,
    SeedRetired,
    SeedSource,
    SeedUnit,
    Sourced,
    check_facts,
    invalid_entry,
    packaged_file,
    packaged_seed,
    parse_document,
)
from .tables import CommandRelationshipRow, CounterpartRow, HqRow, NationRow, UnitRow

__all__ = [
    "EXERCISE_ASSUMPTIONS",
    "EXERCISE_MARK",
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "PUBLIC_FACTS",
    "LoadReport",
    "OrgDocument",
    "SeedCounterpart",
    "SeedDated",
    "SeedHq",
    "SeedNation",
    "SeedRelationship",
    "SeedRetired",
    "SeedSource",
    "SeedUnit",
    "Sourced",
    "check_facts",
    "load_document",
    "packaged_file",
    "packaged_seed",
    "parse_document",
]


def _marking(item: MarkingIn | None, default: MarkingIn, owner: str, where: str) -> Marking:
    return (item or default).build(owner, field=f"{where}.marking")


def _in_namespace(owner: str, ident: str, where: str) -> None:
    """The entry's id is in its owner's namespace, as the API requires of clients."""
    try:
        check_client_id(owner, ident, where)
    except InvalidInput as exc:
        raise InvalidInput(
            Text(f"{where}: {exc.message.en}", f"{where}: {exc.message.ja}"),
            field=where,
            code=exc.code,
        ) from None


_KINDS: dict[str, OwnedKind[Any]] = {
    kind.object_type: kind
    for kind in (common.HQ, common.UNIT, common.RELATIONSHIP, common.COUNTERPART)
}

# A reference's field in a document, by its field in the API.
_DOCUMENT_FIELDS = {
    "parent_id": "parent",
    "hq_id": "hq",
    "partner_hq_id": "partner",
    "superior.id": "superior",
    "subordinate.id": "subordinate",
}


class _Loader:
    """Upserts the entries of one document inside one writer job."""

    def __init__(self, tx: Tx, doc: OrgDocument, grant: Grant) -> None:
        self.tx = tx
        self.doc = doc
        self.grant = grant
        self.report = LoadReport()
        # What was written, with its marking before: the references are judged
        # once the whole document is in (a subtree may be narrowed together).
        self.written: list[tuple[OwnedRow, str, Marking | None, str]] = []

    def upsert(
        self,
        model: type[OwnedRow],
        object_type: str,
        ident: str,
        owner: str,
        marking: Marking,
        values: dict[str, Any],
        where: str,
        keep: frozenset[str] = frozenset(),
    ) -> None:
        """``keep``: fields that alone never make a change (an exercise
        assumption's start, set when it was first loaded)."""
        if model is not NationRow:  # a nation's row is named by its code
            _in_namespace(owner, ident, f"{where}.id")
        s = self.tx.session
        row = s.get(model, ident)
        if row is None:
            row = model(id=ident, **values)
            stamp_new(row, owner=owner, marking=marking, now=self.tx.now, origin="seed")
            s.add(row)
            s.flush()
            record(self.tx, row, object_type, f"org.{object_type}.seeded", None, self.grant)
            self.written.append((row, object_type, None, where))
            self.report.created += 1
            return
        if row.origin != "seed" or row.owner != owner:
            self.report.skipped.append(f"{object_type}:{ident}")
            return
        same = row.marking == marking and all(
            getattr(row, k) == v for k, v in values.items() if k not in keep
        )
        if same:
            self.report.unchanged += 1
            return
        self.written.append((row, object_type, row.marking, where))
        for k, v in values.items():
            setattr(row, k, v)
        row.set_marking(marking)
        touch(row, self.tx.now)
        record(self.tx, row, object_type, f"org.{object_type}.seeded", None, self.grant)
        self.report.updated += 1

    def nation_of_hq(self, hq_id: str, where: str) -> str:
        row = self.tx.session.get(HqRow, hq_id)
        if row is None:
            raise invalid_entry(
                f"{where}: unknown HQ '{hq_id}'", f"{where}: 司令部「{hq_id}」が不明です", where
            )
        return row.owner

    def party(self, ref: str, where: str) -> HqRow | UnitRow:
        kind, ident = ref.split(":", 1)
        row: HqRow | UnitRow | None = (
            self.tx.session.get(HqRow, ident)
            if kind == "hq"
            else self.tx.session.get(UnitRow, ident)
        )
        if row is None:
            raise invalid_entry(
                f"{where}: unknown {kind} '{ident}'", f"{where}: 「{ident}」が不明です", where
            )
        return row

    def run(self) -> LoadReport:
        doc = self.doc
        for i, n in enumerate(doc.nations):
            code = check_nation(n.code, field=f"nations.{i}.code")
            self.upsert(
                NationRow,
                "nation",
                code,
                code,
                _marking(n.marking, doc.marking, code, f"nations.{i}"),
                {"name_en": n.name_en, "name_ja": n.name_ja},
                f"nations.{i}",
            )
        self._hqs()
        for i, u in enumerate(doc.units):
            where = f"units.{i}"
            owner = self.nation_of_hq(u.hq, f"{where}.hq")
            values = u.model_dump(include={"name_en", "name_ja", "echelon", "home_en", "home_ja"})
            values.update(hq_id=u.hq, sidc=u.sidc, domain=u.domain.value)
            marking = _marking(u.marking, doc.marking, owner, where)
            self.upsert(UnitRow, "unit", u.id, owner, marking, values, where)
        for i, r in enumerate(doc.relationships):
            self._relationship(i, r)
        for i, c in enumerate(doc.counterparts):
            where = f"counterparts.{i}"
            owner = self.nation_of_hq(c.hq, f"{where}.hq")
            if self.nation_of_hq(c.partner, f"{where}.partner") == owner:
                raise invalid_entry(
                    f"{where}: counterparts are HQs of different nations",
                    f"{where}: カウンターパートは異なる国の司令部です",
                    f"{where}.partner",
                )
            self.upsert(
                CounterpartRow,
                "counterpart",
                c.id,
                owner,
                _marking(c.marking, doc.marking, owner, where),
                {
                    "hq_id": c.hq,
                    "partner_hq_id": c.partner,
                    "note_en": c.note_en,
                    "note_ja": c.note_ja,
                },
                where,
            )
        for i, gone in enumerate(doc.retired):
            self._retire(i, gone)
        self._check_references()
        return self.report

    def _check_references(self) -> None:
        """A released object never names an unreleased one, imported or not."""
        s = self.tx.session
        for row, object_type, before, where in self.written:
            kind = _KINDS.get(object_type)
            if kind is None:
                continue
            try:
                check_references(s, kind, row, row.owner, row.marking)
                if before is not None:
                    check_referrers(s, kind.spec, row, before, row.marking)
            except InvalidInput as e:
                field = _DOCUMENT_FIELDS.get(e.field or "", e.field)
                raise InvalidInput(e.message, field=f"{where}.{field}", code=e.code) from None

    def _hqs(self) -> None:
        # Parents first, whatever order the document lists them in.
        pending = {h.id: (i, h) for i, h in enumerate(self.doc.hqs)}
        done: set[str] = set()
        while pending:
            ready = [
                (i, h)
                for i, h in pending.values()
                if h.parent is None or h.parent in done or h.parent not in pending
            ]
            if not ready:
                cycle = ", ".join(sorted(pending))
                raise invalid_entry(
                    f"hqs: parent cycle among {cycle}",
                    f"hqs: 親子関係が循環しています（{cycle}）",
                    "hqs",
                )
            for i, h in sorted(ready, key=lambda t: t[0]):
                where = f"hqs.{i}"
                nation = check_nation(h.nation, field=f"{where}.nation")
                if (
                    h.parent is not None
                    and self.nation_of_hq(h.parent, f"{where}.parent") != nation
                ):
                    raise invalid_entry(
                        f"{where}.parent: '{h.parent}' is another nation's HQ",
                        f"{where}.parent: 「{h.parent}」は他国の司令部です",
                        f"{where}.parent",
                    )
                values = h.model_dump(
                    include={
                        "kind",
                        "name_en",
                        "name_ja",
                        "short_en",
                        "short_ja",
                        "location_en",
                        "location_ja",
                        "note_en",
                        "note_ja",
                        "operational_authority",
                    }
                )
                values["kind"] = h.kind.value
                values["parent_id"] = h.parent
                self.upsert(
                    HqRow,
                    "hq",
                    h.id,
                    nation,
                    _marking(h.marking, self.doc.marking, nation, where),
                    values,
                    where,
                )
                done.add(h.id)
                del pending[h.id]

    def _relationship(self, i: int, r: SeedRelationship) -> None:
        where = f"relationships.{i}"
        sup = self.party(r.superior, f"{where}.superior")
        sub = self.party(r.subordinate, f"{where}.subordinate")
        if r.kind.same_nation and sup.owner != sub.owner:
            raise invalid_entry(
                f"{where}: a command relationship never crosses nations",
                f"{where}: 指揮関係は国をまたげません",
                f"{where}.superior",
            )
        try:
            check_doctrine(
                r.kind,
                common.side(sup),
                common.side(sub),
                common.structure_of(self.tx.session, sub),
            )
        except InvalidInput as e:
            raise InvalidInput(
                Text(f"{where}: {e.message.en}", f"{where}: {e.message.ja}"),
                field=f"{where}.{e.field}",
                code=e.code,
            ) from None
        if r.valid_from is None:
            valid_from = self.tx.now
        else:
            valid_from = parse_time(r.valid_from, field=f"{where}.valid_from")
        valid_to = parse_time(r.valid_to, field=f"{where}.valid_to") if r.valid_to else None
        marking = _marking(r.marking, self.doc.marking, sub.owner, where)
        self.upsert(
            CommandRelationshipRow,
            "relationship",
            r.id,
            sub.owner,
            marking,
            {
                "kind": r.kind.value,
                "superior_kind": r.superior.split(":", 1)[0],
                "superior_id": sup.id,
                "subordinate_kind": r.subordinate.split(":", 1)[0],
                "subordinate_id": sub.id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "caveats_en": r.caveats_en,
                "caveats_ja": r.caveats_ja,
                "state": "active",
            },
            where,
            keep=frozenset({"valid_from"}) if r.valid_from is None else frozenset(),
        )

    def _retire(self, i: int, r: SeedRetired) -> None:
        """Bring a seeded entry of an earlier seed in line: a relationship is
        revoked (its caveats say why), a unit renamed; each with a ledger event.
        Entries that are absent, not seeded here, or already retired are left."""
        where = f"retired.{i}"
        s = self.tx.session
        row: OwnedRow | None
        if r.type == "relationship":
            rel = s.get(CommandRelationshipRow, r.id)
            if rel is None or rel.origin != "seed" or rel.state != "active":
                return
            rel.state = "revoked"
            rel.valid_to = max(min(rel.valid_to or self.tx.now, self.tx.now), rel.valid_from)
            rel.caveats_en = _joined(rel.caveats_en, r.reason_en)
            rel.caveats_ja = _joined(rel.caveats_ja, r.reason_ja)
            row = rel
        else:
            unit = s.get(UnitRow, r.id)
            if unit is None or unit.origin != "seed":
                return
            if r.name_en is None or r.name_ja is None:
                raise invalid_entry(
                    f"{where}: a retired unit needs its new name_en and name_ja",
                    f"{where}: 廃止した部隊には新しいname_enとname_jaが必要です",
                    f"{where}.name_en",
                )
            if (unit.name_en, unit.name_ja) == (r.name_en, r.name_ja):
                return
            unit.name_en, unit.name_ja = r.name_en, r.name_ja
            row = unit
        touch(row, self.tx.now)
        record(self.tx, row, r.type, f"org.{r.type}.retired", None, self.grant)
        self.report.updated += 1  # a retirement is an update, recorded as such


def _joined(text: str, reason: str) -> str:
    return reason if not text else f"{text} — {reason}"


def load_document(ctx: DeskContext, doc: OrgDocument, digest: str) -> LoadReport:
    """Load a parsed document as the node operator, in one transaction."""
    grant = Grant(rule="org.seed", basis=f"node operator loaded document sha256:{digest[:16]}")
    return ctx.writer.run(lambda tx: _Loader(tx, doc, grant).run())


__all__ = [
    "EXERCISE_ASSUMPTIONS",
    "FORMAT",
    "PUBLIC_FACTS",
    "LoadReport",
    "OrgDocument",
    "check_facts",
    "load_document",
    "packaged_file",
    "packaged_seed",
    "parse_document",
]
