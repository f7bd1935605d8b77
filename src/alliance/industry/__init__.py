"""Industry desk: co-production capacity planning for interceptors and missiles.

The engine (:mod:`.model`, :mod:`.check`, :mod:`.program`, :mod:`.solver`,
:mod:`.results`, :mod:`.explain`, :mod:`.scenario`, :mod:`.sovereign`)
is pure: it reads a model, solves it with HiGHS and returns a plan, with no
node, database or network. The desk gives it to users: ``alliance industry
solve`` on the command line, ``POST /api/v1/industry/solve`` and the console's
Industry pane (scenarios side by side with their plots), and stores what
nations share (:mod:`.joint`, :mod:`.rows`): each nation's dataset (national
only), the aggregates it decides to release, joint plans solved on a nation's
own detail plus partners' releases, and each nation's approval of one
revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from alliance.core.i18n import Text
from alliance.desks import DeskCli, DeskSpec
from alliance.store.context import DeskContext

from .desk import IndustryDesk, SolveIn, SolveOut
from .model import Calendar, Model, dump_model, load_model, parse_model
from .plan import Plan
from .rows import OBJECT_TYPES
from .solver import Cancelled, Infeasible, Options, Progress, solve

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> IndustryDesk:
    return IndustryDesk(ctx)


def _routes() -> APIRouter:
    from .routes import router

    return router


def _demo(desk: IndustryDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


def _cli(app: typer.Typer, cli: DeskCli) -> None:
    from .cli import register

    register(app, cli)


DESK = DeskSpec(
    name="industry",
    label=Text("Industry", "防衛産業"),
    object_types=OBJECT_TYPES,
    make=_make,
    routes=_routes,
    cli=_cli,
    demo=_demo,
    console=Path(__file__).parent / "console",
)

__all__ = [
    "DESK",
    "Calendar",
    "Cancelled",
    "IndustryDesk",
    "Infeasible",
    "Model",
    "Options",
    "Plan",
    "Progress",
    "SolveIn",
    "SolveOut",
    "dump_model",
    "load_model",
    "parse_model",
    "solve",
]
