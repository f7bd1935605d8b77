"""The release stream on the wire: items, their chain and signature, and the checks.

A release stream runs from one node to one partner. Item ``n`` carries
``seq = n``, the hash of item ``n-1`` (``prev``), and either a ledger event
released to the partner (``kind = "event"``, the event's exact signed bytes
and its ledger signature inside) or the withdrawal of an earlier release
(``kind = "withdraw"``). The item body is canonical JSON; its SHA-256 is the
item hash; the sending node signs the hash with its ledger key. The receiver
checks, item by item: the sequence (no gap, no repeat), the chain, the
signature against the key it pinned for that partner, that the item is
addressed to it, that the origin nation owns the object it changes, and that
the event's marking releases it to the receiver.

The stream head (last seq and hash) travels signed with every response, so a
receiver holds the sender's own word for how long the stream was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from alliance.core import release
from alliance.core.errors import named
from alliance.core.i18n import Text
from alliance.core.keys import verify_signature
from alliance.core.ledger import GENESIS_PREV, Event, canonical

FORMAT = 1
KINDS = ("event", "withdraw")
__all__ = [
    "FORMAT",
    "GENESIS_PREV",
    "Head",
    "Item",
    "ItemProblem",
    "Parsed",
    "check_head",
    "check_item",
    "event_body",
    "head_digest",
    "withdraw_body",
]


@dataclass(frozen=True, slots=True)
class Item:
    """An item as stored and as sent."""

    seq: int
    hash: str
    prev_hash: str
    sig: bytes
    body: bytes

    def to_wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "prev": self.prev_hash,
            "sig": self.sig.hex(),
            "body": self.body.decode(),
        }

    def raw(self) -> bytes:
        """The item as it was sent (its JSON wire form): what quarantine keeps."""
        return orjson.dumps(self.to_wire())

    @classmethod
    def from_wire(cls, data: Any) -> Item:
        """Shape only; every check that matters is in :func:`check_item`."""
        if not isinstance(data, dict):
            raise ValueError("item is not an object")
        return cls(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            prev_hash=str(data["prev"]),
            sig=bytes.fromhex(str(data["sig"])),
            body=str(data["body"]).encode(),
        )


def event_body(ev: Event, *, origin: str, node: str, partner: str, seq: int, prev: str) -> bytes:
    return canonical(
        {
            "v": FORMAT,
            "from": origin,
            "node": node,
            "to": partner,
            "seq": seq,
            "prev": prev,
            "kind": "event",
            "object": {"type": ev.object_type, "id": ev.object_id, "owner": ev.owner},
            "ledger_seq": ev.seq,
            "event": ev.body.decode(),
            "event_sig": ev.sig.hex(),
        }
    )


def withdraw_body(ev: Event, *, origin: str, node: str, partner: str, seq: int, prev: str) -> bytes:
    """The release of ``ev``'s object to ``partner`` is withdrawn by ``ev``.

    The withdrawing event itself is not released to the partner, so it is not
    carried: only which object, and where in our ledger it happened.
    """
    return canonical(
        {
            "v": FORMAT,
            "from": origin,
            "node": node,
            "to": partner,
            "seq": seq,
            "prev": prev,
            "kind": "withdraw",
            "object": {"type": ev.object_type, "id": ev.object_id, "owner": ev.owner},
            "ledger_seq": ev.seq,
            "event": None,
            "event_sig": None,
        }
    )


@dataclass(frozen=True, slots=True)
class Head:
    """The sender's signed statement of how long its stream to us is."""

    partner: str
    seq: int
    hash: str
    sig: bytes

    def to_wire(self) -> dict[str, Any]:
        return {"to": self.partner, "seq": self.seq, "hash": self.hash, "sig": self.sig.hex()}


def head_digest(partner: str, seq: int, hash_: str) -> bytes:
    return hashlib.sha256(
        canonical({"stream_head": {"to": partner, "seq": seq, "hash": hash_}})
    ).digest()


@dataclass(frozen=True, slots=True)
class Parsed:
    """A checked item, ready to apply."""

    item: Item
    kind: str
    object_type: str
    object_id: str
    owner: str
    ledger_seq: int
    event: dict[str, Any] | None
    event_text: str | None
    event_sig: str | None


@dataclass(frozen=True, slots=True)
class ItemProblem:
    seq: int
    code: str
    reason: Text


def _problem(seq: int, code: str, en: str, ja: str) -> ItemProblem:
    return ItemProblem(seq, code, Text(en, ja))


