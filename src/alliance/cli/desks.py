"""Desk commands: each desk adds its own (:attr:`alliance.desks.DeskSpec.cli`);
this module gives them the node and the CLI's way of speaking."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from alliance.cli.common import fail, open_node, out, say
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.desks import DeskHost, all_desks


class _Cli:
    """:class:`alliance.desks.DeskCli` for the ``alliance`` command."""

    def run(self, home: Path | None, fn: Callable[[DeskHost], Any]) -> Any:
        node = open_node(home)
        try:
            return fn(node)
        except AllianceError as exc:
            raise fail(exc.message, 2) from None
        finally:
            node.close()

    def print_json(self, data: object) -> None:
        out.print_json(json.dumps(data))

    def write(self, text: str) -> None:
        sys.stdout.write(text)

    def fail(self, text: Text, code: int = 1) -> Exception:
        return fail(text, code)

    def say(self, text: Text) -> str:
        return say(text)


def mount(app: typer.Typer) -> None:
    """Add every registered desk's commands to ``app``."""
    cli = _Cli()
    for spec in all_desks():
        if spec.cli is not None:
            spec.cli(app, cli)
