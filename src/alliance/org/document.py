"""The ``alliance-org/1`` document: its model, its checks and the packaged seed.

What a document may hold (HQs, units, relationships, counterparts, dated
records, retired entries, each public fact with its sources and as-of date),
how it is parsed and checked (:func:`parse_document`, :func:`check_facts`),
and the seed shipped with Alliance (:func:`packaged_seed`). Loading it into a
node is :mod:`alliance.org.seed`'s.
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
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
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

from .models import Domain, HqKind, RelKind

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


SourceKind = Literal["primary", "secondary"]


class SeedSource(Strict):
    """A public source: what it is, who published it, where, when it was read.

    ``kind`` says whether the publisher is the organisation itself or its
    government (``primary``: a ministry, a command, their official pages) or
    anyone else (``secondary``: press, reference works, mirrors). A source that
    does not say is taken as secondary: nothing is called primary unless
    someone checked it."""

    id: Slug
    title: Annotated[str, StringConstraints(min_length=1, max_length=limits.TITLE), NAME_CHARS]
    publisher: Annotated[str, StringConstraints(min_length=1, max_length=limits.TITLE), NAME_CHARS]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000), ID_CHARS]
    read: date
    kind: SourceKind = "secondary"


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


def invalid_entry(message_en: str, message_ja: str, where: str) -> InvalidInput:
    """A refusal naming the entry of the document at fault (``where``)."""
    return InvalidInput(Text(message_en, message_ja), field=where, code="invalid_document")


def _validate(loaded: object, source: str) -> OrgDocument:
    try:
        doc = OrgDocument.model_validate(loaded)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        ja = (first.get("ctx") or {}).get("ja") or f"値が不正です（{first['type']}）"
        raise invalid_entry(
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
        raise invalid_entry(
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
                    raise invalid_entry(
                        f"{source}: {where}.sources: no source '{ref}' is listed under sources",
                        f"{source}: {where}.sources: 出典「{ref}」がsourcesにありません",
                        f"{where}.sources",
                    )
            if doc.facts == "public" and (not entry.sources or entry.as_of is None):
                raise invalid_entry(
                    f"{source}: {where}: a public fact names its sources and an as_of date",
                    f"{source}: {where}: 公開情報には出典（sources）と時点（as_of）が必要です",
                    f"{where}.sources" if not entry.sources else f"{where}.as_of",
                )
    for i, r in enumerate(doc.relationships):
        where = f"relationships.{i}"
        said = EXERCISE_MARK[0] in r.caveats_en.lower() and EXERCISE_MARK[1] in r.caveats_ja
        if doc.facts == "public" and (said or r.valid_from is None):
            raise invalid_entry(
                f"{source}: {where}: an exercise assumption does not belong in public facts",
                f"{source}: {where}: 演習上の想定は公開情報に含められません",
                where,
            )
        if doc.facts == "exercise" and r.valid_from is not None:
            raise invalid_entry(
                f"{source}: {where}.valid_from: an exercise assumption carries no real-world date",
                f"{source}: {where}.valid_from: 演習上の想定に実在の日付は付けません",
                f"{where}.valid_from",
            )
        if doc.facts == "exercise" and not said:
            raise invalid_entry(
                f"{source}: {where}.caveats: an exercise assumption says so in both languages",
                f"{source}: {where}.caveats: 演習上の想定であることを両言語で明記してください",
                f"{where}.caveats_en",
            )
    for i, d in enumerate(doc.dated):
        if d.valid_to is not None and d.valid_to <= d.valid_from:
            raise invalid_entry(
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
        raise invalid_entry(
            f"{source} is larger than {MAX_DOCUMENT_BYTES} bytes.",
            f"{source} が {MAX_DOCUMENT_BYTES} バイトを超えています。",
            "document",
        )
    try:
        loaded = [d for d in yaml.safe_load_all(data) if d is not None] or [None]
    except yaml.YAMLError as exc:
        raise invalid_entry(
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
