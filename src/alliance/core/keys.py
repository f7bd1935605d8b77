"""Node signing keys (Ed25519).

A node's private key is created by ``alliance init``, written with owner-only
permissions (0600) and optionally encrypted with a passphrase. ``cryptography``
reads and writes the key file; signing and bulk verification use libsodium
(PyNaCl) because it is about twice as fast and releases the GIL, which lets the
writer sign and ``ledger verify`` check on every core. Both implement RFC 8032
Ed25519, so either verifies the other's signatures.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import nacl.bindings
import nacl.exceptions
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .errors import AllianceError
from .i18n import Text


class KeyFileError(AllianceError):
    code = "key_error"
    status = 500


class NodeKey:
    """The private signing key of one node."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        # libsodium's form of the same key (seed + public key), used for signing:
        # it signs about twice as fast as OpenSSL here and releases the GIL, so
        # the writer's helper thread really signs in parallel. Ed25519 signatures
        # are deterministic (RFC 8032): the bytes are the same either way.
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        self._sodium_secret: bytes = nacl.bindings.crypto_sign_seed_keypair(seed)[1]

    @classmethod
    def generate(cls) -> NodeKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_hex(self) -> str:
        return self.public_raw.hex()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, message: bytes) -> bytes:
        signed: bytes = nacl.bindings.crypto_sign(message, self._sodium_secret)
        return signed[: nacl.bindings.crypto_sign_BYTES]

    def save(self, path: Path, passphrase: bytes | None = None) -> None:
        """Write the key as PKCS#8 PEM, owner read/write only; never overwrite."""
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        pem = self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        pub = path.with_suffix(".pub")
        pub.write_text(self.public_hex + "\n", encoding="ascii")

    @classmethod
    def load(cls, path: Path, passphrase: bytes | None = None) -> NodeKey:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyFileError(
                Text(
                    f"No node key at {path}; run 'alliance init' first.",
                    f"{path} にノード鍵がありません。先に「alliance init」を実行してください。",
                ),
                code="key_missing",
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                Text(
                    f"Node key {path} is readable by others (mode {oct(mode & 0o777)}); "
                    "run 'chmod 600' on it.",
                    f"ノード鍵 {path} が他者から読めます（{oct(mode & 0o777)}）。chmod 600 を実行してください。",
                ),
                code="key_permissions",
            )
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), passphrase)
        except (TypeError, ValueError) as exc:  # wrong or missing passphrase, not a PEM key
            raise KeyFileError(
                Text(
                    f"Cannot read node key {path}: wrong or missing passphrase, or not a PEM key.",
                    f"ノード鍵 {path} を読めません。パスフレーズの誤りか不足、またはPEM鍵ではありません。",
                ),
                code="key_unreadable",
            ) from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyFileError(
                Text(f"{path} is not an Ed25519 key.", f"{path} はEd25519鍵ではありません。"),
                code="key_type",
            )
        return cls(private)


def fingerprint(public_raw: bytes) -> str:
    """Short, stable name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def verify_signature(public_raw: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message``."""
    if len(signature) != 64:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + message, public_raw)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


def public_key_from_hex(value: str) -> bytes:
    raw = bytes.fromhex(value)
    Ed25519PublicKey.from_public_bytes(raw)  # validates length and encoding
    return raw
