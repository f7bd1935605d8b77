"""``alliance tak``: certificates for TAK clients (ATAK, WinTAK, iTAK)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from alliance.cli.common import HomeOpt, fail, out, say
from alliance.cli.common import settings as settings_for
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
    """Issue a user's client certificate (.p12, PEM): for TAK clients, and to sign in to the console over HTTPS once imported into the browser. / 利用者のクライアント証明書を発行する（TAKクライアント用。ブラウザに取り込めばHTTPSのコンソールにもサインインできる）。"""
    from alliance.node import Node
    from alliance.pki import CA_CERT, USERS_CA_CERT, Pki, write_client_files

    settings = settings_for(home)
    try:
        node = Node(settings)
        try:
            node.db.migrate()
            user = node.users.actor_for_id(user_id)
        finally:
            node.db.dispose()
        pki = Pki.load(settings.home)
        created = pki.users_ca_cert is None
        pki = pki.with_users_ca()
        secret = password or secrets.token_urlsafe(12)
        files = write_client_files(pki, user_id, user.name, directory, secret)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    if created:
        out.print(
            say(
                Text(
                    f"Created the {pki.nation} user CA ({pki.users_ca_cert_path}): it issues TAK "
                    "client certificates from now on; those issued earlier no longer work on "
                    "the TAK port.",
                    f"{pki.nation}の利用者CA（{pki.users_ca_cert_path}）を作成しました。以後TAK"
                    "クライアント証明書はこのCAが発行します。以前の証明書はTAKポートで使えません。",
                )
            ),
            soft_wrap=True,
        )
    out.print(
        say(
            Text(
                f"TAK client certificate for {user.name} ({user.nation}, {user.role.value}) "
                f"issued by the {pki.nation} user CA:",
                f"{user.name}（{user.nation}、{user.role.value}）のTAKクライアント証明書を"
                f"{pki.nation}の利用者CAで発行しました:",
            )
        ),
        soft_wrap=True,
    )
    roles = {
        CA_CERT: Text(
            "trust this CA for the server (it issued the node certificate)",
            "サーバ確認用に信頼するCA（ノード証明書の発行元）",
        ),
        USERS_CA_CERT: Text(
            "the CA that issued this client certificate (also inside the .p12)",
            "このクライアント証明書の発行元CA（.p12にも同梱）",
        ),
    }
    for path in files:
        role = roles.get(path.name)
        out.print(f"  {path}" + (f"  ({say(role)})" if role else ""), soft_wrap=True)
    if password is None:
        out.print(
            say(
                Text(
                    f".p12 password (shown once): {secret}",
                    f".p12のパスワード（一度だけ表示）: {secret}",
                )
            )
        )
