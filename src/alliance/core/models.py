"""Shapes shared by every desk's inputs and views (pydantic models)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .dtg import display
from .markings import Marking, parse_tlp

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$", strip_whitespace=True)
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
Trigraph = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)]


class Strict(BaseModel):
    """Inputs refuse unknown fields, so a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class MarkingIn(Strict):
    """Who may see it. Omitted means national-only (the owner)."""

    releasable_to: list[Trigraph] = Field(default_factory=list, max_length=50)
    tlp: str | None = None

    def build(self, owner: str, field: str = "marking") -> Marking:
        return Marking.of(
            owner, self.releasable_to, parse_tlp(self.tlp, field=f"{field}.tlp"), field=field
        )


class Bilingual(BaseModel):
    en: str
    ja: str


class MarkingOut(BaseModel):
    releasable_to: list[str]
    tlp: str | None
    banner: Bilingual

    @classmethod
    def of(cls, marking: Marking) -> MarkingOut:
        b = marking.banner
        return cls(
            releasable_to=marking.nations,
            tlp=marking.tlp.value if marking.tlp else None,
            banner=Bilingual(en=b.en, ja=b.ja),
        )


class TimeOut(BaseModel):
    """One moment as DTG (Z) and in JST and HST, plus ISO 8601."""

    z: str
    jst: str
    hst: str
    iso: str

    @classmethod
    def of(cls, moment: datetime) -> TimeOut:
        return cls(**display(moment).as_dict())

    @classmethod
    def maybe(cls, moment: datetime | None) -> TimeOut | None:
        return None if moment is None else cls.of(moment)


class OwnedOut(BaseModel):
    """Fields every owned object shows."""

    id: str
    owner: str
    marking: MarkingOut
    version: int
    origin: str
    created: TimeOut
    updated: TimeOut
