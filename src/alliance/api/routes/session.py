"""Console sign-in: which node this is (before sign-in), password and
client-certificate sign-in, sign-out and sign-out everywhere, and a user's
change of their own password.

A session is an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) whose
value only the browser holds (the node keeps its SHA-256); a change made
with it needs the ``X-CSRF-Token`` header this router hands to the console
(see :func:`alliance.desks.current_actor`). Bearer tokens are unchanged.
"""

from __future__ import annotations

import ssl
from datetime import datetime
from typing import Annotated, Any

from cryptography import x509
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, StringConstraints
from sqlalchemy import func, select

from alliance.access import CSRF_HEADER, NewSession, csrf_token
from alliance.core import limits
from alliance.core.errors import Unauthenticated
from alliance.core.i18n import Text
from alliance.core.markings import nation_names
from alliance.core.models import Strict
from alliance.core.text import NAME_CHARS
from alliance.desks import SESSION_COOKIE
from alliance.node import Node
from alliance.org import HqRow
from alliance.pki import Pki, client_user_id
from alliance.store.schema import UserRow

from ..deps import ActorDep, NodeDep
from .meta import identity

router = APIRouter(tags=["sign-in"])


class NodeIdentity(BaseModel):
    node_id: str
    nation: str
    nation_name: dict[str, str]
    hq_name: dict[str, str] | None
    hosted: list[str]
    tls: bool
    certificate_signin: bool


@router.get(
    "/signin/node",
    response_model=NodeIdentity,
    summary="Which node this is, before sign-in (no data) / サインイン前：このノードの識別",
)
def signin_node(node: NodeDep, request: Request) -> NodeIdentity:
    """Unauthenticated on purpose: what the sign-in card shows so that a user
    can tell the nodes apart (node id, nation, whether a certificate may be used).
    Nothing else."""
    tls = request.url.scheme == "https"
    return NodeIdentity(
        node_id=node.node_id,
        nation=node.nation,
        nation_name=nation_names(node.nation).as_dict(),
        hq_name=_home_hq(node),
        hosted=sorted(node.settings.hosted_nations),
        tls=tls,
        certificate_signin=tls and _users_ca(node) is not None,
    )


class PasswordIn(Strict):
    # One line each, no control characters (core.models' checks): the username is
    # at most what users.username holds; a long passphrase is welcome.
    username: Annotated[
        str,
        StringConstraints(min_length=1, max_length=limits.LABEL, strip_whitespace=True),
        NAME_CHARS,
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1000), NAME_CHARS]


class SessionOut(BaseModel):
    csrf: str
    expires: datetime
    me: dict[str, Any]


