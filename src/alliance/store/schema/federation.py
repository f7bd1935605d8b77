"""Federation tables: partners, per-partner release streams, what was received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits

from .base import Base, UTCDateTime


class PartnerRow(Base):
    """A partner node: its nation, where to reach it, and what we pin."""

    __tablename__ = "partners"

    nation: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(limits.NODE_ID))
    url: Mapped[str] = mapped_column(String(limits.URL))
    ledger_key: Mapped[str] = mapped_column(String(limits.HEX_256))
    ca_pem: Mapped[str] = mapped_column(Text)
    ca_fingerprint: Mapped[str] = mapped_column(String(limits.HEX_256))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboundRow(Base):
    """One item of the release stream to one partner: gap-free seq, chained, signed."""

    __tablename__ = "outbound"

    partner: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(limits.CODE))
    object_type: Mapped[str] = mapped_column(String(limits.LABEL))
    object_id: Mapped[str] = mapped_column(String(limits.ID))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[str] = mapped_column(String(limits.HEX_256))
    prev_hash: Mapped[str] = mapped_column(String(limits.HEX_256))
    sig: Mapped[bytes] = mapped_column(LargeBinary(64))


class ReleasedRow(Base):
    """Objects currently released to a partner (to know when a release is withdrawn)."""

    __tablename__ = "released_objects"

    partner: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    object_type: Mapped[str] = mapped_column(String(limits.LABEL), primary_key=True)
    object_id: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)


class LinkRow(Base):
    """Both directions of the link with one partner, as this node sees them."""

    __tablename__ = "federation_links"

    partner: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    # outbound: what we built and what the partner confirmed holding
    sent_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # inbound: what we applied from the partner's stream to us
    received_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    received_hash: Mapped[str] = mapped_column(String(limits.HEX_256))
    partner_head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    partner_head_sig: Mapped[str] = mapped_column(String(limits.HEX_512), default="")
    state: Mapped[str] = mapped_column(String(limits.CODE), default="running")
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # The object types the partner said it understands (its signed hello),
    # comma-separated; None until it has said (an older version never does).
    partner_types: Mapped[str | None] = mapped_column(Text, default=None)


class QuarantineRow(Base):
    """An inbound item that failed a check: kept with the reason, never applied."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(limits.NATION))
    seq: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(limits.ERROR_CODE))
    reason_en: Mapped[str] = mapped_column(Text)
    reason_ja: Mapped[str] = mapped_column(Text)
    item: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    resolution: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_quarantine_partner", "partner", "resolved_at"),)


class HeldRow(Base):
    """An inbound item of an object type this node does not understand yet.

    It passed every check that does not depend on the type (sequence, chain,
    signature, addressee, owner, release) and is kept as it was sent, signature
    included, until the node understands its type (after an upgrade); then it is
    checked again and applied in stream order. The link runs on past it.
    """

    __tablename__ = "federation_held"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner: Mapped[str] = mapped_column(String(limits.NATION))
    seq: Mapped[int] = mapped_column(BigInteger)
    object_type: Mapped[str] = mapped_column(String(limits.LABEL))
    object_id: Mapped[str] = mapped_column(String(limits.ID))
    kind: Mapped[str] = mapped_column(String(limits.CODE))
    item: Mapped[bytes] = mapped_column(LargeBinary)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ux_federation_held_partner_seq", "partner", "seq", unique=True),
        Index("ix_federation_held_object", "partner", "object_type", "object_id"),
    )
