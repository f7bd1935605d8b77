"""Console sign-in: passwords (argon2id), lockout, and server-side sessions.

A user signs in to the console with a username and a password, or with a
client certificate the node's user CA issued to them (the edge checks the
certificate and names the user). Either way the node opens a *session*: a
random value sent to the browser in an HttpOnly cookie, of which only the
SHA-256 is stored, with an expiry. A cookie is sent by the browser on its own,
so a request it authenticates that changes anything must also carry the
session's CSRF token (an HMAC of the session value, which a page of another
site cannot read or compute); the edge checks it.

Five failed passwords in a row lock the account for fifteen minutes (a
success resets the count); the lock is said, with its end, in both languages.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from alliance.core.authority import Action, Actor, Grant, Role, Target, authorize
from alliance.core.errors import (
    AllianceError,
    Conflict,
    Forbidden,
    InvalidInput,
    Unauthenticated,
    not_found,
)
from alliance.core.i18n import Text
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking
from alliance.store.context import DeskContext
from alliance.store.schema import SessionRow, UserRow
from alliance.store.writer import Tx

MAX_FAILURES = 5  # failed passwords in a row before the lock
LOCK_FOR = timedelta(minutes=15)
SESSION_FOR = timedelta(hours=12)
MIN_PASSWORD = 10
MAX_PASSWORD = 200
SESSION_PREFIX = "als_"
CSRF_HEADER = "X-CSRF-Token"

# argon2id as OWASP's Password Storage Cheat Sheet recommends (m=19 MiB, t=2,
# p=1): tens of milliseconds a sign-in on a node's modest CPU, shared by
# everything else it serves.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against when the username is unknown, so that the answer takes as
# long as for a known one (no user enumeration by timing).
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id PHC string for ``password`` (salted; parameters inside)."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def csrf_token(session: str) -> str:
    """The CSRF token of a session value (derived, so nothing more is stored)."""
    return hmac.new(session.encode(), b"alliance-csrf", hashlib.sha256).hexdigest()


def check_password_rules(password: str, field: str = "password") -> None:
    """The rules every password set here keeps (the CLI, the administrator's
    and the user's own change alike): its length; ``field`` names the input."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            Text(
                f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters "
                f"(this one has {len(password)}).",
                f"パスワードは{MIN_PASSWORD}〜{MAX_PASSWORD}文字です"
                f"（このパスワードは{len(password)}文字）。",
            ),
            field=field,
            code="bad_password",
        )


