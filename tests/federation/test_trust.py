"""Node certificates and user certificates are separate trust: a person's TAK
certificate never passes for a partner node.

* Two real node processes over mutual TLS, both on the selected backend: a
  USA staff officer's TAK client certificate, issued with ``alliance tak
  client-cert`` as an operator does, gets no HTTP answer at all from the JPN
  node's federation port (the handshake fails), serves nothing, moves no
  acknowledgement, and the real USA node keeps federating.
* In process, over real TLS: whatever a partner's *federation* CA signed
  without the node certificate policy (a node certificate or a TAK client
  certificate made by an older version) gets 403 ``unknown_partner``, and so
  does a user certificate when a partner's user CA is pinned by mistake; an
  old node certificate is refused with a log line naming the fix, works
  again after ``--renew-node``.
* A node starting a TAK TLS port in a home without a user CA creates one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import re
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import text, update

from alliance.access import UserIn
from alliance.config import load_settings
from alliance.core.authority import Role
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.org import load_document, packaged_seed, parse_document
from alliance.org.models import UnitIn
from alliance.pki import Pki, write_client_files
from alliance.store import Database
from alliance.store.schema import PartnerRow
from tests.conftest import DatabaseFactory, standing_guidance

from .helpers import actor, federate, free_port, link, wait_drained, wait_until
from .processes import Site, api_port, json_of, ok, parallel, poll

pytestmark = pytest.mark.timeout(240)

STAFF = actor("JPN", "jpn-jjoc", Role.STAFF_OFFICER)


# -- two real node processes ---------------------------------------------------------


def _link_row(site: Site, partner: str) -> dict[str, Any]:
    """The node's link to ``partner``, read from its database while it runs."""
    db = Database(site.database_url, pool_size=1)
    try:
        with db.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT sent_seq, acked_seq, last_pull_at FROM federation_links "
                    "WHERE partner = :p"
                ),
                {"p": partner},
            ).one()
    finally:
        db.dispose()
    return {"sent_seq": row[0], "acked_seq": row[1], "last_pull_at": row[2]}


def _phone(cert: Path, key: Path, server_ca: Path, version: ssl.TLSVersion) -> ssl.SSLContext:
    """A TLS client holding the phone's certificate; it trusts the JPN CA from
    JPN's (public) partner bundle, so only the server's verdict on the client counts."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_verify_locations(server_ca)
    ctx.load_cert_chain(cert, key)
    return ctx


def _root(exc: BaseException) -> BaseException:
    """The exception at the bottom of httpx's chain (httpcore's, then the socket's)."""
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]  # httpcore keeps the socket's exception as its argument
        if inner is None:
            return exc
        exc = inner


def test_a_users_tak_certificate_gets_no_answer_from_a_partners_federation_port(
    tmp_path: Path, new_database: DatabaseFactory
) -> None:
    taken: set[int] = set()
    jpn = Site("JPN", tmp_path / "jpn", api_port(taken))
    usa = Site("USA", tmp_path / "usa", api_port(taken))
    jpn_url, usa_url = new_database(), new_database()
    parallel(lambda: jpn.setup(jpn_url), lambda: usa.setup(usa_url))
    parallel(
        lambda: jpn.join(usa, [("JJOC J3 staff", "jpn-jjoc", "staff_officer")]),
        lambda: usa.join(jpn, [("USFJ commander", "usa-jfhq", "commander")]),
    )
    parallel(jpn.standing_guidance, usa.standing_guidance)
    # A USA staff officer's phone certificate, issued as an operator issues it.
    added = ok(
        "user", "add", "--name", "Maj. Riley Chen", "--hq", "usa-jfhq", "--role", "staff_officer",
        home=usa.home,
    )  # fmt: skip
    found = re.search(r"User (\S+) \(USA/usa-jfhq/staff_officer\)", added)
    assert found is not None, added
    user_id = found.group(1)
    phone = tmp_path / "phone"
    issued = ok("tak", "client-cert", user_id, "--out", phone, "--password", "pw", home=usa.home)
    assert "user CA" in issued
    cert, key = phone / f"{user_id}.pem", phone / f"{user_id}.key"

    log = tmp_path / "serve.log"
    try:
        for site in (jpn, usa):
            site.start(log)
        for site in (jpn, usa):
            site.wait_ready()
        _phone_is_refused_and_the_partner_keeps_working(jpn, usa, cert, key, log)
    except BaseException:
        for site in (jpn, usa):
            site.stop()
        print(log.read_text(errors="replace")[-5000:])
        raise
    for site in (jpn, usa):
        site.stop()
    for site in (jpn, usa):
        assert site.proc is not None
        assert site.proc.returncode == 0, log.read_text()[-3000:]


