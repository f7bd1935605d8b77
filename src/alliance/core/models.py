"""Shapes shared by every desk's inputs and views (pydantic models).

The text types take their lengths from :mod:`alliance.core.limits` (the same
constants the columns use) and check their characters with
:mod:`alliance.core.text`: one-line texts (ids, names, titles, labels) refuse
every control and invisible character, running texts (notes) refuse control
characters but keep line breaks. Times are :data:`Moment`: aware, within
:data:`~alliance.core.limits.EARLIEST` .. :data:`~alliance.core.limits.LATEST`,
given as a DTG or ISO 8601 text, never as a bare number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from . import limits
from .dtg import check_moment, display, parse_time
from .errors import AllianceError
from .markings import Marking, check_nation, parse_tlp
from .release import Marks
from .text import ID_CHARS, NAME_CHARS, TEXT_CHARS


def validation_error(exc: AllianceError) -> PydanticCustomError:
    """``exc`` as a pydantic error that keeps its code and both languages.

    pydantic fills "{name}" placeholders of a message from its context; the
    English text goes in through one (``{en}``, filled last), so braces in a
    value a user typed are never read as placeholders.
    """
    return PydanticCustomError(exc.code, "{en}", {"ja": exc.message.ja, "en": exc.message.en})


# -- text ----------------------------------------------------------------------
# Validators listed after the constraints wrap them: a BeforeValidator there
# runs first (the character check names a bidi override that the pattern
# would refuse only as "wrong format").
Slug = Annotated[
    str,
    StringConstraints(
        pattern=rf"^[a-z0-9][a-z0-9._-]{{1,{limits.ID - 1}}}$",
        max_length=limits.ID,
        strip_whitespace=True,
    ),
    ID_CHARS,
]
Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=limits.NAME, strip_whitespace=True),
    NAME_CHARS,
]
ShortName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=limits.SHORT_NAME, strip_whitespace=True),
    NAME_CHARS,
]
ShortText = Annotated[
    str, StringConstraints(max_length=limits.SHORT_TEXT, strip_whitespace=True), NAME_CHARS
]
Label = Annotated[
    str, StringConstraints(max_length=limits.LABEL, strip_whitespace=True), NAME_CHARS
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=limits.TITLE, strip_whitespace=True),
    NAME_CHARS,
]
Note = Annotated[str, StringConstraints(min_length=1, max_length=limits.NOTE), TEXT_CHARS]
LongText = Annotated[str, StringConstraints(max_length=limits.LONG_TEXT), TEXT_CHARS]
TimeText = Annotated[str, StringConstraints(max_length=limits.TIME_TEXT), NAME_CHARS]
Trigraph = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{3}$", max_length=limits.NATION, to_upper=True),
    ID_CHARS,
]


def _nation(value: object) -> object:
    # Not text, or too long to be a code: refused by the type itself
    # ("should be a string", "at most 3 characters").
    if not isinstance(value, str) or len(value) > limits.ID:
        return value
    try:
        return check_nation(value)
    except AllianceError as exc:
        raise validation_error(exc) from None


def _tlp(value: object) -> object:
    if not isinstance(value, str) or len(value) > limits.ID:
        return value
    try:
        tlp = parse_tlp(value)
    except AllianceError as exc:
        raise validation_error(exc) from None
    return tlp.value if tlp else ""


# A nation code (ISO 3166-1 alpha-3), checked and upper-cased (code ``invalid_nation``).
Nation = Annotated[
    str, StringConstraints(max_length=limits.NATION), NAME_CHARS, BeforeValidator(_nation)
]
# A TLP 2.0 level, upper-cased ("" for none; code ``invalid_tlp``).
Tlp = Annotated[str, StringConstraints(max_length=limits.TLP), NAME_CHARS, BeforeValidator(_tlp)]


# -- times ---------------------------------------------------------------------
def _not_a_time(value: object) -> PydanticCustomError:
    if isinstance(value, bool):
        en, ja = "true or false", "真偽値"
    elif isinstance(value, int | float):
        en, ja = "a number (epoch seconds are not accepted)", "数値（エポック秒は使えません）"
    else:
        en, ja = f"a {type(value).__name__}", "文字列以外の値"
    return PydanticCustomError(
        "invalid_dtg",
        "{en}",
        {
            "ja": "日時は日時グループ（例: 271200ZJUL24）またはタイムゾーン付きのISO 8601の"
            f"文字列で指定します。{ja}は指定できません",
            "en": "a time is a date-time group (271200ZJUL24) or ISO 8601 text with a "
            f"time zone, not {en}",
        },
    )


def _moment(value: Any) -> datetime:
    """An aware UTC time from a DTG, ISO 8601 text or aware datetime; a number
    (epoch seconds: pydantic's own datetime would take ``-5`` as 1969) is refused."""
    try:
        if isinstance(value, datetime):
            return check_moment(value)
        if isinstance(value, str) and len(value) <= limits.TIME_TEXT:
            return parse_time(value)
    except AllianceError as exc:
        raise validation_error(exc) from None
    if isinstance(value, str):
        raise PydanticCustomError(
            "invalid_dtg",
            "{en}",
            {
                "ja": f"日時の文字列が{limits.TIME_TEXT}文字を超えています",
                "en": f"a time is at most {limits.TIME_TEXT} characters",
            },
        )
    raise _not_a_time(value)


Moment = Annotated[
    datetime,
    PlainValidator(_moment),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": limits.TIME_TEXT,
            "description": "DTG (271200ZJUL24) or ISO 8601 with a time zone, "
            f"{limits.EARLIEST:%Y}-{limits.LATEST:%Y} / 日時グループまたはISO 8601",
            "examples": ["271200ZJUL24", "2024-07-27T12:00:00Z"],
        }
    ),
]

