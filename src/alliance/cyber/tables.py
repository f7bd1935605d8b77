"""The cyber desk's tables: TAXII collections and STIX object versions (owned,
shipped to partners like every owned type), the feed each reader pages
(derived, per node) and the status of each TAXII POST (per node).

**One owned row per STIX version.** A STIX object is identified by its ``id``
and a version of it by ``modified``; versions are immutable. Each version is
its own owned row (``stix_objects``), created by one signed ledger event: the
ledger is the version store, and federation ships every version released to a
partner without knowing what STIX is. The row's id is the owner's namespace
and a ULID (``jpn-01J…``): two nations that both import the same public report
hold two owners' copies, never one row two writers claim. The one writer of
an object is the nation that first stored a version of it; a partner's new
version of it is refused (STIX: only the creator versions an object).

**The feed** (``cyber_feed``) is what TAXII pages: one entry per (nation the
release rule releases a version to, version), numbered in the order it was
added on *this* node (``seq``, and ``date_added`` with it: a partner's object
is added here when it arrives, so ``added_after`` polling misses nothing). It
is derived from ``stix_objects`` by :mod:`alliance.cyber.feed`, in the write's
own transaction, for local writes and replicas alike (it follows the release
index: :func:`alliance.store.release_index.follow`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy import Text as RunningText
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.store.schema import Base, OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class CollectionRow(OwnedRow):
    """A TAXII collection: a named set of STIX objects a nation keeps.

    Who reads an object in it is decided per object (its own release), never
    by the collection: one collection is shared by nations that may each see
    a different subset of it. The collection's own marking says who sees the
    collection exists; ``writable`` whether partners' users may add to it.
    """

    __tablename__ = "taxii_collections"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    title_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    description: Mapped[str] = mapped_column(RunningText, default="")
    alias: Mapped[str] = mapped_column(String(limits.ID), default="")
    writable: Mapped[bool] = mapped_column(Boolean, default=True)


TAXII_COLLECTION = ObjectType(
    "taxii_collection", CollectionRow, Text("TAXII collection", "TAXIIコレクション")
)


class StixRow(OwnedRow):
    """One version of one STIX 2.1 object, as its owner stored it.

    ``body`` is the object exactly as it is served (its ``object_marking_refs``
    agree with the row's marking: :mod:`alliance.cyber.stix`). ``deleted``: the
    owner withdrew it (TAXII DELETE): released to nobody, served to nobody,
    kept for the ledger's sake.
    """

    __tablename__ = "stix_objects"

    collection_id: Mapped[str] = mapped_column(String(limits.ID))
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    stix_id: Mapped[str] = mapped_column(String(limits.STIX_ID))
    stix_type: Mapped[str] = mapped_column(String(limits.STIX_TYPE))
    modified: Mapped[str] = mapped_column(String(limits.STIX_TIME))
    spec_version: Mapped[str] = mapped_column(String(limits.CODE), default="2.1")
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_stix_objects_version", "stix_id", "modified"),)


STIX_OBJECT = ObjectType("stix_object", StixRow, Text("STIX object", "STIXオブジェクト"))


class FeedRow(Base):
    """``nation`` may read the version ``row_id`` in ``collection_id``, added here
    at ``date_added``.

    ``nseq`` numbers the entries of one nation in one collection in the order
    they were added (the key of every page and the value of ``next``); it and
    ``date_added`` are counted per (nation, collection) (:class:`CounterRow`),
    so neither says anything about entries the nation cannot read: a gap in
    the numbers, or between two times, is never another nation's object.
    ``seq`` is the row's own key, never shown. ``first``/``last``: the
    earliest/latest version of ``stix_id`` this nation may read (TAXII's
    ``match[version]`` ``first`` and ``last``, the default).
    """

    __tablename__ = "cyber_feed"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    nation: Mapped[str] = mapped_column(String(limits.NATION))
    collection_id: Mapped[str] = mapped_column(String(limits.ID))
    nseq: Mapped[int] = mapped_column(BigInteger)
    row_id: Mapped[str] = mapped_column(String(limits.ID))
    stix_id: Mapped[str] = mapped_column(String(limits.STIX_ID))
    stix_type: Mapped[str] = mapped_column(String(limits.STIX_TYPE))
    modified: Mapped[str] = mapped_column(String(limits.STIX_TIME))
    spec_version: Mapped[str] = mapped_column(String(limits.CODE))
    date_added: Mapped[datetime] = mapped_column(UTCDateTime())
    first: Mapped[bool] = mapped_column(Boolean)
    last: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        # A page of every version (match[version]=all), and the key's uniqueness.
        Index("ix_cyber_feed_page", "nation", "collection_id", "nseq", unique=True),
        # A page of the latest versions (the default).
        Index("ix_cyber_feed_last", "nation", "collection_id", "last", "nseq"),
        # A page of one type (match[type]); one object's versions (match[id]).
        Index("ix_cyber_feed_type", "nation", "collection_id", "stix_type", "nseq"),
        Index("ix_cyber_feed_object", "nation", "collection_id", "stix_id", "nseq"),
        # Where added_after starts.
        Index("ix_cyber_feed_added", "nation", "collection_id", "date_added"),
        # A version's entries; an object's entries (first and last marked again).
        Index("ix_cyber_feed_row", "row_id"),
        Index("ix_cyber_feed_stix", "stix_id"),
    )


class CounterRow(Base):
    """The last ``nseq`` and ``date_added`` given in one nation's view of one
    collection: a high-water mark that never goes back (a deleted entry's
    number is never given again, so a client's ``next`` never skips a new one)."""

    __tablename__ = "cyber_feed_counters"

    nation: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)
    nseq: Mapped[int] = mapped_column(BigInteger)
    date_added: Mapped[datetime] = mapped_column(UTCDateTime())


class StatusRow(Base):
    """The status resource of one TAXII POST (``GET …/status/{id}/``): what was
    added, what was refused and why. The node's own record, shown only to the
    nation that posted (it names objects that nation sent)."""

    __tablename__ = "taxii_status"

    id: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)
    nation: Mapped[str] = mapped_column(String(limits.NATION))
    user_id: Mapped[str] = mapped_column(String(limits.ID))
    collection_id: Mapped[str] = mapped_column(String(limits.ID))
    request_timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    total_count: Mapped[int] = mapped_column(Integer)
    successes: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    failures: Mapped[list[dict[str, object]]] = mapped_column(JSON)