def _phone_is_refused_and_the_partner_keeps_working(
    jpn: Site, usa: Site, cert: Path, key: Path, log: Path
) -> None:
    staff, ucdr = jpn.as_("JJOC J3 staff"), usa.as_("USFJ commander")
    # The link is up (USA has pulled from JPN); then USA goes down, and a unit
    # JPN releases to USA waits in USA's stream: an acknowledgement would matter.
    poll(lambda: _link_row(jpn, "USA")["last_pull_at"], "USA's first pull from JPN")
    usa.stop()
    unit = json_of(
        jpn.api.post(
            "/org/units",
            json={
                "hq_id": "jpn-gcc",
                "name_en": "JGSDF liaison team (exercise)",
                "name_ja": "陸自連絡班（演習）",
                "sidc": "SFGPUCI----H---",
                "domain": "land",
                "marking": {"releasable_to": ["USA"]},
            },
            headers=staff,
        ),
        201,
    )

    def waiting() -> dict[str, Any] | None:
        row = _link_row(jpn, "USA")
        return row if row["sent_seq"] > row["acked_seq"] else None

    before = poll(waiting, "the unit in USA's stream")
    sent = before["sent_seq"]
    server_ca = jpn.home / "pki" / "ca.pem"

    # TLS 1.2: the server refuses the certificate inside the handshake.
    tls12 = _phone(cert, key, server_ca, ssl.TLSVersion.TLSv1_2)
    for path in (
        f"/federation/v1/stream?after={sent}&ack={sent}",
        "/federation/v1/tracks?since=0",
        "/federation/v1/head",
    ):
        with httpx.Client(verify=tls12, timeout=10) as http, pytest.raises(httpx.ConnectError) as e:
            http.get(jpn.fed_url + path)
        cause = _root(e.value)
        assert isinstance(cause, ssl.SSLError), repr(cause)
        assert "TLSV1_ALERT_UNKNOWN_CA" in str(cause), path
    # TLS 1.3: the client finishes first; the server's refusal arrives on the
    # first read, before any HTTP answer.
    tls13 = _phone(cert, key, server_ca, ssl.TLSVersion.TLSv1_3)
    with httpx.Client(verify=tls13, timeout=10) as http, pytest.raises(httpx.ReadError) as late:
        http.get(f"{jpn.fed_url}/federation/v1/stream?after={sent}&ack={sent}")
    cause = _root(late.value)
    assert isinstance(cause, ssl.SSLError | ConnectionResetError), repr(cause)

    # Nothing was acknowledged on USA's behalf.
    assert _link_row(jpn, "USA") == before

    # The real USA node (its node certificate) comes back and gets the unit.
    usa.start(log)
    usa.wait_ready()

    def arrived() -> dict[str, Any] | None:
        response = usa.api.get(f"/org/units/{unit['id']}", headers=ucdr)
        return response.json() if response.status_code == 200 else None

    def acknowledged() -> bool | None:
        row = _link_row(jpn, "USA")
        return True if row["acked_seq"] == row["sent_seq"] else None

    got = poll(arrived, "the released unit at USA")
    assert (got["owner"], got["origin"]) == ("JPN", "replica")
    poll(acknowledged, "USA's acknowledgement")


# -- in process: certificates of a partner's CA that are not node certificates ----------


def _make(database_url: str, home: Path, nation: str) -> Node:
    settings = load_settings(home, nation=nation, database_url=database_url)
    node = Node.init(settings).start()
    doc, digest = parse_document(packaged_seed())
    load_document(node.ctx, doc, digest)
    standing_guidance(node)
    return node


