"""Federation PKI: certificates with the stated extensions, owner-only keys, real
mutual-TLS handshakes on 127.0.0.1 (and the ways they must fail), partner bundles,
and the split between node certificates (federation CA, node policy) and user
certificates (user CA, user policy)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.keys import NodeKey
from alliance.federation import BUNDLE_FORMAT, export_bundle, read_bundle
from alliance.pki import (
    NODE_POLICY_OID,
    USER_POLICY_OID,
    Pki,
    alpha2,
    check_node_id,
    client_context,
    client_user_id,
    create_ca,
    fingerprint,
    identify_peer,
    issue_client_cert,
    issue_node_cert,
    server_context,
    tak_server_context,
)

ALLIANCE = Path(sys.executable).parent / "alliance"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _make(root: Path, nation: str, hosts: tuple[str, ...] = ()) -> Pki:
    return Pki.init(root / nation.lower(), nation, f"{nation.lower()}-node", list(hosts))


@pytest.fixture
def jpn(tmp_path: Path) -> Pki:
    return _make(tmp_path, "JPN", ("jpn.alliance.test",))


@pytest.fixture
def usa(tmp_path: Path) -> Pki:
    return _make(tmp_path, "USA", ("usa.alliance.test", "10.20.30.40"))


def _ext(
    cert: x509.Certificate, kind: type[x509.ExtensionType]
) -> x509.Extension[x509.ExtensionType]:
    return cert.extensions.get_extension_for_class(kind)


def policies(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    ext = _ext(cert, x509.CertificatePolicies)
    assert not ext.critical
    assert isinstance(ext.value, x509.CertificatePolicies)
    return [p.policy_identifier for p in ext.value]


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# -- certificates ------------------------------------------------------------------


def test_ca_has_the_national_subject_and_ca_extensions() -> None:
    key, cert = create_ca("jpn")
    assert isinstance(key.curve, ec.SECP256R1)
    subject = {a.oid: a.value for a in cert.subject}
    assert subject == {
        NameOID.COUNTRY_NAME: "JP",
        NameOID.ORGANIZATION_NAME: "Alliance JPN",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "National federation CA",
        NameOID.COMMON_NAME: "JPN Alliance CA",
    }
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)
    bc = _ext(cert, x509.BasicConstraints)
    assert bc.critical
    assert bc.value == x509.BasicConstraints(ca=True, path_length=0)
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical
    assert isinstance(ku.value, x509.KeyUsage)
    assert ku.value.key_cert_sign
    assert ku.value.crl_sign
    assert not ku.value.digital_signature
    ski = _ext(cert, x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert dt.timedelta(days=3650) <= lifetime <= dt.timedelta(days=3651)
    assert fingerprint(cert) == cert.fingerprint(hashes.SHA256()).hex()


def test_node_certificate_is_for_server_and_client_auth_with_the_hosts() -> None:
    ca_key, ca_cert = create_ca("USA")
    key, cert = issue_node_cert(
        ca_key,
        ca_cert,
        nation="USA",
        node_id="usa-node",
        hosts=["usa.alliance.test", "10.20.30.40", "::1", "LOCALHOST"],
    )
    assert isinstance(key.curve, ec.SECP256R1)
    assert cert.public_key() == key.public_key()
    cert.verify_directly_issued_by(ca_cert)
    subject = {a.oid: a.value for a in cert.subject}
    assert subject == {
        NameOID.COUNTRY_NAME: "US",
        NameOID.ORGANIZATION_NAME: "Alliance USA",
        NameOID.COMMON_NAME: "usa-node",
    }
    eku = _ext(cert, x509.ExtendedKeyUsage).value
    assert isinstance(eku, x509.ExtendedKeyUsage)
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert ExtendedKeyUsageOID.CLIENT_AUTH in eku
    assert policies(cert) == [NODE_POLICY_OID]
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical
    assert isinstance(ku.value, x509.KeyUsage)
    assert ku.value.digital_signature
    assert ku.value.key_agreement
    assert not ku.value.key_cert_sign
    assert _ext(cert, x509.BasicConstraints).value == x509.BasicConstraints(
        ca=False, path_length=None
    )
    san = _ext(cert, x509.SubjectAlternativeName).value
    assert isinstance(san, x509.SubjectAlternativeName)
    dns = san.get_values_for_type(x509.DNSName)
    ips = san.get_values_for_type(x509.IPAddress)
    assert sorted(dns) == ["localhost", "usa.alliance.test"]  # LOCALHOST deduplicated
    assert set(ips) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("10.20.30.40"),
        ipaddress.ip_address("::1"),
    }
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    ca_ski = _ext(ca_cert, x509.SubjectKeyIdentifier).value
    assert isinstance(aki, x509.AuthorityKeyIdentifier)
    assert isinstance(ca_ski, x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ca_ski.digest
    assert cert.not_valid_after_utc <= ca_cert.not_valid_after_utc


UNREACHABLE_HOSTS = ["0.0.0.0", "::", "bad host", "-x.example", "a..b", ""]  # noqa: S104


@pytest.mark.parametrize("host", UNREACHABLE_HOSTS)
def test_a_host_no_one_can_connect_to_is_refused(host: str) -> None:
    ca_key, ca_cert = create_ca("JPN")
    with pytest.raises(InvalidInput) as caught:
        issue_node_cert(ca_key, ca_cert, nation="JPN", node_id="jpn-node", hosts=[host])
    assert caught.value.field == "hosts"


def test_a_ca_issues_only_for_its_own_nation() -> None:
    ca_key, ca_cert = create_ca("JPN")
    with pytest.raises(InvalidInput) as caught:
        issue_node_cert(ca_key, ca_cert, nation="USA", node_id="usa-node", hosts=[])
    assert caught.value.field == "nation"


# -- files -----------------------------------------------------------------------------


def test_init_writes_owner_only_keys_and_refuses_to_overwrite(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    pki = Pki.init(home, "JPN", "jpn-node", [])
    folder = home / "pki"
    assert _mode(folder) == 0o700
    assert _mode(folder / "ca.key") == 0o600
    assert _mode(folder / "node.key") == 0o600
    assert _mode(folder / "users-ca.key") == 0o600
    assert {p.name for p in folder.iterdir()} == {
        "ca.key",
        "ca.pem",
        "node.key",
        "node.pem",
        "users-ca.key",
        "users-ca.pem",
    }
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(AllianceError) as caught:
        Pki.init(home, "JPN", "jpn-node", ["jpn.alliance.test"])
    assert caught.value.code == "pki_exists"
    assert "renew-node" in caught.value.message.en
    assert "上書きしません" in caught.value.message.ja
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    loaded = Pki.load(home)
    assert fingerprint(loaded.node_cert) == fingerprint(pki.node_cert)
    assert loaded.nation == "JPN"
    assert loaded.node_id == "jpn-node"


def test_renew_node_reissues_only_the_node_key_and_certificate(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    first = Pki.init(home, "JPN", "jpn-node", [])
    ca_key_before = (home / "pki" / "ca.key").read_bytes()
    users_ca_key_before = (home / "pki" / "users-ca.key").read_bytes()
    second = Pki.init(home, "JPN", "jpn-node", ["jpn.alliance.test"], renew_node=True)
    assert (home / "pki" / "ca.key").read_bytes() == ca_key_before
    assert (home / "pki" / "users-ca.key").read_bytes() == users_ca_key_before
    assert second.ca_fingerprint == first.ca_fingerprint
    assert fingerprint(second.node_cert) != fingerprint(first.node_cert)
    assert second.node_key.public_key() != first.node_key.public_key()
    assert _mode(home / "pki" / "node.key") == 0o600
    assert not list((home / "pki").glob("*.new"))
    san = _ext(Pki.load(home).node_cert, x509.SubjectAlternativeName).value
    assert isinstance(san, x509.SubjectAlternativeName)
    assert "jpn.alliance.test" in san.get_values_for_type(x509.DNSName)


def test_init_issues_from_an_existing_ca_and_refuses_half_a_ca(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    first = Pki.init(home, "JPN", "jpn-node", [])
    for name in ("node.key", "node.pem"):
        (home / "pki" / name).unlink()
    again = Pki.init(home, "JPN", "jpn-node", [])
    assert again.ca_fingerprint == first.ca_fingerprint
    (home / "pki" / "ca.key").unlink()
    with pytest.raises(AllianceError) as caught:
        Pki.init(home, "JPN", "jpn-node", [], renew_node=True)
    assert caught.value.code == "pki_missing"
    assert "ca.key" in caught.value.message.en


def test_a_bad_host_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        Pki.init(tmp_path / "jpn", "JPN", "jpn-node", ["not a host"])
    assert not (tmp_path / "jpn" / "pki").exists()


def test_load_without_pki_says_run_pki_init(tmp_path: Path) -> None:
    with pytest.raises(AllianceError) as caught:
        Pki.load(tmp_path)
    assert caught.value.code == "pki_missing"
    assert "alliance pki init" in caught.value.message.en
    assert "alliance pki init" in caught.value.message.ja


@pytest.mark.parametrize("name", ["ca.key", "node.key", "users-ca.key"])
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_load_refuses_a_key_others_can_read(tmp_path: Path, name: str, mode: int) -> None:
    home = tmp_path / "jpn"
    Pki.init(home, "JPN", "jpn-node", [])
    (home / "pki" / name).chmod(mode)
    with pytest.raises(AllianceError) as caught:
        Pki.load(home)
    assert caught.value.code == "key_permissions"
    assert name in caught.value.message.en
    assert "chmod 600" in caught.value.message.ja


def test_load_refuses_a_node_certificate_from_another_ca(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    Pki.init(home, "JPN", "jpn-node", [])
    other = _make(tmp_path / "other", "JPN")
    shutil.copy(other.ca_cert_path, home / "pki" / "ca.pem")
    with pytest.raises(AllianceError) as caught:
        Pki.load(home)
    assert caught.value.code == "pki_mismatch"


# -- mutual TLS on 127.0.0.1 -------------------------------------------------------------


@dataclass
class Side:
    error: BaseException | None = None
    peer_der: bytes | None = None
    peer: str | None = None
    version: str | None = None
    reply: bytes | None = None


def handshake(
    server_ctx: ssl.SSLContext,
    client_ctx: ssl.SSLContext,
    *,
    partners: dict[str, str] | None = None,
    server_hostname: str = "127.0.0.1",
) -> tuple[Side, Side]:
    """One real TLS connection over loopback; returns what each side saw."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    port = listener.getsockname()[1]
    server = Side()

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            conn.settimeout(10)
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                server.version = tls.version()
                server.peer_der = tls.getpeercert(binary_form=True)
                if server.peer_der is not None:
                    server.peer = identify_peer(server.peer_der, partners or {})
                tls.sendall(b"pong:" + tls.recv(16))
        except Exception as exc:
            server.error = exc

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    client = Side()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_ctx.wrap_socket(raw, server_hostname=server_hostname) as tls,
        ):
            client.version = tls.version()
            client.peer_der = tls.getpeercert(binary_form=True)
            tls.sendall(b"ping")
            client.reply = tls.recv(16)
            if not client.reply:
                raise ConnectionError("closed by the server")
    except OSError as exc:  # ssl.SSLError is an OSError
        client.error = exc
    thread.join(15)
    listener.close()
    assert not thread.is_alive()
    return server, client


