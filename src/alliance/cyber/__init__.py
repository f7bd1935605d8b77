"""The cyber desk: STIX 2.1 threat intelligence shared between allied nations,
released per object, served over TAXII 2.1 (issue 14). Defensive only.

See :mod:`alliance.cyber.tables` (one owned row per STIX version; the feed),
:mod:`alliance.cyber.stix` (checks and markings), :mod:`alliance.cyber.feed`
(the per-nation index TAXII pages) and :mod:`alliance.cyber.taxii` (the wire).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from alliance.core.i18n import Text
from alliance.desks import DeskCli, DeskSpec, Mount
from alliance.store.context import DeskContext

from . import feed
from .desk import COLLECTIONS, OBJECTS, CyberDesk, Outcome, Page
from .models import CollectionIn, CollectionOut
from .tables import STIX_OBJECT, TAXII_COLLECTION, CollectionRow, FeedRow, StatusRow, StixRow

if TYPE_CHECKING:
    from fastapi import APIRouter
    from starlette.responses import Response

feed.install()


def _cli(app: typer.Typer, cli: DeskCli) -> None:
    from .cli import register

    register(app, cli)


def _demo(desk: CyberDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> CyberDesk:
    return CyberDesk(ctx)


def _routes() -> APIRouter:
    from .routes import router

    return router


def _taxii() -> APIRouter:
    from .taxii import routes

    return routes()


def _taxii_error(status: int, code: str, message: Text, field: str | None) -> Response:
    from .taxii import error

    return error(status, code, message, field)


DESK = DeskSpec(
    name="cyber",
    label=Text("Cyber", "サイバー"),
    object_types=(TAXII_COLLECTION, STIX_OBJECT),
    make=_make,
    routes=_routes,
    cli=_cli,
    demo=_demo,
    console=Path(__file__).parent / "console",
    mounts=(Mount("/taxii2", _taxii, _taxii_error),),
)

__all__ = [
    "COLLECTIONS",
    "DESK",
    "OBJECTS",
    "STIX_OBJECT",
    "TAXII_COLLECTION",
    "CollectionIn",
    "CollectionOut",
    "CollectionRow",
    "CyberDesk",
    "FeedRow",
    "Outcome",
    "Page",
    "StatusRow",
    "StixRow",
]
