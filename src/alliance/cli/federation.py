"""``alliance federation``: partners, link status, quarantine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from alliance.cli.common import HomeOpt, fail, open_node, out, say, table
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

if TYPE_CHECKING:
    from alliance.federation import LinkOut, QuarantinedOut

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
    """Pin a partner's CA and ledger key; queue everything already released to it. / 連携先のCAと台帳の鍵を固定して登録し、既にその連携先へ提供しているものをすべて送信待ちにする。"""
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
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Also the sequence numbers sent, acknowledged, received and the partner's "
            "head (a wide terminal) / 送信・確認・受信の通番と連携先の先頭も表示（横幅の広い端末向け）",
        ),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Per partner: sent, acknowledged, received, lag, quarantine. / 連携先ごとの送信・確認・受信・遅れ・隔離の状況を表示する。"""
    node = open_node(home)
    try:
        links = node.federation.partners.status()
    finally:
        node.close()
    if as_json:
        out.print_json(json.dumps([link.model_dump(mode="json") for link in links]))
        return
    out.print(status_table(links, wide=wide))
    _last_errors(links)
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


def status_table(links: list[LinkOut], *, wide: bool = False) -> Table:
    """The links as a table that fits 80 columns: how far behind each direction
    is, what is quarantined and held (each link's last error and what is held
    are said in full below it: :func:`_link_notes`); ``wide`` adds the
    sequence numbers the lags come from."""
    seqs = (
        (
            Text("sent", "送信"),
            Text("acked", "確認済"),
            Text("received", "受信"),
            Text("partner head", "連携先の先頭"),
        )
        if wide
        else ()
    )
    shown = table(
        Text("partner", "連携先"),
        Text("state", "状態"),
        *seqs,
        Text("out lag", "送信遅れ"),
        Text("in lag", "受信遅れ"),
        Text("quarantined", "隔離"),
        Text("held", "保留"),
        title=Text("Federation links", "連携の状況"),
    )
    for link in links:
        state = link.state if link.state == "running" else f"[red]{link.state}[/red]"
        numbers = (
            [str(n) for n in (link.sent_seq, link.acked_seq, link.received_seq)]
            + [str(link.partner_head_seq)]
            if wide
            else []
        )
        shown.add_row(
            link.partner,
            state,
            *numbers,
            str(link.outbound_lag),
            str(link.inbound_lag),
            str(link.quarantined),
            str(sum(h.items for h in link.held)),
        )
    return shown


def quarantine_table(entries: list[QuarantinedOut]) -> Table:
    """Quarantined items, the reason in the user's language (wrapped, never cut;
    a resolved entry's time of resolution under its own)."""
    shown = table(
        Text("id", "ID"),
        Text("partner", "連携先"),
        Text("seq", "通番"),
        Text("code", "コード"),
        Text("at (resolved)", "日時（解決）"),
        Text("reason", "理由"),
        wrap=(5,),
    )
    for q in entries:
        shown.add_row(
            str(q.id),
            q.partner,
            str(q.seq),
            q.code,
            q.at.z + (f"\n({q.resolved.z})" if q.resolved else ""),
            q.reason[say_key()],
        )
    return shown


def _last_errors(links: list[LinkOut]) -> None:
    """Each link's last error, in full (a table column would cut or crush it)."""
    for link in links:
        if link.last_error:
            out.print(
                say(Text(f"{link.partner} last error: ", f"{link.partner}の最新のエラー: "))
                + link.last_error,
                soft_wrap=False,
                markup=False,
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
    """Items rejected by a check, with the reason. / 検査で拒否された項目と、その理由を表示する。"""
    node = open_node(home)
    try:
        entries = node.federation.partners.quarantine(partner, open_only=not all_)
    finally:
        node.close()
    out.print(quarantine_table(entries))


@federation_app.command("resume")
def resume(
    partner: Annotated[str, typer.Argument(help="Partner nation, e.g. USA / 連携先の国")],
    note: Annotated[str, typer.Option(help="What was done about the cause / 原因への対処")],
    home: HomeOpt = None,
) -> None:
    """Close the quarantine entries and pull again from where it stopped. / 隔離の記録を解決済みにし、止まった位置から連携先の取得を再開する。"""
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