def _leaf_pki(
    root: Path,
    ca: Pki,
    *,
    nation: str,
    ekus: list[x509.ObjectIdentifier] | None,
    organization: str | None = None,
    policies: tuple[x509.ObjectIdentifier, ...] = (NODE_POLICY_OID,),
    unit: str | None = None,
    users_ca: bool = False,
) -> Pki:
    """A node PKI under ``ca``'s federation CA (or its user CA) whose certificate
    is built here, to break one rule; otherwise a valid node certificate."""
    issuer_cert = ca.users_ca if users_ca else ca.ca_cert
    issuer_key_path = ca.users_ca_key_path if users_ca else ca.ca_key_path
    ca_key = serialization.load_pem_private_key(issuer_key_path.read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    names = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization or f"Alliance {nation}"),
    ]
    if unit is not None:
        names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([*names, x509.NameAttribute(NameOID.COMMON_NAME, "odd-node")]))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if ekus is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    if policies:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(p, None) for p in policies]),
            critical=False,
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    folder = root / "pki"
    folder.mkdir(parents=True, mode=0o700)
    shutil.copy(ca.users_ca_cert_path if users_ca else ca.ca_cert_path, folder / "ca.pem")
    fd = os.open(folder / "node.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    (folder / "node.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Pki.load(root)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_mutual_tls_between_jpn_and_usa_identifies_the_partner(
    jpn: Pki, usa: Pki, version: ssl.TLSVersion
) -> None:
    server_ctx = server_context(jpn, [usa.ca_pem])
    client_ctx = client_context(usa, jpn.ca_pem)
    client_ctx.maximum_version = version
    server, client = handshake(
        server_ctx, client_ctx, partners={"USA": usa.ca_pem, "GBR": jpn.ca_pem}
    )
    assert server.error is None, server.error
    assert client.error is None, client.error
    assert client.reply == b"pong:ping"
    assert server.version == client.version == version.name.replace("_", ".")
    assert server.peer == "USA"
    assert server.peer_der is not None
    assert fingerprint(x509.load_der_x509_certificate(server.peer_der)) == fingerprint(
        usa.node_cert
    )
    assert client.peer_der is not None
    assert fingerprint(x509.load_der_x509_certificate(client.peer_der)) == fingerprint(
        jpn.node_cert
    )


def test_the_server_host_name_from_the_san_is_accepted(jpn: Pki, usa: Pki) -> None:
    for name in ("localhost", "jpn.alliance.test"):
        # jpn.alliance.test is not resolved: the TCP connection goes to 127.0.0.1 and
        # only the name checked against the certificate changes.
        server, client = handshake(
            server_context(jpn, [usa.ca_pem]),
            client_context(usa, jpn.ca_pem),
            partners={"USA": usa.ca_pem},
            server_hostname=name,
        )
        assert client.error is None, (name, client.error)
        assert server.peer == "USA"


def test_a_client_from_a_ca_the_server_does_not_trust_is_refused(
    tmp_path: Path, jpn: Pki, usa: Pki
) -> None:
    rogue = _make(tmp_path / "rogue", "USA")  # same names as USA, different CA
    server, client = handshake(
        server_context(jpn, [usa.ca_pem]),
        client_context(rogue, jpn.ca_pem),
        partners={"USA": usa.ca_pem},
    )
    assert isinstance(server.error, ssl.SSLError), server.error
    assert server.peer is None
    assert client.reply is None
    assert isinstance(client.error, OSError)
    assert (
        identify_peer(rogue.node_cert.public_bytes(serialization.Encoding.DER), {"USA": usa.ca_pem})
        is None
    )


def test_a_client_without_a_certificate_is_refused(jpn: Pki, usa: Pki) -> None:
    bare = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    bare.load_verify_locations(cadata=jpn.ca_pem)
    server, client = handshake(server_context(jpn, [usa.ca_pem]), bare)
    assert isinstance(server.error, ssl.SSLError), server.error
    assert client.reply is None


def test_a_server_whose_certificate_does_not_name_the_host_is_refused(jpn: Pki, usa: Pki) -> None:
    server, client = handshake(
        server_context(jpn, [usa.ca_pem]),
        client_context(usa, jpn.ca_pem),
        server_hostname="usa.alliance.test",
    )
    assert isinstance(client.error, ssl.SSLCertVerificationError), client.error
    assert "usa.alliance.test" in str(client.error)
    assert isinstance(server.error, ssl.SSLError)


def test_a_server_from_a_ca_the_client_does_not_trust_is_refused(
    tmp_path: Path, jpn: Pki, usa: Pki
) -> None:
    rogue = _make(tmp_path / "rogue", "JPN")
    _, client = handshake(server_context(rogue, [usa.ca_pem]), client_context(usa, jpn.ca_pem))
    assert isinstance(client.error, ssl.SSLCertVerificationError), client.error


def test_a_client_certificate_without_client_auth_is_refused(
    tmp_path: Path, jpn: Pki, usa: Pki
) -> None:
    server_only = _leaf_pki(
        tmp_path / "server-only", usa, nation="USA", ekus=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    server, client = handshake(
        server_context(jpn, [usa.ca_pem]),
        client_context(server_only, jpn.ca_pem),
        partners={"USA": usa.ca_pem},
    )
    assert isinstance(server.error, ssl.SSLError), server.error
    assert "certificate purpose" in str(server.error)
    assert client.reply is None
    der = server_only.node_cert.public_bytes(serialization.Encoding.DER)
    assert identify_peer(der, {"USA": usa.ca_pem}) is None


def test_a_certificate_with_no_eku_passes_openssl_but_not_identify_peer(
    tmp_path: Path, jpn: Pki, usa: Pki
) -> None:
    # OpenSSL treats a certificate without any EKU extension as good for every
    # purpose; identify_peer is the check that insists on clientAuth.
    no_eku = _leaf_pki(tmp_path / "no-eku", usa, nation="USA", ekus=None)
    server, _ = handshake(
        server_context(jpn, [usa.ca_pem]),
        client_context(no_eku, jpn.ca_pem),
        partners={"USA": usa.ca_pem},
    )
    assert server.error is None, server.error
    assert server.peer_der is not None
    assert server.peer is None


@pytest.mark.parametrize("when", ["expired", "not yet valid"])
def test_identify_peer_remembers_a_certificate_but_not_its_validity(
    jpn: Pki, usa: Pki, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    # A partner presents the same certificate on every pull, so its checks are
    # remembered; its validity window is not a verdict to remember.
    der = usa.node_cert.public_bytes(serialization.Encoding.DER)
    assert identify_peer(der, {"USA": usa.ca_pem}) == "USA"
    cert = usa.node_cert
    instant = (
        cert.not_valid_after_utc + dt.timedelta(seconds=1)
        if when == "expired"
        else cert.not_valid_before_utc - dt.timedelta(seconds=1)
    )

    class _Then(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> _Then:
            return cls.fromtimestamp(instant.timestamp(), tz)

    monkeypatch.setattr(dt, "datetime", _Then)
    assert identify_peer(der, {"USA": usa.ca_pem}) is None
    monkeypatch.undo()
    assert identify_peer(der, {"USA": usa.ca_pem}) == "USA"


def test_identify_peer_checks_issuer_nation_and_names(tmp_path: Path, jpn: Pki, usa: Pki) -> None:
    der = usa.node_cert.public_bytes(serialization.Encoding.DER)
    assert identify_peer(der, {"JPN": jpn.ca_pem, "USA": usa.ca_pem}) == "USA"
    assert identify_peer(der, {"JPN": jpn.ca_pem}) is None
    assert identify_peer(der, {"JPN": usa.ca_pem}) is None  # right CA, wrong nation
    assert identify_peer(der, {"USA": "not a pem"}) is None
    assert identify_peer(b"not a certificate", {"USA": usa.ca_pem}) is None
    # Issued by the USA CA and fit for clientAuth, but claiming to be another nation.
    claims_gbr = _leaf_pki(
        tmp_path / "gbr",
        usa,
        nation="USA",
        ekus=[ExtendedKeyUsageOID.CLIENT_AUTH],
        organization="Alliance GBR",
    )
    claims_der = claims_gbr.node_cert.public_bytes(serialization.Encoding.DER)
    assert identify_peer(claims_der, {"USA": usa.ca_pem, "GBR": usa.ca_pem}) is None


def _legacy_context(pki: Pki, *, server: bool, cadata: str) -> ssl.SSLContext:
    """A context that speaks only TLS 1.1 (OpenSSL 3 allows it at security level 0)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_verify_locations(cadata=cadata)
    ctx.load_cert_chain(pki.node_cert_path, pki.node_key_path)
    if server:
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def test_tls_1_1_is_refused_both_ways(jpn: Pki, usa: Pki) -> None:
    old_client = _legacy_context(usa, server=False, cadata=jpn.ca_pem)
    old_server = _legacy_context(jpn, server=True, cadata=usa.ca_pem)
    # Control: the two legacy ends really can talk TLS 1.1 to each other here …
    server, client = handshake(old_server, old_client)
    if client.error is not None and "no protocols available" in str(client.error):
        pytest.skip("this OpenSSL build cannot speak TLS 1.1 at all")
    assert client.error is None, client.error
    assert client.version == "TLSv1.1"
    # … yet our server refuses the TLS 1.1 client and our client the TLS 1.1 server.
    server, client = handshake(server_context(jpn, [usa.ca_pem]), old_client)
    assert isinstance(server.error, ssl.SSLError), server.error
    assert "unsupported protocol" in str(server.error).lower()
    assert isinstance(client.error, OSError)
    _, client = handshake(old_server, client_context(usa, jpn.ca_pem))
    assert isinstance(client.error, ssl.SSLError), client.error


def test_contexts_require_tls_1_2_and_certificates(jpn: Pki, usa: Pki) -> None:
    for ctx in (server_context(jpn, [usa.ca_pem]), client_context(usa, jpn.ca_pem)):
        assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
        assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert client_context(usa, jpn.ca_pem).check_hostname
    # Only the partner CAs are trusted: no system store.
    assert [c["subject"] for c in server_context(jpn, [usa.ca_pem]).get_ca_certs()] == [
        c["subject"] for c in client_context(jpn, usa.ca_pem).get_ca_certs()
    ]
    assert len(server_context(jpn, [usa.ca_pem]).get_ca_certs()) == 1


def test_contexts_refuse_a_partner_ca_that_is_not_a_ca(jpn: Pki, usa: Pki) -> None:
    node_pem = usa.node_cert.public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(InvalidInput) as caught:
        server_context(jpn, [node_pem])
    assert caught.value.field == "partner_ca_pems"
    with pytest.raises(InvalidInput) as caught:
        client_context(jpn, node_pem)
    assert caught.value.field == "partner_ca_pem"


# -- node certificates and user certificates -------------------------------------------


def _user_client_context(pki: Pki, tmp: Path, server_ca_pem: str) -> ssl.SSLContext:
    """A TLS client presenting a TAK user certificate of ``pki``'s user CA."""
    key, cert = pki.issue_client("u-phone", "Maj. Riley Chen")
    key_path, cert_path = tmp / "phone.key", tmp / "phone.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cadata=server_ca_pem)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


def test_the_user_ca_is_a_second_national_ca_apart_from_the_federation_ca(jpn: Pki) -> None:
    users = jpn.users_ca
    assert {a.oid: a.value for a in users.subject} == {
        NameOID.COUNTRY_NAME: "JP",
        NameOID.ORGANIZATION_NAME: "Alliance JPN",
        NameOID.ORGANIZATIONAL_UNIT_NAME: "User CA",
        NameOID.COMMON_NAME: "JPN Alliance user CA",
    }
    users.verify_directly_issued_by(users)
    assert _ext(users, x509.BasicConstraints).value == x509.BasicConstraints(ca=True, path_length=0)
    assert users.public_key() != jpn.ca_cert.public_key()
    assert fingerprint(users) != jpn.ca_fingerprint
    with pytest.raises(ValueError, match="subject does not match"):
        users.verify_directly_issued_by(jpn.ca_cert)


def test_a_user_certificate_comes_from_the_user_ca_with_the_user_policy(jpn: Pki) -> None:
    _key, cert = jpn.issue_client("u-1", "Tanaka Yui")
    cert.verify_directly_issued_by(jpn.users_ca)
    eku = _ext(cert, x509.ExtendedKeyUsage).value
    assert isinstance(eku, x509.ExtendedKeyUsage)
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert policies(cert) == [USER_POLICY_OID]
    assert NODE_POLICY_OID != USER_POLICY_OID
    assert client_user_id(_der(cert), jpn.users_ca) == "u-1"
    # Not a user of the federation CA, and a node certificate is nobody's phone.
    assert client_user_id(_der(cert), jpn.ca_cert) is None
    assert client_user_id(_der(jpn.node_cert), jpn.users_ca) is None
    assert client_user_id(_der(jpn.node_cert), jpn.ca_cert) is None


def test_each_ca_issues_only_its_own_kind(jpn: Pki) -> None:
    def key(path: Path) -> ec.EllipticCurvePrivateKey:
        loaded = serialization.load_pem_private_key(path.read_bytes(), None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        return loaded

    with pytest.raises(InvalidInput) as caught:
        issue_node_cert(
            key(jpn.users_ca_key_path), jpn.users_ca, nation="JPN", node_id="x", hosts=[]
        )
    assert caught.value.code == "pki_wrong_ca"
    assert "federation CA" in caught.value.message.en
    with pytest.raises(InvalidInput) as caught:
        issue_client_cert(key(jpn.ca_key_path), jpn.ca_cert, user_id="u-1", name="x")
    assert caught.value.code == "pki_wrong_ca"
    assert "利用者CA" in caught.value.message.ja


@pytest.mark.parametrize(
    "policies", [(), (NODE_POLICY_OID,), (USER_POLICY_OID, NODE_POLICY_OID)], ids=str
)
def test_the_tak_side_insists_on_the_user_policy_alone(
    tmp_path: Path, jpn: Pki, policies: tuple[x509.ObjectIdentifier, ...]
) -> None:
    odd = _leaf_pki(
        tmp_path / "odd",
        jpn,
        nation="JPN",
        ekus=[ExtendedKeyUsageOID.CLIENT_AUTH],
        policies=policies,
        users_ca=True,
    )
    assert client_user_id(_der(odd.node_cert), jpn.users_ca) is None


def test_a_user_certificate_fails_the_federation_handshake(
    tmp_path: Path, jpn: Pki, usa: Pki
) -> None:
    """A USA staff officer's phone certificate against the JPN federation port:
    the USA user CA is trusted by no partner, so TLS itself refuses it."""
    server, client = handshake(
        server_context(jpn, [usa.ca_pem]),
        _user_client_context(usa, tmp_path, jpn.ca_pem),
        partners={"USA": usa.ca_pem},
    )
    assert isinstance(server.error, ssl.SSLCertVerificationError), server.error
    assert server.peer_der is None
    assert server.peer is None
    assert client.reply is None
    assert isinstance(client.error, OSError), client.error


def test_a_partner_certificate_without_the_node_policy_is_refused_naming_the_fix(
    tmp_path: Path, jpn: Pki, usa: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    """A node certificate made before the policy existed passes TLS (same CA),
    but identify_peer refuses it and says what the partner's operator must do."""
    old = _leaf_pki(
        tmp_path / "old",
        usa,
        nation="USA",
        ekus=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        policies=(),
    )
    with caplog.at_level(logging.WARNING, logger="alliance.pki"):
        server, client = handshake(
            server_context(jpn, [usa.ca_pem]),
            client_context(old, jpn.ca_pem),
            partners={"USA": usa.ca_pem},
        )
    assert server.error is None, server.error
    assert client.error is None, client.error
    assert server.peer_der == _der(old.node_cert)
    assert server.peer is None
    (line,) = [r.getMessage() for r in caplog.records]
    assert "USA" in line
    assert "alliance pki init --renew-node" in line
    assert NODE_POLICY_OID.dotted_string in line


def test_a_user_certificate_of_the_federation_ca_is_refused(
    tmp_path: Path, jpn: Pki, usa: Pki, caplog: pytest.LogCaptureFixture
) -> None:
    """What an older version issued to a phone: clientAuth, CN = user id,
    OU=TAK client, signed by the federation CA. TLS lets it through; the
    profile check does not."""
    phone = _leaf_pki(
        tmp_path / "phone",
        usa,
        nation="USA",
        ekus=[ExtendedKeyUsageOID.CLIENT_AUTH],
        policies=(),
        unit="TAK client",
    )
    with caplog.at_level(logging.WARNING, logger="alliance.pki"):
        server, _client = handshake(
            server_context(jpn, [usa.ca_pem]),
            client_context(phone, jpn.ca_pem),
            partners={"USA": usa.ca_pem},
        )
    assert server.error is None, server.error
    assert server.peer_der == _der(phone.node_cert)
    assert server.peer is None
    (line,) = [r.getMessage() for r in caplog.records]
    assert "user (TAK client) certificate of USA" in line


def test_a_user_ca_pinned_as_a_partner_ca_admits_no_one(tmp_path: Path, jpn: Pki, usa: Pki) -> None:
    users_pem = usa.users_ca.public_bytes(serialization.Encoding.PEM).decode()
    server, client = handshake(
        server_context(jpn, [users_pem]),
        _user_client_context(usa, tmp_path, jpn.ca_pem),
        partners={"USA": users_pem},
    )
    assert server.error is None, server.error  # the mistake lets TLS through …
    assert server.peer_der is not None
    assert server.peer is None  # … but no user certificate is a node
    assert client.reply == b"pong:ping"


def test_the_tak_port_trusts_only_the_user_ca(tmp_path: Path, jpn: Pki) -> None:
    ctx = tak_server_context(jpn)
    assert [c["subject"] for c in ctx.get_ca_certs()] == [
        ((("countryName", "JP"),), (("organizationName", "Alliance JPN"),),
         (("organizationalUnitName", "User CA"),), (("commonName", "JPN Alliance user CA"),))
    ]  # fmt: skip
    # The node's own certificate (federation CA) is no TAK client …
    server, client = handshake(ctx, client_context(jpn, jpn.ca_pem))
    assert isinstance(server.error, ssl.SSLCertVerificationError), server.error
    assert client.reply is None
    # … a user certificate is, and the client checks the server against ca.pem.
    server, client = handshake(ctx, _user_client_context(jpn, tmp_path, jpn.ca_pem))
    assert server.error is None, server.error
    assert client.reply == b"pong:ping"


def _legacy_home(home: Path, nation: str) -> None:
    """A PKI as an older version made it: one CA, a node certificate without
    the node policy, no user CA."""
    ca_key, ca_cert = create_ca(nation)
    node_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    node_cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, alpha2(nation)),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Alliance {nation}"),
                    x509.NameAttribute(NameOID.COMMON_NAME, f"{nation.lower()}-node"),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(node_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(node_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = home / "pki"
    folder.mkdir(parents=True, mode=0o700)
    for name, data, mode in (
        ("ca.key", _key_bytes(ca_key), 0o600),
        ("node.key", _key_bytes(node_key), 0o600),
        ("ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM), 0o644),
        ("node.pem", node_cert.public_bytes(serialization.Encoding.PEM), 0o644),
    ):
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def _key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_renew_node_gives_an_old_home_the_node_policy_and_a_user_ca(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    _legacy_home(home, "JPN")
    old = Pki.load(home)
    assert old.users_ca_cert is None
    assert not old.node_cert_current
    assert identify_peer(_der(old.node_cert), {"JPN": old.ca_pem}) is None
    with pytest.raises(AllianceError) as caught:
        old.issue_client("u-1", "x")
    assert caught.value.code == "pki_missing"
    assert "alliance tak client-cert" in caught.value.message.en

    renewed = Pki.init(home, "JPN", "jpn-node", [], renew_node=True)
    assert renewed.ca_fingerprint == old.ca_fingerprint  # partners keep their pin
    assert renewed.node_cert_current
    assert policies(renewed.node_cert) == [NODE_POLICY_OID]
    assert identify_peer(_der(renewed.node_cert), {"JPN": renewed.ca_pem}) == "JPN"
    assert renewed.users_ca_cert is not None
    assert _mode(home / "pki" / "users-ca.key") == 0o600


def test_with_users_ca_creates_the_user_ca_once_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "jpn"
    _legacy_home(home, "JPN")
    with caplog.at_level(logging.WARNING, logger="alliance.pki"):
        first = Pki.load(home).with_users_ca()
    assert any("created the JPN user CA" in r.getMessage() for r in caplog.records)
    assert _mode(home / "pki" / "users-ca.key") == 0o600
    key_before = (home / "pki" / "users-ca.key").read_bytes()
    caplog.clear()
    again = Pki.load(home).with_users_ca()
    assert fingerprint(again.users_ca) == fingerprint(first.users_ca)
    assert (home / "pki" / "users-ca.key").read_bytes() == key_before
    assert not caplog.records
    # The node certificate is still the old one: only --renew-node changes it.
    assert not again.node_cert_current


def test_load_refuses_half_a_user_ca_or_the_federation_ca_in_its_place(tmp_path: Path) -> None:
    home = tmp_path / "jpn"
    Pki.init(home, "JPN", "jpn-node", [])
    folder = home / "pki"
    saved = (folder / "users-ca.pem").read_bytes()
    (folder / "users-ca.pem").unlink()
    with pytest.raises(AllianceError) as caught:
        Pki.load(home)
    assert caught.value.code == "pki_missing"
    assert "users-ca.pem" in caught.value.message.en
    with pytest.raises(AllianceError) as caught:
        Pki.init(home, "JPN", "jpn-node", [], renew_node=True)
    assert caught.value.code == "pki_missing"
    assert not (folder / "users-ca.pem").exists()  # never replaced behind the key's back
    # The federation CA copied over the user CA would let node certificates in.
    shutil.copy(folder / "ca.pem", folder / "users-ca.pem")
    with pytest.raises(AllianceError) as caught:
        Pki.load(home)
    assert caught.value.code == "pki_mismatch"
    (folder / "users-ca.pem").write_bytes(saved)
    # The user CA key may be kept offline: the node loads; issuing needs it back.
    (folder / "users-ca.key").unlink()
    loaded = Pki.load(home)
    assert loaded.users_ca_cert is not None
    with pytest.raises(AllianceError) as caught:
        loaded.issue_client("u-1", "x")
    assert caught.value.code == "pki_missing"
    assert "users-ca.key" in caught.value.message.en


# -- partner bundle ---------------------------------------------------------------------


@pytest.fixture
def ledger_key() -> NodeKey:
    return NodeKey.generate()


def _bundle(pki: Pki, key: NodeKey, url: str = "https://127.0.0.1:8711") -> dict[str, str]:
    return export_bundle(
        pki,
        nation=pki.nation,
        node_id=pki.node_id,
        federation_url=url,
        ledger_public_key_hex=key.public_hex,
    )


def test_bundle_round_trips(jpn: Pki, ledger_key: NodeKey) -> None:
    data = _bundle(jpn, ledger_key)
    assert data["format"] == BUNDLE_FORMAT == "alliance-partner/1"
    assert set(data) == {
        "format",
        "nation",
        "node_id",
        "federation_url",
        "ledger_public_key",
        "ca_pem",
        "ca_fingerprint",
    }
    bundle = read_bundle(json.dumps(data).encode())
    assert bundle.nation == "JPN"
    assert bundle.node_id == "jpn-node"
    assert bundle.federation_url == "https://127.0.0.1:8711"
    assert bundle.ledger_public_key == ledger_key.public_raw
    assert bundle.ca_fingerprint == fingerprint(jpn.ca_cert) == jpn.ca_fingerprint
    assert fingerprint(bundle.ca_cert) == jpn.ca_fingerprint
    assert bundle.as_dict() == data


def _tamper_fingerprint(data: dict[str, str], _other: Pki) -> None:
    fp = data["ca_fingerprint"]
    data["ca_fingerprint"] = ("0" if fp[0] != "0" else "1") + fp[1:]


def _non_ca(data: dict[str, str], other: Pki) -> None:
    pem = other.node_cert.public_bytes(serialization.Encoding.PEM).decode()
    data["ca_pem"] = pem
    data["ca_fingerprint"] = fingerprint(other.node_cert)  # consistent, so only the CA check fails


def _other_nations_ca(data: dict[str, str], other: Pki) -> None:
    data["ca_pem"] = other.ca_pem
    data["ca_fingerprint"] = other.ca_fingerprint


Spoil = Callable[[dict[str, str], Pki], object]

BAD_BUNDLES: dict[str, tuple[str, Spoil]] = {
    "tampered fingerprint": ("ca_fingerprint", _tamper_fingerprint),
    "bad nation": ("nation", lambda d, _o: d.update(nation="XXX")),
    "lower-case nation": ("nation", lambda d, _o: d.update(nation="jpn")),
    "non-CA certificate": ("ca_pem", _non_ca),
    "CA of another nation": ("ca_pem", _other_nations_ca),
    "garbage CA": ("ca_pem", lambda d, _o: d.update(ca_pem="-----BEGIN CERTIFICATE-----\nxx")),
    "plain http": (
        "federation_url",
        lambda d, _o: d.update(federation_url="http://127.0.0.1:8711"),
    ),
    "ftp": ("federation_url", lambda d, _o: d.update(federation_url="ftp://127.0.0.1")),
    # Longer than the column that keeps it (PostgreSQL refused it when the partner was added).
    "long url": (
        "federation_url",
        lambda d, _o: d.update(federation_url="https://" + "a" * 300 + ".example:8711"),
    ),
    "node id longer than a common name": ("node_id", lambda d, _o: d.update(node_id="n" * 65)),
    "short key": ("ledger_public_key", lambda d, _o: d.update(ledger_public_key="ab" * 31)),
    "key not hex": ("ledger_public_key", lambda d, _o: d.update(ledger_public_key="zz" * 32)),
    "other format": ("format", lambda d, _o: d.update(format="alliance-partner/2")),
    "bad node id": ("node_id", lambda d, _o: d.update(node_id="jpn node")),
    "missing field": ("ca_fingerprint", lambda d, _o: d.pop("ca_fingerprint")),
    "unknown field": ("extra", lambda d, _o: d.update(extra="x")),
}


@pytest.mark.parametrize("case", list(BAD_BUNDLES))
def test_read_bundle_rejects_naming_the_field(
    case: str, jpn: Pki, usa: Pki, ledger_key: NodeKey
) -> None:
    field, spoil = BAD_BUNDLES[case]
    data = _bundle(jpn, ledger_key)
    spoil(data, usa)
    with pytest.raises(InvalidInput) as caught:
        read_bundle(json.dumps(data).encode())
    err = caught.value
    assert err.field == field
    if err.code == "invalid_bundle":
        assert f"'{field}'" in err.message.en
        assert f"「{field}」" in err.message.ja


def test_read_bundle_refuses_a_user_ca(jpn: Pki, ledger_key: NodeKey) -> None:
    data = _bundle(jpn, ledger_key)
    data["ca_pem"] = jpn.users_ca.public_bytes(serialization.Encoding.PEM).decode()
    data["ca_fingerprint"] = fingerprint(jpn.users_ca)  # consistent: only the kind is wrong
    with pytest.raises(InvalidInput) as caught:
        read_bundle(json.dumps(data).encode())
    assert caught.value.field == "ca_pem"
    assert "user CA" in caught.value.message.en
    assert "利用者CA" in caught.value.message.ja


def test_read_bundle_rejects_what_is_not_a_json_object() -> None:
    for raw in (b"not json", b"[1, 2]", b"x" * 70_000):
        with pytest.raises(InvalidInput) as caught:
            read_bundle(raw)
        assert caught.value.field == "bundle"


def test_plain_http_needs_the_explicit_flag(jpn: Pki, ledger_key: NodeKey) -> None:
    with pytest.raises(InvalidInput) as caught:
        _bundle(jpn, ledger_key, url="http://127.0.0.1:8711")
    assert caught.value.field == "federation_url"
    data = export_bundle(
        jpn,
        nation="JPN",
        node_id="jpn-node",
        federation_url="http://127.0.0.1:8711",
        ledger_public_key_hex=ledger_key.public_hex,
        allow_plain_http=True,
    )
    raw = json.dumps(data).encode()
    with pytest.raises(InvalidInput):
        read_bundle(raw)
    assert read_bundle(raw, allow_plain_http=True).federation_url == "http://127.0.0.1:8711"


def test_export_refuses_a_nation_or_node_the_certificates_do_not_name(
    jpn: Pki, ledger_key: NodeKey
) -> None:
    for nation, node_id, field in (("USA", "jpn-node", "nation"), ("JPN", "other", "node_id")):
        with pytest.raises(InvalidInput) as caught:
            export_bundle(
                jpn,
                nation=nation,
                node_id=node_id,
                federation_url="https://127.0.0.1:8711",
                ledger_public_key_hex=ledger_key.public_hex,
            )
        assert caught.value.field == field


# -- the installed command ------------------------------------------------------------------


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update({"COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"})
    return subprocess.run(
        [str(ALLIANCE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_cli_init_show_export(tmp_path: Path) -> None:
    assert ALLIANCE.exists(), f"the alliance command is not installed at {ALLIANCE}"
    home = str(tmp_path / "H")
    made = _run(tmp_path, "init", "--home", home, "--nation", "JPN", "--no-seed")
    assert made.returncode == 0, made.stderr
    pki = _run(tmp_path, "pki", "init", "--home", home, "--host", "jpn.alliance.test")
    assert pki.returncode == 0, pki.stderr
    assert "new federation CA created; new user CA created" in " ".join(pki.stdout.split())
    loaded = Pki.load(Path(home))
    assert loaded.ca_fingerprint in pki.stdout
    assert _mode(Path(home) / "pki" / "ca.key") == 0o600
    assert _mode(Path(home) / "pki" / "node.key") == 0o600

    again = _run(tmp_path, "pki", "init", "--home", home)
    assert again.returncode == 2
    assert "refusing to overwrite" in " ".join(again.stderr.split())

    shown = _run(tmp_path, "pki", "show", "--home", home, "--json")
    assert shown.returncode == 0, shown.stderr
    info = json.loads(shown.stdout)
    assert info["ca"]["sha256"] == loaded.ca_fingerprint
    assert info["node"]["eku"] == "serverAuth, clientAuth"
    assert info["node"]["policy"] == f"node ({NODE_POLICY_OID.dotted_string})"
    assert info["ca"]["policy"] == "-"
    assert info["users_ca"]["sha256"] == fingerprint(loaded.users_ca)
    assert "OU=User CA" in info["users_ca"]["subject"]
    assert info["users_ca"]["key"] == str(Path(home) / "pki" / "users-ca.key")
    assert "renew-node" not in shown.stderr
    assert "jpn.alliance.test" in info["node"]["san"]
    assert "127.0.0.1" in info["node"]["san"]

    exported = _run(
        tmp_path,
        "pki",
        "export",
        "--home",
        home,
        "--url",
        "https://127.0.0.1:8711",
        "-o",
        "b.json",
    )
    assert exported.returncode == 0, exported.stderr
    bundle = read_bundle((tmp_path / "b.json").read_bytes())
    assert bundle.nation == "JPN"
    assert bundle.node_id == "jpn-node"
    assert bundle.federation_url == "https://127.0.0.1:8711"
    assert bundle.ledger_public_key_hex == (Path(home) / "node.pub").read_text().strip()
    assert bundle.ca_fingerprint == loaded.ca_fingerprint

    plain = _run(tmp_path, "pki", "export", "--home", home, "--url", "http://127.0.0.1:8711")
    assert plain.returncode == 2
    assert "federation_url" in plain.stderr


def test_cli_upgrades_a_home_made_before_node_and_user_certificates_were_split(
    tmp_path: Path,
) -> None:
    """What an operator sees: ``pki show`` says the node certificate is old and
    names the fix; ``pki init --renew-node`` adds the node policy and the user
    CA and keeps the federation CA partners have pinned."""
    home = tmp_path / "H"
    made = _run(tmp_path, "init", "--home", str(home), "--nation", "JPN", "--no-seed")
    assert made.returncode == 0, made.stderr
    _legacy_home(home, "JPN")
    pinned = (home / "pki" / "ca.pem").read_bytes()

    shown = _run(tmp_path, "pki", "show", "--home", str(home), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["node"]["policy"] == "-"
    assert "users_ca" not in json.loads(shown.stdout)
    assert "alliance pki init --renew-node" in " ".join(shown.stderr.split())

    renewed = _run(tmp_path, "pki", "init", "--home", str(home), "--renew-node")
    assert renewed.returncode == 0, renewed.stderr
    said = " ".join(renewed.stdout.split())
    assert "existing federation CA kept; new user CA created" in said
    assert (home / "pki" / "ca.pem").read_bytes() == pinned

    shown = _run(tmp_path, "pki", "show", "--home", str(home), "--json")
    info = json.loads(shown.stdout)
    assert info["node"]["policy"] == f"node ({NODE_POLICY_OID.dotted_string})"
    assert "OU=User CA" in info["users_ca"]["subject"]
    assert "renew-node" not in shown.stderr


def test_a_node_id_is_at_most_a_certificate_common_name() -> None:
    """RFC 5280 bounds a common name at 64 characters: a longer node id is refused
    with a clear error, not a crash while issuing the certificate."""
    assert check_node_id("n" * 64) == "n" * 64
    with pytest.raises(InvalidInput) as refused:
        check_node_id("n" * 65)
    assert (refused.value.code, refused.value.field) == ("invalid_node_id", "node_id")
    assert "64" in refused.value.message.en
    assert "64" in refused.value.message.ja