@pytest.fixture
def pair(tmp_path: Path, new_database: DatabaseFactory) -> Iterator[tuple[Node, Node]]:
    """JPN and USA nodes, each on the selected backend, federated (PKIs and
    bundles exchanged); nothing served yet."""
    jpn = _make(new_database(), tmp_path / "jpn", "JPN")
    usa = _make(new_database(), tmp_path / "usa", "USA")
    federate([jpn, usa])
    yield jpn, usa
    for node in (jpn, usa):
        node.close()


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


# What every leaf certificate carries (VERIFY_X509_STRICT checks the key identifiers).
_LEAF_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=True,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def _old_style(
    home: Path, out: Path, *, common_name: str, unit: str | None, server: bool
) -> tuple[Path, Path]:
    """A certificate as an older version issued it from the federation CA of
    ``home``: a node certificate (``server``) or a TAK client certificate,
    without any certificate policy. Returns (cert, key) files."""
    folder = home / "pki"
    ca_key = serialization.load_pem_private_key((folder / "ca.key").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca = x509.load_pem_x509_certificate((folder / "ca.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    names = [a for a in ca.subject if a.oid in (NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME)]
    if unit is not None:
        names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    names.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    now = dt.datetime.now(dt.UTC)
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(names))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_LEAF_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if server:
        usages.insert(0, ExtendedKeyUsageOID.SERVER_AUTH)
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    cert = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False).sign(
        ca_key, hashes.SHA256()
    )
    out.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = out / f"{common_name}.pem", out / f"{common_name}.key"
    _write(key_path, _key_pem(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert_path, key_path


def _get(node: Node, path: str, cert: Path, key: Path) -> httpx.Response:
    """One GET on the node's federation port, presenting ``cert``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(node.settings.home / "pki" / "ca.pem")
    ctx.load_cert_chain(cert, key)
    with httpx.Client(verify=ctx, timeout=10) as http:
        return http.get(f"https://127.0.0.1:{node.settings.federation_port}{path}")


def _unit(node: Node, name: str) -> str:
    return node.org.create_unit(
        STAFF,
        UnitIn(
            hq_id="jpn-gcc",
            name_en=name,
            name_ja=f"{name}（試験）",
            sidc="SFGPUCI----H---",
            domain="land",
            marking=MarkingIn(releasable_to=["USA"]),
        ),
    ).id


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "unknown_partner"
    assert "items" not in body
    assert "head" not in body


def test_a_federation_ca_certificate_without_the_node_policy_gets_403_unknown_partner(
    pair: tuple[Node, Node], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    jpn, usa = pair
    usa_home = usa.settings.home
    jpn.serve_federation(wait=0.5)  # USA does not serve: only JPN's port is probed
    _unit(jpn, "Unit waiting for USA")
    sent = link(jpn, "USA").sent_seq
    assert sent > 0
    real = (usa_home / "pki" / "node.pem", usa_home / "pki" / "node.key")
    # Control: USA's own node certificate is USA.
    assert _get(jpn, "/federation/v1/head", *real).status_code == 200

    old_node = _old_style(
        usa_home, tmp_path / "old", common_name="usa-node", unit=None, server=True
    )
    old_phone = _old_style(
        usa_home, tmp_path / "old", common_name="01usastaff", unit="TAK client", server=False
    )
    with caplog.at_level(logging.WARNING, logger="alliance.federation"):
        for cert in (old_node, old_phone):
            for path in (
                f"/federation/v1/stream?after={sent}&ack={sent}",
                "/federation/v1/tracks?since=0",
                "/federation/v1/head",
            ):
                _refused(_get(jpn, path, *cert))
    assert link(jpn, "USA").acked_seq == 0, "an acknowledgement was taken from a non-node"
    lines = [r.getMessage() for r in caplog.records]
    assert any("usa-node" in m and "alliance pki init --renew-node" in m for m in lines), lines
    assert any("01usastaff" in m and "user (TAK client) certificate" in m for m in lines), lines


def test_a_user_ca_pinned_as_a_partner_ca_still_admits_no_user(
    pair: tuple[Node, Node], tmp_path: Path
) -> None:
    """An operator pins USA's user CA instead of its federation CA (by hand, in
    the database: the bundle refuses it). TLS now lets a USA phone in; the
    node policy check still does not."""
    jpn, usa = pair
    users_ca = Pki.load(usa.settings.home).users_ca.public_bytes(serialization.Encoding.PEM)
    with jpn.db.engine.begin() as conn:
        conn.execute(
            update(PartnerRow).where(PartnerRow.nation == "USA").values(ca_pem=users_ca.decode())
        )
    jpn.serve_federation(wait=0.5)
    user, _token = usa.users.add(
        UserIn(name="Maj. Riley Chen", nation="USA", hq_id="usa-jfhq", role=Role.STAFF_OFFICER)
    )
    phone = tmp_path / "phone"
    write_client_files(Pki.load(usa.settings.home), user.id, user.name, phone, "pw")
    cert, key = phone / f"{user.id}.pem", phone / f"{user.id}.key"
    _refused(_get(jpn, "/federation/v1/head", cert, key))
    _refused(_get(jpn, "/federation/v1/stream?after=0", cert, key))


def test_an_old_node_certificate_is_refused_until_its_operator_renews_it(
    pair: tuple[Node, Node], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The upgrade path: JPN runs this version, USA still has its old node
    certificate. JPN refuses it and says what USA must do; USA says it too;
    after ``alliance pki init --renew-node`` the link drains."""
    jpn, usa = pair
    usa_pki = usa.settings.home / "pki"
    cert, key = _old_style(
        usa.settings.home, tmp_path / "old", common_name="usa-node", unit=None, server=True
    )
    _write(usa_pki / "node.pem", cert.read_bytes(), 0o644)
    _write(usa_pki / "node.key", key.read_bytes(), 0o600)
    _unit(jpn, "Released before the renewal")
    with caplog.at_level(logging.WARNING, logger="alliance.federation"):
        jpn.serve_federation(wait=0.5)
        usa.serve_federation(wait=0.5)
        wait_until(
            lambda: any("USA's operator" in r.getMessage() for r in caplog.records),
            what="JPN's log line naming USA's fix",
        )
    lines = [r.getMessage() for r in caplog.records]
    assert any("this node's certificate" in m and "renew-node" in m for m in lines), lines
    assert link(usa, "JPN").received_seq == 0  # nothing crossed on the old certificate

    usa.federation.stop()
    Pki.init(usa.settings.home, "USA", usa.node_id, ["127.0.0.1", "localhost"], renew_node=True)
    usa.serve_federation(wait=0.5)
    wait_drained(jpn, [usa])
    assert link(usa, "JPN").received_seq == link(jpn, "USA").sent_seq > 0


def test_a_tak_tls_port_in_a_home_without_a_user_ca_creates_one(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    node = _make(database_url, tmp_path / "jpn", "JPN")
    try:
        Pki.init(node.settings.home, "JPN", node.node_id, [])
        folder = node.settings.home / "pki"
        for name in ("users-ca.key", "users-ca.pem"):
            (folder / name).unlink()
        node.settings.tak_tls_port = free_port()
        with caplog.at_level(logging.WARNING, logger="alliance.pki"):
            server = node.serve_tak()
        assert server is not None
        assert any("created the JPN user CA" in r.getMessage() for r in caplog.records)
        assert (folder / "users-ca.key").stat().st_mode & 0o777 == 0o600
        users_ca = Pki.load(node.settings.home).users_ca
        assert users_ca.public_key() != Pki.load(node.settings.home).ca_cert.public_key()
    finally:
        node.close()


def test_clients_that_reset_before_the_handshake_leave_no_socket_behind(
    pair: tuple[Node, Node],
) -> None:
    """A port scanner, or a partner dying mid-connect, resets the connection
    before the TLS handshake: the node closes each one (no descriptor left to
    the garbage collector, which this suite turns into an error) and serves on."""
    import gc
    import socket
    import struct

    jpn, usa = pair
    jpn.serve_federation(wait=0.5)
    port = jpn.settings.federation_port
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()  # RST, at once
    gc.collect()
    real = (usa.settings.home / "pki" / "node.pem", usa.settings.home / "pki" / "node.key")
    assert _get(jpn, "/federation/v1/head", *real).status_code == 200
    gc.collect()
