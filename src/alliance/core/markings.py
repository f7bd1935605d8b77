"""Markings: who may see an object or event (need to share, proven).

A marking is the set of nations an item is releasable to (ISO 3166-1 alpha-3
trigraphs) and an optional TLP 2.0 level for cyber data. Its banner line and
portion mark are written as the viewer's nation writes them
(:func:`alliance.core.release.marks`: ``CUI//REL TO USA, JPN`` for a US
viewer, 注意 for a Japanese one); the TLP is a label of its own beside them. The default is national-only: releasable to the owner.
Combining two markings gives the intersection of their nations and the
stricter TLP, so derived products never leak more than their sources.

TLP 2.0: https://www.first.org/tlp/ (CLEAR < GREEN < AMBER < AMBER+STRICT < RED).

This is the one module every view of a marking comes from, so that the
console's banner, its rows and detail, the exports and the API all say the
same words: :func:`view` (an item's marking as a viewer reads it, its TLP
beside it), :func:`page` (what a page of items shares: its banner line, TLP
label and the note saying which items set it, :func:`banner_note`) and
:func:`joined` (one line holding both languages, for files).
"""

from __future__ import annotations

import gettext
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

import pycountry

from . import release
from .errors import InvalidInput
from .i18n import Text


class TLP(StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @property
    def rank(self) -> int:
        return list(TLP).index(self)


@cache
def _trigraphs() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


def nation_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code a marking may name."""
    return _trigraphs()


def check_nation(code: str, *, field: str = "nation") -> str:
    """Return the upper-case trigraph, or raise naming the field."""
    value = code.strip().upper() if isinstance(code, str) else ""
    if value not in _trigraphs():
        raise InvalidInput(
            Text(
                f"'{code}' is not an ISO 3166-1 alpha-3 nation code (e.g. JPN, USA).",
                f"「{code}」はISO 3166-1 alpha-3の国コード（例: JPN, USA）ではありません。",
            ),
            field=field,
            code="invalid_nation",
        )
    return value


def nation_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return str(country.name) if country is not None else code


@cache
def nation_names(code: str) -> Text:
    """A nation's name in both languages: the glossary's for the allies here
    (Japan / 日本, United States / 米国), else ISO 3166's English name and its
    Japanese translation as pycountry ships it (the code when it has none)."""
    from . import glossary  # the glossary loads its files once, when first asked

    try:
        return glossary.term(f"nation_{code.lower()}")
    except KeyError:
        pass
    english = nation_name(code)
    try:
        ja = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"]).gettext(
            english
        )
    except OSError:
        ja = english
    return Text(english, ja or english)


@dataclass(frozen=True, slots=True)
class Marking:
    """Releasability plus optional TLP. Construct with :meth:`national` or :meth:`of`."""

    releasable_to: frozenset[str]
    tlp: TLP | None = None

    @classmethod
    def national(cls, owner: str) -> Marking:
        """The default: releasable to the owning nation only."""
        return cls(frozenset({check_nation(owner, field="owner")}))

    @classmethod
    def of(
        cls,
        owner: str,
        releasable_to: Iterable[str] | None = None,
        tlp: str | TLP | None = None,
        *,
        field: str = "marking",
    ) -> Marking:
        """Validate user input; the owner is always included in its own marking."""
        nations = {check_nation(owner, field="owner")}
        for n in releasable_to or ():
            nations.add(check_nation(n, field=f"{field}.releasable_to"))
        return cls(frozenset(nations), parse_tlp(tlp, field=f"{field}.tlp"))

    def releases_to(self, nation: str, owner: str | None = None) -> bool:
        """The release rule (:func:`alliance.core.release.releases`): named, or the owner."""
        return release.releases(self.releasable_to, nation, owner)

    def combine(self, other: Marking) -> Marking:
        """The marking of a product built from both: intersection and stricter TLP."""
        tlps = [t for t in (self.tlp, other.tlp) if t is not None]
        return Marking(
            self.releasable_to & other.releasable_to,
            max(tlps, key=lambda t: t.rank) if tlps else None,
        )

    @property
    def nations(self) -> list[str]:
        return sorted(self.releasable_to)

    @property
    def banner(self) -> Text:
        """The neutral banner line, e.g. ``UNCLASSIFIED//REL TO JPN, USA`` (no
        nation's practice; for a viewer, :meth:`marks`). Never the TLP."""
        return release.banner(self.releasable_to)

    def marks(self, viewer: str | None) -> release.Marks:
        """The banner line and portion mark as ``viewer``'s nation writes them."""
        return release.marks(self.releasable_to, viewer)

    @property
    def tlp_label(self) -> Text | None:
        """The TLP label shown beside the banner (``TLP:AMBER``), or None."""
        return release.tlp_label(self.tlp.value if self.tlp else None)

    def to_json(self) -> dict[str, Any]:
        """The form carried in ledger events and API payloads."""
        return {"releasable_to": self.nations, "tlp": self.tlp.value if self.tlp else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Marking:
        tlp = data.get("tlp")
        return cls(frozenset(data.get("releasable_to", ())), TLP(tlp) if tlp else None)

    # Compact text form for a database column: "JPN,USA".
    def rel_text(self) -> str:
        return release.rel_text(self.releasable_to)

    @classmethod
    def from_columns(cls, rel: str, tlp: str | None) -> Marking:
        return cls(release.rel_nations(rel), TLP(tlp) if tlp else None)


def parse_tlp(value: str | TLP | None, *, field: str = "tlp") -> TLP | None:
    if value is None or value == "":
        return None
    if isinstance(value, TLP):
        return value
    text = value.strip().upper().removeprefix("TLP:")
    try:
        return TLP(text)
    except ValueError:
        raise InvalidInput(
            Text(
                f"'{value}' is not a TLP 2.0 level (CLEAR, GREEN, AMBER, AMBER+STRICT, RED).",
                f"「{value}」はTLP 2.0の区分（CLEAR, GREEN, AMBER, AMBER+STRICT, RED）ではありません。",
            ),
            field=field,
            code="invalid_tlp",
        ) from None


# -- how markings are shown ------------------------------------------------------
PageMarking = release.PageMarking


def joined(text: Text) -> str:
    """Both languages on one line (an export's field), once when they are the same
    (a US control marking, a TLP label)."""
    return text.en if text.en == text.ja else f"{text.en} / {text.ja}"


@lru_cache(maxsize=4096)
def _view(marking: Marking, viewer: str | None) -> tuple[tuple[str, Any], ...]:
    marks = marking.marks(viewer)
    label = marking.tlp_label
    return (
        ("releasable_to", tuple(marking.nations)),
        ("tlp", marking.tlp.value if marking.tlp else None),
        ("banner", marks.banner),
        ("portion", marks.portion),
        ("tlp_label", label),
    )


def view(marking: Marking, viewer: str | None = None) -> dict[str, Any]:
    """An item's marking as ``viewer``'s nation writes it (a row, a detail, an
    export's feature): the nations and TLP (machine form), the banner line and
    portion mark, and the TLP label beside them. Without a viewer, the neutral
    text. Cached: the distinct markings are few, the items many."""
    out: dict[str, Any] = {}
    for key, value in _view(marking, viewer):
        if isinstance(value, Text):
            out[key] = value.as_dict()
        elif isinstance(value, tuple):
            out[key] = list(value)
        else:
            out[key] = value
    return out


NOUN = Text("items", "件")
TRACKS = Text("tracks", "航跡")
_NAMED = 3  # items named in a note; the rest counted


def _names(page: PageMarking, markings: Iterable[Marking]) -> tuple[list[Text], int]:
    names: list[Text] = []
    count = 0
    for m in markings:
        count += page.counts[m]
        names.extend(page.labels(m, _NAMED - len(names)))
    return names, count


def _listed(names: list[Text], count: int) -> Text:
    shown = ", ".join(n.en for n in names)
    shown_ja = "、".join(n.ja for n in names)
    more = count - len(names)
    if more <= 0:
        return Text(shown, shown_ja)
    return Text(f"{shown} and {more} more", f"{shown_ja}ほか{more}件")


def banner_note(page: PageMarking, noun: Text = TRACKS) -> Text:
    """Which items set the page's banner and TLP label: e.g. ``JPN ONLY set by 1
    of 19 tracks: BLUE DD 03``. An item sets the banner when its marking leaves
    out a nation another item shown is released to (it narrows the page); it
    sets the TLP label when it has the page's (strictest) TLP and others do not."""
    total = page.total
    marking = page.marking
    if total == 0:
        return Text(
            f"No {noun.en} shown: the banner is your nation's own.",
            f"表示中の{noun.ja}はありません（自国の区分を表示）。",
        )
    distinct = list(page.counts)
    union = frozenset().union(*(m.releasable_to for m in distinct))
    narrowing = [m for m in distinct if m.releasable_to != union]
    parts_en: list[str] = []
    parts_ja: list[str] = []
    if narrowing:
        names, count = _names(page, narrowing)
        said = release.banner(marking.releasable_to, page.nation)
        who = _listed(names, count)
        parts_en.append(f"{said.en} set by {count} of {total} {noun.en}: {who.en}")
        parts_ja.append(f"{said.ja}：{total}件中{count}件の{noun.ja}による（{who.ja}）")
    label = marking.tlp_label
    if marking.tlp is not None and label is not None:
        strict = [m for m in distinct if m.tlp == marking.tlp]
        if len(strict) < len(distinct):
            names, count = _names(page, strict)
            who = _listed(names, count)
            parts_en.append(f"{label.en} set by {count} of {total} {noun.en}: {who.en}")
            parts_ja.append(f"{label.ja}：{total}件中{count}件の{noun.ja}による（{who.ja}）")
    if not parts_en:
        return Text(
            f"All {noun.en} shown ({total}) share this marking.",
            f"表示中の{noun.ja}（{total}件）はすべて同じ区分です。",
        )
    return Text("; ".join(parts_en) + ".", "。".join(parts_ja) + "。")


@dataclass(frozen=True, slots=True)
class Page:
    """What a page of items (a picture, an export) is marked with, for its viewer."""

    marking: Marking
    banner: Text
    tlp_label: Text | None
    note: Text

    def to_json(self) -> dict[str, Any]:
        return {
            "releasable_to": self.marking.nations,
            "tlp": self.marking.tlp.value if self.marking.tlp else None,
            "banner": self.banner.as_dict(),
            "tlp_label": self.tlp_label.as_dict() if self.tlp_label else None,
            "note": self.note.as_dict(),
        }


def page(
    items: Iterable[tuple[Hashable, Marking, str | Text]], viewer: str, noun: Text = TRACKS
) -> Page:
    """The marking of a page of ``items`` (key, marking, label) shown to ``viewer``:
    what they all share, its banner as the viewer's nation writes it, its TLP
    label and the note saying which items set them."""
    shown = PageMarking(viewer)
    for key, marking, label in items:
        shown.put(key, marking, label)
    return of_page(shown, noun)


def of_page(shown: PageMarking, noun: Text = TRACKS) -> Page:
    """:func:`page` of a page kept up to date item by item (a live stream)."""
    marking = shown.marking
    return Page(marking, shown.banner, marking.tlp_label, banner_note(shown, noun))
