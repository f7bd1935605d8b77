"""``alliance tak client-cert``: what a TAK user is handed, as an operator issues it."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alliance.config import load_settings
from alliance.node import Node

from .conftest import Cli, one_line


def test_client_certificate_for_a_user_and_the_refusals(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    assert cli("pki", "init", home=home).returncode == 0
    added = cli(
        "user", "add", "--name", "Tanaka Yui", "--hq", "jpn-jjoc", "--role", "staff_officer",
        home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    with Node(load_settings(home)) as node:
        user_id = node.users.authenticate(token).user_id

    out = tmp_path / "certs"
    issued = cli("tak", "client-cert", user_id, "--out", out, home=home)
    assert issued.returncode == 0, issued.stderr
    text = one_line(issued.stdout)
    assert "Tanaka Yui (JPN, staff_officer)" in text
    password = text.split("(shown once):")[1].split()[0]

    p12 = out / f"{user_id}.p12"
    for private in (p12, out / f"{user_id}.key"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key, cert, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), password.encode())
    assert key is not None
    assert cert is not None
    ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    assert [c.subject for c in extra] == [ca.subject]
    assert cert.issuer == ca.subject
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == user_id
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]

    # Nothing is overwritten, and only enabled users of this node get one.
    again = cli("tak", "client-cert", user_id, "--out", out, home=home)
    assert again.returncode == 2
    assert "refusing to overwrite" in one_line(again.stderr)
    stranger = cli(
        "tak", "client-cert", "01nobody", "--out", tmp_path / "x", home=home,
        env={"ALLIANCE_LANG": "ja"},
    )  # fmt: skip
    assert stranger.returncode == 2
    assert "有効な利用者「01nobody」はありません" in one_line(stranger.stderr)
