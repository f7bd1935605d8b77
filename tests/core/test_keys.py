"""Node keys: owner-only key files, passphrases, and signatures that verify."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from alliance.core.keys import KeyFileError, NodeKey, fingerprint, verify_signature

MESSAGE = b"\x01" * 32


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saved_key_file_is_owner_read_write_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "node.key"
    key = NodeKey.generate()
    key.save(path)
    assert _mode(path) == 0o600
    assert path.with_suffix(".pub").read_text(encoding="ascii").strip() == key.public_hex


def test_saved_key_loads_and_signs_for_the_same_public_key(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    key = NodeKey.generate()
    key.save(path)
    loaded = NodeKey.load(path)
    assert loaded.public_raw == key.public_raw
    assert loaded.fingerprint == key.fingerprint == fingerprint(key.public_raw)
    assert verify_signature(key.public_raw, loaded.sign(MESSAGE), MESSAGE)


def test_save_never_overwrites_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    first = NodeKey.generate()
    first.save(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        NodeKey.generate().save(path)
    assert path.read_bytes() == before
    assert NodeKey.load(path).public_raw == first.public_raw


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o644, 0o602, 0o620])
def test_load_refuses_a_key_file_others_can_access(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "node.key"
    NodeKey.generate().save(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError) as caught:
        NodeKey.load(path)
    err = caught.value
    assert err.code == "key_permissions"
    assert str(path) in err.message.en
    assert str(path) in err.message.ja
    assert "chmod 600" in err.message.en
    assert "chmod 600" in err.message.ja


def test_load_of_a_missing_key_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as caught:
        NodeKey.load(tmp_path / "absent.key")
    assert caught.value.code == "key_missing"
    assert "alliance init" in caught.value.message.en
    assert "alliance init" in caught.value.message.ja


def test_passphrase_round_trip_and_the_file_is_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    key = NodeKey.generate()
    key.save(path, b"correct horse battery staple")
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    assert _mode(path) == 0o600
    loaded = NodeKey.load(path, b"correct horse battery staple")
    assert loaded.public_raw == key.public_raw
    assert verify_signature(key.public_raw, loaded.sign(MESSAGE), MESSAGE)


@pytest.mark.parametrize("given", [b"wrong passphrase", None])
def test_wrong_or_missing_passphrase_fails_with_a_key_error(
    tmp_path: Path, given: bytes | None
) -> None:
    path = tmp_path / "node.key"
    NodeKey.generate().save(path, b"correct horse battery staple")
    with pytest.raises(KeyFileError) as caught:
        NodeKey.load(path, given)
    assert caught.value.code == "key_unreadable"
    assert "passphrase" in caught.value.message.en
    assert "パスフレーズ" in caught.value.message.ja


def test_load_refuses_a_key_that_is_not_ed25519(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(KeyFileError) as caught:
        NodeKey.load(path)
    assert caught.value.code == "key_type"


def test_signature_checks_refuse_other_keys_messages_and_lengths() -> None:
    key, other = NodeKey.generate(), NodeKey.generate()
    sig = key.sign(MESSAGE)
    assert verify_signature(key.public_raw, sig, MESSAGE)
    assert not verify_signature(other.public_raw, sig, MESSAGE)
    assert not verify_signature(key.public_raw, sig, b"\x02" * 32)
    assert not verify_signature(key.public_raw, sig[:63], MESSAGE)
    assert not verify_signature(key.public_raw, sig + b"\0", MESSAGE)
    assert not verify_signature(key.public_raw, other.sign(MESSAGE), MESSAGE)


def test_node_signatures_are_the_ones_cryptography_makes_and_verifies(tmp_path: Path) -> None:
    """Signing goes through libsodium for speed; the bytes must be RFC 8032 Ed25519,
    identical to what ``cryptography`` (which owns the key file) produces."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    NodeKey.generate().save(tmp_path / "node.key")
    key = NodeKey.load(tmp_path / "node.key")
    private = serialization.load_pem_private_key((tmp_path / "node.key").read_bytes(), None)
    assert isinstance(private, Ed25519PrivateKey)
    public = Ed25519PublicKey.from_public_bytes(key.public_raw)
    for i in range(50):
        message = bytes([i]) * (i + 1)
        signature = key.sign(message)
        assert signature == private.sign(message)
        public.verify(signature, message)  # raises if it does not verify
