"""The desk registry: each desk declares itself once, in its own package.

A desk package's ``__init__`` exposes ``DESK``, a :class:`DeskSpec`: its
owned object types, how to build it, and its edges (API router, CLI
commands, console pane, demo content, a feed beside the ledger).
:data:`DESK_PACKAGES` is the one place that lists the desks; the node, the
API app, the CLI, federation, the drift check and the tests read
:func:`all_desks` / :func:`object_types` and list nothing themselves.

Desks sit below the edges (api, web, cli, node): a desk's router and CLI
commands get what they need from this module (:func:`desk_dep`,
:data:`ActorDep`, :class:`DeskHost`), never from ``alliance.api`` or
``alliance.cli``.
"""

from __future__ import annotations

import hmac
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar, runtime_checkable

import typer
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from alliance.access.signin import CSRF_HEADER, csrf_token
from alliance.core.authority import Actor
from alliance.core.errors import Forbidden, Unauthenticated
from alliance.core.i18n import Text
from alliance.store import DeskContext
from alliance.store.types import ObjectType, ObjectTypes

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.responses import Response

    from alliance.core.keys import NodeKey

DESK_PACKAGES: tuple[str, ...] = (
    "alliance.org",
    "alliance.acm",
    "alliance.cop",
    "alliance.disclosure",
    "alliance.exercise",
    "alliance.plans",
    "alliance.cyber",
    "alliance.airspace",
    "alliance.industry",
)
"""The desks of a node, in the order they are built (a desk may read an earlier one)."""


HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Node folder (default $ALLIANCE_HOME or ./.alliance) / ノードのフォルダ"
    ),
]
"""The ``--home`` option every command that opens a node takes."""


class DeskHost(Protocol):
    """What a desk's CLI commands and demo get: a started node, seen from below."""

    @property
    def ctx(self) -> DeskContext: ...

    @property
    def desks(self) -> Mapping[str, object]: ...

    @property
    def nation(self) -> str: ...

    def actor(self, token: str) -> Actor:
        """The user an API token stands for (a command that acts for a user
        takes ``--token``); :class:`Unauthenticated` if none."""
        ...


class DeskCli(Protocol):
    """What the CLI gives a desk's commands (:attr:`DeskSpec.cli`).

    ``run(home, fn)`` opens the node kept in ``home`` (the ``--home`` option),
    calls ``fn`` with it, closes it, and turns an :class:`AllianceError` into
    the CLI's bilingual message and exit code 2. ``print_json`` prints data as
    JSON, ``write`` prints text as it is, ``say`` picks the user's language.
    """

    def run(self, home: Path | None, fn: Callable[[DeskHost], Any]) -> Any: ...

    def print_json(self, data: object) -> None: ...

    def write(self, text: str) -> None: ...

    def fail(self, text: Text, code: int = 1) -> Exception: ...

    def say(self, text: Text) -> str:
        """The text in the user's language (``ALLIANCE_LANG``)."""
        ...


