"""The org desk: nations, HQs, units, command relationships, counterparts, taskings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskCli, DeskSpec
from alliance.store.context import DeskContext

from .chain import hq_chain, hq_owner
from .desk import OrgDesk
from .export import dump, export_document
from .models import (
    CounterpartIn,
    CounterpartOut,
    Domain,
    HqIn,
    HqKind,
    HqOut,
    HqPatch,
    NationOut,
    Party,
    RelationshipIn,
    RelationshipOut,
    RelKind,
    TaskingIn,
    TaskingOut,
    UnitIn,
    UnitOut,
    UnitPatch,
)
from .seed import OrgDocument, load_document, packaged_seed, parse_document
from .tables import HQ, OBJECT_TYPES, HqRow

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> OrgDesk:
    return OrgDesk(ctx)


def _routes() -> APIRouter:
    from .routes import router

    return router


def _seed(ctx: DeskContext) -> None:
    """The packaged public-facts seed (idempotent)."""
    doc, digest = parse_document(packaged_seed(), source="seed.yaml")
    load_document(ctx, doc, digest)


def _cli(app: typer.Typer, cli: DeskCli) -> None:
    from .cli import register

    register(app, cli)


DESK = DeskSpec(
    name="org",
    label=Text("Organisation", "組織"),
    object_types=OBJECT_TYPES,
    make=_make,
    routes=_routes,
    cli=_cli,
    seed=_seed,
    console=Path(__file__).parent / "console",
)

__all__ = [
    "DESK",
    "HQ",
    "CounterpartIn",
    "CounterpartOut",
    "Domain",
    "HqIn",
    "HqKind",
    "HqOut",
    "HqPatch",
    "HqRow",
    "NationOut",
    "OrgDesk",
    "OrgDocument",
    "Party",
    "RelKind",
    "RelationshipIn",
    "RelationshipOut",
    "TaskingIn",
    "TaskingOut",
    "UnitIn",
    "UnitOut",
    "UnitPatch",
    "dump",
    "export_document",
    "hq_chain",
    "hq_owner",
    "load_document",
    "packaged_seed",
    "parse_document",
]
