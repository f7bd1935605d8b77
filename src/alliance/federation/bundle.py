"""The partner bundle (``alliance-partner/1``): what a partner hands over to federate.

Nation, node id, federation URL, the node's ledger public key and the
federation CA certificate (the one that issues node certificates; never the
user CA, which stays on the node) with its SHA-256 fingerprint. The fingerprint inside the bundle
only guards against damage in transit; the operators compare it over a second
channel (``alliance pki show``) before trusting the CA.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID

from alliance.core import limits
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.keys import public_key_from_hex
from alliance.core.markings import check_nation
from alliance.pki import (
    USERS_CA_OU,
    Pki,
    belongs_to,
    check_node_id,
    fingerprint,
    is_ca,
    issued_by,
    name_attr,
    pem_text,
    valid_now,
)

log = logging.getLogger(__name__)

BUNDLE_FORMAT = "alliance-partner/1"
_MAX_BUNDLE = 64 * 1024
_BUNDLE_FIELDS = (
    "format",
    "nation",
    "node_id",
    "federation_url",
    "ledger_public_key",
    "ca_pem",
    "ca_fingerprint",
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class PartnerBundle:
    """What a partner hands over to federate with its node (validated)."""

    nation: str
    node_id: str
    federation_url: str
    ledger_public_key: bytes
    ca_pem: str
    ca_fingerprint: str

    @property
    def ledger_public_key_hex(self) -> str:
        return self.ledger_public_key.hex()

    @property
    def ca_cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.ca_pem.encode("ascii"))

    def as_dict(self) -> dict[str, str]:
        return {
            "format": BUNDLE_FORMAT,
            "nation": self.nation,
            "node_id": self.node_id,
            "federation_url": self.federation_url,
            "ledger_public_key": self.ledger_public_key_hex,
            "ca_pem": self.ca_pem,
            "ca_fingerprint": self.ca_fingerprint,
        }


def export_bundle(
    pki: Pki,
    *,
    nation: str,
    node_id: str,
    federation_url: str,
    ledger_public_key_hex: str,
    allow_plain_http: bool = False,
) -> dict[str, str]:
    """The partner bundle of this node, checked as :func:`read_bundle` will check it."""
    if check_nation(nation) != pki.nation:
        raise InvalidInput(
            Text(
                f"This node's CA belongs to {pki.nation}, not {nation}.",
                f"このノードのCAは{nation}ではなく{pki.nation}のものです。",
            ),
            field="nation",
            code="pki_nation_mismatch",
        )
    if node_id != pki.node_id:
        raise InvalidInput(
            Text(
                f"The node certificate names '{pki.node_id}', not '{node_id}'; "
                "run 'alliance pki init --renew-node'.",
                f"ノード証明書の名前は「{node_id}」ではなく「{pki.node_id}」です。"
                "「alliance pki init --renew-node」を実行してください。",
            ),
            field="node_id",
            code="pki_node_mismatch",
        )
    data: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "nation": nation,
        "node_id": node_id,
        "federation_url": federation_url,
        "ledger_public_key": ledger_public_key_hex,
        "ca_pem": pki.ca_pem,
        "ca_fingerprint": pki.ca_fingerprint,
    }
    return _validate(data, allow_plain_http=allow_plain_http).as_dict()


def read_bundle(raw: bytes | str, *, allow_plain_http: bool = False) -> PartnerBundle:
    """Parse and check a partner bundle; every problem names the field at fault.

    ``allow_plain_http`` (development only) accepts an ``http://`` federation URL.
    """
    if len(raw) > _MAX_BUNDLE:
        raise _bundle_error("bundle", "is larger than 64 KiB", "が64 KiBを超えています")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bundle_error("bundle", "is not JSON", "がJSONではありません") from None
    if not isinstance(data, dict):
        raise _bundle_error("bundle", "is not a JSON object", "がJSONオブジェクトではありません")
    return _validate(data, allow_plain_http=allow_plain_http)


def _bundle_error(field: str, en: str, ja: str) -> InvalidInput:
    return InvalidInput(
        Text(f"Partner bundle: '{field}' {en}.", f"パートナーバンドル: 「{field}」{ja}。"),
        field=field,
        code="invalid_bundle",
    )


def _validate(data: dict[str, Any], *, allow_plain_http: bool) -> PartnerBundle:
    for name in data:
        if name not in _BUNDLE_FIELDS:
            raise _bundle_error(str(name), "is not a known field", "は未知の項目です")
    for name in _BUNDLE_FIELDS:
        if name not in data:
            raise _bundle_error(name, "is missing", "がありません")
        if not isinstance(data[name], str):
            raise _bundle_error(name, "must be a string", "は文字列でなければなりません")
    if data["format"] != BUNDLE_FORMAT:
        raise _bundle_error(
            "format", f"must be '{BUNDLE_FORMAT}'", f"は「{BUNDLE_FORMAT}」でなければなりません"
        )
    nation = check_nation(data["nation"], field="nation")
    if data["nation"] != nation:
        raise _bundle_error("nation", "must be upper case", "は大文字でなければなりません")
    node_id = check_node_id(data["node_id"])
    url = _check_url(data["federation_url"], allow_plain_http=allow_plain_http)
    key_hex = data["ledger_public_key"]
    try:
        if not _HEX64.fullmatch(key_hex):
            raise ValueError(key_hex)
        key = public_key_from_hex(key_hex)
    except ValueError:
        raise _bundle_error(
            "ledger_public_key",
            "must be a 32-byte Ed25519 public key in lower-case hex (64 digits)",
            "は32バイトのEd25519公開鍵（小文字16進64桁）でなければなりません",
        ) from None
    ca = _bundle_ca(data["ca_pem"], nation)
    given = data["ca_fingerprint"]
    if not _HEX64.fullmatch(given):
        raise _bundle_error(
            "ca_fingerprint",
            "must be a SHA-256 in lower-case hex (64 digits)",
            "はSHA-256（小文字16進64桁）でなければなりません",
        )
    if given != fingerprint(ca):
        raise _bundle_error(
            "ca_fingerprint",
            "does not match the CA certificate (damaged or tampered with)",
            "がCA証明書と一致しません（破損または改ざん）",
        )
    return PartnerBundle(
        nation=nation,
        node_id=node_id,
        federation_url=url,
        ledger_public_key=key,
        ca_pem=pem_text(ca),
        ca_fingerprint=given,
    )


def _check_url(value: str, *, allow_plain_http: bool) -> str:
    if not isinstance(value, str) or len(value) > limits.URL:
        raise _bundle_error(
            "federation_url",
            f"must be a URL of at most {limits.URL} characters",
            f"は{limits.URL}文字以内のURLでなければなりません",
        )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in {"https", "http"} or not parts.hostname:
        raise _bundle_error(
            "federation_url",
            "must be an https:// URL with a host",
            "はホストを含む https:// のURLでなければなりません",
        )
    if parts.username or parts.password or parts.query or parts.fragment or port == 0:
        raise _bundle_error(
            "federation_url",
            "must not carry credentials, a query, a fragment or port 0",
            "に認証情報・クエリ・フラグメント・ポート0を含めてはいけません",
        )
    if parts.scheme == "http":
        if not allow_plain_http:
            raise _bundle_error(
                "federation_url",
                "is plain http://; federation requires https:// (mutual TLS). Plain HTTP is "
                "for development only and needs the explicit flag",
                "が平文の http:// です。連携には https://（相互TLS）が必要です。"
                "平文HTTPは開発専用で、明示的なフラグが必要です",
            )
        log.warning("PLAIN HTTP federation URL accepted (development only): %s", value)
    return value


def _bundle_ca(pem: str, nation: str) -> x509.Certificate:
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise _bundle_error(
            "ca_pem", "is not a PEM certificate", "はPEM形式の証明書ではありません"
        ) from None
    if len(certs) != 1:
        raise _bundle_error(
            "ca_pem", "must hold exactly one certificate", "には証明書がちょうど1枚必要です"
        )
    ca = certs[0]
    if not is_ca(ca) or not issued_by(ca, ca):
        raise _bundle_error(
            "ca_pem",
            "is not a self-signed CA certificate (CA:TRUE, keyCertSign)",
            "は自己署名のCA証明書（CA:TRUE、keyCertSign）ではありません",
        )
    if name_attr(ca.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == USERS_CA_OU:
        raise _bundle_error(
            "ca_pem",
            "is a user CA (it issues TAK client certificates); the bundle carries the "
            "federation CA (pki/ca.pem)",
            "は利用者CA（TAKクライアント証明書の発行元）です。バンドルには連携用CA（pki/ca.pem）を入れます",
        )
    if not belongs_to(ca, nation):
        raise _bundle_error(
            "ca_pem",
            f"is not a CA of {nation} (subject {ca.subject.rfc4514_string()})",
            f"は{nation}のCAではありません（主体 {ca.subject.rfc4514_string()}）",
        )
    if not valid_now(ca):
        raise _bundle_error(
            "ca_pem", "is expired or not yet valid", "は期限切れか、まだ有効ではありません"
        )
    return ca
