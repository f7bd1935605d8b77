"""``alliance tak client-cert``: what a TAK user is handed, as an operator issues it."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alliance.config import load_settings
from alliance.node import Node
from alliance.pki import USER_POLICY_OID

from .conftest import Cli, one_line


def _staff(cli: Cli, home: Path) -> str:
    """Add a JPN staff officer; returns the user id."""
    added = cli(
        "user", "add", "--name", "Tanaka Yui", "--hq", "jpn-jjoc", "--role", "staff_officer",
        home=home,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    with Node(load_settings(home)) as node:
        return node.users.authenticate(token).user_id


def test_client_certificate_for_a_user_and_the_refusals(cli: Cli, tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    assert cli("pki", "init", home=home).returncode == 0
    user_id = _staff(cli, home)

    out = tmp_path / "certs"
    issued = cli("tak", "client-cert", user_id, "--out", out, home=home)
    assert issued.returncode == 0, issued.stderr
    text = one_line(issued.stdout)
    assert "Tanaka Yui (JPN, staff_officer)" in text
    assert "issued by the JPN user CA" in text
    assert "Created the JPN user CA" not in text  # pki init made it
    password = text.split("(shown once):")[1].split()[0]

    p12 = out / f"{user_id}.p12"
    for private in (p12, out / f"{user_id}.key"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key, cert, extra = pkcs12.load_key_and_certificates(p12.read_bytes(), password.encode())
    assert key is not None
    assert cert is not None
    # Two CA files, each saying what it is for: ca.pem checks the server (the
    # federation CA issued the node certificate), users-ca.pem issued the client.
    pki = home / "pki"
    assert (out / "ca.pem").read_bytes() == (pki / "ca.pem").read_bytes()
    assert (out / "users-ca.pem").read_bytes() == (pki / "users-ca.pem").read_bytes()
    assert f"{out / 'ca.pem'} (trust this CA for the server" in text
    assert f"{out / 'users-ca.pem'} (the CA that issued this client certificate" in text
    node = x509.load_pem_x509_certificate((pki / "node.pem").read_bytes())
    server_ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    users_ca = x509.load_pem_x509_certificate((out / "users-ca.pem").read_bytes())
    node.verify_directly_issued_by(server_ca)
    cert.verify_directly_issued_by(users_ca)
    assert [c.subject for c in extra] == [users_ca.subject]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == user_id
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [USER_POLICY_OID]

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


def test_a_home_without_a_user_ca_gets_one_from_client_cert(cli: Cli, tmp_path: Path) -> None:
    """A home made before user certificates had a CA of their own: the first
    client certificate creates the user CA (and says so), once."""
    home = tmp_path / "jpn"
    assert cli("init", "--nation", "JPN", home=home).returncode == 0
    assert cli("pki", "init", home=home).returncode == 0
    for name in ("users-ca.key", "users-ca.pem"):
        (home / "pki" / name).unlink()
    federation_ca = (home / "pki" / "ca.pem").read_bytes()
    user_id = _staff(cli, home)

    first = cli("tak", "client-cert", user_id, "--out", tmp_path / "a", home=home)
    assert first.returncode == 0, first.stderr
    assert "Created the JPN user CA" in one_line(first.stdout)
    assert stat.S_IMODE((home / "pki" / "users-ca.key").stat().st_mode) == 0o600
    users_ca = (home / "pki" / "users-ca.pem").read_bytes()
    assert users_ca != federation_ca
    assert (home / "pki" / "ca.pem").read_bytes() == federation_ca

    second = cli(
        "tak", "client-cert", user_id, "--out", tmp_path / "b", home=home,
        env={"ALLIANCE_LANG": "ja"},
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert "利用者CA" in one_line(second.stdout)
    assert "を作成しました。以後" not in one_line(second.stdout)
    assert (home / "pki" / "users-ca.pem").read_bytes() == users_ca
