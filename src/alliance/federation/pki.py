"""The node's PKI: two national CAs, node certificates, TAK client certificates, TLS contexts.

Each nation runs two certificate authorities (ECDSA P-256), so that a person's
certificate can never pass for a node:

* the **federation CA** (``ca.pem``/``ca.key``) issues node certificates only.
  A node presents its certificate on both ends of a federation link, so it
  carries both the ``serverAuth`` and the ``clientAuth`` extended key usage
  (TAK federation v2 is known to fail on certificates without ``clientAuth``),
  and the node certificate policy :data:`NODE_POLICY_OID`. Partners pin this
  CA (it travels in the partner bundle, :mod:`.bundle`);
* the **user CA** (``users-ca.pem``/``users-ca.key``) issues TAK client
  certificates (``clientAuth`` only, CN = user id, policy
  :data:`USER_POLICY_OID`). Only this node's TAK port trusts it; no partner
  ever sees it.

Federation runs over mutual TLS 1.2 or later: each side trusts only the
federation CA certificates its partners handed over, never the system store,
and :func:`identify_peer` accepts only a certificate that holds the node
policy. The TAK port trusts only the node's own user CA and
:func:`client_user_id` insists on the user policy. TAK clients check the
server's certificate (the node certificate) against the federation CA.

Files under ``<home>/pki/``: ``ca.key``, ``users-ca.key`` and ``node.key``
(owner-only, 0600, never overwritten silently), ``ca.pem``, ``users-ca.pem``
and ``node.pem``. ``ca.key`` is needed only to issue node certificates and may
be kept offline between issues; ``users-ca.key`` is needed to issue TAK client
certificates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
import logging
import os
import re
import ssl
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from alliance.core import limits
from alliance.core.errors import AllianceError, InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import check_nation

log = logging.getLogger(__name__)

PKI_DIR = "pki"
CA_KEY = "ca.key"
CA_CERT = "ca.pem"
NODE_KEY = "node.key"
NODE_CERT = "node.pem"
USERS_CA_KEY = "users-ca.key"
USERS_CA_CERT = "users-ca.pem"
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


class PkiError(AllianceError):
    """A problem with this node's own PKI files."""

    code = "pki_error"
    status = 500


# -- certificates --------------------------------------------------------------


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
    if _name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME) != organization(nation):
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
    org = _name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME) or ""
    country = _name_attr(ca_cert.subject, NameOID.COUNTRY_NAME) or ""
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
        not _has_client_auth(leaf)
        or _policies(leaf) != {USER_POLICY_OID}
        or not _valid_now(leaf)
        or not _issued_by(leaf, ca_cert)
    ):
        return None
    return _name_attr(leaf.subject, NameOID.COMMON_NAME)


def pkcs12_bundle(
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    ca_cert: x509.Certificate,
    password: str,
) -> bytes:
    """Key, certificate and CA as PKCS#12, the form ATAK, WinTAK and iTAK import."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    name = (_name_attr(cert.subject, NameOID.COMMON_NAME) or "alliance").encode()
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
    unit = _name_attr(ca_cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if (unit == USERS_CA_OU) == users:
        return
    if users:
        text = Text(
            "TAK client certificates are issued by the user CA (users-ca.pem), "
            "never by the federation CA.",
            "TAKクライアント証明書は利用者CA（users-ca.pem）が発行します。連接用CAは発行しません。",
        )
    else:
        text = Text(
            "Node certificates are issued by the federation CA (ca.pem), never by the user CA.",
            "ノード証明書は連接用CA（ca.pem）が発行します。利用者CAは発行しません。",
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


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attrs = name.get_attributes_for_oid(oid)
    if len(attrs) != 1:
        return None
    value = attrs[0].value
    return value if isinstance(value, str) else None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bc.ca and ku.key_cert_sign


def _issued_by(leaf: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _valid_now(cert: x509.Certificate) -> bool:
    now = dt.datetime.now(dt.UTC)
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def extended_key_usages(cert: x509.Certificate) -> list[str]:
    """The certificate's EKU names (``serverAuth``, ``clientAuth`` …), empty if none."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku]


def _policies(cert: x509.Certificate) -> set[x509.ObjectIdentifier]:
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
    return _policies(cert) == {NODE_POLICY_OID}


