"""Markings: who may see an object or event (need to share, proven).

A marking is the set of nations an item is releasable to (ISO 3166-1 alpha-3
trigraphs) and an optional TLP 2.0 level for cyber data. Its banner line and
portion mark are written as the viewer's nation writes them
(:func:`alliance.core.release.marks`: ``CUI//REL TO USA, JPN`` for a US
viewer, 注意 for a Japanese one); the TLP is a label of its own beside them. The default is national-only: releasable to the owner.
Combining two markings gives the intersection of their nations and the
stricter TLP, so derived products never leak more than their sources.

TLP 2.0: https://www.first.org/tlp/ (CLEAR < GREEN < AMBER < AMBER+STRICT < RED).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
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
