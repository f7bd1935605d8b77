"""Industry desk: co-production capacity planning for interceptors and missiles.

The engine (:mod:`.model`, :mod:`.check`, :mod:`.solver`, :mod:`.explain`)
is pure: it reads a model, solves it with HiGHS and returns a plan, with no
node, database or network. The desk so far gives the command line
(``alliance industry solve``); its objects, API and console pane build on it.
"""

from __future__ import annotations

from collections.abc import Mapping

import typer

from alliance.core.i18n import Text
from alliance.desks import DeskCli, DeskSpec
from alliance.store.context import DeskContext

from .model import Calendar, Model, dump_model, load_model, parse_model
from .plan import Plan
from .solver import Cancelled, Infeasible, Options, Progress, solve


class IndustryDesk:
    """The node's industry desk: the engine, for now (solves run outside the writer)."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx


def _make(ctx: DeskContext, _built: Mapping[str, object]) -> IndustryDesk:
    return IndustryDesk(ctx)


def _cli(app: typer.Typer, cli: DeskCli) -> None:
    from .cli import register

    register(app, cli)


DESK = DeskSpec(
    name="industry",
    label=Text("Industry", "防衛産業"),
    object_types=(),
    make=_make,
    cli=_cli,
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
    "dump_model",
    "load_model",
    "parse_model",
    "solve",
]
