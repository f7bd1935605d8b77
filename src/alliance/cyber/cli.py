"""The cyber desk's commands: ``alliance cyber collections``, ``collection``,
``import`` (STIX bundles and MISP events, with a progress bar) and ``export``.

Each acts for the user whose API token it is given (``--token`` or
``ALLIANCE_TOKEN``), under the same authority and release rules as the API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from alliance.core.i18n import Text
from alliance.core.markings import check_nation, parse_tlp
from alliance.core.models import MarkingIn
from alliance.desks import DeskCli, DeskHost, HomeOpt

from .bundles import bundle, mark, read
from .desk import CyberDesk
from .models import CollectionIn

TokenOpt = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="ALLIANCE_TOKEN",
        help="Your API token (or $ALLIANCE_TOKEN) / APIトークン（または $ALLIANCE_TOKEN）",
    ),
]
CollectionOpt = Annotated[
    str, typer.Option("--collection", "-c", help="TAXII collection id / コレクションID")
]


def _nations(value: str, option: str) -> list[str]:
    return [check_nation(n, field=option) for n in value.split(",") if n.strip()]


def _desk(node: DeskHost) -> CyberDesk:
    desk = node.desks["cyber"]
    assert isinstance(desk, CyberDesk)
    return desk


def register(app: typer.Typer, cli: DeskCli) -> None:
    cyber_app = typer.Typer(
        help="Cyber threat sharing: STIX 2.1 over TAXII 2.1 / サイバー脅威情報の共有：TAXII 2.1によるSTIX 2.1",
        no_args_is_help=True,
    )
    app.add_typer(cyber_app, name="cyber")

    @cyber_app.command("collections")
    def collections(token: TokenOpt, home: HomeOpt = None) -> None:
        """The TAXII collections released to you. / 提供されたTAXIIコレクションを表示する。"""

        def listed(node: DeskHost) -> list[object]:
            found = _desk(node).collections(node.actor(token))
            return [c.model_dump(mode="json") for c in found]

        cli.print_json(cli.run(home, listed))

    @cyber_app.command("collection")
    def collection(
        ident: Annotated[
            str, typer.Argument(help="Id in your namespace (jpn-…) / 自国の名前空間のID（jpn-…）")
        ],
        title: Annotated[str, typer.Option(help="Title in English / 英語の題名")],
        token: TokenOpt,
        title_ja: Annotated[
            str | None, typer.Option(help="Title in Japanese / 日本語の題名")
        ] = None,
        release: Annotated[
            str, typer.Option(help="Nations that see it, e.g. USA,AUS / 提供先の国")
        ] = "",
        home: HomeOpt = None,
    ) -> None:
        """Create a TAXII collection. / TAXIIコレクションを作成する。"""

        def create(node: DeskHost) -> object:
            data = CollectionIn(
                id=ident,
                title=title,
                title_ja=title_ja,
                marking=MarkingIn(releasable_to=_nations(release, "release")),
            )
            return _desk(node).create_collection(node.actor(token), data).model_dump(mode="json")

        cli.print_json(cli.run(home, create))

    @cyber_app.command("import")
    def import_(
        files: Annotated[
            list[Path], typer.Argument(help="STIX 2.1 bundles or MISP JSON events / ファイル")
        ],
        collection: CollectionOpt,
        token: TokenOpt,
        release: Annotated[
            str,
            typer.Option(help="Release to these nations as well, e.g. USA / 追加の提供先"),
        ] = "",
        tlp: Annotated[
            str | None,
            typer.Option(
                help="TLP 2.0 level (a stricter one in a file stays) / "
                "TLP 2.0の区分（ファイル側がより厳しければそれを維持）"
            ),
        ] = None,
        home: HomeOpt = None,
    ) -> None:
        """Import STIX bundles and MISP events into a collection, each object a version
        your nation owns. / STIXバンドルとMISPイベントをコレクションに取り込む。"""
        nations = _nations(release, "release")
        level = parse_tlp(tlp, field="tlp")

        def load(node: DeskHost) -> dict[str, object]:
            actor = node.actor(token)
            desk = _desk(node)
            report: dict[str, object] = {"files": []}
            for path in files:
                kind, objects = read(path.read_bytes())
                objects = mark(objects, actor.nation, nations, level)
                with Progress(
                    TextColumn(f"{path.name} ({kind})"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    transient=True,
                ) as bar:
                    task = bar.add_task("import", total=len(objects))
                    done = desk.import_objects(
                        actor,
                        collection,
                        objects,
                        progress=lambda n, t=task: bar.advance(t, n),  # type: ignore[misc]
                    )
                entry = {
                    "file": str(path),
                    "kind": kind,
                    "objects": len(objects),
                    "stored": done.stored,
                    "refused": [
                        {
                            "id": o.stix_id,
                            "code": o.code,
                            "message": o.message.as_dict() if o.message else None,
                        }
                        for o in done.refused
                    ],
                }
                assert isinstance(report["files"], list)
                report["files"].append(entry)
            return report

        result = cli.run(home, load)
        cli.print_json(result)
        if any(f["refused"] for f in result["files"]):
            raise cli.fail(
                Text(
                    "Some objects were refused (listed above); the rest are stored.",
                    "一部のオブジェクトは拒否されました（上記）。それ以外は保存されています。",
                ),
                1,
            )

    @cyber_app.command("export")
    def export(
        collection: CollectionOpt,
        token: TokenOpt,
        all_versions: Annotated[
            bool, typer.Option("--all-versions", help="Every version / すべての版")
        ] = False,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="File (default stdout) / 出力先")
        ] = None,
        home: HomeOpt = None,
    ) -> None:
        """Export what you may read of a collection as a STIX 2.1 bundle.
        / 閲覧可能なオブジェクトをSTIX 2.1バンドルとして出力する。"""

        def dump(node: DeskHost) -> bytes:
            versions = ("all",) if all_versions else ("last",)
            objects = _desk(node).export(node.actor(token), collection, versions=versions)
            return orjson.dumps(bundle(objects), option=orjson.OPT_INDENT_2)

        data = cli.run(home, dump)
        if output:
            output.write_bytes(data + b"\n")
        else:
            cli.write(data.decode())
