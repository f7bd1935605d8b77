"""The ledger table and node metadata."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class LedgerRow(Base):
    """One sealed event. ``body`` holds the exact signed bytes; the other
    columns are copies for querying, checked against the body on verify."""

    __tablename__ = "ledger"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(26), unique=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(3))
    rel: Mapped[str] = mapped_column(String(400))
    tlp: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    sig: Mapped[bytes] = mapped_column(LargeBinary(64))

    __table_args__ = (Index("ix_ledger_object", "object_type", "object_id", "seq"),)


class MetaRow(Base):
    """Node facts fixed at init: nation, node id, public key."""

    __tablename__ = "node_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
