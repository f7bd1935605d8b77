"""Core: ids, time and DTG, markings, authority rules, the ledger and keys.

Nothing here touches a database, a network or a file other than a key file.
"""

from .authority import Action, Actor, Grant, Role, Target, authorize, can_view
from .dtg import display, format_dtg, iso, parse_dtg, parse_time, utcnow
from .errors import (
    AllianceError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    Unavailable,
    not_found,
)
from .i18n import Lang, Text
from .ids import is_valid_id, new_id
from .keys import NodeKey, fingerprint, verify_signature
from .ledger import Event, EventDraft, VerifyReport, canonical, seal, verify
from .markings import TLP, Marking, check_nation

__all__ = [
    "TLP",
    "Action",
    "Actor",
    "AllianceError",
    "Conflict",
    "Event",
    "EventDraft",
    "Forbidden",
    "Grant",
    "InvalidInput",
    "Lang",
    "Marking",
    "NodeKey",
    "NotFound",
    "Role",
    "Target",
    "Text",
    "Unauthenticated",
    "Unavailable",
    "VerifyReport",
    "authorize",
    "can_view",
    "canonical",
    "check_nation",
    "display",
    "fingerprint",
    "format_dtg",
    "is_valid_id",
    "iso",
    "new_id",
    "not_found",
    "parse_dtg",
    "parse_time",
    "seal",
    "utcnow",
    "verify",
    "verify_signature",
]
