"""Users and their API tokens (stored as SHA-256 hashes, never in clear)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits

from .base import Base, UTCDateTime


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(limits.ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.NAME))
    nation: Mapped[str] = mapped_column(String(limits.NATION))
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    role: Mapped[str] = mapped_column(String(limits.LABEL))
    token_hash: Mapped[str] = mapped_column(String(limits.HEX_256), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