@runtime_checkable
class Startable(Protocol):
    """A desk with work of its own (threads, timers): started after the writer,
    stopped before it."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Mount:
    """A desk's endpoints in a wire format of the field, outside ``/api/v1``: the
    cyber desk's TAXII 2.1 server at ``/taxii2``. Its routes live under its own
    ``prefix`` and every error there, the framework's own included (an unknown
    path, a body over the node's limit, an invalid token), is rendered by
    ``error(status, code, message, field)`` in the format's own shape; the
    rest of the API keeps the project's. Authentication is the node's, as
    everywhere."""

    prefix: str
    routes: Callable[[], APIRouter]
    error: Callable[[int, str, Text, str | None], Response]


@dataclass(frozen=True, slots=True)
class DeskSpec:
    """One desk, declared once in its own package as ``DESK``.

    - ``object_types``: the owned object types whose rows the desk writes; each
      is shipped to partners, applied from them and drift-checked.
    - ``make``: builds the desk from the node's :class:`DeskContext` and the
      desks built before it (by name).
    - ``routes``: the desk's API router (mounted under ``/api/v1``).
    - ``cli``: adds the desk's commands to the ``alliance`` CLI.
    - ``console``: the folder of the desk's console pane (static files in the
      package: ``pane.html``, ``pane.js`` with ``mount(shell)``, ``i18n.js``
      with its bilingual ``STRINGS`` including ``tab_<name>``, and optionally
      ``pane.css`` and ``head.html``); the console gives it a tab. None: no tab.
    - ``seed``: reference data a new demo node loads before its users exist.
    - ``demo``: demo content, created once users exist: ``demo(desk, nation, now)``.
    - ``mounts``: endpoints in a wire format of the field under a prefix of
      their own (:class:`Mount`).
    - ``feed``: a feed beside the ledger that federation carries for the desk
      (``feed(desk, key, nation)`` returns the feed port object). Typed loosely
      here: the port is federation's to define.
    """

    name: str
    label: Text
    object_types: tuple[ObjectType, ...]
    make: Callable[[DeskContext, Mapping[str, object]], object]
    routes: Callable[[], APIRouter] | None = None
    cli: Callable[[typer.Typer, DeskCli], None] | None = None
    console: Path | None = None
    seed: Callable[[DeskContext], None] | None = None
    demo: Callable[[Any, str, datetime], None] | None = None
    feed: Callable[[Any, NodeKey, str], object] | None = None
    mounts: tuple[Mount, ...] = ()


def load_desks(packages: Iterable[str]) -> tuple[DeskSpec, ...]:
    """Import each package and read its ``DESK``; names must be unique."""
    specs: list[DeskSpec] = []
    for package in packages:
        spec = getattr(importlib.import_module(package), "DESK", None)
        if not isinstance(spec, DeskSpec):
            raise TypeError(f"{package} declares no DESK: DeskSpec")
        if any(s.name == spec.name for s in specs):
            raise ValueError(f"two desks are named {spec.name!r}")
        specs.append(spec)
    return tuple(specs)


def all_desks() -> tuple[DeskSpec, ...]:
    """The desks of :data:`DESK_PACKAGES`, in order."""
    return load_desks(DESK_PACKAGES)


def object_types(desks: Sequence[DeskSpec] | None = None) -> ObjectTypes:
    """Every owned object type of ``desks`` (default: :func:`all_desks`)."""
    chosen = all_desks() if desks is None else desks
    return ObjectTypes(t for d in chosen for t in d.object_types)


# -- what a desk's router needs from the app (set by alliance.api.app) ----------

_bearer = HTTPBearer(auto_error=False, description="API token printed by `alliance user add`")


SESSION_COOKIE = "alliance_session"
"""The console's session cookie (HttpOnly, SameSite=Strict; see alliance.api.routes.session)."""
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The signed-in actor, by one rule for every route: a bearer token (programs,
    TAK tools) checked by the app's ``state.authenticate`` (the node's user desk),
    or else the console's session cookie checked by ``state.authenticate_session``.
    A request the cookie authenticates that may change something (any method but
    GET, HEAD, OPTIONS) must also carry the session's CSRF token in the
    ``X-CSRF-Token`` header, which only the console's own page can know."""
    if credentials is not None and credentials.scheme.lower() == "bearer":
        authenticate: Callable[[str], Actor] = request.app.state.authenticate
        return authenticate(credentials.credentials)
    session = request.cookies.get(SESSION_COOKIE)
    if credentials is None and session:
        by_session: Callable[[str], Actor] = request.app.state.authenticate_session
        actor = by_session(session)
        if request.method not in _SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), csrf_token(session).encode()):
                raise Forbidden(
                    Text(
                        "Refused: a change made with the console's session needs its "
                        f"{CSRF_HEADER} header (this request did not come from the console page).",
                        f"拒否しました：コンソールのセッションでの変更には {CSRF_HEADER} "
                        "ヘッダーが必要です（この要求はコンソールの画面から送られていません）。",
                    ),
                    code="csrf_refused",
                )
        return actor
    raise Unauthenticated(
        Text(
            "Sign in, or send your API token as 'Authorization: Bearer <token>'.",
            "サインインするか、APIトークンを「Authorization: Bearer <トークン>」で送ってください。",
        ),
        code="no_token",
    )


ActorDep = Annotated[Actor, Depends(current_actor)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]
"""The request's body as sent (a file upload that is not a form: a sheet, a
GeoJSON document), bounded by the node's body limit."""

D = TypeVar("D")


def desk_dep(name: str, kind: type[D]) -> Callable[[Request], D]:
    """A dependency giving the desk ``name`` of the app's node, as ``kind``."""

    def get(request: Request) -> D:
        desk = request.app.state.desks[name]
        assert isinstance(desk, kind)
        return desk

    return get


__all__ = [
    "DESK_PACKAGES",
    "SESSION_COOKIE",
    "ActorDep",
    "DeskCli",
    "DeskHost",
    "DeskSpec",
    "HomeOpt",
    "Mount",
    "Startable",
    "all_desks",
    "current_actor",
    "desk_dep",
    "load_desks",
    "object_types",
]
