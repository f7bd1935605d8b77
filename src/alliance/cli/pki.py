"""``alliance pki``: the national federation CA and user CA, the node certificate, the partner bundle."""

from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509
from rich.table import Table

from alliance.cli.common import HomeOpt, err, out, say
from alliance.cli.common import fail as _fail_common
from alliance.cli.common import settings as settings_for
from alliance.config import Settings
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

pki_app = typer.Typer(
    help="Federation certificates (mutual TLS) / 連携用の証明書（相互TLS）", no_args_is_help=True
)


def fail(text: Text, code: int = 2) -> typer.Exit:
    """PKI commands exit 2 when they refuse (bad input or existing files)."""
    return _fail_common(text, code)


def _default_hosts(settings: Settings) -> list[str]:
    """The configured listen host, unless it is a wildcard address."""
    try:
        if ipaddress.ip_address(settings.host).is_unspecified:
            return []
    except ValueError:
        pass
    return [settings.host]


@pki_app.command("init")
def pki_init(
    home: HomeOpt = None,
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            help="Name or IP partners reach this node at (repeatable; localhost and 127.0.0.1 "
            "are always included) / パートナーが接続するホスト名またはIP（複数可）",
        ),
    ] = None,
    renew_node: Annotated[
        bool,
        typer.Option(
            "--renew-node",
            help="Re-issue the node certificate and key; the CA stays / ノード証明書と鍵を再発行する（CAはそのまま）",
        ),
    ] = False,
) -> None:
    """Create the national CAs (if absent) and the node certificate. / 国のCA（未作成なら）とノード証明書を作成する。"""
    from alliance.pki import CA_CERT, USERS_CA_CERT, Pki

    settings = settings_for(home)
    had_ca = (Pki.directory(settings.home) / CA_CERT).exists()
    had_users_ca = (Pki.directory(settings.home) / USERS_CA_CERT).exists()
    hosts = [*_default_hosts(settings), *(host or [])]
    try:
        pki = Pki.init(
            settings.home, settings.nation, settings.node_id, hosts, renew_node=renew_node
        )
    except AllianceError as exc:
        raise fail(exc.message) from None
    ca_note = Text(
        ("existing federation CA kept" if had_ca else "new federation CA created")
        + ("; existing user CA kept" if had_users_ca else "; new user CA created"),
        ("既存の連携用CAを使用" if had_ca else "連携用CAを新規作成")
        + ("、既存の利用者CAを使用" if had_users_ca else "、利用者CAを新規作成"),
    )
    out.print(
        say(
            Text(
                f"Federation PKI of {settings.node_id} ({settings.nation}) in "
                f"{Pki.directory(settings.home)}: {ca_note.en}; node certificate issued.",
                f"{settings.node_id}（{settings.nation}）の連携用PKIを {Pki.directory(settings.home)} "
                f"に作成しました: {ca_note.ja}。ノード証明書を発行しました。",
            )
        ),
        soft_wrap=True,
    )
    out.print(
        say(
            Text(
                f"CA fingerprint (SHA-256; confirm it with each partner by a second channel): "
                f"{pki.ca_fingerprint}",
                f"CA指紋（SHA-256。各パートナーと別経路で照合してください）: {pki.ca_fingerprint}",
            )
        ),
        soft_wrap=True,
    )


def _describe(cert: x509.Certificate) -> dict[str, str]:
    from alliance.pki import (
        NODE_POLICY_OID,
        USER_POLICY_OID,
        extended_key_usages,
        fingerprint,
    )

    try:
        policies = [
            p.policy_identifier
            for p in cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        ]
    except x509.ExtensionNotFound:
        policies = []
    names = {NODE_POLICY_OID: "node", USER_POLICY_OID: "user"}

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        hosts = [str(v) for v in san.get_values_for_type(x509.DNSName)] + [
            str(v) for v in san.get_values_for_type(x509.IPAddress)
        ]
    except x509.ExtensionNotFound:
        hosts = []
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "sha256": fingerprint(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "ca": str(is_ca),
        "eku": ", ".join(extended_key_usages(cert)) or "-",
        "policy": ", ".join(
            f"{names[p]} ({p.dotted_string})" if p in names else p.dotted_string for p in policies
        )
        or "-",
        "san": ", ".join(hosts) or "-",
    }