def _started(node: Any, request: Request, response: Response, new: NewSession) -> SessionOut:
    response.set_cookie(
        SESSION_COOKIE,
        new.value,
        expires=new.expires,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return SessionOut(csrf=new.csrf, expires=new.expires, me=identity(node, new.actor))


@router.post(
    "/session",
    response_model=SessionOut,
    summary="Sign in with username and password / 利用者名とパスワードでサインイン",
)
def password_signin(
    data: PasswordIn, node: NodeDep, request: Request, response: Response
) -> SessionOut:
    return _started(
        node, request, response, node.signin.with_password(data.username, data.password)
    )


def _home_hq(node: Node) -> dict[str, str] | None:
    """The node's home HQ: the HQ of its nation most of its enabled users work at."""
    with node.db.read() as s:
        hq_id = s.scalar(
            select(UserRow.hq_id)
            .where(UserRow.nation == node.nation, UserRow.disabled.is_(False))
            .group_by(UserRow.hq_id)
            .order_by(func.count().desc(), UserRow.hq_id)
            .limit(1)
        )
        hq = None if hq_id is None else s.get(HqRow, hq_id)
    return None if hq is None else {"en": hq.name_en, "ja": hq.name_ja}


def _users_ca(node: Any) -> x509.Certificate | None:
    try:
        pki = Pki.load(node.settings.home)
    except Exception:  # no PKI: no certificate sign-in
        return None
    return pki.users_ca_cert


@router.post(
    "/session/certificate",
    response_model=SessionOut,
    summary="Sign in with your client certificate (HTTPS) / クライアント証明書でサインイン",
)
def certificate_signin(node: NodeDep, request: Request, response: Response) -> SessionOut:
    tls = request.scope.get("extensions", {}).get("tls", {})
    chain = tls.get("client_cert_chain") or []
    ca = _users_ca(node)
    user_id = None
    if chain and ca is not None:
        user_id = client_user_id(ssl.PEM_cert_to_DER_cert(chain[0]), ca)
    if user_id is None:
        raise Unauthenticated(
            Text(
                f"Your browser sent no certificate that node {node.node_id} ({node.nation}) "
                "issued to a user. Choose your certificate when the browser asks, or sign "
                "in with your password.",
                f"ブラウザから、ノード{node.node_id}（{node.nation}）が利用者に発行した証明書が"
                "送られていません。ブラウザの確認で自分の証明書を選ぶか、パスワードで"
                "サインインしてください。",
            ),
            code="no_certificate",
        )
    return _started(node, request, response, node.signin.open(user_id, via="certificate"))


@router.get(
    "/session",
    summary="The console session's CSRF token / セッションのCSRFトークン",
)
def session_info(actor: ActorDep, node: NodeDep, request: Request) -> dict[str, Any]:
    value = request.cookies.get(SESSION_COOKIE)
    return {
        "csrf": csrf_token(value) if value else None,
        "csrf_header": CSRF_HEADER,
        "me": identity(node, actor),
    }


@router.get(
    "/signin/session",
    summary="Your console session, if the cookie holds a live one / 現在のセッション（あれば）",
)
def signin_session(node: NodeDep, request: Request) -> dict[str, Any]:
    """What a console page asks on load: ``{"session": null}`` without a live
    session cookie (a 200, not a 401: being signed out is no error here),
    else the session's CSRF token and who it is."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return {"session": None}
    try:
        actor = node.signin.authenticate(value)
    except Unauthenticated:
        return {"session": None}
    return {"session": {"csrf": csrf_token(value), "me": identity(node, actor)}}


def _clear(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


@router.delete("/session", status_code=204, summary="Sign out / サインアウト")
def signout(_actor: ActorDep, node: NodeDep, request: Request, response: Response) -> None:
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        node.signin.close(value)
    _clear(request, response)


@router.post(
    "/session/everywhere",
    summary="Sign out everywhere: end all your sessions / すべての場所でサインアウト",
)
def signout_everywhere(
    actor: ActorDep, node: NodeDep, request: Request, response: Response
) -> dict[str, int]:
    ended = node.signin.close_all(actor.user_id)
    # Its open streams end too: each reconnects only if its credential still holds
    # (an API token does; an ended session is told to sign in again).
    node.live.close_user(actor.user_id, "signed_out")
    _clear(request, response)
    return {"ended": ended}


class PasswordChangeIn(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=1000), NAME_CHARS]
    # The length rules are the node's (alliance.access.signin), said in both languages.
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=1000), NAME_CHARS]


class PasswordChanged(BaseModel):
    ended: int  # the user's other sessions, ended


def _by_session(request: Request) -> str | None:
    """The session value, when the cookie (not a bearer token) authenticated
    the request: the rule of :func:`alliance.desks.current_actor`."""
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credential:
        return None
    return request.cookies.get(SESSION_COOKIE) or None


@router.post(
    "/session/password",
    response_model=PasswordChanged,
    summary="Change your own password; your other sessions end / "
    "自分のパスワードを変更（他のセッションは終了）",
)
def change_password(
    data: PasswordChangeIn, actor: ActorDep, node: NodeDep, request: Request
) -> PasswordChanged:
    """The current password must be right (a wrong one counts toward the lock,
    as at sign-in). The session making the change stays open; every other
    session of the user ends, and the user's live streams close (the console
    making the change reconnects at once, others are asked to sign in again)."""
    ended = node.signin.change_password(
        actor, data.current_password, data.new_password, keep=_by_session(request)
    )
    node.live.close_user(actor.user_id, "signed_out")
    return PasswordChanged(ended=ended)
