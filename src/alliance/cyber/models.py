"""The cyber desk's API models (the TAXII wire has its own shapes: :mod:`.taxii`)."""

from __future__ import annotations

from pydantic import Field

from alliance.core.models import LongText, MarkingIn, OwnedOut, Slug, Strict, Title


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


__all__ = ["CollectionIn", "CollectionOut"]
