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
from .federation import LinkRow, OutboundRow, PartnerRow, QuarantineRow, ReleasedRow
from .ledger import LedgerRow, MetaRow
from .org import (
    CommandRelationshipRow,
    CounterpartRow,
    HqRow,
    NationRow,
    TaskingRow,
    UnitRow,
)
from .release import ReleaseIndexRow

__all__ = [
    "ActionItemRow",
    "Base",
    "CommandRelationshipRow",
    "CoordinationRequestRow",
    "CoordinationResponseRow",
    "CounterpartRow",
    "DecisionRow",
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
    "ReleaseIndexRow",
    "ReleasedRow",
    "TaskingRow",
    "TrackHistoryRow",
    "TrackRow",
    "UTCDateTime",
    "UnitRow",
    "UserRow",
    "WorkingGroupRow",
]