# -- integers ------------------------------------------------------------------
# Versions and revisions: from 1, within the 32-bit column that holds them.
Version = Annotated[int, Field(ge=1, le=limits.MAX_VERSION)]


class Strict(BaseModel):
    """Inputs refuse unknown fields, so a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class MarkingIn(Strict):
    """Who may see it. Omitted means national-only (the owner)."""

    releasable_to: list[Trigraph] = Field(default_factory=list, max_length=limits.MAX_RELEASABLE)
    tlp: Tlp | None = None

    def build(self, owner: str, field: str = "marking") -> Marking:
        return Marking.of(
            owner, self.releasable_to, parse_tlp(self.tlp, field=f"{field}.tlp"), field=field
        )


class Bilingual(BaseModel):
    en: str
    ja: str


class MarksOut(BaseModel):
    """A marking as one nation's practice writes it."""

    banner: Bilingual
    portion: Bilingual

    @classmethod
    def of(cls, marks: Marks) -> MarksOut:
        return cls(
            banner=Bilingual(**marks.banner.as_dict()),
            portion=Bilingual(**marks.portion.as_dict()),
        )


class MarkingOut(BaseModel):
    """A marking as the API shows it: the nations and TLP (machine form), the
    banner line and portion mark as ``practice`` (the viewer's nation, or the
    owner's on an object's own view) writes them, the TLP label beside them,
    and ``by_nation``: how each nation it is released to writes it (a console
    shows its user's own)."""

    releasable_to: list[str]
    tlp: str | None
    banner: Bilingual
    portion: Bilingual
    tlp_label: Bilingual | None
    by_nation: dict[str, MarksOut]

    @classmethod
    def of(cls, marking: Marking, practice: str | None = None) -> MarkingOut:
        own = MarksOut.of(marking.marks(practice))
        label = marking.tlp_label
        return cls(
            releasable_to=marking.nations,
            tlp=marking.tlp.value if marking.tlp else None,
            banner=own.banner,
            portion=own.portion,
            tlp_label=Bilingual(**label.as_dict()) if label else None,
            by_nation={n: MarksOut.of(marking.marks(n)) for n in marking.nations},
        )


class TimeOut(BaseModel):
    """One moment as DTG (Z) and in JST and HST, plus ISO 8601, and the DTG as
    Japanese writes a date (``z_ja``: 2024年7月27日 1200Z)."""

    z: str
    jst: str
    hst: str
    iso: str
    z_ja: str = ""

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
