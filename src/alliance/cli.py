"""The ``alliance`` command. It parses options and calls the node; nothing more."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.table import Table

from alliance import __version__
from alliance.access import UserIn
from alliance.cli_common import HomeOpt, err, fail, open_node, out, say, validation_text
from alliance.cli_common import settings as settings_for
from alliance.cli_federation import federation_app
from alliance.cli_pki import pki_app
from alliance.cli_tak import tak_app
from alliance.config import load_settings
from alliance.core.authority import Role
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

app = typer.Typer(
    help="Alliance: coordination between sovereign allied HQs. / 同盟調整プラットフォーム",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Users and API tokens / 利用者とAPIトークン", no_args_is_help=True)
ledger_app = typer.Typer(help="The signed ledger / 署名付き台帳", no_args_is_help=True)
config_app = typer.Typer(help="Settings / 設定", no_args_is_help=True)
org_app = typer.Typer(help="Command structures / 組織構造", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(ledger_app, name="ledger")
app.add_typer(config_app, name="config")
app.add_typer(org_app, name="org")
app.add_typer(pki_app, name="pki")
app.add_typer(federation_app, name="federation")
app.add_typer(tak_app, name="tak")


@app.command()
def version() -> None:
    """Print the version. / バージョンを表示する。"""
    out.print(__version__)


@app.command()
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
    port: Annotated[int | None, typer.Option()] = None,
    node_id: Annotated[str | None, typer.Option()] = None,
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


@app.command()
def serve(
    home: HomeOpt = None,
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Run the node's API until stopped. / ノードのAPIを起動する。"""
    from alliance.api.serving import uvicorn_config
    from alliance.node import settle_heap

    # --port also moves the federation port (default: port + 10) unless configured.
    node = open_node(home, host=host, port=port)
    # uvicorn re-raises SIGTERM after its graceful shutdown; without a handler
    # that kills the process before node.close() below has run.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        try:
            api = uvicorn.Server(uvicorn_config(node))
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


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo nodes live / デモノードの場所")
    ] = Path(".demo"),
    jpn_port: Annotated[int, typer.Option()] = 8701,
    usa_port: Annotated[int, typer.Option()] = 8702,
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
    """Start a JPN node and a USA node (SQLite) with demo users. / 日米2ノードのデモを起動する。"""
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
            out.print(f"  {u.role.value + '@' + u.hq_id:<28} {u.token}  {u.name}", soft_wrap=True)
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
    (directory / "tokens.json").write_text(json.dumps(tokens, indent=2), encoding="utf-8")
    (directory / "tokens.json").chmod(0o600)
    out.print(
        say(
            Text(
                f"Tokens also saved to {directory / 'tokens.json'} (mode 600).",
                f"トークンは {directory / 'tokens.json'}（600）にも保存しました。",
            )
        )
    )
    if serve_nodes:
        # As `serve` does: uvicorn re-raises the signal that stopped it once it has
        # shut down. SIGTERM would then kill the process before the nodes close;
        # Ctrl-C (how the demo says to stop it) reaches here after they closed.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_many([dn.home for dn in nodes]))


