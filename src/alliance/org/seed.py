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

import hashlib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, StringConstraints, ValidationError

from alliance.core import limits
from alliance.core.authority import Grant
from alliance.core.dtg import parse_time
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import check_client_id
from alliance.core.markings import Marking, check_nation
from alliance.core.models import (
    Label,
    LongText,
    MarkingIn,
    Name,
    Nation,
    ShortName,
    ShortText,
    Slug,
    Strict,
    TimeText,
)
from alliance.core.sidc import Sidc
from alliance.core.text import ID_CHARS, NAME_CHARS
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
from .models import Domain, HqKind, RelKind
from .tables import CommandRelationshipRow, CounterpartRow, HqRow, NationRow, UnitRow

FORMAT: Literal["alliance-org/1"] = "alliance-org/1"
MAX_DOCUMENT_BYTES = 5_000_000


# "hq:<id>" or "unit:<id>"; checked for characters first, so a bidi override is named.
PartyRef = Annotated[
    str,
    StringConstraints(
        pattern=rf"^(hq|unit):[a-z0-9][a-z0-9._-]{{1,{limits.ID - 1}}}$",
        max_length=len("unit:") + limits.ID,
    ),
    ID_CHARS,
]

DocTitle = Annotated[
    str, StringConstraints(max_length=limits.TITLE, strip_whitespace=True), NAME_CHARS
]


class SeedSource(Strict):
    """A public source: what it is, who published it, where, when it was read."""

    id: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=limits.TITLE), NAME_CHARS]
    publisher: Annotated[str, StringConstraints(min_length=1, max_length=limits.TITLE), NAME_CHARS]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000), ID_CHARS]
    read: date


class Sourced(Strict):
    """What a public fact carries: its sources (ids in ``sources``) and as-of date.

    ``translated`` names the fields whose text is a translation of ours
    (no published name in that language was found)."""

    sources: list[Slug] = Field(default_factory=list, max_length=20)
    as_of: date | None = None
    translated: list[Literal["name_en", "name_ja", "short_en", "short_ja"]] = Field(
        default_factory=list
    )


class SeedDated(Sourced):
    """A fact that holds for a period: e.g. USFJ's authority by phase."""

    id: Slug
    subject: PartyRef
    valid_from: date
    valid_to: date | None = None
    fact_en: LongText
    fact_ja: LongText


class SeedRetired(Strict):
    """An entry of an earlier seed that is no longer true."""

    type: Literal["relationship", "unit"]
    id: Slug
    name_en: Name | None = None
    name_ja: Name | None = None
    reason_en: LongText
    reason_ja: LongText


class SeedNation(Strict):
    code: Nation
    name_en: Name
    name_ja: Name
    marking: MarkingIn | None = None


class SeedHq(Sourced):
    id: Slug
    nation: Nation
    parent: Slug | None = None
    kind: HqKind
    name_en: Name
    name_ja: Name
    short_en: ShortName
    short_ja: ShortName
    location_en: ShortText = ""
    location_ja: ShortText = ""
    note_en: LongText = ""
    note_ja: LongText = ""
    operational_authority: bool = False
    marking: MarkingIn | None = None


class SeedUnit(Sourced):
    id: Slug
    hq: Slug
    name_en: Name
    name_ja: Name
    sidc: Sidc
    domain: Domain
    echelon: Label = ""
    home_en: ShortText = ""
    home_ja: ShortText = ""
    marking: MarkingIn | None = None


class SeedRelationship(Sourced):
    id: Slug
    kind: RelKind
    superior: PartyRef
    subordinate: PartyRef
    # None: in force from when a node first loads it (exercise assumptions).
    valid_from: TimeText | None = None
    valid_to: TimeText | None = None
    caveats_en: LongText = ""
    caveats_ja: LongText = ""
    marking: MarkingIn | None = None


class SeedCounterpart(Sourced):
    id: Slug
    hq: Slug
    partner: Slug
    note_en: LongText = ""
    note_ja: LongText = ""
    marking: MarkingIn | None = None


class OrgDocument(Strict):
    format: Literal["alliance-org/1"] = FORMAT
    title_en: DocTitle = ""
    title_ja: DocTitle = ""
    facts: Literal["public", "exercise"] | None = None
    marking: MarkingIn = Field(default_factory=MarkingIn)
    sources: list[SeedSource] = Field(default_factory=list)
    nations: list[SeedNation] = Field(default_factory=list)
    hqs: list[SeedHq] = Field(default_factory=list)
    units: list[SeedUnit] = Field(default_factory=list)
    relationships: list[SeedRelationship] = Field(default_factory=list)
    counterparts: list[SeedCounterpart] = Field(default_factory=list)
    dated: list[SeedDated] = Field(default_factory=list)
    retired: list[SeedRetired] = Field(default_factory=list)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def _bad(message_en: str, message_ja: str, where: str) -> InvalidInput:
    return InvalidInput(Text(message_en, message_ja), field=where, code="invalid_document")


def _validate(loaded: object, source: str) -> OrgDocument:
    try:
        doc = OrgDocument.model_validate(loaded)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        ja = (first.get("ctx") or {}).get("ja") or f"値が不正です（{first['type']}）"
        raise _bad(
            f"{source}: {where}: {first['msg']}",
            f"{source}: {where}: {ja}",
            where,
        ) from None
    check_facts(doc, source)
    return doc


EXERCISE_MARK = ("exercise assumption", "演習上の想定")


