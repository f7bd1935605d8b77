"""User accounts. Each user acts for one nation, one HQ and one role.

A token is shown once when the user is created; only its SHA-256 is stored.
Tokens carry 256 bits of randomness, so a plain hash is enough to make a
stolen database useless for signing in (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alliance.core.authority import ROLE_NAMES, Action, Actor, Role, Target, authorize
from alliance.core.errors import Conflict, InvalidInput, Unauthenticated, not_found
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.ledger import EventDraft
from alliance.core.markings import Marking, check_nation, nation_names
from alliance.core.models import Bilingual, Name, Nation, Slug, Strict, TimeOut
from alliance.store.context import DeskContext
from alliance.store.schema import SessionRow, UserRow
from alliance.store.writer import Tx

log = logging.getLogger(__name__)

TOKEN_PREFIX = "alc_"  # noqa: S105 - a prefix, not a secret
# New tokens name the node that issued them: alc_<node id>~<random>. The node id
# holds no '~' (see alliance.pki.certs), nor does the random part (URL-safe
# base64); a token without one (issued before) is looked up as before.
NODE_MARK = "~"

UserDisabled = Callable[[str], None]  # user id, called after the disable is committed
# The nation owning an HQ held here (None: no such HQ). Given by the node from the
# org desk: access sits below the desks and reads none of their tables.
HqOwner = Callable[[Session, str], str | None]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserIn(Strict):
    name: Name
    nation: Nation
    hq_id: Slug
    role: Role


class UserOut(BaseModel):
    id: str
    name: str
    nation: str
    hq_id: str
    role: Role
    disabled: bool
    created: TimeOut
    # What a user reads: the role and nation named in both languages.
    role_name: Bilingual | None = None
    nation_name: Bilingual | None = None
    # Console sign-in, for the administrator: the username, whether a password
    # is set (never the password or its hash), and until when a lock holds.
    username: str | None = None
    password_set: bool = False
    locked_until: TimeOut | None = None

    @classmethod
    def of(cls, row: UserRow) -> UserOut:
        return cls(
            id=row.id,
            name=row.name,
            nation=row.nation,
            hq_id=row.hq_id,
            role=Role(row.role),
            role_name=Bilingual(**ROLE_NAMES[Role(row.role)].as_dict()),
            nation_name=Bilingual(**nation_names(row.nation).as_dict()),
            disabled=row.disabled,
            created=TimeOut.of(row.created_at),
            username=row.username,
            password_set=row.password_hash is not None,
            locked_until=TimeOut.maybe(row.locked_until),
        )


def _actor(row: UserRow) -> Actor:
    return Actor(row.id, row.name, row.nation, row.hq_id, Role(row.role))


class UserDesk:
    def __init__(self, ctx: DeskContext, *, hq_owner: HqOwner, node_id: str | None = None) -> None:
        self.ctx = ctx
        self.node_id = node_id
        self._hq_owner = hq_owner
        self._on_disabled: list[UserDisabled] = []

    def on_disabled(self, listener: UserDisabled) -> None:
        """Call ``listener`` with the user id each time a user is disabled, after
        the commit (the node closes that user's open TAK connections this way)."""
        self._on_disabled.append(listener)

    def authenticate(self, token: str) -> Actor:
        """The actor a bearer token stands for, or :class:`Unauthenticated`."""
        bad = Unauthenticated(
            Text("Missing or unknown API token.", "APIトークンがないか、無効です。"),
            code="bad_token",
        )
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            raise bad
        issuer, mark, _rest = token[len(TOKEN_PREFIX) :].partition(NODE_MARK)
        if mark and self.node_id is not None and issuer != self.node_id:
            raise Unauthenticated(
                Text(
                    f"This token was issued by node {issuer}; this is node {self.node_id} "
                    f"({self.ctx.nation}). Use it at {issuer}, or ask this node's "
                    "administrator for a token of your own here.",
                    f"このトークンはノード{issuer}が発行したものです。ここはノード{self.node_id}"
                    f"（{self.ctx.nation}）です。{issuer}で使うか、このノードの管理者に"
                    "トークンを発行してもらってください。",
                ),
                code="token_of_another_node",
            )
        digest = hash_token(token)
        with self.ctx.db.read() as s:
            row = s.scalar(select(UserRow).where(UserRow.token_hash == digest))
        if row is None or row.disabled or not hmac.compare_digest(row.token_hash, digest):
            raise bad
        return _actor(row)

    def actor_for_id(self, user_id: str) -> Actor:
        """The actor of an enabled user, by id (a TAK client certificate names it)."""
        with self.ctx.db.read() as s:
            row = s.get(UserRow, user_id)
        if row is None or row.disabled:
            raise Unauthenticated(
                Text(
                    f"No enabled user '{user_id}'.",
                    f"有効な利用者「{user_id}」はありません。",
                ),
                code="unknown_user",
            )
        return _actor(row)

    def add(self, data: UserIn, by: Actor | None = None) -> tuple[UserOut, str]:
        """Create a user; returns the view and the token (shown once).

        ``by`` is the administrator acting, or ``None`` for the node operator
        at the command line.
        """
        return self.ctx.writer.run(lambda tx: self.add_in(tx, data, by))

    def add_in(self, tx: Tx, data: UserIn, by: Actor | None = None) -> tuple[UserOut, str]:
        """:meth:`add` inside the caller's writer job."""
        nation = check_nation(data.nation)
        if nation not in self.ctx.hosted:
            raise InvalidInput(
                Text(
                    f"This node does not host {nation}; {nation} users sign in at their own node.",
                    f"このノードは{nation}を扱いません。{nation}の利用者は自国のノードを使います。",
                ),
                field="nation",
                code="nation_not_hosted",
            )
        issuer = "" if self.node_id is None else self.node_id + NODE_MARK
        token = TOKEN_PREFIX + issuer + secrets.token_urlsafe(32)
        owner = self._hq_owner(tx.session, data.hq_id)
        if owner is not None and owner != nation:
            raise InvalidInput(
                Text(
                    f"HQ '{data.hq_id}' is a {owner} HQ: a {nation} user belongs to one of "
                    f"{nation}'s HQs ({owner} users sign in at {owner}'s own node).",
                    f"司令部「{data.hq_id}」は{owner}の司令部です。{nation}の利用者は{nation}の"
                    f"司令部に所属します（{owner}の利用者は{owner}のノードを使います）。",
                ),
                field="hq_id",
                code="hq_of_another_nation",
            )
        if owner is None:
            raise InvalidInput(
                Text(
                    f"No HQ '{data.hq_id}' is known here ('alliance org export' lists the HQ ids).",
                    f"司令部「{data.hq_id}」はここにありません（司令部IDは「alliance org export」で確認できます）。",
                ),
                field="hq_id",
                code="unknown_hq",
            )
        marking = Marking.national(nation)
        grant = None
        if by is not None:
            grant = authorize(
                by,
                Action.ADMINISTER,
                Target("user", "new", nation, marking),
                hosted=self.ctx.hosted,
            )
        row = UserRow(
            id=new_id(),
            name=data.name,
            nation=nation,
            hq_id=data.hq_id,
            role=data.role.value,
            token_hash=hash_token(token),
            disabled=False,
            created_at=tx.now,
        )
        tx.session.add(row)
        tx.record(
            EventDraft(
                kind="user.created",
                object_type="user",
                object_id=row.id,
                owner=nation,
                marking=marking,
                data={"name": row.name, "nation": nation, "hq": row.hq_id, "role": row.role},
                actor=by,
                authority=grant,
            )
        )
        return UserOut.of(row), token

    def disable(self, user_id: str, by: Actor | None = None) -> UserOut:
        """Disable a user; the ``on_disabled`` listeners are called after the commit."""
        return self.ctx.writer.run(lambda tx: self.disable_in(tx, user_id, by))

    def disable_in(self, tx: Tx, user_id: str, by: Actor | None = None) -> UserOut:
        """:meth:`disable` inside the caller's writer job."""
        row = tx.session.get(UserRow, user_id)
        if row is None or (by is not None and row.nation != by.nation):
            raise not_found("user", user_id, "user_id")
        if row.disabled:
            raise Conflict(Text("Already disabled.", "既に無効です。"), code="already_disabled")
        marking = Marking.national(row.nation)
        grant = (
            authorize(
                by,
                Action.ADMINISTER,
                Target("user", row.id, row.nation, marking),
                hosted=self.ctx.hosted,
            )
            if by is not None
            else None
        )
        row.disabled = True
        # Every console session of the user ends with the disable (same commit).
        tx.session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        tx.record(EventDraft("user.disabled", "user", row.id, row.nation, marking, {}, by, grant))
        tx.after_commit(lambda: self._disabled(user_id))
        return UserOut.of(row)

    def _disabled(self, user_id: str) -> None:
        for listener in self._on_disabled:
            try:
                listener(user_id)
            except Exception:  # the disable stands; a listener's failure is its own
                log.exception("after disabling user %s: a listener failed", user_id)

    def list(self, by: Actor) -> list[UserOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(
                select(UserRow).where(UserRow.nation == by.nation).order_by(UserRow.name)
            ).all()
        return [UserOut.of(r) for r in rows]
