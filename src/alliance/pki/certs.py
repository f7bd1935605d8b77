"""Certificates of the Alliance PKI: two national CAs and the leaves they issue.

Each nation runs two certificate authorities (ECDSA P-256), so that a person's
certificate can never pass for a node:

* the **federation CA** issues node certificates only. A node presents its
  certificate on both ends of a federation link, so it carries both the
  ``serverAuth`` and the ``clientAuth`` extended key usage (TAK federation v2
  is known to fail on certificates without ``clientAuth``), and the node
  certificate policy :data:`NODE_POLICY_OID`;
* the **user CA** issues TAK client certificates (``clientAuth`` only, CN =
  user id, policy :data:`USER_POLICY_OID`).

Here: building them, and reading what a certificate is. The files a node
keeps are :mod:`.home`; the TLS contexts and who a peer is, :mod:`.tls`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from collections.abc import Sequence

import pycountry
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alliance.core import limits
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import check_nation

# Certificate policies (RFC 5280 section 4.2.1.4) that tell a node certificate
# from a user certificate. Each is an OID under the UUID arc 2.25 (ITU-T X.667,
# RFC 4122 section 1): a random UUID as a decimal number gives an OID unique
# without registration.
NODE_POLICY_OID = x509.ObjectIdentifier("2.25.203163207261421413643108778853033631500")
USER_POLICY_OID = x509.ObjectIdentifier("2.25.306754794847811774853482110714009301570")
FEDERATION_CA_OU = "National federation CA"
USERS_CA_OU = "User CA"
TAK_CLIENT_OU = "TAK client"
CA_VALID_DAYS = 3650
NODE_VALID_DAYS = 825
CLIENT_VALID_DAYS = 365
ALWAYS_HOSTS = ("localhost", "127.0.0.1")
_CLOCK_SKEW = dt.timedelta(minutes=5)
# A node or user id, used as a certificate's common name (at most 64 characters).
_NODE_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{limits.NODE_ID - 1}}}")
_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding, lower-case hex (64 digits)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def organization(nation: str) -> str:
    """The O= of every certificate of a nation: ``Alliance <NATION>``."""
    return f"Alliance {nation}"


def alpha2(nation: str) -> str:
    """ISO 3166-1 alpha-2 code of an alpha-3 nation code (the C= of a certificate)."""
    code = check_nation(nation)
    country = pycountry.countries.get(alpha_3=code)
    if country is None:  # pragma: no cover - check_nation accepts only known codes
        raise LookupError(code)
    return str(country.alpha_2)


def create_ca(
    nation: str, *, valid_days: int = CA_VALID_DAYS, users: bool = False
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new national CA: P-256 key and self-signed certificate.

    The federation CA (the default) issues node certificates; with ``users``,
    the user CA that issues TAK client certificates
    (``OU=User CA, CN=<NATION> Alliance user CA``).
    """
    nation = check_nation(nation)
    _check_days(valid_days)
    key = ec.generate_private_key(ec.SECP256R1())
    unit, common = (
        (USERS_CA_OU, f"{nation} Alliance user CA")
        if users
        else (FEDERATION_CA_OU, f"{nation} Alliance CA")
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, alpha2(nation)),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization(nation)),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )
    now = _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_node_cert(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    nation: str,
    node_id: str,
    hosts: Sequence[str],
    valid_days: int = NODE_VALID_DAYS,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A node key and certificate for TLS server *and* client use, issued by the
    federation CA ``ca_cert`` (never by a user CA), with the node policy.

    The subject alternative names are ``localhost``, ``127.0.0.1`` and ``hosts``
    (DNS names or IP addresses). The certificate never outlives its CA.
    """
    nation = check_nation(nation)
    node_id = check_node_id(node_id)
    _check_days(valid_days)
    if name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME) != organization(nation):
        raise InvalidInput(
            Text(
                f"This CA does not belong to {nation}: its subject is {ca_cert.subject.rfc4514_string()}.",
                f"このCAは{nation}のものではありません（主体: {ca_cert.subject.rfc4514_string()}）。",
            ),
            field="nation",
            code="pki_nation_mismatch",
        )
    _check_ca_pair(ca_key, ca_cert)
    _check_ca_kind(ca_cert, users=False)
    sans = san_entries(hosts)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, alpha2(nation)),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization(nation)),
            x509.NameAttribute(NameOID.COMMON_NAME, node_id),
        ]
    )
    return _issue_leaf(
        ca_key,
        ca_cert,
        subject,
        valid_days=valid_days,
        usages=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
        sans=sans,
        policy=NODE_POLICY_OID,
    )


def issue_client_cert(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    user_id: str,
    name: str,
    valid_days: int = CLIENT_VALID_DAYS,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A TAK client key and certificate (clientAuth only, user policy) for one
    user of this node, issued by the user CA ``ca_cert`` (never by the federation CA).

    CN is the user id, which the TAK server maps back to the user (hence a
    nation, an HQ and a role); the O= is the issuing nation's. A disabled user
    is refused whatever certificate it holds.
    """
    _check_days(valid_days)
    _check_ca_pair(ca_key, ca_cert)
    _check_ca_kind(ca_cert, users=True)
    if not isinstance(user_id, str) or not _NODE_ID.fullmatch(user_id):
        raise InvalidInput(
            Text(f"'{user_id}' is not a user id.", f"「{user_id}」は利用者IDではありません。"),
            field="user_id",
            code="invalid_user_id",
        )
    org = name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME) or ""
    country = name_attr(ca_cert.subject, NameOID.COUNTRY_NAME) or ""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TAK_CLIENT_OU),
            x509.NameAttribute(NameOID.COMMON_NAME, user_id),
            x509.NameAttribute(NameOID.PSEUDONYM, name[:128] or user_id),
        ]
    )
    return _issue_leaf(
        ca_key,
        ca_cert,
        subject,
        valid_days=valid_days,
        usages=[ExtendedKeyUsageOID.CLIENT_AUTH],
        sans=None,
        policy=USER_POLICY_OID,
    )