@pki_app.command("show")
def pki_show(
    home: HomeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output / JSON形式で出力")] = False,
) -> None:
    """Show the CAs and the node certificate: subjects, fingerprints, validity, EKUs, policies. / CAとノード証明書を表示する（サブジェクト、フィンガープリント、有効期間、EKU、ポリシー）。"""
    from alliance.pki import Pki

    settings = settings_for(home)
    try:
        pki = Pki.load(settings.home)
    except AllianceError as exc:
        raise fail(exc.message) from None
    offline = say(Text("absent (kept offline)", "なし（オフライン保管）"))
    shown = {"ca": _describe(pki.ca_cert), "node": _describe(pki.node_cert)}
    shown["ca"]["key"] = str(pki.ca_key_path) if pki.ca_key_path.exists() else offline
    shown["node"]["key"] = str(pki.node_key_path)
    if pki.users_ca_cert is not None:
        shown["users_ca"] = _describe(pki.users_ca_cert)
        shown["users_ca"]["key"] = (
            str(pki.users_ca_key_path) if pki.users_ca_key_path.exists() else offline
        )
    if as_json:
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
    else:
        table = Table()
        table.add_column("", no_wrap=True)
        table.add_column(say(Text("federation CA", "連携用CA")), overflow="fold")
        table.add_column(say(Text("node", "ノード")), overflow="fold")
        table.add_column(say(Text("user CA", "利用者CA")), overflow="fold")
        missing = say(Text("none yet", "未作成"))
        for row in shown["ca"]:
            users = shown["users_ca"][row] if "users_ca" in shown else missing
            table.add_row(row, shown["ca"][row], shown["node"][row], users)
        out.print(table)
    if not pki.node_cert_current:
        err.print(
            say(
                Text(
                    "The node certificate lacks the node certificate policy (issued by an older "
                    "version): partners refuse it. Run 'alliance pki init --renew-node'.",
                    "ノード証明書にノード用ポリシーがありません（旧版で発行）。パートナーに拒否されます。"
                    "「alliance pki init --renew-node」を実行してください。",
                )
            ),
            soft_wrap=True,
        )


@pki_app.command("export")
def pki_export(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            help="Federation URL partners use, https:// / パートナーが使う連携URL（https://）",
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (default stdout) / 出力ファイル")
    ] = None,
    allow_plain_http: Annotated[
        bool,
        typer.Option(
            "--insecure-dev-http",
            help="DEVELOPMENT ONLY: accept an http:// URL (no TLS) / 開発専用: http:// を許可（TLSなし）",
        ),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Write the partner bundle: CA, fingerprint, URL, ledger key. / 連携先向けのバンドル（CA、フィンガープリント、URL、台帳の鍵）を出力する。"""
    from alliance.core.keys import NodeKey, public_key_from_hex
    from alliance.federation import export_bundle
    from alliance.pki import Pki

    settings = settings_for(home)
    if allow_plain_http:
        err.print(
            "[bold red]"
            + say(
                Text(
                    "WARNING: plain HTTP allowed. Federation traffic would be neither encrypted "
                    "nor authenticated. Development only.",
                    "警告: 平文HTTPを許可しました。連携の通信は暗号化も認証もされません。開発専用です。",
                )
            )
            + "[/bold red]",
            soft_wrap=True,
        )
    try:
        pki = Pki.load(settings.home)
        pub = settings.key_file.with_suffix(".pub")
        if pub.exists():
            ledger_hex = pub.read_text(encoding="ascii").strip()
            public_key_from_hex(ledger_hex)
        else:
            ledger_hex = NodeKey.load(settings.key_file, settings.passphrase).public_hex
        bundle = export_bundle(
            pki,
            nation=settings.nation,
            node_id=settings.node_id,
            federation_url=url,
            ledger_public_key_hex=ledger_hex,
            allow_plain_http=allow_plain_http,
        )
    except AllianceError as exc:
        raise fail(exc.message) from None
    except ValueError:
        raise fail(
            Text(
                f"{settings.key_file.with_suffix('.pub')} does not hold a public key in hex.",
                f"{settings.key_file.with_suffix('.pub')} に16進の公開鍵がありません。",
            )
        ) from None
    text = json.dumps(bundle, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    out.print(
        say(
            Text(
                f"Partner bundle written to {output}. CA fingerprint {bundle['ca_fingerprint']}: "
                "the partner should confirm it with you by a second channel.",
                f"パートナー向けバンドルを {output} に書き出しました。CA指紋 {bundle['ca_fingerprint']} を"
                "相手と別経路で照合してください。",
            )
        ),
        soft_wrap=True,
    )
