"""Users, their API tokens and passwords (stored only as hashes, never in
clear), and their console sessions (the session cookie's SHA-256)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits

from .base import Base, UTCDateTime

PASSWORD_HASH = 200  # an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)


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
    # Console sign-in (revision 0015): a username and an argon2id password hash
    # (None: no password set, only a token or a certificate signs in), and the
    # lockout after repeated failures.
    username: Mapped[str | None] = mapped_column(String(limits.LABEL), unique=True, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(PASSWORD_HASH), default=None)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class SessionRow(Base):
    """A console session: only the SHA-256 of the cookie's random value is kept."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(limits.HEX_256), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    via: Mapped[str] = mapped_column(String(limits.LABEL))  # password, certificate
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
