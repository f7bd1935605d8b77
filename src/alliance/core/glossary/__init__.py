"""The bilingual glossary: the Japanese and English terms the seed, messages and
console use for ranks, headquarters, relationships, markings and ACM terms.

Each area keeps its own file, ``alliance/core/glossary/<area>.yaml`` (package
data), of the form::

    terms:
      - id: opcon                     # snake_case, unique across all files
        en: operational control (OPCON)
        ja: 作戦統制
        note_en: ...                  # optional; both notes or neither
        note_ja: ...
        source: {title: ..., publisher: ..., url: ..., read: 2026-12-02,
                 kind: primary}       # optional; kind: primary | secondary (default)

``term(id)`` gives a term as :class:`~alliance.core.i18n.Text`; an unknown id
is a ``KeyError`` naming it. A file that breaks the form (a term without
both languages, an id used twice, a note without its pair) is refused when
the glossary loads, with :class:`GlossaryError` naming the file and the term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from alliance.core.i18n import Text

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SOURCE_KEYS = frozenset({"title", "publisher", "url", "read"})
_SOURCE_KINDS = ("primary", "secondary")
_TERM_KEYS = frozenset({"id", "en", "ja", "note_en", "note_ja", "source"})


class GlossaryError(ValueError):
    """A glossary file breaks the form; the message names the file and the term."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a term was checked: a public page, and the day it was read."""

    title: str
    publisher: str
    url: str
    read: date
    kind: str = "secondary"  # "primary": the publisher is the organisation or its government


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    text: Text
    area: str
    note: Text | None = None
    source: Source | None = None


def _string(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GlossaryError(f"{where}: '{key}' must be non-empty text")
    return value.strip()


def _source(raw: object, where: str) -> Source:
    if not isinstance(raw, dict) or set(raw) - {"kind"} != _SOURCE_KEYS:
        raise GlossaryError(
            f"{where}: source needs exactly {sorted(_SOURCE_KEYS)} (and optionally 'kind')"
        )
    kind = raw.get("kind", "secondary")
    if kind not in _SOURCE_KINDS:
        raise GlossaryError(f"{where}: source.kind is primary or secondary, got {kind!r}")
    read = raw["read"]
    if isinstance(read, str):
        try:
            read = date.fromisoformat(read)
        except ValueError:
            raise GlossaryError(f"{where}: source.read is not a date: {read!r}") from None
    if not isinstance(read, date):
        raise GlossaryError(f"{where}: source.read is not a date")
    url = _string(raw, "url", f"{where}.source")
    if not url.startswith(("https://", "http://")):
        raise GlossaryError(f"{where}: source.url must be a web address (http:// or https://)")
    return Source(_string(raw, "title", where), _string(raw, "publisher", where), url, read, kind)


def parse_terms(raw: str | bytes, area: str) -> list[Term]:
    """The terms of one glossary file (``area`` names it in errors)."""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise GlossaryError(f"{area}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise GlossaryError(f"{area}: a glossary file holds a list under 'terms'")
    out: list[Term] = []
    for i, entry in enumerate(data["terms"]):
        where = f"{area}: terms[{i}]"
        if not isinstance(entry, dict):
            raise GlossaryError(f"{where}: a term is a mapping")
        ident = entry.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise GlossaryError(f"{where}: id must be snake_case, got {ident!r}")
        where = f"{area}: {ident}"
        unknown = set(entry) - _TERM_KEYS
        if unknown:
            raise GlossaryError(f"{where}: unknown keys {sorted(unknown)}")
        text = Text(_string(entry, "en", where), _string(entry, "ja", where))
        has_en, has_ja = "note_en" in entry, "note_ja" in entry
        if has_en != has_ja:
            raise GlossaryError(f"{where}: note_en and note_ja come together")
        note = (
            Text(_string(entry, "note_en", where), _string(entry, "note_ja", where))
            if has_en
            else None
        )
        source = _source(entry["source"], where) if "source" in entry else None
        out.append(Term(ident, text, area, note, source))
    return out


def _files() -> list[Traversable]:
    folder = resources.files(__name__)
    return sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)


@cache
def terms() -> dict[str, Term]:
    """Every term of every glossary file, by id (loaded once)."""
    found: dict[str, Term] = {}
    for f in _files():
        area = f.name.removesuffix(".yaml")
        for t in parse_terms(f.read_text(encoding="utf-8"), area):
            if t.id in found:
                raise GlossaryError(f"{area}: {t.id}: id already used in {found[t.id].area}.yaml")
            found[t.id] = t
    return found


def term(ident: str) -> Text:
    """The term ``ident`` in both languages; ``KeyError`` naming it if unknown."""
    try:
        return terms()[ident].text
    except KeyError:
        raise KeyError(f"no glossary term '{ident}'") from None


__all__ = ["GlossaryError", "Source", "Term", "parse_terms", "term", "terms"]
