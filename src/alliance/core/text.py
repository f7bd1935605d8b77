"""Text that people and partners send: no control characters, no invisible tricks.

Two kinds of text are checked:

* **names** — identifiers, names, titles, callsigns, one-line labels: no
  control characters at all (C0, DEL, C1), no format characters (Unicode
  category Cf: bidirectional overrides and isolates, zero-width spaces and
  joiners, the byte-order mark), no line or paragraph separators, no
  surrogates or private-use characters. Such characters make two different
  names look the same, or reorder what a reader sees (the "Trojan Source"
  bidi attack), and NUL cannot be stored by PostgreSQL at all.
* **text** — notes, details, remarks: tabs and line breaks are allowed; other
  control characters, surrogates and bidirectional overrides/isolates are not.
  Other format characters (e.g. a zero-width joiner, a right-to-left mark)
  are harmless inside running text and are kept.

Both raise :class:`~alliance.core.errors.InvalidInput` (code
``control_character``) naming the character and its position; the pydantic
forms keep that code and both languages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from . import limits
from .errors import InvalidInput
from .i18n import Text

Kind = Literal["name", "text"]

# Characters refused in running text: C0 controls but tab, LF and CR; DEL and
# the C1 controls; bidirectional embeddings, overrides and isolates; lone surrogates.
_TEXT_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_ASCII_NAME_BAD = re.compile("[\x00-\x1f\x7f]")
_NAME_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def _first_bad(value: str, kind: Kind) -> int | None:
    """Index of the first character ``kind`` text may not hold, or None."""
    if kind == "text":
        found = _TEXT_BAD.search(value)
        return found.start() if found else None
    if value.isascii():
        found = _ASCII_NAME_BAD.search(value)
        return found.start() if found else None
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in _NAME_BAD_CATEGORIES:
            return i
    return None


def _message(value: str, index: int) -> Text:
    code = f"U+{ord(value[index]):04X}"
    name = unicodedata.name(value[index], "control character")
    return Text(
        f"contains {code} ({name}) at position {index + 1}, a control or invisible "
        "character that is not accepted here",
        f"{index + 1}文字目に制御文字または不可視文字 {code}（{name}）が含まれています。"
        "この項目には使えません",
    )


def check_text(value: str, *, kind: Kind = "name", field: str | None = None) -> str:
    """``value`` unchanged, or :class:`InvalidInput` naming the first bad character."""
    index = _first_bad(value, kind)
    if index is None:
        return value
    msg = _message(value, index)
    where_en = f"{field}: " if field else ""
    where_ja = f"{field}: " if field else ""
    raise InvalidInput(
        Text(where_en + msg.en + ".", where_ja + msg.ja + "。"),
        field=field,
        code="control_character",
    )


def _checker(kind: Kind) -> Callable[[str], str]:
    def check(value: str) -> str:
        index = _first_bad(value, kind)
        if index is None:
            return value
        msg = _message(value, index)
        # pydantic reads "{name}" in a message as a placeholder: none can occur
        # here (the message names a code point, not the value).
        raise PydanticCustomError("control_character", msg.en, {"ja": msg.ja})

    return check


def _before(kind: Kind, longest: int) -> BeforeValidator:
    check = _checker(kind)

    def check_first(value: object) -> object:
        # Anything but text goes on to the type's own check ("should be a string"),
        # and so does text too long to be valid (refused for its length, unread).
        return check(value) if isinstance(value, str) and len(value) <= longest else value

    return BeforeValidator(check_first)


NAME_CHARS = AfterValidator(_checker("name"))
TEXT_CHARS = AfterValidator(_checker("text"))
# For identifiers (and references naming one, ``unit:<id>``), whose pattern would
# refuse a control character with a vaguer "wrong format": checked first, so the
# answer names the character.
ID_CHARS = _before("name", longest=2 * limits.ID)

# Plain ``str`` with the check only; length limits are added where the type is used.
CleanName = Annotated[str, NAME_CHARS]
CleanText = Annotated[str, TEXT_CHARS]

__all__ = [
    "ID_CHARS",
    "NAME_CHARS",
    "TEXT_CHARS",
    "CleanName",
    "CleanText",
    "Kind",
    "check_text",
]
