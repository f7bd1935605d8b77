"""Errors with a stable code, a bilingual message and the field at fault.

The API turns each into the one error shape ``{code, message: {en, ja}, field}``;
the CLI prints the message in the user's language. An error may carry
``errors``: every problem found at once (each an error of its own, in the same
shape), when a user fixes them in one go — the rows of an imported sheet.
"""

from __future__ import annotations

from collections.abc import Sequence

from .i18n import Text


class AllianceError(Exception):
    """Base error: ``code`` is stable and machine-readable."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: Text,
        *,
        field: str | None = None,
        code: str | None = None,
        errors: Sequence[AllianceError] = (),
    ) -> None:
        super().__init__(message.en)
        self.message = message
        self.field = field
        self.errors = tuple(errors)
        if code is not None:
            self.code = code


class InvalidInput(AllianceError):
    """Input that is well-formed JSON but breaks a rule (422)."""

    code = "invalid"
    status = 422


class NotFound(AllianceError):
    """No such object, or none released to the caller (404: existence is not leaked)."""

    code = "not_found"
    status = 404


class Unauthenticated(AllianceError):
    code = "unauthenticated"
    status = 401


class Forbidden(AllianceError):
    """The caller's nation, HQ or role holds no authority for this action (403)."""

    code = "forbidden"
    status = 403


class Conflict(AllianceError):
    """The action does not fit the object's current state (409)."""

    code = "conflict"
    status = 409


class Unavailable(AllianceError):
    code = "unavailable"
    status = 503


# What a user reads for each kind of object, by its one spelling (the owned
# object types add theirs when declared: ``alliance.store.types.ObjectType``).
# Messages name an object in the reader's language: 司令部「…」, not hq「…」.
_LABELS: dict[str, Text] = {
    "track": Text("track", "航跡"),
    "user": Text("user", "利用者"),
    "partner": Text("partner", "連携先"),
    "node": Text("node", "ノード"),
    "event": Text("ledger event", "台帳イベント"),
}


def register_label(kind: str, label: Text) -> None:
    """Declare what users read for objects of ``kind`` (its last declaration wins)."""
    _LABELS[kind] = label


def object_label(kind: str | Text) -> Text:
    """The bilingual label of ``kind`` (an object type's name, or a label
    already); a kind nobody declared reads as its spelling, with its
    underscores as spaces."""
    if isinstance(kind, Text):
        return kind
    known = _LABELS.get(kind)
    if known is not None:
        return known
    plain = kind.replace("_", " ")
    return Text(plain, plain)


def named(kind: str | Text, ident: str) -> Text:
    """An object named in a message: ``HQ 'jpn-jjoc'`` / ``司令部「jpn-jjoc」``."""
    label = object_label(kind)
    return Text(f"{label.en} '{ident}'", f"{label.ja}「{ident}」")


def not_found(kind: str | Text, ident: str, field: str | None = None) -> NotFound:
    """``kind`` is an object type's name (its label is looked up) or its label."""
    label = object_label(kind)
    return NotFound(
        Text(
            f"No {label.en} '{ident}' is held here or released to you.",
            f"{label.ja}「{ident}」は存在しないか、あなたに公開されていません。",
        ),
        field=field,
    )
