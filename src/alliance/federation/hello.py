"""What a node understands, told to each partner: ``GET /federation/v1/hello``.

Nodes of an alliance upgrade one at a time, so a partner may ship an object
type this node does not know yet (it is held here, :mod:`.held`) or not know
one this node ships. Each node answers its partners, on the federation port,
with the object types it understands and the feeds it serves, signed with its
ledger key for that partner; each puller asks once per run of the link and
records the answer with the link, so ``federation status`` shows, per partner,
which of our types it does not understand (and so holds).

Why an endpoint of its own rather than a field of the signed stream head: the
head's signed form is what every partner, older versions included, verifies
with each page; adding to it would make the heads of mixed-version pairs
unverifiable, which is exactly the case this serves. An older partner simply
answers 404 here, and is shown as not having said.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from alliance.core import limits
from alliance.core.keys import NodeKey, verify_signature

from .feeds import page_digest

FORMAT = "alliance-hello/1"
PATH = "/federation/v1/hello"
MAX_TYPES = 1000


def hello(
    key: NodeKey, *, me: str, node_id: str, partner: str, types: Iterable[str], feeds: Iterable[str]
) -> dict[str, Any]:
    """Our signed word to ``partner`` on what we understand."""
    body = {
        "format": FORMAT,
        "from": me,
        "to": partner,
        "node": node_id,
        "types": sorted(types),
        "feeds": sorted(feeds),
    }
    return {**body, "signature": key.sign(page_digest(body)).hex()}


def check_hello(raw: Any, *, me: str, partner: str, partner_key: bytes) -> list[str] | None:
    """The object types ``partner`` says it understands, or None if its answer
    is not a hello it signed for us."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None
    body = {k: v for k, v in raw.items() if k != "signature"}
    try:
        signature = bytes.fromhex(str(raw.get("signature", "")))
    except ValueError:
        return None
    if not verify_signature(partner_key, signature, page_digest(body)):
        return None
    types = raw.get("types")
    if (
        raw.get("from") != partner
        or raw.get("to") != me
        or not isinstance(types, list)
        or len(types) > MAX_TYPES
        or not all(
            isinstance(t, str) and 0 < len(t) <= limits.LABEL and "," not in t for t in types
        )
    ):
        return None
    return sorted(set(types))
