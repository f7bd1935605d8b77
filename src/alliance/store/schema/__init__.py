"""The infrastructure tables (ledger, meta, users, federation) and the declarative base.

Desk tables live in their desks (``alliance.org.tables``, ...) and join the same
metadata when their package is imported (see :mod:`alliance.desks`)."""

from .access import SessionRow, UserRow
from .base import Base, Owned, OwnedRow, UTCDateTime
from .federation import HeldRow, LinkRow, OutboundRow, PartnerRow, QuarantineRow, ReleasedRow
from .ledger import LedgerRow, MetaRow
from .release import ReleaseIndexRow

__all__ = [
    "Base",
    "HeldRow",
    "LedgerRow",
    "LinkRow",
    "MetaRow",
    "OutboundRow",
    "Owned",
    "OwnedRow",
    "PartnerRow",
    "QuarantineRow",
    "ReleaseIndexRow",
    "ReleasedRow",
    "SessionRow",
    "UTCDateTime",
    "UserRow",
]
