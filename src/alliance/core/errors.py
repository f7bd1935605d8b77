"""Errors with a stable code, a bilingual message and the field at fault.

The API turns each into the one error shape ``{code, message: {en, ja}, field}``;
the CLI prints the message in the user's language.
"""

from __future__ import annotations

from .i18n import Text


class AllianceError(Exception):
    """Base error: ``code`` is stable and machine-readable."""

    code = "error"
    status = 400

    def __init__(self, message: Text, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        self.field = field
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


def not_found(kind: str | Text, ident: str, field: str | None = None) -> NotFound:
    """``kind`` is what the user reads: an object type's bilingual label, or a
    word that reads the same in both languages."""
    label = kind if isinstance(kind, Text) else Text(kind, kind)
    return NotFound(
        Text(
            f"No {label.en} '{ident}' is held here or released to you.",
            f"{label.ja}「{ident}」は存在しないか、あなたに公開されていません。",
        ),
        field=field,
    )
