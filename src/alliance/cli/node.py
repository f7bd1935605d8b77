"""Commands about the node itself: version, init, upgrade, serve, demo, config check."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from pathlib import Path
from typing import Annotated

import typer

from alliance import __version__
from alliance.cli.common import HomeOpt, fail, open_node, out, say
from alliance.cli.common import settings as settings_for
from alliance.config import load_settings
from alliance.core.authority import Role
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text


def version() -> None:
    """Print the version. / バージョンを表示する。"""
    out.print(__version__)


def init(
    nation: Annotated[
        str, typer.Option(help="Nation this node serves, e.g. JPN / このノードの国（例: JPN）")
    ],
    home: HomeOpt = None,
    hosted: Annotated[
        list[str] | None,
        typer.Option(help="Further nations hosted (combined node) / 追加で扱う国（合同ノード）"),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL URL; default SQLite in home / PostgreSQLのURL（既定はSQLite）"
        ),
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="API port (default 8700) / APIのポート（既定8700）")
    ] = None,
    node_id: Annotated[
        str | None,
        typer.Option(
            help="Node id (default: jpn-node for JPN) / ノードID（既定はJPNならjpn-node）"
        ),
    ] = None,
    seed: Annotated[
        bool,
        typer.Option(help="Load the Japan–US public-facts seed / 日米の公開情報シードを読み込む"),
    ] = True,
) -> None:
    """Create a node: key (owner-only), config, database, genesis event. / ノードを作成する（鍵・設定・DB・起点イベント）。"""
    from alliance.node import Node
    from alliance.org import load_document, packaged_seed, parse_document

    settings = settings_for(
        home,
        nation=nation,
        hosted=hosted or None,
        database_url=database_url,
        port=port,
        node_id=node_id,
    )
    try:
        node = Node.init(settings)
        with node:
            if seed:
                doc, digest = parse_document(packaged_seed(), source="seed.yaml")
                report = load_document(node.ctx, doc, digest)
                out.print(
                    say(
                        Text(
                            f"Seed loaded: {report.as_dict()}",
                            f"シードを読み込みました: {report.as_dict()}",
                        )
                    )
                )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    out.print(
        say(
            Text(
                f"Node {settings.node_id} ({settings.nation}) ready in {settings.home}; key fingerprint "
                f"{node.key.fingerprint}.",
                f"ノード {settings.node_id}（{settings.nation}）を {settings.home} に作成しました。鍵指紋 {node.key.fingerprint}。",
            )
        )
    )


def upgrade(home: HomeOpt = None) -> None:
    """Upgrade the node's database and record the upgrade in its ledger. / ノードのデータベースを更新し、その更新を台帳に記録する。"""
    from alliance.node import Node

    try:
        node = Node(settings_for(home))
        try:
            done = node.upgrade()
        finally:
            node.db.dispose()
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    since = done.since or "-"
    out.print(
        say(
            Text(
                f"Schema at {done.to} (ledger was at {since}); {done.recorded} rewritten rows "
                f"recorded in the ledger.",
                f"スキーマは{done.to}（台帳は{since}）。書き換えられた{done.recorded}行を台帳に記録しました。",
            )
        )
    )
    if done.left:
        out.print(
            say(
                Text(
                    f"{done.left} rows differ from their events beyond what the upgrade wrote: "
                    "run 'alliance ledger verify' to see them.",
                    f"{done.left}行は更新による書き換え以外にもイベントと異なります。"
                    "「alliance ledger verify」で確認してください。",
                )
            )
        )


