"""What every ``alliance`` sub-command shares: consoles, language, errors, settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from alliance.config import CONFIG_FILE, Settings, load_settings
from alliance.core.errors import AllianceError
from alliance.core.i18n import Lang, Text
from alliance.core.validation_ja import japanese

if TYPE_CHECKING:
    from alliance.node import Node

out = Console()
err = Console(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Node folder (default $ALLIANCE_HOME or ./.alliance) / ノードのフォルダ"
    ),
]


def lang() -> Lang:
    return "ja" if os.environ.get("ALLIANCE_LANG", "").lower().startswith("ja") else "en"


def say(text: Text) -> str:
    """The text in the user's language (``ALLIANCE_LANG=ja`` for Japanese)."""
    return text.get(lang())


def table(*columns: Text, title: Text | None = None, wrap: tuple[int, ...] = ()) -> Table:
    """A table that fits the terminal, 80 columns too: headers in the user's
    language; the columns in ``wrap`` (running text) take the room left and
    wrap, long words folded; the others (ids, codes, numbers, times) are shown
    whole. Nothing is cut off with an ellipsis."""
    shown = Table(title=say(title) if title else None)
    for i, column in enumerate(columns):
        if i in wrap:
            shown.add_column(say(column), overflow="fold", ratio=1)
        else:
            shown.add_column(say(column), no_wrap=True)
    return shown


def fail(text: Text, code: int = 1) -> typer.Exit:
    err.print(f"[red]{say(text)}[/red]", soft_wrap=True)
    return typer.Exit(code)


def validation_text(exc: ValidationError) -> Text:
    """Every problem of a pydantic error with its field, in both languages: our
    own validators carry their Japanese (``ctx["ja"]``), pydantic's own get the
    API's Japanese for them, with the limit that was broken."""
    en: list[str] = []
    ja: list[str] = []
    for problem in exc.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "input"
        ctx = problem.get("ctx") or {}
        en.append(f"{where}: {problem['msg']}")
        own = ctx.get("ja")
        ja.append(f"{where}: {own if isinstance(own, str) else japanese(problem)}")
    return Text("; ".join(en), "；".join(ja))


def settings(home: Path | None, **overrides: object) -> Settings:
    try:
        return load_settings(home, **overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        base = Path(home or os.environ.get("ALLIANCE_HOME") or ".alliance").expanduser()
        if where == "nation" and not (base / CONFIG_FILE).exists():
            raise fail(
                Text(
                    f"There is no Alliance node at {base} (no {CONFIG_FILE} there): give the "
                    f"node's folder with --home or ALLIANCE_HOME, or create a node with "
                    f"'alliance init --nation JPN --home {base}'.",
                    f"{base} にAllianceノードがありません（{CONFIG_FILE} がありません）。"
                    f"--home または ALLIANCE_HOME でノードのフォルダを指定するか、"
                    f"「alliance init --nation JPN --home {base}」で作成してください。",
                ),
                2,
            ) from None
        raise fail(
            Text(
                f"Bad setting {where}: {first['msg']} (has 'alliance init' been run?)",
                f"設定 {where} が不正です: {first['msg']}（「alliance init」は実行済みですか）",
            ),
            2,
        ) from None
    except AllianceError as exc:
        raise fail(exc.message, 2) from None


def open_node(home: Path | None, **overrides: object) -> Node:
    from alliance.node import Node

    try:
        return Node(settings(home, **overrides)).start()
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
