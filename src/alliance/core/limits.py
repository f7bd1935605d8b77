"""Every length and range limit, declared once.

API models (:mod:`alliance.core.models` and each desk's ``models.py``), the
seed and document loaders, and the table columns (:mod:`alliance.store.schema`)
all read their limits here, so a value the API accepts always fits the column
that stores it — on PostgreSQL, which enforces ``VARCHAR(n)``, as on SQLite,
which does not. ``tests/store/test_limits.py`` walks every input model and
every column and fails when one does not fit the other.
"""

from __future__ import annotations

from datetime import UTC, datetime

# -- text people write (characters) --------------------------------------------
ID = 64  # object ids: slugs chosen by a client, ULIDs chosen by the server
NATION = 3  # ISO 3166-1 alpha-3
NAME = 200  # names of HQs, units, groups, people; an action item's assignee
SHORT_NAME = 40  # abbreviations (JJOC, USFJ)
SHORT_TEXT = 200  # one-line texts: locations, home stations, a member's role
LABEL = 32  # short labels: echelon, HQ kinds, roles, response kinds, object types
TITLE = 300  # titles and subjects
NOTE = 2000  # short free text: the note an operator leaves when resuming a link
LONG_TEXT = 20_000  # notes, details, caveats, agendas, minutes
TRACK_UID = 200  # track uids: chosen by TAK clients and partners (device ids, UUIDs, names)
REMARKS = 2_000  # free text on a track (CoT <remarks>)

# -- codes and values the node itself writes (characters) ----------------------
CODE = 16  # one word of a fixed vocabulary: states, priorities, domains, request and
# relationship kinds, track ``how``/source/link status
ORIGIN = 16  # local, seed, replica, withdrawn
TLP = 16  # CLEAR, GREEN, AMBER, AMBER+STRICT, RED
MAX_RELEASABLE = 50  # nations a marking may name
REL = 400  # a marking's nations as stored: MAX_RELEASABLE trigraphs and commas, with room
SIDC = 30  # MIL-STD-2525C (15 characters) or 2525D/E (20 or 30 digits)
ULID = 26  # ledger event ids
EVENT_KIND = 64  # ledger event kinds (org.relationship.revoked)
ERROR_CODE = 40  # machine codes of errors (quarantine reasons)
HEX_256 = 64  # a SHA-256 digest or an Ed25519 public key, in hex
HEX_512 = 128  # an Ed25519 signature, in hex
CONTENT_HASH = 80  # "sha256:" and a SHA-256 digest in hex (alliance.core.approval), with room
URL = 300  # a partner node's address
STIX_TYPE = 250  # a STIX object's type (STIX 2.1: 3 to 250 characters)
STIX_ID = 300  # a STIX identifier: its type, "--" and a UUID
STIX_TIME = 40  # a STIX timestamp in its canonical form (to the microsecond, UTC)
NODE_ID = 64  # a node's id: a certificate's common name (RFC 5280 ub-common-name)

# -- times ---------------------------------------------------------------------
# Every time a user or a partner gives is within these bounds: far enough for
# history and plans, near enough that converting to any zone cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
TIME_TEXT = 64  # a DTG or ISO 8601 time as text (the longest ISO form is 32)

# -- integers ------------------------------------------------------------------
MAX_SEQ = 2**63 - 1  # sequence numbers: a signed 64-bit column on every backend
MAX_VERSION = 2**31 - 1  # versions and revisions: a signed 32-bit column (Integer)
MAX_PAGE = 1000  # items one API page holds

__all__ = [
    "CODE",
    "EARLIEST",
    "ERROR_CODE",
    "EVENT_KIND",
    "HEX_256",
    "HEX_512",
    "ID",
    "LABEL",
    "LATEST",
    "LONG_TEXT",
    "MAX_PAGE",
    "MAX_RELEASABLE",
    "MAX_SEQ",
    "MAX_VERSION",
    "NAME",
    "NATION",
    "NODE_ID",
    "NOTE",
    "ORIGIN",
    "REL",
    "REMARKS",
    "SHORT_NAME",
    "SHORT_TEXT",
    "SIDC",
    "STIX_ID",
    "STIX_TIME",
    "STIX_TYPE",
    "TIME_TEXT",
    "TITLE",
    "TLP",
    "TRACK_UID",
    "ULID",
    "URL",
]