def serve(
    home: HomeOpt = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on (default: the node's setting) / 待受アドレス（既定は設定値）"
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="API port (default: the node's setting) / APIのポート（既定は設定値）"),
    ] = None,
) -> None:
    """Run the node's API until stopped. / ノードのAPIを起動する。"""
    from alliance.api.serving import NodeServer, uvicorn_config
    from alliance.node import settle_heap

    # --port also moves the federation port (default: port + 10) unless configured.
    node = open_node(home, host=host, port=port)
    # uvicorn re-raises SIGTERM after its graceful shutdown; without a handler
    # that kills the process before node.close() below has run.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        try:
            api = NodeServer(uvicorn_config(node))
        except AllianceError as exc:
            raise fail(exc.message, 2) from None
        fed_port = node.serve_federation()
        if fed_port:
            out.print(
                say(
                    Text(
                        f"Federation endpoint on port {fed_port} (mutual TLS).",
                        f"連合エンドポイント: ポート{fed_port}（相互TLS）。",
                    )
                )
            )
        try:
            tak = node.serve_tak()
        except AllianceError as exc:
            raise fail(exc.message, 2) from None
        if tak is not None:
            out.print(
                say(
                    Text(
                        f"TAK server: TCP {tak.tcp_port or '-'} (token sign-in), "
                        f"TLS {tak.tls_port or '-'} (client certificates).",
                        f"TAKサーバ: TCP {tak.tcp_port or '-'}（トークン認証）、"
                        f"TLS {tak.tls_port or '-'}（クライアント証明書）。",
                    )
                )
            )
        tls = node.settings.api_tls
        out.print(
            say(
                Text(
                    f"API and console on {node.settings.api_url}/"
                    + (" (TLS, node certificate)." if tls else " (plain HTTP)."),
                    f"APIとコンソール: {node.settings.api_url}/"
                    + ("（TLS、ノード証明書）。" if tls else "（平文HTTP）。"),
                )
            ),
            soft_wrap=True,
        )
        settle_heap()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: uvicorn has shut down cleanly
            api.run()
        if not api.started:  # e.g. the port is taken; uvicorn has said why
            raise typer.Exit(3)
    finally:
        node.close()


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo nodes live / デモノードの場所")
    ] = Path(".demo"),
    jpn_port: Annotated[
        int, typer.Option(help="API port of the JPN node / JPNノードのAPIポート")
    ] = 8701,
    usa_port: Annotated[
        int, typer.Option(help="API port of the USA node / USAノードのAPIポート")
    ] = 8702,
    tak_port: Annotated[
        int,
        typer.Option(
            help="TAK TCP port of the first node (TLS is +2; the next node +100) / "
            "最初のノードのTAK TCPポート（TLSは+2、次のノードは+100）"
        ),
    ] = 8087,
    keep: Annotated[bool, typer.Option(help="Keep an existing demo / 既存のデモを残す")] = False,
    serve_nodes: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the servers / サーバを起動する")
    ] = True,
) -> None:
    """Start a JPN node and a USA node (SQLite) with demo users. / JPNノードとUSAノード（SQLite）を、デモ用の利用者とともに起動する。"""
    from alliance import demo as demo_mod

    try:
        nodes = demo_mod.prepare(
            directory, {"JPN": jpn_port, "USA": usa_port}, fresh=not keep, tak_base=tak_port
        )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    for dn in nodes:
        tcp, tls = dn.tak_ports
        api = load_settings(dn.home).api_url
        out.print(
            f"\n[bold]{dn.nation}[/bold] "
            + say(Text("console", "コンソール"))
            + f"  {api}/   API {api}/docs\n"
            f"  federation https://127.0.0.1:{dn.port + 10} (mutual TLS)   "
            f"TAK tcp://127.0.0.1:{tcp} (token)  tls://127.0.0.1:{tls} (.p12)\n"
            + say(Text("  API tokens (shown once):", "  APIトークン（表示はこの一度のみ）:"))
        )
        for u in dn.users:
            # Who, then the token whole on a line of its own (copied; fits 80 columns).
            out.print(f"  {u.role.value + '@' + u.hq_id}  {u.name}", soft_wrap=True, markup=False)
            out.print(f"    {u.token}", soft_wrap=True, markup=False)
        out.print(
            say(
                Text(
                    "  Console sign-in (username / password, fictional):",
                    "  コンソールのサインイン（利用者名 / パスワード、架空のもの）:",
                )
            )
        )
        for u in dn.users:
            out.print(f"  {u.username:<28} {u.password}", soft_wrap=True)
        if dn.tak_files:
            out.print(
                say(
                    Text(
                        f"  TAK client certificate for the staff officer: {dn.tak_files[0]} "
                        f"(password {dn.tak_password})",
                        f"  幕僚用TAKクライアント証明書: {dn.tak_files[0]}（パスワード {dn.tak_password}）",
                    )
                ),
                soft_wrap=True,
            )
    tokens = {dn.nation: {u.role.value + "@" + u.hq_id: u.token for u in dn.users} for dn in nodes}
    passwords = {dn.nation: {u.username: u.password for u in dn.users} for dn in nodes}
    (directory / "passwords.json").write_text(json.dumps(passwords, indent=2), encoding="utf-8")
    (directory / "passwords.json").chmod(0o600)
    (directory / "tokens.json").write_text(json.dumps(tokens, indent=2), encoding="utf-8")
    (directory / "tokens.json").chmod(0o600)
    out.print(
        say(
            Text(
                f"Tokens also saved to {directory / 'tokens.json'}, passwords to "
                f"{directory / 'passwords.json'} (mode 600).",
                f"トークンは {directory / 'tokens.json'}、パスワードは "
                f"{directory / 'passwords.json'}（600）にも保存しました。",
            )
        ),
        soft_wrap=True,
    )
    first = nodes[0]
    staff = next((u for u in first.users if u.role == Role.STAFF_OFFICER), first.users[0])
    first_url = load_settings(first.home).api_url
    out.print(
        say(
            Text(
                f"\nNext: open {first_url}/ and sign in as the {first.nation} staff officer: "
                f"username {staff.username}, password {staff.password} (or the token above); "
                "the other node's "
                "console shows what this one releases to it. "
                + (
                    "Stop with Ctrl-C."
                    if serve_nodes
                    else f"Start them with 'alliance demo --keep --dir {directory}'."
                ),
                f"\n次に: {first_url}/ を開き、{first.nation}の幕僚として利用者名 {staff.username}、"
                f"パスワード {staff.password}（または上記のトークン）でサインインしてください。"
                "もう一方のノードのコンソールには、"
                "こちらが提供したものが表示されます。"
                + (
                    "終了は Ctrl-C。"
                    if serve_nodes
                    else f"起動は「alliance demo --keep --dir {directory}」。"
                ),
            )
        ),
        soft_wrap=True,
    )
    if serve_nodes:
        # As `serve` does: uvicorn re-raises the signal that stopped it once it has
        # shut down. SIGTERM would then kill the process before the nodes close;
        # Ctrl-C (how the demo says to stop it) reaches here after they closed.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_many([dn.home for dn in nodes]))