async def _serve_many(homes: list[Path]) -> None:
    from alliance.api.serving import uvicorn_config
    from alliance.cop import Simulator
    from alliance.node import Node, settle_heap

    nodes = [Node(load_settings(h)).start() for h in homes]
    try:
        servers = [uvicorn.Server(uvicorn_config(n)) for n in nodes]
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


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Option()],
    hq: Annotated[str, typer.Option(help="HQ id, e.g. jpn-jjoc / 司令部ID")],
    role: Annotated[Role, typer.Option()],
    nation: Annotated[
        str | None, typer.Option(help="Default: the node's nation / 既定はノードの国")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Add a user; print the API token once (stored only as a hash). / 利用者を追加しトークンを一度だけ表示する。"""
    node = open_node(home)
    try:
        user, token = node.users.add(
            UserIn(name=name, nation=nation or node.nation, hq_id=hq, role=role)
        )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    except ValidationError as exc:
        raise fail(validation_text(exc), 2) from None
    finally:
        node.close()
    out.print(
        say(
            Text(
                f"User {user.id} ({user.nation}/{user.hq_id}/{user.role.value}) created.",
                f"利用者 {user.id}（{user.nation}/{user.hq_id}/{user.role.value}）を作成しました。",
            )
        )
    )
    out.print(say(Text("API token (shown only now):", "APIトークン（表示はこの一度のみ）:")))
    print(token)


@user_app.command("list")
def user_list(home: HomeOpt = None) -> None:
    """List users. / 利用者の一覧。"""
    from sqlalchemy import select

    from alliance.store.schema import UserRow

    node = open_node(home)
    try:
        with node.db.read() as s:
            rows = list(s.scalars(select(UserRow).order_by(UserRow.nation, UserRow.name)))
    finally:
        node.close()
    table = Table()
    for col in ("id", "name", "nation", "hq", "role", "disabled"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.id, r.name, r.nation, r.hq_id, r.role, str(r.disabled))
    out.print(table)


@user_app.command("disable")
def user_disable(user_id: str, home: HomeOpt = None) -> None:
    """Disable a user; the token stops working at once. / 利用者を無効にする。"""
    node = open_node(home)
    try:
        node.users.disable(user_id)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    out.print(say(Text("Disabled.", "無効にしました。")))


@ledger_app.command("verify")
def ledger_verify(
    home: HomeOpt = None,
    state: Annotated[
        bool,
        typer.Option(help="Also check every table against the ledger / 表と台帳の一致も検証する"),
    ] = True,
) -> None:
    """Verify every event and the state built from them. / 全イベントと状態を検証する。"""
    from alliance.core.keys import NodeKey
    from alliance.store import Database
    from alliance.store.ledger import verify_database
    from alliance.store.projection import check_state

    settings = settings_for(home)
    try:
        key = NodeKey.load(settings.key_file, settings.passphrase)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    db = Database(settings.database_url)
    try:
        report = verify_database(db, key.public_raw)
        drift = check_state(db) if state and report.ok else None
    finally:
        db.dispose()
    if not report.ok:
        p = report.problem
        assert p is not None
        raise fail(
            Text(
                f"Ledger BROKEN at event #{p.seq} ({p.event_id}): {p.reason.en}. "
                f"{report.checked} events before it verified.",
                f"台帳が破損: イベント#{p.seq}（{p.event_id}）: {p.reason.ja}。それ以前の{report.checked}件は正常。",
            ),
            1,
        )
    out.print(
        say(
            Text(
                f"Ledger OK: {report.checked} events verified; head {report.head_hash[:16]}.",
                f"台帳は正常です: {report.checked}件を検証。先頭 {report.head_hash[:16]}。",
            )
        )
    )
    if drift is None:
        return
    if drift.ok:
        out.print(
            say(
                Text(
                    f"State OK: {drift.objects} objects match the ledger.",
                    f"状態は正常です: {drift.objects}件が台帳と一致。",
                )
            )
        )
        return
    for d in drift.drifts[:50]:
        err.print(f"  {d.object_type}:{d.object_id}  {say(d.reason)}")
    raise fail(
        Text(
            f"State DRIFT: {len(drift.drifts)} problem(s): tables that differ from the ledger "
            "(changed outside Alliance) or an object whose owner does not match its ledger events.",
            f"状態の不一致: {len(drift.drifts)}件。台帳と異なる表（Alliance外で変更）"
            "または台帳のイベントと所有国が一致しない対象があります。",
        ),
        1,
    )


@config_app.command("check")
def config_check(home: HomeOpt = None) -> None:
    """Print the merged settings (defaults < file < environment). / 統合された設定を表示する。"""
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
    """Load command structures (idempotent, all or nothing). / 組織構造を読み込む。"""
    from alliance.org import load_document, packaged_seed, parse_document

    node = open_node(home)
    try:
        raw = file.read_bytes() if file else packaged_seed()
        doc, digest = parse_document(raw, source=str(file or "seed.yaml"))
        report = load_document(node.ctx, doc, digest)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    out.print_json(json.dumps(report.as_dict()))


@org_app.command("export")
def org_export(
    to: Annotated[str | None, typer.Option(help="Nation the export is for / 出力先の国")] = None,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json / yaml または json")] = "yaml",
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    home: HomeOpt = None,
) -> None:
    """Export what is released to a nation. / 指定国へ提供可の組織構造を出力する。"""
    from alliance.org import dump, export_document

    if fmt not in {"yaml", "json"}:
        raise fail(Text("--format is yaml or json.", "--format は yaml か json です。"), 2)
    node = open_node(home)
    try:
        text = dump(
            export_document(node.ctx, to or node.nation), "json" if fmt == "json" else "yaml"
        )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main() -> None:
    app()