def _has_client_auth(cert: x509.Certificate) -> bool:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.CLIENT_AUTH in eku


def _belongs_to(cert: x509.Certificate, nation: str) -> bool:
    return _name_attr(cert.subject, NameOID.ORGANIZATION_NAME) == organization(
        nation
    ) and _name_attr(cert.subject, NameOID.COUNTRY_NAME) == alpha2(nation)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


# -- a node's PKI files ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pki:
    """The PKI of one node home: its federation CA certificate, its node
    certificate and key, and its user CA certificate (None in a home made
    before user certificates had a CA of their own: see :meth:`with_users_ca`)."""

    home: Path
    ca_cert: x509.Certificate
    node_cert: x509.Certificate
    node_key: ec.EllipticCurvePrivateKey
    users_ca_cert: x509.Certificate | None = None

    @staticmethod
    def directory(home: Path) -> Path:
        return home / PKI_DIR

    @property
    def ca_key_path(self) -> Path:
        return self.directory(self.home) / CA_KEY

    @property
    def ca_cert_path(self) -> Path:
        return self.directory(self.home) / CA_CERT

    @property
    def users_ca_key_path(self) -> Path:
        return self.directory(self.home) / USERS_CA_KEY

    @property
    def users_ca_cert_path(self) -> Path:
        return self.directory(self.home) / USERS_CA_CERT

    @property
    def node_key_path(self) -> Path:
        return self.directory(self.home) / NODE_KEY

    @property
    def node_cert_path(self) -> Path:
        return self.directory(self.home) / NODE_CERT

    @property
    def nation(self) -> str:
        """The nation of this PKI's CA (from its ``O=Alliance <NATION>``)."""
        org = _name_attr(self.ca_cert.subject, NameOID.ORGANIZATION_NAME) or ""
        return org.removeprefix("Alliance ")

    @property
    def node_id(self) -> str:
        return _name_attr(self.node_cert.subject, NameOID.COMMON_NAME) or ""

    @property
    def ca_pem(self) -> str:
        return _pem(self.ca_cert)

    @property
    def ca_fingerprint(self) -> str:
        return fingerprint(self.ca_cert)

    @property
    def users_ca(self) -> x509.Certificate:
        """The user CA certificate; an error naming the fix when this home has none."""
        if self.users_ca_cert is None:
            raise PkiError(
                Text(
                    f"{self.directory(self.home)} has no user CA ({USERS_CA_CERT}); "
                    "'alliance tak client-cert' creates it.",
                    f"{self.directory(self.home)} に利用者CA（{USERS_CA_CERT}）がありません。"
                    "「alliance tak client-cert」で作成されます。",
                ),
                code="pki_missing",
            )
        return self.users_ca_cert

    @property
    def node_cert_current(self) -> bool:
        """Whether the node certificate holds the node policy partners require
        (a certificate made before node and user certificates were told apart does not)."""
        return is_node_certificate(self.node_cert)

    @classmethod
    def init(
        cls,
        home: Path,
        nation: str,
        node_id: str,
        hosts: Sequence[str],
        *,
        renew_node: bool = False,
        ca_valid_days: int = CA_VALID_DAYS,
        node_valid_days: int = NODE_VALID_DAYS,
    ) -> Pki:
        """Create the federation CA and the user CA if absent and issue a node certificate.

        Refuses (``pki_exists``) when a node key or certificate is already there,
        unless ``renew_node``, which re-issues only the node key and certificate.
        An existing CA is never replaced.
        """
        nation = check_nation(nation)
        node_id = check_node_id(node_id)
        san_entries(hosts)  # fail on a bad host before anything is written
        folder = cls.directory(home)
        ca_key_path, ca_cert_path = folder / CA_KEY, folder / CA_CERT
        node_key_path, node_cert_path = folder / NODE_KEY, folder / NODE_CERT
        existing = [p for p in (node_key_path, node_cert_path) if p.exists()]
        if existing and not renew_node:
            raise PkiError(
                Text(
                    f"{folder} already holds a node certificate or key ({existing[0].name}); "
                    "refusing to overwrite it. Use --renew-node to re-issue the node certificate.",
                    f"{folder} には既にノード証明書または鍵（{existing[0].name}）があります。上書きしません。"
                    "ノード証明書を再発行するには --renew-node を指定してください。",
                ),
                code="pki_exists",
            )
        _check_complete(ca_key_path, ca_cert_path)
        _check_complete(folder / USERS_CA_KEY, folder / USERS_CA_CERT)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        if ca_cert_path.exists():
            ca_key = _load_private_key(ca_key_path)
            ca_cert = _load_cert(ca_cert_path)
            if not _is_ca(ca_cert) or ca_cert.public_key() != ca_key.public_key():
                raise PkiError(
                    Text(
                        f"{ca_cert_path} is not a CA certificate for {ca_key_path}.",
                        f"{ca_cert_path} は {ca_key_path} のCA証明書ではありません。",
                    ),
                    code="pki_mismatch",
                )
        else:
            ca_key, ca_cert = create_ca(nation, valid_days=ca_valid_days)
            _write(ca_key_path, _key_pem(ca_key), private=True, replace=False)
            _write(ca_cert_path, _pem(ca_cert).encode("ascii"), private=False, replace=False)
        if not (folder / USERS_CA_CERT).exists():
            _create_users_ca(folder, nation, valid_days=ca_valid_days)
        node_key, node_cert = issue_node_cert(
            ca_key, ca_cert, nation=nation, node_id=node_id, hosts=hosts, valid_days=node_valid_days
        )
        _write(node_key_path, _key_pem(node_key), private=True, replace=renew_node)
        _write(node_cert_path, _pem(node_cert).encode("ascii"), private=False, replace=renew_node)
        return cls.load(home)

    def with_users_ca(self) -> Pki:
        """This PKI with its user CA, created now if the home has none (a home
        made before user certificates had a CA of their own). Logged."""
        if self.users_ca_cert is not None:
            return self
        folder = self.directory(self.home)
        _check_complete(folder / USERS_CA_KEY, folder / USERS_CA_CERT)
        _create_users_ca(folder, self.nation, valid_days=CA_VALID_DAYS)
        log.warning(
            "created the %s user CA %s: TAK client certificates come from it from now on; "
            "those issued earlier by the federation CA no longer work on the TAK port, "
            "issue new ones with 'alliance tak client-cert' / 利用者CAを作成しました。"
            "以前に連接用CAで発行したTAKクライアント証明書は使えません。再発行してください",
            self.nation,
            folder / USERS_CA_CERT,
        )
        return self.load(self.home)

    def issue_client(
        self, user_id: str, name: str, *, valid_days: int = CLIENT_VALID_DAYS
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        """A TAK client certificate for a user; needs the user CA key on this machine."""
        users_ca = self.users_ca
        if not self.users_ca_key_path.exists():
            raise PkiError(
                Text(
                    f"The user CA key {self.users_ca_key_path} is not on this machine; bring it "
                    "back to issue client certificates.",
                    f"利用者CA鍵 {self.users_ca_key_path} がこの機械にありません。"
                    "クライアント証明書の発行には戻してください。",
                ),
                code="pki_missing",
            )
        ca_key = _load_private_key(self.users_ca_key_path)
        return issue_client_cert(
            ca_key, users_ca, user_id=user_id, name=name, valid_days=valid_days
        )

    @classmethod
    def load(cls, home: Path) -> Pki:
        """Read a node's PKI; a missing file or a key others can read is an error.

        A home without a user CA loads (``users_ca_cert`` is None); half a CA does not.
        """
        folder = cls.directory(home)
        for path in (folder / CA_CERT, folder / NODE_KEY, folder / NODE_CERT):
            if not path.exists():
                raise PkiError(
                    Text(
                        f"No federation PKI at {folder} ({path.name} is missing); "
                        "run 'alliance pki init'.",
                        f"{folder} に連接用PKIがありません（{path.name} がありません）。"
                        "「alliance pki init」を実行してください。",
                    ),
                    code="pki_missing",
                )
        for key_path in (folder / CA_KEY, folder / USERS_CA_KEY):
            if key_path.exists():
                _check_private(key_path)
        _check_complete(folder / USERS_CA_KEY, folder / USERS_CA_CERT, key_optional=True)
        ca_cert = _load_cert(folder / CA_CERT)
        node_key = _load_private_key(folder / NODE_KEY)
        node_cert = _load_cert(folder / NODE_CERT)
        if (
            not _is_ca(ca_cert)
            or not _issued_by(node_cert, ca_cert)
            or node_cert.public_key() != node_key.public_key()
        ):
            raise PkiError(
                Text(
                    f"The files in {folder} do not belong together (node certificate not issued "
                    "by this CA, or not for this key); run 'alliance pki init --renew-node'.",
                    f"{folder} のファイルが対応していません（ノード証明書がこのCAの発行でない、"
                    "または鍵と一致しない）。「alliance pki init --renew-node」を実行してください。",
                ),
                code="pki_mismatch",
            )
        users_ca = None
        if (folder / USERS_CA_CERT).exists():
            users_ca = _load_users_ca(folder / USERS_CA_CERT, ca_cert)
        return cls(
            home=home,
            ca_cert=ca_cert,
            node_cert=node_cert,
            node_key=node_key,
            users_ca_cert=users_ca,
        )


def _check_complete(key_path: Path, cert_path: Path, *, key_optional: bool = False) -> None:
    """A CA is its key and its certificate: refuse half of one (the key alone
    may be missing when ``key_optional``: kept offline)."""
    if cert_path.exists() and (key_optional or key_path.exists()):
        return
    if not cert_path.exists() and not key_path.exists():
        return
    missing = key_path if cert_path.exists() else cert_path
    raise PkiError(
        Text(
            f"The CA in {cert_path.parent} is incomplete: {missing.name} is missing. Restore it "
            "(a new CA would have to be trusted again by everyone who trusts this one).",
            f"{cert_path.parent} のCAが不完全です（{missing.name} がありません）。復元してください"
            "（新しいCAは信頼し直してもらう必要があります）。",
        ),
        code="pki_missing",
    )


def _create_users_ca(folder: Path, nation: str, *, valid_days: int) -> None:
    """Write a new user CA (key first, 0600; neither file is ever overwritten)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    key, cert = create_ca(nation, valid_days=valid_days, users=True)
    try:
        _write(folder / USERS_CA_KEY, _key_pem(key), private=True, replace=False)
        _write(folder / USERS_CA_CERT, _pem(cert).encode("ascii"), private=False, replace=False)
    except FileExistsError:
        raise PkiError(
            Text(
                f"Another process is creating the user CA in {folder}; try again.",
                f"別のプロセスが {folder} に利用者CAを作成中です。もう一度実行してください。",
            ),
            code="pki_busy",
        ) from None


def _load_users_ca(path: Path, ca_cert: x509.Certificate) -> x509.Certificate:
    """The user CA certificate: a self-signed CA of the same nation, marked as
    the user CA, and not the federation CA (never trusted for nodes)."""
    cert = _load_cert(path)
    org = _name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME)
    if (
        not _is_ca(cert)
        or not _issued_by(cert, cert)
        or _name_attr(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) != USERS_CA_OU
        or _name_attr(cert.subject, NameOID.ORGANIZATION_NAME) != org
        or cert.public_key() == ca_cert.public_key()
    ):
        raise PkiError(
            Text(
                f"{path} is not this nation's user CA (a self-signed CA with OU={USERS_CA_OU}, "
                "apart from the federation CA).",
                f"{path} はこの国の利用者CA（OU={USERS_CA_OU} の自己署名CA、連接用CAとは別）"
                "ではありません。",
            ),
            code="pki_mismatch",
        )
    return cert


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, private: bool, replace: bool) -> None:
    """Write a new file (0600 for keys, 0644 otherwise); never overwrite unless ``replace``.

    A replacement is written beside the file and renamed over it, so a reader sees
    the old or the new file, never a half-written one.
    """
    mode = 0o600 if private else 0o644
    target = path.with_name(path.name + ".new") if replace else path
    if replace:
        target.unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    if replace:
        target.replace(path)


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PkiError(
            Text(
                f"Private key {path} is readable by others (mode {oct(mode & 0o777)}); "
                "run 'chmod 600' on it.",
                f"秘密鍵 {path} が他者から読めます（{oct(mode & 0o777)}）。chmod 600 を実行してください。",
            ),
            code="key_permissions",
        )


def _load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    _check_private(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), None)
    except (TypeError, ValueError) as exc:
        raise PkiError(
            Text(
                f"Cannot read private key {path}: not an unencrypted PEM key.",
                f"秘密鍵 {path} を読めません（暗号化されていないPEM鍵ではありません）。",
            ),
            code="key_unreadable",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise PkiError(
            Text(f"{path} is not a P-256 ECDSA key.", f"{path} はP-256のECDSA鍵ではありません。"),
            code="key_type",
        )
    return key


def _load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError as exc:
        raise PkiError(
            Text(
                f"{path} is not a PEM certificate.",
                f"{path} はPEM形式の証明書ではありません。",
            ),
            code="pki_unreadable",
        ) from exc


# -- TLS -----------------------------------------------------------------------


def _partner_ca(pem: str, field: str) -> x509.Certificate:
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, AttributeError):
        certs = []
    if len(certs) != 1 or not _is_ca(certs[0]):
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
    cadata = "".join(_pem(_partner_ca(p, "partner_ca_pems")) for p in partner_ca_pems)
    return _base_context(pki, server=True, cadata=cadata)


def tak_server_context(pki: Pki) -> ssl.SSLContext:
    """The TAK port's TLS: present the node certificate (TAK clients check it
    against the federation CA, ``ca.pem``); require a client certificate issued
    by this node's own user CA, and nothing else (see :func:`issue_client_cert`)."""
    return _base_context(pki, server=True, cadata=_pem(pki.users_ca))


