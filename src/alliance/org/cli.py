"""The org desk's commands: ``alliance org load``, ``export`` and ``facts``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliance.core.i18n import Text
from alliance.desks import DeskCli, DeskHost, HomeOpt

from .export import dump, export_document
from .facts import facts_view, render_text
from .seed import load_document, packaged_seed, parse_document


def register(app: typer.Typer, cli: DeskCli) -> None:
    org_app = typer.Typer(help="Command structures / 組織構造", no_args_is_help=True)
    app.add_typer(org_app, name="org")

    @org_app.command("load")
    def org_load(
        file: Annotated[
            Path | None,
            typer.Argument(
                help="YAML/JSON document; default: packaged seed / YAML・JSON文書（既定は同梱シード）"
            ),
        ] = None,
        home: HomeOpt = None,
    ) -> None:
        """Load command structures (idempotent, all or nothing). / 組織構造を読み込む（冪等。すべて成功するか、何も変更しない）。"""

        def load(node: DeskHost) -> dict[str, object]:
            raw = file.read_bytes() if file else packaged_seed()
            doc, digest = parse_document(raw, source=str(file or "seed.yaml"))
            return load_document(node.ctx, doc, digest).as_dict()

        cli.print_json(cli.run(home, load))

    @org_app.command("export")
    def org_export(
        to: Annotated[
            str | None, typer.Option(help="Nation the export is for / 出力先の国")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", help="yaml or json / yaml または json")
        ] = "yaml",
        output: Annotated[
            Path | None,
            typer.Option(
                "-o", "--output", help="File (default stdout) / 出力ファイル（既定は標準出力）"
            ),
        ] = None,
        home: HomeOpt = None,
    ) -> None:
        """Export what is released to a nation. / 指定国へ提供可の組織構造を出力する。"""
        if fmt not in {"yaml", "json"}:
            raise cli.fail(Text("--format is yaml or json.", "--format は yaml か json です。"), 2)

        def export(node: DeskHost) -> str:
            doc = export_document(node.ctx, to or node.nation)
            return dump(doc, "json" if fmt == "json" else "yaml")

        text = cli.run(home, export)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            cli.write(text)

    @org_app.command("facts")
    def org_facts(
        as_json: Annotated[bool, typer.Option("--json", help="JSON output / JSON で出力")] = False,
        home: HomeOpt = None,
    ) -> None:
        """Public facts with their sources; exercise assumptions apart.
        / 出典付きの公開情報と演習想定（架空）を表示する。"""
        facts = cli.run(home, lambda node: facts_view(node.nation))
        if as_json:
            cli.print_json(facts.model_dump(mode="json"))
        else:
            cli.write(render_text(facts))
