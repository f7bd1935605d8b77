"""``alliance federation``: partners, link status, quarantine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from alliance.cli.common import HomeOpt, fail, open_node, out, say
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

if TYPE_CHECKING:
    from alliance.federation import LinkOut

federation_app = typer.Typer(
    help="Exchange with partner nodes / 連携先ノードとの交換", no_args_is_help=True
)


@federation_app.command("add-partner")
def add_partner(
    bundle: Annotated[
        Path, typer.Argument(help="The partner's bundle (alliance pki export) / 連携先のバンドル")
    ],
    url: Annotated[
        str | None, typer.Option(help="Override the bundle's federation URL / URLの上書き")
    ] = None,
    insecure_dev_http: Annotated[
        bool,
        typer.Option(
            "--insecure-dev-http", help="DEVELOPMENT ONLY: accept a plain http:// URL / 開発専用"
        ),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Pin a partner's CA and ledger key; queue everything already released to it. / 連携先を登録する。"""
    node = open_node(home)
    try:
        queued = node.federation.add_partner(
            bundle.read_bytes(), url=url, allow_plain_http=insecure_dev_http
        )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    except OSError as exc:
        raise fail(
            Text(f"Cannot read {bundle}: {exc}", f"{bundle} を読めません: {exc}"), 2
        ) from None
    finally:
        node.close()
    out.print(
        say(
            Text(
                f"Partner added; {queued} released objects queued for it.",
                f"連携先を登録しました。提供可の{queued}件を送信待ちにしました。",
            )
        )
    )


@federation_app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable / JSONで出力")] = False,
    home: HomeOpt = None,
) -> None:
    """Per partner: sent, acknowledged, received, lag, quarantine. / 連携状況を表示する。"""
    node = open_node(home)
    try:
        links = node.federation.partners.status()
    finally:
        node.close()
    if as_json:
        out.print_json(json.dumps([link.model_dump(mode="json") for link in links]))
        return
    table = Table(title=say(Text("Federation links", "連携の状況")))
    for col in (
        "partner",
        "state",
        "sent",
        "acked",
        "out lag",
        "received",
        "partner head",
        "in lag",
        "quarantined",
        "held",
        "last error",
    ):
        table.add_column(col)
    for link in links:
        state = link.state if link.state == "running" else f"[red]{link.state}[/red]"
        table.add_row(
            link.partner,
            state,
            str(link.sent_seq),
            str(link.acked_seq),
            str(link.outbound_lag),
            str(link.received_seq),
            str(link.partner_head_seq),
            str(link.inbound_lag),
            str(link.quarantined),
            ", ".join(f"{h.object_type} ×{h.items}" for h in link.held),
            link.last_error,
        )
    out.print(table)
    _held_notes(links)
    if any(link.state != "running" for link in links):
        raise fail(
            Text(
                "A link is stopped: see 'alliance federation quarantine'.",
                "停止中の連携があります。「alliance federation quarantine」を確認してください。",
            ),
            1,
        )
    if any(link.quarantined for link in links):
        raise fail(
            Text(
                "Items were refused and quarantined (the links kept running): see "
                "'alliance federation quarantine'.",
                "拒否され隔離された項目があります（連携は継続中）。"
                "「alliance federation quarantine」を確認してください。",
            ),
            1,
        )


def _held_notes(links: list[LinkOut]) -> None:
    """What is held, and what a partner does not understand: said, not failed."""
    for link in links:
        for h in link.held:
            out.print(
                say(
                    Text(
                        f"Held from {link.partner}: {h.items} item(s) of type {h.object_type}, "
                        "which this node does not understand yet; the link keeps running and "
                        "they are applied after an upgrade.",
                        f"{link.partner}からの{h.object_type}型の{h.items}件を保留中です"
                        "（このノードは未対応）。連携は継続し、更新後に適用されます。",
                    )
                ),
                soft_wrap=True,
            )
        if link.not_understood:
            types = ", ".join(link.not_understood)
            out.print(
                say(
                    Text(
                        f"{link.partner} does not understand {types}: it holds what we "
                        "release of them until it is upgraded.",
                        f"{link.partner}は{types}に未対応です。更新されるまで、当方が提供する"
                        "それらの項目は先方で保留されます。",
                    )
                ),
                soft_wrap=True,
            )


@federation_app.command("quarantine")
def quarantine(
    partner: Annotated[str | None, typer.Option(help="Only this partner / この連携先のみ")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Include resolved entries / 解決済みも表示")
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Items rejected by a check, with the reason. / 検査で拒否された項目。"""
    node = open_node(home)
    try:
        entries = node.federation.partners.quarantine(partner, open_only=not all_)
    finally:
        node.close()
    table = Table()
    for col in ("id", "partner", "seq", "code", "reason", "at", "resolved"):
        table.add_column(col)
    for q in entries:
        table.add_row(
            str(q.id),
            q.partner,
            str(q.seq),
            q.code,
            q.reason[say_key()],
            q.at.z,
            q.resolved.z if q.resolved else "",
        )
    out.print(table)


@federation_app.command("resume")
def resume(
    partner: Annotated[str, typer.Argument(help="Partner nation, e.g. USA / 連携先の国")],
    note: Annotated[str, typer.Option(help="What was done about the cause / 原因への対処")],
    home: HomeOpt = None,
) -> None:
    """Close the quarantine entries and pull again from where it stopped. / 連携を再開する。"""
    node = open_node(home)
    try:
        node.federation.partners.resume(partner.upper(), note)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    out.print(say(Text("Link resumed.", "連携を再開しました。")))


def say_key() -> str:
    from alliance.cli.common import lang

    return lang()
