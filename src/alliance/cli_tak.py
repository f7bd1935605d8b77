"""``alliance tak``: certificates for TAK clients (ATAK, WinTAK, iTAK)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from alliance.cli_common import HomeOpt, fail, out, say
from alliance.cli_common import settings as settings_for
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

tak_app = typer.Typer(
    help="TAK clients: certificates for the TLS port / TAKクライアント用の証明書",
    no_args_is_help=True,
)


@tak_app.command("client-cert")
def client_cert(
    user_id: Annotated[str, typer.Argument(help="User id (alliance user list) / 利用者ID")],
    directory: Annotated[
        Path, typer.Option("--out", help="Folder for the files / 出力フォルダ")
    ] = Path(),
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Password of the .p12 (default: a new random one, printed once) / "
            ".p12のパスワード（既定: 生成して一度だけ表示）",
        ),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Issue a TAK client certificate for a user (.p12 for ATAK, PEM files). / 利用者のTAKクライアント証明書を発行する。"""
    from alliance.federation.pki import Pki, write_client_files
    from alliance.node import Node

    settings = settings_for(home)
    try:
        node = Node(settings)
        try:
            node.db.migrate()
            user = node.users.actor_for_id(user_id)
        finally:
            node.db.dispose()
        pki = Pki.load(settings.home)
        secret = password or secrets.token_urlsafe(12)
        files = write_client_files(pki, user_id, user.name, directory, secret)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    out.print(
        say(
            Text(
                f"TAK client certificate for {user.name} ({user.nation}, {user.role.value}) "
                f"issued by the {pki.nation} CA:",
                f"{user.name}（{user.nation}、{user.role.value}）のTAKクライアント証明書を"
                f"{pki.nation}のCAで発行しました:",
            )
        )
    )
    for path in files:
        out.print(f"  {path}")
    if password is None:
        out.print(
            say(
                Text(
                    f".p12 password (shown once): {secret}",
                    f".p12のパスワード（一度だけ表示）: {secret}",
                )
            )
        )