async def _serve_many(homes: list[Path]) -> None:
    from alliance.api.serving import NodeServer, uvicorn_config
    from alliance.cop import Simulator
    from alliance.node import Node, settle_heap

    nodes = [Node(load_settings(h)).start() for h in homes]
    try:
        servers = [NodeServer(uvicorn_config(n)) for n in nodes]
    except AllianceError as exc:
        for n in nodes:
            n.close()
        raise fail(exc.message, 2) from None
    simulators = []
    for n in nodes:
        n.serve_federation()
        n.serve_tak()
        sim = Simulator(n.cop, n.nation, clock=n.clock)
        sim.start()
        simulators.append(sim)
    settle_heap()
    out.print(say(Text("Serving; press Ctrl-C to stop.", "稼働中。Ctrl-Cで停止します。")))
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        for sim in simulators:
            sim.stop()
        for n in nodes:
            n.close()


def config_check(home: HomeOpt = None) -> None:
    """Print the merged settings (defaults < file < environment). / 統合した設定を表示する（優先順位: 既定値 < 設定ファイル < 環境変数）。"""
    settings = settings_for(home)
    out.print_json(json.dumps(settings.public_view()))
    if not settings.key_file.exists():
        raise fail(
            Text(
                f"No key at {settings.key_file}; run 'alliance init'.",
                f"{settings.key_file} に鍵がありません。「alliance init」を実行してください。",
            ),
            1,
        )
