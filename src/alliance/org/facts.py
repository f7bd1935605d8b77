"""The sourced facts behind the packaged structure, for users to read.

The seed's public facts and exercise assumptions carry their sources and
as-of dates only in the packaged data files; a node's tables keep the
structure, not where it comes from. This module reads both files and gives
each public fact with its bilingual name, what it states, its as-of date and
its sources (each marked primary or secondary), and the exercise assumptions
apart, labelled as fictional. It is what ``GET /api/v1/org/facts`` and
``alliance org facts`` show: the facts shipped with this version of Alliance.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal

from pydantic import BaseModel

from alliance.core.glossary import term
from alliance.core.i18n import Text
from alliance.core.models import Bilingual

from .document import (
    EXERCISE_ASSUMPTIONS,
    PUBLIC_FACTS,
    OrgDocument,
    SeedSource,
    SourceKind,
    packaged_file,
    parse_document,
)

FactKind = Literal["hq", "unit", "relationship", "counterpart", "dated"]


def _bi(text: Text) -> Bilingual:
    return Bilingual(en=text.en, ja=text.ja)


class FactSourceOut(BaseModel):
    """A public source as a user sees it: what, who, where, when read, and its kind."""

    id: str
    title: str
    publisher: str
    url: str
    read: date
    kind: SourceKind
    kind_label: Bilingual


class PublicFactOut(BaseModel):
    """One public fact: an HQ, a unit, a relationship, a counterpart pair or a dated record."""

    kind: FactKind
    kind_label: Bilingual  # the HQ's kind, the relationship's kind, "unit", ...
    id: str
    nation: str
    name: Bilingual
    value: Bilingual
    note: Bilingual | None = None
    parent: str | None = None  # an HQ's parent HQ, a unit's HQ (ids of this list)
    as_of: date
    valid_from: str | None = None
    valid_to: str | None = None
    translated: list[str]  # fields whose text is our translation (no published name found)
    sources: list[FactSourceOut]


class ExerciseAssumptionOut(BaseModel):
    """One exercise assumption: fictional, not an official arrangement, no real-world date."""

    id: str
    label: Bilingual
    name: Bilingual
    value: Bilingual
    note: Bilingual


class ExerciseAssumptionsOut(BaseModel):
    label: Bilingual
    title: Bilingual
    assumptions: list[ExerciseAssumptionOut]


class FactsOut(BaseModel):
    """The public facts (sourced, dated) and, separately, the exercise assumptions."""

    title: Bilingual
    public: list[PublicFactOut]
    exercise: ExerciseAssumptionsOut


def _documents() -> tuple[OrgDocument, OrgDocument]:
    public, _ = parse_document(packaged_file(PUBLIC_FACTS), source="public_facts.yaml")
    exercise, _ = parse_document(
        packaged_file(EXERCISE_ASSUMPTIONS), source="exercise_assumptions.yaml"
    )
    return public, exercise


class _Names:
    """Bilingual names of the HQs and units of the public facts, by ref."""

    def __init__(self, doc: OrgDocument) -> None:
        self.by_ref: dict[str, Text] = {}
        self.nation: dict[str, str] = {}
        for h in doc.hqs:
            self.by_ref[f"hq:{h.id}"] = Text(h.name_en, h.name_ja)
            self.nation[f"hq:{h.id}"] = h.nation
        for u in doc.units:
            self.by_ref[f"unit:{u.id}"] = Text(u.name_en, u.name_ja)
            self.nation[f"unit:{u.id}"] = self.nation.get(f"hq:{u.hq}", "")

    def __call__(self, ref: str) -> Text:
        return self.by_ref.get(ref, Text(ref, ref))


_UNIT = Text("unit", "部隊")
_DATED = Text("dated record", "時期のある記録")


def _note(en: str, ja: str) -> Bilingual | None:
    return Bilingual(en=en, ja=ja) if en or ja else None


def _public_facts(doc: OrgDocument) -> Iterator[PublicFactOut]:
    sources = {s.id: s for s in doc.sources}
    name = _Names(doc)

    def cited(refs: list[str]) -> list[FactSourceOut]:
        return [_source(sources[r]) for r in refs]

    for h in doc.hqs:
        value = h.kind.label
        if h.parent:
            parent = name(f"hq:{h.parent}")
            value = Text(f"{value.en}, under {parent.en}", f"{value.ja}（{parent.ja}の隷下）")
        if h.location_en:
            value = Text(f"{value.en}; {h.location_en}", f"{value.ja}；{h.location_ja}")
        yield PublicFactOut(
            kind="hq",
            kind_label=_bi(h.kind.label),
            id=h.id,
            nation=h.nation,
            name=Bilingual(en=h.name_en, ja=h.name_ja),
            value=_bi(value),
            note=_note(h.note_en, h.note_ja),
            parent=h.parent,
            as_of=_as_of(h.as_of),
            translated=list(h.translated),
            sources=cited(h.sources),
        )
    for u in doc.units:
        hq = name(f"hq:{u.hq}")
        value = Text(f"unit of {hq.en}", f"{hq.ja}の隷下部隊")
        if u.home_en:
            value = Text(f"{value.en}; {u.home_en}", f"{value.ja}；{u.home_ja}")
        yield PublicFactOut(
            kind="unit",
            kind_label=_bi(_UNIT),
            id=u.id,
            nation=name.nation[f"unit:{u.id}"],
            name=Bilingual(en=u.name_en, ja=u.name_ja),
            value=_bi(value),
            parent=u.hq,
            as_of=_as_of(u.as_of),
            translated=list(u.translated),
            sources=cited(u.sources),
        )
    for r in doc.relationships:
        sup, sub = name(r.superior), name(r.subordinate)
        yield PublicFactOut(
            kind="relationship",
            kind_label=_bi(r.kind.label),
            id=r.id,
            nation=name.nation.get(r.superior, ""),
            name=Bilingual(en=f"{sup.en} → {sub.en}", ja=f"{sup.ja} → {sub.ja}"),
            value=_bi(r.kind.label),
            note=_note(r.caveats_en, r.caveats_ja),
            as_of=_as_of(r.as_of),
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            translated=list(r.translated),
            sources=cited(r.sources),
        )
    for c in doc.counterparts:
        a, b = name(f"hq:{c.hq}"), name(f"hq:{c.partner}")
        yield PublicFactOut(
            kind="counterpart",
            kind_label=_bi(term("counterpart")),
            id=c.id,
            nation=name.nation.get(f"hq:{c.hq}", ""),
            name=Bilingual(en=f"{a.en} ↔ {b.en}", ja=f"{a.ja} ↔ {b.ja}"),
            value=_bi(term("counterpart")),
            note=_note(c.note_en, c.note_ja),
            as_of=_as_of(c.as_of),
            translated=list(c.translated),
            sources=cited(c.sources),
        )
    for d in doc.dated:
        yield PublicFactOut(
            kind="dated",
            kind_label=_bi(_DATED),
            id=d.id,
            nation=name.nation.get(d.subject, ""),
            name=_bi(name(d.subject)),
            value=Bilingual(en=d.fact_en, ja=d.fact_ja),
            as_of=_as_of(d.as_of),
            valid_from=d.valid_from.isoformat(),
            valid_to=d.valid_to.isoformat() if d.valid_to else None,
            translated=list(d.translated),
            sources=cited(d.sources),
        )


def _as_of(value: date | None) -> date:
    # check_facts refuses a public fact without an as-of date; this never falls back.
    if value is None:  # pragma: no cover - guarded by check_facts
        raise ValueError("a public fact without an as-of date")
    return value


def _source(s: SeedSource) -> FactSourceOut:
    return FactSourceOut(
        id=s.id,
        title=s.title,
        publisher=s.publisher,
        url=s.url,
        read=s.read,
        kind=s.kind,
        kind_label=_bi(term(f"source_{s.kind}")),
    )


def facts_view(nation: str) -> FactsOut:
    """The packaged public facts with their sources, and the exercise assumptions
    apart, as released to ``nation``: each file's marking names the nations it
    is releasable to, and a nation it does not name sees none of it."""
    public, exercise = _documents()
    names = _Names(public)
    shown_public = nation in public.marking.releasable_to
    shown_exercise = nation in exercise.marking.releasable_to
    label = _bi(term("exercise_assumption_label"))
    assumptions = [
        ExerciseAssumptionOut(
            id=r.id,
            label=label,
            name=Bilingual(
                en=f"{names(r.superior).en} → {names(r.subordinate).en}",
                ja=f"{names(r.superior).ja} → {names(r.subordinate).ja}",
            ),
            value=_bi(r.kind.label),
            note=Bilingual(en=r.caveats_en, ja=r.caveats_ja),
        )
        for r in exercise.relationships
        if shown_exercise
    ]
    return FactsOut(
        title=Bilingual(en=public.title_en, ja=public.title_ja),
        public=list(_public_facts(public)) if shown_public else [],
        exercise=ExerciseAssumptionsOut(
            label=label,
            title=Bilingual(en=exercise.title_en, ja=exercise.title_ja),
            assumptions=assumptions,
        ),
    )


# --- the text the CLI prints ---------------------------------------------------


def _line(b: Bilingual) -> str:
    return b.en if b.en == b.ja else f"{b.en} / {b.ja}"


def _cites(f: PublicFactOut) -> str:
    return ", ".join(f"{s.id} ({s.kind})" for s in f.sources)


def _day(moment: str) -> str:
    """A moment at midnight UTC is shown as its day."""
    return moment.removesuffix("T00:00:00Z")


def render_text(facts: FactsOut) -> str:
    """A readable listing: each nation's tree of HQs and units, the links
    between them, dated records, the exercise assumptions, then the sources."""
    out: list[str] = [_line(facts.title), ""]
    by_kind: dict[str, list[PublicFactOut]] = {}
    for f in facts.public:
        by_kind.setdefault(f.kind, []).append(f)
    structure = by_kind.get("hq", []) + by_kind.get("unit", [])
    children: dict[str | None, list[PublicFactOut]] = {}
    for f in structure:
        children.setdefault(f.parent, []).append(f)

    def tree(parent: str | None, depth: int, nation: str) -> None:
        for f in children.get(parent, []):
            if f.nation != nation:
                continue
            out.append(f"{'  ' * depth}{_line(f.name)}  [{f.kind_label.en}]  as of {f.as_of}")
            out.append(f"{'  ' * depth}    sources: {_cites(f)}")
            tree(f.id, depth + 1, nation)

    out.append("Structure / 組織")
    for nation in sorted({f.nation for f in structure}):
        out.append(f"  {nation}")
        tree(None, 2, nation)
    sections: list[tuple[FactKind, str]] = [
        ("relationship", "Relationships / 関係"),
        ("counterpart", "Counterparts / カウンターパート"),
        ("dated", "Dated records / 時期で変わる事実"),
    ]
    for kind, heading in sections:
        out += ["", heading]
        for f in by_kind.get(kind, []):
            period = f" from {_day(f.valid_from)}" if f.valid_from else ""
            period += f" to {_day(f.valid_to)}" if f.valid_to else ""
            what = f.value.en if kind == "dated" else _line(f.value)
            out.append(f"  {_line(f.name)} — {what}{period}  as of {f.as_of}")
            out.append(f"      sources: {_cites(f)}")
    ex = facts.exercise
    out += ["", f"{_line(ex.label)}: {_line(ex.title)}"]
    for a in ex.assumptions:
        out.append(f"  [{_line(a.label)}] {_line(a.name)} — {_line(a.value)}")
    seen: dict[str, FactSourceOut] = {}
    for f in facts.public:
        for s in f.sources:
            seen.setdefault(s.id, s)
    out += ["", "Sources / 出典"]
    for s in sorted(seen.values(), key=lambda s: (s.kind != "primary", s.id)):
        out.append(f"  {s.id} ({_line(s.kind_label)}): {s.publisher}, “{s.title}”")
        out.append(f"      {s.url}  read {s.read}")
    return "\n".join(out) + "\n"


__all__ = [
    "ExerciseAssumptionOut",
    "ExerciseAssumptionsOut",
    "FactSourceOut",
    "FactsOut",
    "PublicFactOut",
    "facts_view",
    "render_text",
]