def check_facts(doc: OrgDocument, source: str = "document") -> None:
    """The rules of a public-facts or exercise-assumptions document.

    Public facts: every HQ, unit, relationship, counterpart and dated record
    names sources that the document lists, and an as-of date; no relationship
    is an exercise assumption. Exercise assumptions: every relationship says
    so in both languages and carries no real-world date."""
    known = {src.id for src in doc.sources}
    if len(known) != len(doc.sources):
        raise _bad(
            f"{source}: sources: an id is used twice",
            f"{source}: sources: IDが重複しています",
            "sources",
        )
    sections: list[tuple[str, list[Any]]] = [
        ("hqs", doc.hqs),
        ("units", doc.units),
        ("relationships", doc.relationships),
        ("counterparts", doc.counterparts),
        ("dated", doc.dated),
    ]
    for name, entries in sections:
        for i, entry in enumerate(entries):
            where = f"{name}.{i}"
            for ref in entry.sources:
                if ref not in known:
                    raise _bad(
                        f"{source}: {where}.sources: no source '{ref}' is listed under sources",
                        f"{source}: {where}.sources: 出典「{ref}」がsourcesにありません",
                        f"{where}.sources",
                    )
            if doc.facts == "public" and (not entry.sources or entry.as_of is None):
                raise _bad(
                    f"{source}: {where}: a public fact names its sources and an as_of date",
                    f"{source}: {where}: 公開情報には出典（sources）と時点（as_of）が必要です",
                    f"{where}.sources" if not entry.sources else f"{where}.as_of",
                )
    for i, r in enumerate(doc.relationships):
        where = f"relationships.{i}"
        said = EXERCISE_MARK[0] in r.caveats_en.lower() and EXERCISE_MARK[1] in r.caveats_ja
        if doc.facts == "public" and (said or r.valid_from is None):
            raise _bad(
                f"{source}: {where}: an exercise assumption does not belong in public facts",
                f"{source}: {where}: 演習上の想定は公開情報に含められません",
                where,
            )
        if doc.facts == "exercise" and r.valid_from is not None:
            raise _bad(
                f"{source}: {where}.valid_from: an exercise assumption carries no real-world date",
                f"{source}: {where}.valid_from: 演習上の想定に実在の日付は付けません",
                f"{where}.valid_from",
            )
        if doc.facts == "exercise" and not said:
            raise _bad(
                f"{source}: {where}.caveats: an exercise assumption says so in both languages",
                f"{source}: {where}.caveats: 演習上の想定であることを両言語で明記してください",
                f"{where}.caveats_en",
            )
    for i, d in enumerate(doc.dated):
        if d.valid_to is not None and d.valid_to <= d.valid_from:
            raise _bad(
                f"{source}: dated.{i}.valid_to must be after valid_from",
                f"{source}: dated.{i}.valid_to はvalid_fromより後にしてください",
                f"dated.{i}.valid_to",
            )


def _merge(docs: list[OrgDocument]) -> OrgDocument:
    """One document from several: each entry keeps its own document's marking."""
    if len(docs) == 1:
        return docs[0]
    merged = OrgDocument(title_en=docs[0].title_en, title_ja=docs[0].title_ja)
    for d in docs:
        for entries in (d.nations, d.hqs, d.units, d.relationships, d.counterparts):
            for entry in entries:
                if entry.marking is None:
                    entry.marking = d.marking
        merged.sources += d.sources
        merged.nations += d.nations
        merged.hqs += d.hqs
        merged.units += d.units
        merged.relationships += d.relationships
        merged.counterparts += d.counterparts
        merged.dated += d.dated
        merged.retired += d.retired
    return merged


def parse_document(raw: bytes | str, *, source: str = "document") -> tuple[OrgDocument, str]:
    """Parse YAML or JSON (YAML is a superset) safely; return the document and its SHA-256.

    A YAML stream of several documents is checked document by document and
    returned as one."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _bad(
            f"{source} is larger than {MAX_DOCUMENT_BYTES} bytes.",
            f"{source} が {MAX_DOCUMENT_BYTES} バイトを超えています。",
            "document",
        )
    try:
        loaded = [d for d in yaml.safe_load_all(data) if d is not None] or [None]
    except yaml.YAMLError as exc:
        raise _bad(
            f"{source} is not valid YAML/JSON: {exc}",
            f"{source} はYAML/JSONとして不正です。",
            "document",
        ) from None
    docs = [
        _validate(d, source if len(loaded) == 1 else f"{source}#{n + 1}")
        for n, d in enumerate(loaded)
    ]
    return _merge(docs), hashlib.sha256(data).hexdigest()


PUBLIC_FACTS = "data/public_facts.yaml"
EXERCISE_ASSUMPTIONS = "data/exercise_assumptions.yaml"


def packaged_file(name: str) -> bytes:
    """One of the packaged data files (``PUBLIC_FACTS``, ``EXERCISE_ASSUMPTIONS``)."""
    return resources.files("alliance.org").joinpath(name).read_bytes()


def packaged_seed() -> bytes:
    """The Japan–US seed shipped with Alliance: the public facts, then the
    exercise assumptions, as one YAML stream of two documents."""
    return packaged_file(PUBLIC_FACTS) + b"\n---\n" + packaged_file(EXERCISE_ASSUMPTIONS)


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
            raise _bad(
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
            raise _bad(
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
                raise _bad(
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
                raise _bad(
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
                    raise _bad(
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
            raise _bad(
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
                raise _bad(
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
