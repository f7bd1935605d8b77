"""The relational schema: one module per desk, one metadata for Alembic."""

from .access import UserRow
from .acm import (
    ActionItemRow,
    CoordinationRequestRow,
    CoordinationResponseRow,
    DecisionRow,
    MeetingRow,
    WorkingGroupRow,
)
from .base import Base, Owned, OwnedRow, UTCDateTime
from .cop import TrackHistoryRow, TrackRow
from .federation import HeldRow, LinkRow, OutboundRow, PartnerRow, QuarantineRow, ReleasedRow
from .ledger import LedgerRow, MetaRow
from .org import (
    CommandRelationshipRow,
    CounterpartRow,
    HqRow,
    NationRow,
    TaskingRow,
    UnitRow,
)

__all__ = [
    "ActionItemRow",
    "Base",
    "CommandRelationshipRow",
    "CoordinationRequestRow",
    "CoordinationResponseRow",
    "CounterpartRow",
    "DecisionRow",
    "HeldRow",
    "HqRow",
    "LedgerRow",
    "LinkRow",
    "MeetingRow",
    "MetaRow",
    "NationRow",
    "OutboundRow",
    "Owned",
    "OwnedRow",
    "PartnerRow",
    "QuarantineRow",
    "ReleasedRow",
    "TaskingRow",
    "TrackHistoryRow",
    "TrackRow",
    "UTCDateTime",
    "UnitRow",
    "UserRow",
    "WorkingGroupRow",
]