def check_item(
    item: Item,
    *,
    expected_seq: int,
    prev_hash: str,
    partner: str,
    me: str,
    signature_ok: bool | None = None,
    partner_key: bytes | None = None,
) -> Parsed | ItemProblem:
    """Every check on one item, in order; the first failure is returned.

    ``signature_ok`` lets the caller check signatures in bulk elsewhere (on
    other cores); otherwise ``partner_key`` is used here.
    """
    seq = item.seq
    if seq != expected_seq:
        kind = "gap" if seq > expected_seq else "repeat"
        return _problem(
            seq,
            f"sequence_{kind}",
            f"expected item {expected_seq}, received {seq}: the stream has a {kind}",
            f"項目{expected_seq}のはずが{seq}を受信（ストリームの{'欠落' if kind == 'gap' else '重複'}）",
        )
    if hashlib.sha256(item.body).hexdigest() != item.hash:
        return _problem(
            seq,
            "bad_hash",
            "item body does not match its hash",
            "項目の本文がハッシュと一致しません",
        )
    if item.prev_hash != prev_hash:
        return _problem(
            seq,
            "broken_chain",
            "item does not chain to the previous one",
            "項目が直前の項目に連鎖していません",
        )
    if signature_ok is None:
        assert partner_key is not None
        signature_ok = verify_signature(partner_key, item.sig, bytes.fromhex(item.hash))
    if not signature_ok:
        return _problem(
            seq,
            "bad_signature",
            f"item signature does not verify with {partner}'s pinned key",
            f"項目の署名が{partner}の登録済み鍵で検証できません",
        )
    try:
        body = orjson.loads(item.body)
        obj = body["object"]
        fields_ok = (
            body["v"] == FORMAT
            and body["seq"] == seq
            and body["prev"] == prev_hash
            and body["kind"] in KINDS
        )
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return _problem(
            seq,
            "malformed",
            "item body is not a stream item",
            "項目の本文がストリーム項目ではありません",
        )
    if not fields_ok:
        return _problem(
            seq,
            "malformed",
            "item header disagrees with its body",
            "項目の見出しと本文が矛盾しています",
        )
    if body["from"] != partner or body["to"] != me:
        return _problem(
            seq,
            "misaddressed",
            f"item is from {body['from']} to {body['to']}, not {partner} to {me}",
            f"項目は{body['from']}から{body['to']}宛で、{partner}から{me}宛ではありません",
        )
    if obj.get("owner") != partner:
        changed = named(str(obj.get("type")), str(obj.get("id")))
        return _problem(
            seq,
            "not_owner",
            f"{partner} sent a change to {changed.en}, owned by {obj.get('owner')}: "
            "a node may change only its own nation's objects",
            f"{partner}が{obj.get('owner')}所有の{changed.ja}の変更を送信しました。"
            "ノードは自国の対象のみ変更できます",
        )
    event: dict[str, Any] | None = None
    text = body.get("event")
    if body["kind"] == "event":
        try:
            event = orjson.loads(text)
            ev_obj = event["object"]
            nations = release.body_nations(event)
            if nations is None:
                raise TypeError("no releasable_to list")
            released = release.releases(nations, me, release.body_owner(event))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _problem(
                seq,
                "malformed",
                "carried event is not a ledger event",
                "運ばれたイベントが台帳イベントではありません",
            )
        if ev_obj != obj:
            return _problem(
                seq,
                "malformed",
                "carried event is about another object",
                "運ばれたイベントが別の対象のものです",
            )
        if not released:
            return _problem(
                seq,
                "not_released",
                f"the event's marking does not release it to {me}; it must not have left {partner}",
                f"イベントの区分は{me}への提供を許していません。{partner}から出てはならないものです",
            )
        if not isinstance(event.get("data", {}).get("state"), dict):
            return _problem(
                seq,
                "malformed",
                "carried event has no object state",
                "運ばれたイベントに対象の状態がありません",
            )
    return Parsed(
        item=item,
        kind=body["kind"],
        object_type=str(obj["type"]),
        object_id=str(obj["id"]),
        owner=str(obj["owner"]),
        ledger_seq=int(body["ledger_seq"]),
        event=event,
        event_text=text,
        event_sig=body.get("event_sig"),
    )


def check_head(head: dict[str, Any], *, me: str, partner_key: bytes) -> Head | None:
    """The signed head, or None if it does not verify."""
    try:
        h = Head(
            partner=str(head["to"]),
            seq=int(head["seq"]),
            hash=str(head["hash"]),
            sig=bytes.fromhex(str(head["sig"])),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if h.partner != me or not verify_signature(partner_key, h.sig, head_digest(me, h.seq, h.hash)):
        return None
    return h