def client_context(pki: Pki, partner_ca_pem: str) -> ssl.SSLContext:
    """TLS >= 1.2 client side: check the server's host name and that its certificate
    was issued by ``partner_ca_pem`` only; present the node certificate."""
    ctx = _base_context(
        pki, server=False, cadata=_pem(_partner_ca(partner_ca_pem, "partner_ca_pem"))
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
    if not _has_client_auth(leaf):
        return None
    for nation, pem in partners:
        ca = _cached_ca(pem)
        if ca is None or not _issued_by(leaf, ca):
            continue
        with contextlib.suppress(InvalidInput):
            if not (_belongs_to(leaf, nation) and _belongs_to(ca, nation)):
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
        USER_POLICY_OID in _policies(leaf)
        or _name_attr(leaf.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == TAK_CLIENT_OU
    ):
        log.warning(
            "federation: refused %s, a user (TAK client) certificate of %s: only node "
            "certificates are accepted on the federation port / 利用者証明書は連接ポートでは"
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


def write_client_files(pki: Pki, user_id: str, name: str, out: Path, password: str) -> list[Path]:
    """Issue a TAK client certificate and write what a TAK client imports, in this order:

    * ``<user>.p12``: key, certificate and the user CA that issued it, under ``password``;
    * ``<user>.key`` and ``<user>.pem``: the same key and certificate as PEM;
    * ``ca.pem``: the federation CA, which issued the node's certificate: the
      client trusts it to check the *server* (ATAK's trust store, pytak's
      ``PYTAK_TLS_CLIENT_CAFILE``);
    * ``users-ca.pem``: the user CA, which issued the *client* certificate.

    Keys are owner-only; nothing is overwritten but the two CA files.
    """
    for path in (out / f"{user_id}.p12", out / f"{user_id}.key", out / f"{user_id}.pem"):
        if path.exists():
            raise PkiError(
                Text(
                    f"{path} already exists; refusing to overwrite it.",
                    f"{path} は既に存在します。上書きしません。",
                ),
                code="pki_exists",
            )
    key, cert = pki.issue_client(user_id, name)
    users_ca = pki.users_ca
    out.mkdir(parents=True, exist_ok=True)
    files = [
        (out / f"{user_id}.p12", pkcs12_bundle(key, cert, users_ca, password), True),
        (out / f"{user_id}.key", _key_pem(key), True),
        (out / f"{user_id}.pem", _pem(cert).encode("ascii"), False),
        (out / CA_CERT, pki.ca_pem.encode("ascii"), False),
        (out / USERS_CA_CERT, _pem(users_ca).encode("ascii"), False),
    ]
    for path, data, private in files:
        _write(path, data, private=private, replace=path.name in {CA_CERT, USERS_CA_CERT})
    return [p for p, _, _ in files]
