"""Load and export command structures as YAML or JSON (format ``alliance-org/1``).

The seed shipped with Alliance (``data/seed.yaml``) holds the Japan–US
structures from public facts, in both languages. Loading is idempotent: an
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


class SeedNation(Strict):
    code: Nation
    name_en: Name
    name_ja: Name
    marking: MarkingIn | None = None


class SeedHq(Strict):
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


class SeedUnit(Strict):
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


class SeedRelationship(Strict):
    id: Slug
    kind: RelKind
    superior: PartyRef
    subordinate: PartyRef
    valid_from: TimeText
    valid_to: TimeText | None = None
    caveats_en: LongText = ""
    caveats_ja: LongText = ""
    marking: MarkingIn | None = None


class SeedCounterpart(Strict):
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
    marking: MarkingIn = Field(default_factory=MarkingIn)
    nations: list[SeedNation] = Field(default_factory=list)
    hqs: list[SeedHq] = Field(default_factory=list)
    units: list[SeedUnit] = Field(default_factory=list)
    relationships: list[SeedRelationship] = Field(default_factory=list)
    counterparts: list[SeedCounterpart] = Field(default_factory=list)


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


def parse_document(raw: bytes | str, *, source: str = "document") -> tuple[OrgDocument, str]:
    """Parse YAML or JSON (YAML is a superset) safely; return the document and its SHA-256."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _bad(
            f"{source} is larger than {MAX_DOCUMENT_BYTES} bytes.",
            f"{source} が {MAX_DOCUMENT_BYTES} バイトを超えています。",
            "document",
        )
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise _bad(
            f"{source} is not valid YAML/JSON: {exc}",
            f"{source} はYAML/JSONとして不正です。",
            "document",
        ) from None
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
    return doc, hashlib.sha256(data).hexdigest()


def packaged_seed() -> bytes:
    """The Japan–US seed shipped with Alliance."""
    return resources.files("alliance.org").joinpath("data/seed.yaml").read_bytes()


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
    ) -> None:
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
        same = row.marking == marking and all(getattr(row, k) == v for k, v in values.items())
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

    def party(self, ref: str, where: str) -> tuple[str, str, str]:
        kind, ident = ref.split(":", 1)
        model: type[HqRow] | type[UnitRow] = HqRow if kind == "hq" else UnitRow
        row = self.tx.session.get(model, ident)
        if row is None:
            raise _bad(
                f"{where}: unknown {kind} '{ident}'", f"{where}: 「{ident}」が不明です", where
            )
        return kind, ident, row.owner

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
        sup_kind, sup_id, sup_owner = self.party(r.superior, f"{where}.superior")
        sub_kind, sub_id, sub_owner = self.party(r.subordinate, f"{where}.subordinate")
        if r.kind.is_command and sup_owner != sub_owner:
            raise _bad(
                f"{where}: a command relationship never crosses nations",
                f"{where}: 指揮関係は国をまたげません",
                f"{where}.superior",
            )
        valid_from = parse_time(r.valid_from, field=f"{where}.valid_from")
        valid_to = parse_time(r.valid_to, field=f"{where}.valid_to") if r.valid_to else None
        marking = _marking(r.marking, self.doc.marking, sub_owner, where)
        self.upsert(
            CommandRelationshipRow,
            "relationship",
            r.id,
            sub_owner,
            marking,
            {
                "kind": r.kind.value,
                "superior_kind": sup_kind,
                "superior_id": sup_id,
                "subordinate_kind": sub_kind,
                "subordinate_id": sub_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "caveats_en": r.caveats_en,
                "caveats_ja": r.caveats_ja,
                "state": "active",
            },
            where,
        )


def load_document(ctx: DeskContext, doc: OrgDocument, digest: str) -> LoadReport:
    """Load a parsed document as the node operator, in one transaction."""
    grant = Grant(rule="org.seed", basis=f"node operator loaded document sha256:{digest[:16]}")
    return ctx.writer.run(lambda tx: _Loader(tx, doc, grant).run())


__all__ = [
    "FORMAT",
    "LoadReport",
    "OrgDocument",
    "load_document",
    "packaged_seed",
    "parse_document",
]
