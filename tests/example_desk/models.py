"""What the example desk's API reads and answers."""

from __future__ import annotations

from pydantic import Field

from alliance.core.models import MarkingIn, OwnedOut, Slug, Strict, Title, Version


class NoteIn(Strict):
    hq_id: Slug
    text: Title
    marking: MarkingIn = Field(default_factory=MarkingIn)


class NotePatch(Strict):
    version: Version | None = None
    text: Title | None = None
    marking: MarkingIn | None = None


class NoteOut(OwnedOut):
    hq_id: str
    text: str
