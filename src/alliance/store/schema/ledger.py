"""The ledger table and node metadata."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits

from .base import Base, UTCDateTime


class LedgerRow(Base):
    """One sealed event. ``body`` holds the exact signed bytes; the other
    columns are copies for querying, checked against the body on verify."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(limits.ULID), unique=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(limits.EVENT_KIND))
    object_type: Mapped[str] = mapped_column(String(limits.LABEL))
    object_id: Mapped[str] = mapped_column(String(limits.ID))
    owner: Mapped[str] = mapped_column(String(limits.NATION))
    rel: Mapped[str] = mapped_column(String(limits.REL))
    tlp: Mapped[str | None] = mapped_column(String(limits.TLP))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[str] = mapped_column(String(limits.HEX_256))
    prev_hash: Mapped[str] = mapped_column(String(limits.HEX_256))
    sig: Mapped[bytes] = mapped_column(LargeBinary(64))

    __table_args__ = (Index("ix_ledger_object", "object_type", "object_id", "seq"),)


class MetaRow(Base):
    """Node facts fixed at init: nation, node id, public key."""

    __tablename__ = "node_meta"

    key: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
