"""Every length and range limit, declared once.

API models (:mod:`alliance.core.models` and each desk's ``models.py``), the
seed and document loaders, and the table columns (:mod:`alliance.store.schema`)
all read their limits here, so a value the API accepts always fits the column
that stores it — on PostgreSQL, which enforces ``VARCHAR(n)``, as on SQLite,
which does not.
"""

from __future__ import annotations

from datetime import UTC, datetime

# -- text (characters) ---------------------------------------------------------
ID = 64  # object ids: slugs chosen by a client, ULIDs chosen by the server
NATION = 3  # ISO 3166-1 alpha-3
NAME = 200  # names of HQs, units, groups, people
SHORT_NAME = 40  # abbreviations (JJOC, USFJ)
SHORT_TEXT = 200  # one-line texts: locations, home stations
LABEL = 32  # short codes and labels: echelon, kinds, states
TITLE = 300  # titles and subjects
LONG_TEXT = 20_000  # notes, details, caveats
ORIGIN = 16  # local, seed, replica, withdrawn
TRACK_UID = 200  # track uids: chosen by TAK clients and partners (device ids, UUIDs, names)
REMARKS = 2_000  # free text on a track (CoT <remarks>)

# -- times ---------------------------------------------------------------------
# Every time a user or a partner gives is within these bounds: far enough for
# history and plans, near enough that converting to any zone cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# -- integers ------------------------------------------------------------------
MAX_SEQ = 2**63 - 1  # sequence numbers: a signed 64-bit column on every backend

__all__ = [
    "EARLIEST",
    "ID",
    "LABEL",
    "LATEST",
    "LONG_TEXT",
    "MAX_SEQ",
    "NAME",
    "NATION",
    "ORIGIN",
    "REMARKS",
    "SHORT_NAME",
    "SHORT_TEXT",
    "TITLE",
    "TRACK_UID",
]