def check_username(username: str) -> str:
    name = username.strip().lower()
    ok = 3 <= len(name) <= 32 and all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
    if not ok:
        raise InvalidInput(
            Text(
                f"'{username}' is not a username: 3 to 32 letters, digits, '.', '_' or '-'.",
                f"「{username}」は利用者名として使えません（英数字と「.」「_」「-」で3〜32文字）。",
            ),
            field="username",
            code="bad_username",
        )
    return name


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: the cookie's value (given to the browser only),
    its CSRF token, and when it ends."""

    value: str
    csrf: str
    expires: datetime
    actor: Actor


def _actor(row: UserRow) -> Actor:
    return Actor(row.id, row.name, row.nation, row.hq_id, Role(row.role))


def _locked(until: datetime, kind: type[AllianceError] = Unauthenticated) -> AllianceError:
    """The lock, said with its end (``kind``: 401 at sign-in; 403 to a signed-in
    user changing their password, whose session still stands)."""
    stamp = until.strftime("%H:%M UTC %d %b %Y").upper()
    return kind(
        Text(
            f"This account is locked after {MAX_FAILURES} failed sign-ins in a row, "
            f"until {stamp}. Try again then, or ask your node administrator.",
            f"{MAX_FAILURES}回続けてサインインに失敗したため、このアカウントは{stamp}まで"
            "ロックされています。その後に再度試すか、ノード管理者に連絡してください。",
        ),
        code="account_locked",
    )


class SignIn:
    """Passwords, lockout and sessions of the node's users."""

    def __init__(self, ctx: DeskContext, *, node_id: str, nation_name: Text) -> None:
        self.ctx = ctx
        self.node_id = node_id
        self.nation_name = nation_name

    # -- passwords ----------------------------------------------------------

    def set_password(
        self,
        user_id: str,
        password: str,
        *,
        username: str | None = None,
        by: Actor | None = None,
    ) -> tuple[str, str]:
        """Set a user's password (and username: given, kept, or made from the
        id); returns (user id, username). Ends the user's sessions and lock.

        ``by`` is the node administrator acting (the API), or ``None`` for the
        node operator at the command line: an administrator sets the passwords
        of their own nation's users only; another nation's user is not found.
        The ledger records who set it and the username, never the password."""
        check_password_rules(password)
        wanted = check_username(username) if username is not None else None
        digest = hash_password(password)  # slow on purpose: outside the writer

        def job(tx: Tx) -> tuple[str, str]:
            row = tx.session.get(UserRow, user_id)
            if row is None or (by is not None and row.nation != by.nation):
                raise not_found("user", user_id, "user_id")
            marking = Marking.national(row.nation)
            grant = None
            if by is not None:
                grant = authorize(
                    by,
                    Action.ADMINISTER,
                    Target("user", row.id, row.nation, marking),
                    hosted=self.ctx.hosted,
                )
            name = wanted or row.username or check_username(row.id)
            if name != row.username:
                taken = tx.session.scalar(select(UserRow.id).where(UserRow.username == name))
                if taken is not None and taken != row.id:
                    raise InvalidInput(
                        Text(
                            f"The username '{name}' is taken.",
                            f"利用者名「{name}」は既に使われています。",
                        ),
                        field="username",
                        code="username_taken",
                    )
            row.username = name
            row.password_hash = digest
            row.failed_signins = 0
            row.locked_until = None
            tx.session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            tx.record(
                EventDraft(
                    "user.password_set",
                    "user",
                    row.id,
                    row.nation,
                    marking,
                    {"username": name},
                    by,
                    grant,
                )
            )
            return row.id, name

        return self.ctx.writer.run(job)

    def change_password(self, by: Actor, current: str, new: str, *, keep: str | None = None) -> int:
        """A signed-in user changes their own password: ``current`` must be
        right (a wrong one counts toward the lock, as at sign-in, and a locked
        account is refused); ``new`` keeps the rules. Every other session of
        the user ends; ``keep`` is the session value of the request itself, if
        a session made it (it stays open). Returns how many sessions ended."""
        with self.ctx.db.read() as s:
            row = s.get(UserRow, by.user_id)
        if row is None or row.disabled:
            raise not_found("user", by.user_id, "user_id")
        if row.password_hash is None:
            raise Conflict(
                Text(
                    "You have no password on this node yet, so there is none to change: "
                    "ask your node administrator to set one.",
                    "このノードではまだパスワードが設定されていないため、変更できません。"
                    "ノード管理者に設定を依頼してください。",
                ),
                field="current_password",
                code="no_password",
            )
        now = self.ctx.clock()
        if row.locked_until is not None and row.locked_until > now:
            raise _locked(row.locked_until, Forbidden)
        check_password_rules(new, "new_password")
        if not verify_password(row.password_hash, current[:1000]):
            locked = self.ctx.writer.run(lambda tx: self._failed(tx, row.id))
            if locked is not None:
                raise _locked(locked, Forbidden)
            raise Forbidden(
                Text(
                    "Your current password is not right: the password was not changed. "
                    f"{MAX_FAILURES} wrong passwords in a row lock the account.",
                    "現在のパスワードが違います。パスワードは変更されていません。"
                    f"{MAX_FAILURES}回続けて間違えるとアカウントがロックされます。",
                ),
                field="current_password",
                code="wrong_password",
            )
        if new == current:
            raise InvalidInput(
                Text(
                    "The new password is the current one: choose another.",
                    "新しいパスワードが現在のものと同じです。別のパスワードにしてください。",
                ),
                field="new_password",
                code="same_password",
            )
        verified = row.password_hash
        digest = hash_password(new)
        kept = None if keep is None else _digest(keep)

        def job(tx: Tx) -> int:
            mine = tx.session.get(UserRow, by.user_id)
            if mine is None or mine.disabled:
                raise not_found("user", by.user_id, "user_id")
            if mine.password_hash != verified:  # set anew while this one was checked
                raise Conflict(
                    Text(
                        "Your password was changed meanwhile: nothing was changed now.",
                        "その間にパスワードが変更されたため、今回は何も変更していません。",
                    ),
                    field="current_password",
                    code="password_changed_meanwhile",
                )
            mine.password_hash = digest
            mine.failed_signins = 0
            mine.locked_until = None
            others = select(SessionRow).where(SessionRow.user_id == mine.id)
            if kept is not None:
                others = others.where(SessionRow.token_hash != kept)
            ended = tx.session.scalars(others).all()
            for r in ended:
                tx.session.delete(r)
            tx.record(
                EventDraft(
                    "user.password_changed",
                    "user",
                    mine.id,
                    mine.nation,
                    Marking.national(mine.nation),
                    {"username": mine.username, "sessions_ended": len(ended)},
                    by,
                    Grant("user.change_own_password", "the user, current password verified"),
                )
            )
            return len(ended)

        return self.ctx.writer.run(job)

    def _bad_credentials(self) -> Unauthenticated:
        n = self.nation_name
        return Unauthenticated(
            Text(
                f"Wrong username or password for this node, {self.node_id} ({n.en}). "
                "Users of another nation sign in at their own nation's node.",
                f"このノード（{self.node_id}、{n.ja}）の利用者名またはパスワードが違います。"
                "他国の利用者は自国のノードでサインインします。",
            ),
            code="bad_credentials",
        )

    def with_password(self, username: str, password: str) -> NewSession:
        """Open a session for a username and password, or raise
        :class:`Unauthenticated` (``bad_credentials``, ``account_locked``)."""
        name = username.strip().lower()
        with self.ctx.db.read() as s:
            row = s.scalar(select(UserRow).where(UserRow.username == name)) if name else None
        now = self.ctx.clock()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise _locked(row.locked_until)
        good = verify_password(None if row is None else row.password_hash, password[:1000])
        if row is None:
            raise self._bad_credentials()
        if not good:
            locked = self.ctx.writer.run(lambda tx: self._failed(tx, row.id))
            if locked is not None:
                raise _locked(locked)
            raise self._bad_credentials()
        return self.open(row.id, via="password", reset=True)

    def _failed(self, tx: Tx, user_id: str) -> datetime | None:
        row = tx.session.get(UserRow, user_id)
        if row is None:
            return None
        row.failed_signins += 1
        if row.failed_signins < MAX_FAILURES:
            return None
        row.failed_signins = 0
        row.locked_until = tx.now + LOCK_FOR
        tx.record(
            EventDraft(
                "user.locked",
                "user",
                row.id,
                row.nation,
                Marking.national(row.nation),
                {"until": row.locked_until.isoformat(), "failures": MAX_FAILURES},
            )
        )
        return row.locked_until

    # -- sessions -----------------------------------------------------------

    def open(self, user_id: str, *, via: str, reset: bool = False) -> NewSession:
        """Open a session for an enabled user (``via``: password, certificate)."""
        value = SESSION_PREFIX + secrets.token_urlsafe(32)

        def job(tx: Tx) -> NewSession:
            row = tx.session.get(UserRow, user_id)
            if row is None or row.disabled:
                raise Unauthenticated(
                    Text(
                        "This user is disabled or unknown here.",
                        "この利用者は無効か、ここでは不明です。",
                    ),
                    code="user_disabled",
                )
            if reset:
                row.failed_signins = 0
                row.locked_until = None
            expires = tx.now + SESSION_FOR
            # Sessions past their end are of no use to anyone: drop them as new ones open.
            tx.session.execute(delete(SessionRow).where(SessionRow.expires_at <= tx.now))
            tx.session.add(
                SessionRow(
                    token_hash=_digest(value),
                    user_id=row.id,
                    via=via,
                    created_at=tx.now,
                    expires_at=expires,
                )
            )
            return NewSession(value, csrf_token(value), expires, _actor(row))

        return self.ctx.writer.run(job)

    def authenticate(self, value: str) -> Actor:
        """The actor of a live session, or :class:`Unauthenticated`."""
        ended = Unauthenticated(
            Text(
                "Your session has ended or is unknown here: sign in again.",
                "セッションが終了したか、このノードでは不明です。再度サインインしてください。",
            ),
            code="session_ended",
        )
        if not value.startswith(SESSION_PREFIX) or len(value) > 100:
            raise ended
        with self.ctx.db.read() as s:
            found = s.get(SessionRow, _digest(value))
            row = None if found is None else s.get(UserRow, found.user_id)
        if found is None or row is None or row.disabled or found.expires_at <= self.ctx.clock():
            raise ended
        return _actor(row)

    def close(self, value: str) -> None:
        """End one session (sign out)."""
        digest = _digest(value)

        def job(tx: Tx) -> None:
            tx.session.execute(delete(SessionRow).where(SessionRow.token_hash == digest))

        self.ctx.writer.run(job)

    def close_all(self, user_id: str) -> int:
        """End every session of a user (sign out everywhere); how many ended."""

        def job(tx: Tx) -> int:
            rows = tx.session.scalars(select(SessionRow).where(SessionRow.user_id == user_id)).all()
            for r in rows:
                tx.session.delete(r)
            return len(rows)

        return self.ctx.writer.run(job)

    def sessions_of(self, user_id: str) -> int:
        now = self.ctx.clock()
        with self.ctx.db.read() as s:
            rows = s.scalars(select(SessionRow).where(SessionRow.user_id == user_id)).all()
        return sum(1 for r in rows if r.expires_at > now)


__all__ = [
    "CSRF_HEADER",
    "LOCK_FOR",
    "MAX_FAILURES",
    "SESSION_FOR",
    "SESSION_PREFIX",
    "NewSession",
    "SignIn",
    "csrf_token",
    "hash_password",
    "verify_password",
]
