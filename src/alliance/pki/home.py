"""The node's PKI files: two national CAs, its node certificate, TAK client certificates.

Each nation runs two certificate authorities (ECDSA P-256), so that a person's
certificate can never pass for a node:

* the **federation CA** (``ca.pem``/``ca.key``) issues node certificates only.
  A node presents its certificate on both ends of a federation link, so it
  carries both the ``serverAuth`` and the ``clientAuth`` extended key usage
  (TAK federation v2 is known to fail on certificates without ``clientAuth``),
  and the node certificate policy :data:`NODE_POLICY_OID`. Partners pin this
  CA (it travels in the partner bundle, :mod:`alliance.federation.bundle`);
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

import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from alliance.core.errors import AllianceError
from alliance.core.i18n import Text
from alliance.core.markings import check_nation

from .certs import (
    CA_VALID_DAYS,
    CLIENT_VALID_DAYS,
    NODE_VALID_DAYS,
    USERS_CA_OU,
    check_node_id,
    create_ca,
    fingerprint,
    is_ca,
    is_node_certificate,
    issue_client_cert,
    issue_node_cert,
    issued_by,
    name_attr,
    pem_text,
    pkcs12_bundle,
    san_entries,
)

log = logging.getLogger(__name__)

PKI_DIR = "pki"
CA_KEY = "ca.key"
CA_CERT = "ca.pem"
NODE_KEY = "node.key"
NODE_CERT = "node.pem"
USERS_CA_KEY = "users-ca.key"
USERS_CA_CERT = "users-ca.pem"


class PkiError(AllianceError):
    """A problem with this node's own PKI files."""

    code = "pki_error"
    status = 500


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
        org = name_attr(self.ca_cert.subject, NameOID.ORGANIZATION_NAME) or ""
        return org.removeprefix("Alliance ")

    @property
    def node_id(self) -> str:
        return name_attr(self.node_cert.subject, NameOID.COMMON_NAME) or ""

    @property
    def ca_pem(self) -> str:
        return pem_text(self.ca_cert)

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
            if not is_ca(ca_cert) or ca_cert.public_key() != ca_key.public_key():
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
            _write(ca_cert_path, pem_text(ca_cert).encode("ascii"), private=False, replace=False)
        if not (folder / USERS_CA_CERT).exists():
            _create_users_ca(folder, nation, valid_days=ca_valid_days)
        node_key, node_cert = issue_node_cert(
            ca_key, ca_cert, nation=nation, node_id=node_id, hosts=hosts, valid_days=node_valid_days
        )
        _write(node_key_path, _key_pem(node_key), private=True, replace=renew_node)
        _write(
            node_cert_path, pem_text(node_cert).encode("ascii"), private=False, replace=renew_node
        )
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
            "以前に連携用CAで発行したTAKクライアント証明書は使えません。再発行してください",
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
                        f"{folder} に連携用PKIがありません（{path.name} がありません）。"
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
            not is_ca(ca_cert)
            or not issued_by(node_cert, ca_cert)
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
        _write(folder / USERS_CA_CERT, pem_text(cert).encode("ascii"), private=False, replace=False)
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
    org = name_attr(ca_cert.subject, NameOID.ORGANIZATION_NAME)
    if (
        not is_ca(cert)
        or not issued_by(cert, cert)
        or name_attr(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) != USERS_CA_OU
        or name_attr(cert.subject, NameOID.ORGANIZATION_NAME) != org
        or cert.public_key() == ca_cert.public_key()
    ):
        raise PkiError(
            Text(
                f"{path} is not this nation's user CA (a self-signed CA with OU={USERS_CA_OU}, "
                "apart from the federation CA).",
                f"{path} はこの国の利用者CA（OU={USERS_CA_OU} の自己署名CA、連携用CAとは別）"
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
        (out / f"{user_id}.pem", pem_text(cert).encode("ascii"), False),
        (out / CA_CERT, pki.ca_pem.encode("ascii"), False),
        (out / USERS_CA_CERT, pem_text(users_ca).encode("ascii"), False),
    ]
    for path, data, private in files:
        _write(path, data, private=private, replace=path.name in {CA_CERT, USERS_CA_CERT})
    return [p for p, _, _ in files]
