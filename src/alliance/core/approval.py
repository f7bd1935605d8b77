"""Approval by every participating nation, pinned to the exact content approved.

Two things in Alliance are agreed bilaterally and then bind: a coordinated
outcome of the ACM (every participating nation concurs on the request) and a
plan revision (every participating nation approves its own lines of it). Both
follow one rule, kept here so that it is written once:

* what a nation approves is named by the **content hash** of what it saw
  (:func:`content_hash`: SHA-256 of the canonical JSON of the content), not by
  a revision number alone — a number can be reused or raced (two amendments
  crossing on the wire); a hash of different content is a different hash;
* each nation's **latest** position stands (a nation may change its mind);
* the thing is approved only when every participating nation's latest
  position is an approval that counts (given by someone who commits that
  nation) **of the current hash**: an approval of revision N never counts for
  N+1, whose content differs.

The desks decide what "content" and "counts" mean for their objects; this
module decides nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

HASH_PREFIX = "sha256:"


def content_hash(content: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``content`` (keys sorted, times
    as ISO 8601 text): equal content, equal hash, on every node."""
    body = orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z)
    return HASH_PREFIX + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True, slots=True)
class Position:
    """One nation's position on some content: ``approves`` (or not) the content
    named by ``pinned`` (a :func:`content_hash`), given at ``at``; ``counts``
    says whether its author commits the nation (a commander, or by delegation)."""

    nation: str
    pinned: str
    approves: bool
    counts: bool
    at: datetime
    ident: str = ""


def latest(positions: Iterable[Position]) -> dict[str, Position]:
    """Each nation's latest position (by time, then id: a total order)."""
    out: dict[str, Position] = {}
    for p in sorted(positions, key=lambda p: (p.at, p.ident)):
        out[p.nation] = p
    return out


def approvals_of(positions: Iterable[Position], pinned: str) -> dict[str, Position]:
    """The nations whose latest position approves exactly ``pinned``, and counts."""
    return {
        n: p for n, p in latest(positions).items() if p.approves and p.counts and p.pinned == pinned
    }


def missing(required: Iterable[str], positions: Iterable[Position], pinned: str) -> list[str]:
    """The nations of ``required`` that have not approved ``pinned`` (sorted):
    empty when, and only when, the content is approved by all."""
    approved = approvals_of(positions, pinned)
    return sorted(set(required) - set(approved))


__all__ = ["HASH_PREFIX", "Position", "approvals_of", "content_hash", "latest", "missing"]