def client_user_id(leaf_der: bytes, ca_cert: x509.Certificate) -> str | None:
    """The user id (CN) of a TAK client certificate issued by the user CA
    ``ca_cert``, valid now, carrying clientAuth and the user policy (and not
    the node policy); None otherwise."""
    try:
        leaf = x509.load_der_x509_certificate(leaf_der)
    except (ValueError, TypeError):
        return None
    if (
        not has_client_auth(leaf)
        or policies(leaf) != {USER_POLICY_OID}
        or not valid_now(leaf)
        or not issued_by(leaf, ca_cert)
    ):
        return None
    return name_attr(leaf.subject, NameOID.COMMON_NAME)


def pkcs12_bundle(
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
    password: str,
) -> bytes:
    """Key, certificate and CA as PKCS#12, the form ATAK, WinTAK and iTAK import."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    name = (name_attr(cert.subject, NameOID.COMMON_NAME) or "alliance").encode()
    return pkcs12.serialize_key_and_certificates(
        name,
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )


def _check_ca_pair(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate) -> None:
    if ca_cert.public_key() != ca_key.public_key():
        raise InvalidInput(
            Text(
                "The CA private key does not match the CA certificate.",
                "CA秘密鍵がCA証明書と一致しません。",
            ),
            field="ca_key",
            code="pki_mismatch",
        )


def _check_ca_kind(ca_cert: x509.Certificate, *, users: bool) -> None:
    """Node certificates come from the federation CA only, user certificates
    from the user CA only."""
    unit = name_attr(ca_cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if (unit == USERS_CA_OU) == users:
        return
    if users:
        text = Text(
            "TAK client certificates are issued by the user CA (users-ca.pem), "
            "never by the federation CA.",
            "TAKクライアント証明書は利用者CA（users-ca.pem）が発行します。連携用CAは発行しません。",
        )
    else:
        text = Text(
            "Node certificates are issued by the federation CA (ca.pem), never by the user CA.",
            "ノード証明書は連携用CA（ca.pem）が発行します。利用者CAは発行しません。",
        )
    raise InvalidInput(text, field="ca_cert", code="pki_wrong_ca")


def _issue_leaf(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    subject: x509.Name,
    *,
    valid_days: int,
    usages: list[x509.ObjectIdentifier],
    sans: list[x509.GeneralName] | None,
    policy: x509.ObjectIdentifier,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new P-256 key and an end-entity certificate for it that never outlives its CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    not_after = min(now + dt.timedelta(days=valid_days), ca_cert.not_valid_after_utc)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False
        )
    )
    if sans is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = (
        builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def check_node_id(node_id: str) -> str:
    """A node id usable as a certificate CN: letters, digits and ``. _ : -``."""
    if not isinstance(node_id, str) or not _NODE_ID.fullmatch(node_id):
        raise InvalidInput(
            Text(
                f"'{node_id}' is not a usable node id (letters, digits and . _ : -, "
                f"at most {limits.NODE_ID}).",
                f"「{node_id}」はノードIDに使えません（英数字と . _ : -、{limits.NODE_ID}文字以内）。",
            ),
            field="node_id",
            code="invalid_node_id",
        )
    return node_id


def san_entries(hosts: Sequence[str]) -> list[x509.GeneralName]:
    """Subject alternative names for ``localhost``, ``127.0.0.1`` and ``hosts``, deduplicated."""
    names: list[x509.GeneralName] = []
    for raw in (*ALWAYS_HOSTS, *hosts):
        host = raw.strip().lower() if isinstance(raw, str) else ""
        entry: x509.GeneralName
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            name = host.removesuffix(".")
            if (
                not name
                or len(name) > 253
                or not all(_DNS_LABEL.fullmatch(p) for p in name.split("."))
            ):
                raise _bad_host(raw) from None
            entry = x509.DNSName(name)
        else:
            if ip.is_unspecified or ip.is_multicast:
                raise _bad_host(raw)
            entry = x509.IPAddress(ip)
        if entry not in names:
            names.append(entry)
    return names


def _bad_host(raw: object) -> InvalidInput:
    return InvalidInput(
        Text(
            f"'{raw}' is not a host name or IP address a node can be reached at.",
            f"「{raw}」はノードに到達できるホスト名またはIPアドレスではありません。",
        ),
        field="hosts",
        code="invalid_host",
    )


def _check_days(days: int) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise InvalidInput(
            Text(
                f"Validity must be a positive number of days, not {days!r}.",
                f"有効期間は正の日数で指定してください（{days!r}）。",
            ),
            field="valid_days",
        )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attrs = name.get_attributes_for_oid(oid)
    if len(attrs) != 1:
        return None
    value = attrs[0].value
    return value if isinstance(value, str) else None


def is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bc.ca and ku.key_cert_sign


def issued_by(leaf: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def valid_now(cert: x509.Certificate) -> bool:
    now = dt.datetime.now(dt.UTC)
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def extended_key_usages(cert: x509.Certificate) -> list[str]:
    """The certificate's EKU names (``serverAuth``, ``clientAuth`` …), empty if none."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku]


def policies(cert: x509.Certificate) -> set[x509.ObjectIdentifier]:
    """The certificate policy OIDs the certificate holds (empty if none)."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return set()
    except ValueError:  # a malformed extension holds no policy we issued
        return set()
    return {p.policy_identifier for p in ext}


def is_node_certificate(cert: x509.Certificate) -> bool:
    """Whether the certificate holds the node policy (and not the user policy)."""
    return policies(cert) == {NODE_POLICY_OID}


def has_client_auth(cert: x509.Certificate) -> bool:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.CLIENT_AUTH in eku


def belongs_to(cert: x509.Certificate, nation: str) -> bool:
    return name_attr(cert.subject, NameOID.ORGANIZATION_NAME) == organization(nation) and name_attr(
        cert.subject, NameOID.COUNTRY_NAME
    ) == alpha2(nation)


def pem_text(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
