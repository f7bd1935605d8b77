"""The cyber desk's API models (the TAXII wire has its own shapes: :mod:`.taxii`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from alliance.core.models import (
    LongText,
    MarkingIn,
    MarkingOut,
    OwnedOut,
    Slug,
    Strict,
    TimeOut,
    Title,
)


class CollectionIn(Strict):
    """A new TAXII collection. Its marking says which nations see that it exists;
    each object in it is released on its own marking."""

    id: Slug | None = Field(
        default=None, description="Client-chosen id in the nation's namespace (jpn-…) / ID"
    )
    title: Title
    title_ja: Title | None = None
    description: LongText = ""
    alias: Slug | None = None
    writable: bool = Field(
        default=True, description="Partners' users may add their own objects / 他国も追加可"
    )
    marking: MarkingIn = Field(default_factory=MarkingIn)


class CollectionOut(OwnedOut):
    hq_id: str
    title: str
    title_ja: str
    description: str
    alias: str
    writable: bool


class StixObjectOut(BaseModel):
    """One version of a STIX object as the console lists it: what it is, who
    owns it, and its marking as each nation it is released to writes it."""

    id: str
    type: str
    name: str
    modified: str
    date_added: TimeOut
    owner: str
    marking: MarkingOut
    object: dict[str, Any]


class StixPageOut(BaseModel):
    items: list[StixObjectOut]
    more: bool
    next: int | None = None


class SightingDayOut(BaseModel):
    day: str
    count: int


__all__ = ["CollectionIn", "CollectionOut", "SightingDayOut", "StixObjectOut", "StixPageOut"]
