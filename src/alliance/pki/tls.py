"""TLS for federation and the TAK port, and who a federation peer is.

Federation runs over mutual TLS 1.2 or later: each side trusts only the
federation CA certificates its partners handed over, never the system store,
and :func:`identify_peer` accepts only a certificate that holds the node
policy. The TAK port trusts only the node's own user CA, and
:func:`~alliance.pki.certs.client_user_id` insists on the user policy.
TAK clients check the server's certificate (the node certificate) against the
federation CA.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import ssl
from collections.abc import Sequence
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import check_nation

from .certs import (
    NODE_POLICY_OID,
    TAK_CLIENT_OU,
    USER_POLICY_OID,
    belongs_to,
    has_client_auth,
    is_ca,
    is_node_certificate,
    issued_by,
    name_attr,
    pem_text,
    policies,
)
from .home import Pki

log = logging.getLogger(__name__)


def _partner_ca(pem: str, field: str) -> x509.Certificate:
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, AttributeError):
        certs = []
    if len(certs) != 1 or not is_ca(certs[0]):
        raise InvalidInput(
            Text(
                "A partner CA must be exactly one PEM CA certificate.",
                "パートナーCAはPEM形式のCA証明書1枚でなければなりません。",
            ),
            field=field,
            code="invalid_partner_ca",
        )
    return certs[0]


def _base_context(pki: Pki, *, server: bool, cadata: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    if cadata:
        ctx.load_verify_locations(cadata=cadata)
    ctx.load_cert_chain(pki.node_cert_path, pki.node_key_path)
    return ctx


def server_context(pki: Pki, partner_ca_pems: Sequence[str]) -> ssl.SSLContext:
    """TLS >= 1.2 server side: present the node certificate, require a client
    certificate issued by one of ``partner_ca_pems`` (the partners' federation
    CAs, and nothing else: a user certificate fails the handshake).

    OpenSSL rejects a client certificate whose EKU lacks clientAuth; call
    :func:`identify_peer` on every connection to learn (and check) the nation.
    """
    cadata = "".join(pem_text(_partner_ca(p, "partner_ca_pems")) for p in partner_ca_pems)
    return _base_context(pki, server=True, cadata=cadata)


def tak_server_context(pki: Pki) -> ssl.SSLContext:
    """The TAK port's TLS: present the node certificate (TAK clients check it
    against the federation CA, ``ca.pem``); require a client certificate issued
    by this node's own user CA, and nothing else (see :func:`issue_client_cert`)."""
    return _base_context(pki, server=True, cadata=pem_text(pki.users_ca))


def client_context(pki: Pki, partner_ca_pem: str) -> ssl.SSLContext:
    """TLS >= 1.2 client side: check the server's host name and that its certificate
    was issued by ``partner_ca_pem`` only; present the node certificate."""
    ctx = _base_context(
        pki, server=False, cadata=pem_text(_partner_ca(partner_ca_pem, "partner_ca_pem"))
    )
    ctx.check_hostname = True
    return ctx


@lru_cache(maxsize=64)
def _cached_ca(pem: str) -> x509.Certificate | None:
    try:
        return _partner_ca(pem, "partners")
    except InvalidInput:
        return None


def identify_peer(leaf_der: bytes, partners: dict[str, str]) -> str | None:
    """The partner nation whose CA (PEM, by nation) directly issued this node certificate.

    The certificate must also be valid now, carry the clientAuth EKU and the
    node policy (:data:`NODE_POLICY_OID`: a user certificate, or a node
    certificate made before the policy existed, is refused with a log line
    naming the fix) and name that nation in its O= and C=. None when no
    partner fits.

    A partner presents the same certificate on every pull, so what does not
    change with time (parsing, the issuer's signature, names, usage) is
    remembered per certificate and partner list; the validity window is
    checked on every call.
    """
    found = _identify(leaf_der, tuple(sorted(partners.items())))
    if found is None:
        return None
    nation, not_before, not_after = found
    return nation if not_before <= dt.datetime.now(dt.UTC) <= not_after else None


@lru_cache(maxsize=256)
def _identify(
    leaf_der: bytes, partners: tuple[tuple[str, str], ...]
) -> tuple[str, dt.datetime, dt.datetime] | None:
    try:
        leaf = x509.load_der_x509_certificate(leaf_der)
    except (ValueError, TypeError):
        return None
    if not has_client_auth(leaf):
        return None
    for nation, pem in partners:
        ca = _cached_ca(pem)
        if ca is None or not issued_by(leaf, ca):
            continue
        with contextlib.suppress(InvalidInput):
            if not (belongs_to(leaf, nation) and belongs_to(ca, nation)):
                continue
            if not is_node_certificate(leaf):
                _log_not_a_node(leaf, check_nation(nation))
                return None
            return check_nation(nation), leaf.not_valid_before_utc, leaf.not_valid_after_utc
    return None


def _log_not_a_node(leaf: x509.Certificate, nation: str) -> None:
    """Why a certificate of a partner's CA is refused, and the fix (once per
    certificate: :func:`_identify` remembers its verdict)."""
    subject = leaf.subject.rfc4514_string()
    if (
        USER_POLICY_OID in policies(leaf)
        or name_attr(leaf.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == TAK_CLIENT_OU
    ):
        log.warning(
            "federation: refused %s, a user (TAK client) certificate of %s: only node "
            "certificates are accepted on the federation port / 利用者証明書は連携ポートでは"
            "受け付けません",
            subject,
            nation,
        )
        return
    log.warning(
        "federation: refused the %s node certificate %s: it lacks the node certificate "
        "policy %s (issued by an older version). %s's operator must run "
        "'alliance pki init --renew-node' and restart that node / %sのノード証明書にノード用ポリシー"
        "がありません。%sの運用者は「alliance pki init --renew-node」を実行し再起動してください",
        nation,
        subject,
        NODE_POLICY_OID.dotted_string,
        nation,
        nation,
        nation,
    )
